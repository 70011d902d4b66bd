"""Benchmark the HTML views: page size, build time and time to first draw in Chromium.

    python bench/bench_html.py [--store DIR] [--view history] [--from 1945] [--to 2024]

1. Builds the view (default: the full 1945-2024 history of the bundled data; a store is
   built from data/ in a temporary folder unless ``--store`` is given) and reports its
   file size, nodes, facts and the time ``api.viz`` took.
2. Opens the page from file:// in headless Debian Chromium (Playwright,
   ``executable_path=/usr/bin/chromium``) ``--repeat`` times and reports the time to first
   draw: ``performance.now()`` when vis-network's first ``afterDrawing`` fires, counted from
   the start of navigation (so parsing the inlined script is included; the layout is
   computed in Python, there is no physics to settle).
3. Moves the year through every year of the page and reports the median time of one
   year change (filtering and redrawing).

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopgraph import api  # noqa: E402

STEP_YEARS = """async () => {
  const c = window.coopgraph, times = [];
  const first = Number(document.getElementById('year').min);
  const last = Number(document.getElementById('year').max);
  for (let y = first; y <= last; y++) {
    const t = performance.now();
    c.setYear(y);
    await new Promise(r => requestAnimationFrame(() => r()));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return [times[Math.floor(times.length / 2)], times[times.length - 1], times.length];
}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--view", default="history", choices=api.VIEWS)
    parser.add_argument("--name")
    parser.add_argument("--from", dest="first", type=int, default=1945)
    parser.add_argument("--to", dest="last", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        store_path = args.store
        if store_path is None:
            store_path = Path(tmp) / "store"
            print("building the store from data/ ...", file=sys.stderr)
            api.build(store_path)
        started = time.perf_counter()
        view = api.viz(store_path, args.view, args.name, first=args.first, last=args.last)
        built = time.perf_counter() - started
        page_file = Path(tmp) / "view.html"
        view.save(page_file)
        f = view.figures
        print(f"view {args.view} {f['first']}-{f['last']}: {f['bytes']:,} bytes "
              f"({f['bytes'] / 1024 / 1024:.2f} MiB), {f['nodes']} nodes, {f['facts']} facts, "
              f"built in {built:.1f} s")  # fmt: skip
        draws = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            for _ in range(args.repeat):
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                page.goto(page_file.as_uri())
                page.wait_for_function("window.coopgraph && window.coopgraph.ready")
                draws.append(page.evaluate("window.coopgraph.firstDrawMs"))
                page.close()
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(page_file.as_uri())
            page.wait_for_function("window.coopgraph && window.coopgraph.ready")
            median_step, worst_step, steps = page.evaluate(STEP_YEARS)
            browser.close()
    print(f"time to first draw: median {statistics.median(draws):.0f} ms, "
          f"min {min(draws):.0f} ms, max {max(draws):.0f} ms over {len(draws)} loads")  # fmt: skip
    print(f"year change: median {median_step:.1f} ms, worst {worst_step:.1f} ms "
          f"over {steps} years")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
