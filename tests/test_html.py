"""The HTML views: self-contained, every year in one page, hostile labels shown as text.

The browser tests (marker ``browser``) open each view from file:// in Debian's Chromium
through Playwright (``executable_path=/usr/bin/chromium``; no browser download), with
one browser for the module and the views built once.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from coopgraph import api, project, store
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.outputs import facts, html

XSS = "<img src=x onerror=alert(1)>"


def _hostile_history() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(first=1998, last=2000)
    G.add_node("AAA", label=XSS, kind="nation", detail="nation", lat=10.0, lon=10.0)
    G.add_node("NATO", label="</script><script>alert(2)</script>", kind="alliance", detail="x")
    G.add_node("OP", label="Op", kind="operation", detail='"><svg onload=alert(3)>')
    G.add_node(XSS, label=XSS, kind="nation", detail=XSS)  # a hostile id too
    fact = {"source": XSS, "source_url": "javascript:alert(4)", "first": 1998, "last": None}
    G.add_edge("AAA", "NATO", relation="member of", fact=XSS, **fact)
    G.add_edge("AAA", "OP", relation="took part in", fact="<b>bold</b>", **fact)
    G.add_edge(XSS, "NATO", relation="member of", fact=XSS, **fact)
    G.add_edge(
        "AAA", XSS, relation="aid to", fact=f"{XSS} gave", amounts={1999: 5e6}, unit="USD",
        types=[XSS], **fact,
    )  # fmt: skip
    return G


def _hostile_page() -> str:
    return html.page(_hostile_history(), title=XSS, subtitle=XSS, year=1999).html


def _payload(page: str) -> dict:
    return json.loads(re.search(r'id="graph-data">(.*?)</script>', page, re.S).group(1))


def external_references(page: str) -> list[str]:
    """Every src/href and CSS url() that points at a network resource."""
    refs = re.findall(
        r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?([^"' >]+)""", page, re.I
    )
    refs += re.findall(r"""url\(\s*["']?(https?:[^)"']+)""", page, re.I)
    refs += re.findall(r"""@import\s+["']?(https?:[^"';]+)""", page, re.I)
    return [r for r in refs if not r.startswith("data:")]


def test_page_has_no_external_script_or_style(fixture_store):
    page = api.viz(fixture_store, year=1999).html
    assert external_references(page) == []
    assert "vis.Network" in page and "vis-network" in page


def test_hostile_labels_never_reach_the_page_as_markup():
    page = _hostile_page()
    assert XSS not in page
    assert "</script><script>alert(2)" not in page
    assert "<svg onload" not in page
    data = _payload(page)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels[XSS] == XSS  # kept as text, drawn on the canvas
    assert data["title"] == XSS
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_repr_html_embeds_the_escaped_page(fixture_store):
    view = html.page(_hostile_history(), title=XSS, year=1999)
    frame = view._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and frame.endswith("</iframe>")
    inside = frame.split('srcdoc="', 1)[1].split('" title=', 1)[0]
    assert "<" not in inside and '"' not in inside  # one attribute value, all escaped
    assert 'sandbox="allow-scripts"' in frame


def test_facts_are_sentences_with_dates_and_sources(fixture_store):
    data = _payload(api.viz(fixture_store, year=1999).html)
    facts = {(e["from"], e["to"]): e for e in data["edges"]}
    pol = facts["POL", "NATO"]
    assert (
        pol["fact"]
        == "Poland joined the North Atlantic Treaty Organization (NATO) on 12 March 1999."
    )
    assert (pol["first"], pol["last"]) == (1999, None)
    assert data["sources"][pol["source"]]["title"] == "NATO member countries"
    assert data["sources"][pol["source"]]["url"].startswith("https://www.nato.int/")
    assert {k["key"] for k in data["kinds"]} == {"nation", "alliance", "operation"}
    aid = [e for e in data["edges"] if e.get("amounts")]
    assert aid and all(e["relation"] == "aid to" for e in aid)


def test_year_slider_data_matches_in_year_mode(fixture_store):
    history = project.cooperation_history(store.open_reader(fixture_store), 1990, 2000)
    members = {
        y: {u for u, v, d in project.active(history, y).edges(data=True) if v == "NATO"}
        for y in (1990, 2000)
    }
    assert "POL" not in members[1990] and "POL" in members[2000]
    assert facts.say_date(None) == ""


def test_every_view_builds(fixture_store):
    for view, name in [("alliances", None), ("aid", None), ("operation", "allied-force"),
                       ("ego", "Poland"), ("blocs", None), ("history", None)]:  # fmt: skip
        page = api.viz(fixture_store, view, name, first=1995, last=2000)
        assert page.figures["facts"] > 0, view
    data = _payload(api.viz(fixture_store, "blocs", first=1998, last=2000).html)
    assert data["blocs"]["1999"]["POL"] == data["blocs"]["1999"]["USA"]


def test_unknown_names_are_usage_errors(fixture_store):
    with pytest.raises(UsageError, match="viz operation NAME: no operation 'NOPE' in the store"):
        api.viz(fixture_store, "operation", "NOPE")
    with pytest.raises(UsageError, match="did you mean ALLIED-FORCE"):
        api.viz(fixture_store, "operation", "Allied Forse")
    with pytest.raises(UsageError, match="viz ego NAME: no state 'Atlantis' in the store"):
        api.viz(fixture_store, "ego", "Atlantis")
    with pytest.raises(UsageError, match="needs an operation"):
        api.viz(fixture_store, "operation")
    with pytest.raises(CoopgraphError, match="no facts in the store for 1900-1910"):
        api.viz(fixture_store, first=1900, last=1910)


@pytest.mark.parametrize(
    "args, message",
    [
        (["viz", "operation", "NOPE"], "viz operation NAME: no operation 'NOPE'"),
        (["viz", "ego", "XYZ"], "viz ego NAME: no state 'XYZ'"),
        (["viz", "alliances", "--year", "1900"], "year 1900 is outside"),
    ],
)
def test_cli_errors_are_one_line(fixture_store, tmp_path, args, message):
    result = CliRunner().invoke(
        main, ["--store", str(fixture_store), *args, "-o", str(tmp_path / "v.html")]
    )
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_cli_writes_a_view(fixture_store, tmp_path):
    out = tmp_path / "isaf.html"
    result = CliRunner().invoke(
        main, ["--store", str(fixture_store), "viz", "operation", "ALLIED-FORCE", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and out.read_text().startswith("<!DOCTYPE html>")


# ------------------------------------------------------------------ in a browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
browser_test = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None,
    reason=f"Chromium not found at {CHROMIUM} (.ci/run installs Debian's chromium package)",
)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory, bundled_store, fixture_store) -> dict[str, Path]:
    """Each view written once: the bundled data where the test needs real history (short
    spans keep it quick), the fixture data elsewhere."""
    folder = tmp_path_factory.mktemp("views")
    views = {
        "alliances": api.viz(bundled_store, "alliances", year=1990, first=1985, last=2005),
        "blocs": api.viz(bundled_store, "blocs", year=1980, first=1978, last=1982),
        "operation": api.viz(bundled_store, "operation", "ISAF"),
        "ego": api.viz(fixture_store, "ego", "POL", year=2000, first=1990, last=2005),
        "aid": api.viz(fixture_store, "aid", first=1995, last=2005),
        "history": api.viz(fixture_store, year=1999, first=1949, last=2005),
        "hostile": html.page(_hostile_history(), title=XSS, subtitle=XSS, year=1999),
    }
    paths = {}
    for name, view in views.items():
        paths[name] = folder / f"view-{name}.html"
        view.save(paths[name])
    return paths


class Opened:
    """A page opened from file://, with what it logged, requested and tried to show."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.coopgraph && window.coopgraph.ready", timeout=20_000)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


def distinct_colours(png: bytes) -> int:
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png)).convert("RGB").resize((300, 200))
    return len(image.getcolors(maxcolors=1 << 16) or [])


@pytest.mark.browser
@browser_test
@pytest.mark.parametrize("view", ["alliances", "blocs", "operation", "ego", "aid", "history"])
def test_view_draws_offline_without_errors(browser, pages, view):
    opened = Opened(browser, pages[view])
    try:
        assert opened.errors == []
        assert opened.external_requests() == []
        assert opened.js("window.coopgraph.firstDrawMs") > 0
        assert len(opened.js("window.coopgraph.visibleEdgeIds()")) > 0
        assert "Legend" in opened.page.inner_text("#legend")
        graph = opened.page.locator("#graph").screenshot()
        assert distinct_colours(graph) > 20, f"{view}: the graph looks blank"
        opened.js("window.coopgraph.setLayout('map')")  # the map layout draws too
        assert opened.errors == []
    finally:
        opened.page.close()


@pytest.mark.browser
@browser_test
def test_year_slider_shows_the_year_as_the_data_says(browser, pages):
    opened = Opened(browser, pages["alliances"])
    try:
        page = opened.page

        def nato_members() -> set[str]:
            ids = opened.js("window.coopgraph.visibleEdgeIds()")
            edges = [opened.js(f"window.coopgraph.edge({json.dumps(i)})") for i in ids]
            return {e["from"] for e in edges if e["to"] == "NATO"}

        assert page.input_value("#year") == "1990"
        in_1990 = nato_members()
        page.locator("#year").fill("2000")  # the real slider: sets it and fires input
        assert page.inner_text("#year-label") == "2000"
        in_2000 = nato_members()
        joined = {"POL", "HUN", "CZE"}
        assert not joined & in_1990 and joined <= in_2000
        assert in_2000 - in_1990 == joined
        assert "USA" in in_1990 and "USA" in in_2000
        assert opened.errors == [] and opened.external_requests() == []
    finally:
        page.close()


@pytest.mark.browser
@browser_test
def test_search_finds_and_selects_a_nation(browser, pages):
    opened = Opened(browser, pages["alliances"])
    try:
        page = opened.page
        page.locator("#year").fill("2000")
        page.fill("#search", "poland")
        page.press("#search", "Enter")
        assert opened.js("window.coopgraph.network.getSelectedNodes()") == ["POL"]
        assert "Found Poland (POL)" in page.inner_text("#search-status")
        assert "joined the North Atlantic Treaty Organization" in page.inner_text("#info")
        assert opened.js("window.coopgraph.search('Atlantis')") is None
        assert "No nation matches" in page.inner_text("#search-status")
    finally:
        page.close()


@pytest.mark.browser
@browser_test
def test_hostile_labels_show_as_text_and_run_nothing(browser, pages):
    opened = Opened(browser, pages["hostile"])
    try:
        page = opened.page
        assert page.inner_text("#title") == XSS
        # hover the hostile node: the tooltip shows its name as text
        pos = opened.js(
            "(() => { const n = window.coopgraph.network; const p = n.getPositions(['AAA']).AAA;"
            " return n.canvasToDOM(p); })()"
        )
        box = page.locator("#graph").bounding_box()
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_selector("#tip", state="visible", timeout=5_000)
        assert XSS in page.inner_text("#tip")
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        assert XSS in page.inner_text("#info")
        assert "javascript:" not in page.inner_html("#info")  # only http(s) links
        page.fill("#search", XSS)
        page.press("#search", "Enter")
        assert opened.js("document.querySelectorAll('img, svg, b').length") == 0
        assert opened.dialogs == []
        assert opened.errors == [] and opened.external_requests() == []
    finally:
        page.close()
