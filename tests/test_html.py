"""The HTML graph: self-contained, legend and tooltips, hostile labels shown as text."""

from __future__ import annotations

import json
import re
import shutil

import networkx as nx
import pytest

from coopgraph import api
from coopgraph.outputs import html

XSS = "<img src=x onerror=alert(1)>"


def _hostile_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("AAA", label=XSS, kind="nation")
    G.add_node("NATO", label="</script><script>alert(2)</script>", kind="alliance")
    G.add_node("OP", label="Op", kind="operation", detail='"><svg onload=alert(3)>')
    G.add_edge("AAA", "NATO", relation="member of", fact=XSS, source="s <http://x>")
    G.add_edge("AAA", "OP", relation="took part in", fact="f", source="s")
    G.add_edge("AAA", "AAA", relation="aid to", fact="f", source="s", amount=5e6)
    G.add_node(XSS, label=XSS, kind="nation")  # a hostile id becomes a hostile label
    G.add_edge(XSS, "NATO", relation="member of", fact=XSS, source=XSS)
    return G


def _page(graph: nx.MultiDiGraph, title: str = "t") -> str:
    return html.to_html(html.network(graph, title=title), title=title, subtitle="s")


def external_references(page: str) -> list[str]:
    """Every src/href and CSS url() that points at a network resource."""
    refs = re.findall(
        r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?([^"' >]+)""", page, re.I
    )
    refs += re.findall(r"""url\(\s*["']?(https?:[^)"']+)""", page, re.I)
    refs += re.findall(r"""@import\s+["']?(https?:[^"';]+)""", page, re.I)
    return [r for r in refs if not r.startswith("data:")]


def test_page_has_no_external_script_or_style(fixture_store):
    page = api.viz(fixture_store, 1999)
    assert external_references(page) == []
    assert "vis.Network" in page and "vis-network" in page


def test_hostile_labels_never_reach_the_page_as_markup():
    page = _page(_hostile_graph(), title=XSS)
    assert XSS not in page
    assert "</script><script>alert(2)" not in page
    assert "<svg onload" not in page
    payload = re.search(r'id="graph-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(payload)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels[XSS] == XSS  # kept as text, drawn on the canvas
    titles = {n["id"]: n["title"] for n in data["nodes"]}
    assert titles["NATO"].startswith("</script><script>alert(2)</script> (NATO)")
    assert data["title"] == XSS
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_legend_and_tooltips_state_facts_with_dates_and_sources(fixture_store):
    page = api.viz(fixture_store, 1999)
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', page, re.S).group(1))
    assert {i["label"].split(" ")[0] for i in data["legend"]["nodes"]} == {
        "nation",
        "alliance",
        "operation",
    }
    titles = [e["title"] for e in data["edges"]]
    assert any(
        t.startswith("Poland was a member of North Atlantic Treaty Organization since 1999-03-12")
        and "Source: NATO member countries <https://www.nato.int/" in t
        for t in titles
    )
    assert any("fiscal year 1999" in t and "1,860,000,000 USD" in t for t in titles)
    colours = {n["id"]: n["color"] for n in data["nodes"]}
    assert colours["POL"] != colours["NATO"] != colours["ALLIED-FORCE"]


def test_year_without_facts_is_an_error(fixture_store):
    from coopgraph.errors import CoopgraphError

    with pytest.raises(CoopgraphError, match="no facts in the store for 1900"):
        api.viz(fixture_store, 1900)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (.ci/run installs it)")
def test_page_renders_offline_in_chromium(tmp_path, fixture_store):
    """Open the page in headless Chromium with the network cut: it draws the graph,
    makes no request, runs no injected script, and shows a hostile label as text."""
    sync_api = pytest.importorskip("playwright.sync_api")
    graph = _hostile_graph()
    from coopgraph import project, store

    real = project.cooperation_graph(store.open_reader(fixture_store), 1999)
    graph.update(real)
    page_file = tmp_path / "graph.html"
    page_file.write_text(_page(graph, title=XSS))
    requests, dialogs = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-stabilized=true]", timeout=30_000)
        assert page.inner_text("#title") == XSS
        assert "member of" in page.inner_text("#legend")
        positions = page.evaluate("Object.keys(window.coopgraphNetwork.getPositions()).length")
        assert positions == graph.number_of_nodes()
        # hover the hostile node: its tooltip shows the label as text
        pos = page.evaluate(
            "(() => { const n = window.coopgraphNetwork; const p = n.getPositions(['AAA'])['AAA'];"
            " return n.canvasToDOM(p); })()"
        )
        box = page.locator("#graph").bounding_box()
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        assert XSS in page.inner_text("div.vis-tooltip")
        page.screenshot(path=str(tmp_path / "graph.png"))
        browser.close()
    assert dialogs == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
