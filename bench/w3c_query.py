"""The W3C SPARQL 1.1 query-evaluation tests: coopgraph against raw pyoxigraph, per manifest.

Runs every qualifying test of ../shared/w3c_rdf_tests/sparql/sparql11/*/manifest.ttl
(``tests/w3c_harness.py`` says which qualify and how each engine runs them) four ways:
raw pyoxigraph; coopgraph as ``coopgraph import rdf`` + ``coopgraph query`` with the test's
dataset (``--default-graph``, ``--named-graph``, ``--base``: what tests/test_w3c_query.py
checks); the same with ``--sources rdf`` instead of the dataset; and plain ``coopgraph
query`` (the union of every graph as default graph). Prints
the passes per manifest, then each test whose outcome differs from raw pyoxigraph's, in the
form of the table of docs/w3c-query-results.md. Figures are printed, never asserted.

    .venv/bin/python bench/w3c_query.py
    .venv/bin/python bench/w3c_query.py --manifest aggregates --manifest bind
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import w3c_harness as harness  # noqa: E402

MODES = ("raw", "dataset", "sources", "union")


def main() -> None:
    """Run the tests and print the counts and the differences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", action="append", help="only this folder (repeatable)")
    options = parser.parse_args()
    if not harness.SUITE.is_dir():
        sys.exit(f"the W3C test suite is not at {harness.SUITE} (../shared/w3c_rdf_tests)")
    cases, skipped = harness.cases()
    if options.manifest:
        cases = [c for c in cases if c.manifest in options.manifest]
    work = Path(tempfile.mkdtemp(prefix="cg-w3c-"))
    outcomes: dict[str, dict[str, harness.Outcome]] = defaultdict(dict)
    seconds = dict.fromkeys(MODES, 0.0)
    stores: dict[tuple, Path | str] = {}
    try:
        for case in cases:
            started = time.perf_counter()
            outcomes[case.id]["raw"] = harness.run_raw(case)
            seconds["raw"] += time.perf_counter() - started
            started = time.perf_counter()
            root = _store(case, stores, work)
            seconds["dataset"] += time.perf_counter() - started  # imports counted once
            for mode in MODES[1:]:
                started = time.perf_counter()
                if isinstance(root, str):
                    outcomes[case.id][mode] = harness.Outcome(False, root)
                else:
                    outcomes[case.id][mode] = harness.query_coopgraph(case, root, mode)
                seconds[mode] += time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(cases, skipped, outcomes, seconds, len(stores))


def _store(case: harness.Case, stores: dict[tuple, Path | str], work: Path) -> Path | str:
    """The store of the case's data, imported once per distinct dataset; or why the
    import failed."""
    from coopgraph.errors import CoopgraphError

    key = (case.data, case.graph_data)
    if key not in stores:
        root = work / f"store-{len(stores)}"
        try:
            harness.build_store(case, root)
            stores[key] = root
        except CoopgraphError as error:
            stores[key] = f"import error: {error}"
    return stores[key]


def _report(cases, skipped, outcomes, seconds, datasets) -> None:
    by_manifest: dict[str, list] = defaultdict(list)
    for case in cases:
        by_manifest[case.manifest].append(case)
    header = (
        f"{'manifest':<20} {'tests':>5} {'raw':>5} {'dataset':>8} {'--sources rdf':>13} "
        f"{'union':>6}"
    )
    print(header)
    print("-" * len(header))
    totals = dict.fromkeys(MODES, 0)
    for manifest, group in by_manifest.items():
        passed = {m: sum(outcomes[c.id][m].passed for c in group) for m in MODES}
        for mode in MODES:
            totals[mode] += passed[mode]
        print(
            f"{manifest:<20} {len(group):>5} {passed['raw']:>5} {passed['dataset']:>8} "
            f"{passed['sources']:>13} {passed['union']:>6}"
        )
    print("-" * len(header))
    print(
        f"{'total':<20} {len(cases):>5} {totals['raw']:>5} {totals['dataset']:>8} "
        f"{totals['sources']:>13} {totals['union']:>6}"
    )
    print(
        f"\n{len(skipped)} tests do not qualify: "
        + ", ".join(f"{n} {why}" for why, n in _count(skipped.values()))
    )
    print(
        f"seconds: raw {seconds['raw']:.1f}; coopgraph {seconds['dataset']:.1f} with the "
        f"test's dataset ({datasets} stores imported), {seconds['sources']:.1f} with --sources, "
        f"{seconds['union']:.1f} union"
    )
    print("\nfailures (test | raw | dataset | --sources rdf | union | detail):")
    for case in cases:
        got = outcomes[case.id]
        if all(o.passed for o in got.values()):
            continue
        marks = " | ".join("passes" if got[m].passed else "fails" for m in MODES)
        detail = next((got[m].detail for m in MODES if not got[m].passed), "")
        print(f"| `{case.id}` | {marks} | {detail[:160]} |")


def _count(values) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return sorted(counts.items(), key=lambda item: -item[1])


if __name__ == "__main__":
    main()
