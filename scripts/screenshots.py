"""Screenshots of every HTML view for the README: docs/images/view-*.png (1200x800).

    .venv/bin/python scripts/screenshots.py [--store DIR] [--out docs/images]

Builds each view of ``coopgraph viz`` from the store (default: a fresh build of data/ in a
temporary folder), opens it from file:// in Debian's Chromium (Playwright with
``executable_path=/usr/bin/chromium``) and saves the window once the graph is drawn.
The aid view is shown on the map layout, the others on the force layout.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopgraph import api  # noqa: E402

#: name -> (arguments of api.viz, keyword arguments, JavaScript run before the shot)
VIEWS = {
    "history": (("history",), {"year": 1999}, ""),
    "alliances": (("alliances",), {"year": 1999}, ""),
    "aid": (("aid",), {"first": 2001, "last": 2010}, ""),
    "operation": (("operation", "ISAF"), {"year": 2011}, ""),
    "ego": (("ego", "POL"), {"year": 2000}, ""),
    "blocs": (("blocs",), {"year": 1980}, ""),
    "map": (("alliances",), {"year": 1985}, "window.coopgraph.setLayout('map')"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store to draw from (default: build data/)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        store_path = args.store
        if store_path is None:
            store_path = Path(tmp) / "store"
            print("building the store from data/ ...", file=sys.stderr)
            api.build(store_path)
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            for name, (view_args, options, script) in VIEWS.items():
                view = api.viz(store_path, *view_args, **options)
                page_file = Path(tmp) / f"view-{name}.html"
                view.save(page_file)
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                page.goto(page_file.as_uri())
                page.wait_for_function("window.coopgraph && window.coopgraph.ready")
                if script:
                    page.evaluate(script)
                shot = args.out / f"view-{name}.png"
                page.screenshot(path=str(shot))
                page.close()
                print(f"{shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot}: "
                      f"{view.figures['bytes'] / 1024:,.0f} KiB page")  # fmt: skip
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
