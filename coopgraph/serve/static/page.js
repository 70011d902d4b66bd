// The query page of coopgraph serve: YASGUI on this endpoint, the example queries as buttons.
// Served as a file (not inline) so the page's Content-Security-Policy allows no inline script.
// The editor opens on a library example declaring every predeclared prefix, and its prefix
// autocompleter reads coopgraph's prefixes (typing cg: adds its declaration).
(function () {
  "use strict";
  var data = function (id) { return JSON.parse(document.getElementById(id).textContent); };
  var endpoint = new URL(data("endpoint"), window.location.href).href;
  var examples = data("examples");
  Yasgui.defaults.requestConfig.endpoint = endpoint;
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.value = data("default-query");
  Yasgui.Yasqe.defaults.collapsePrefixesOnLoad = true;
  Yasgui.Yasqe.defaults.prefixCcApi = new URL("static/prefixes.json", window.location.href).href;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { autocompleters: ["prefixes", "variables"] }
  });
  document.querySelectorAll(".examples button").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = examples[Number(button.dataset.index)];
      var tab = yasgui.getTab();
      tab.setQuery(example.text);
      tab.getYasqe().focus();
      window.scrollTo(0, 0);
    });
  });
})();
