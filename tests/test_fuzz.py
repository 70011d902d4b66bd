"""Bad input, tried systematically: hypothesis mutates valid input for every parser.

Each test sets ``max_examples`` and counts the cases it ran (``CASES``, printed at the end
of the module with ``pytest -s``); for a bigger run multiply them with the environment
variable ``COOPGRAPH_FUZZ_EXAMPLES`` (e.g. 20). What every bad input must give: a
``CoopgraphError`` (one line, naming the file and, for a row, the line) or a rejected row,
never another exception; and N-Quads that Oxigraph parses from any row accepted.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopgraph import dates, ids, queries, store
from coopgraph.build import read_curated
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.sources import ImportContext, RowError, importers
from coopgraph.sources.curated import SCHEMES
from coopgraph.sources.resolve import Resolver

from .conftest import FIXTURE_DATA, ROOT

IMPORT_FIXTURES = ROOT / "tests" / "fixtures" / "import"
#: Cases run per parser (printed at the end of the module).
CASES: Counter = Counter()
SCALE = int(os.environ.get("COOPGRAPH_FUZZ_EXAMPLES", "1"))


def fuzz_settings(examples: int):
    """Hypothesis settings for a fuzz test: ``examples`` cases, reproducible in CI."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


#: Values that broke or nearly broke parsers somewhere: dates that do not exist, numbers
#: past C's long, digits that are not ASCII, markup, control characters, huge fields.
WEIRD = [
    "", " ", "x", "1999-02-30", "1999-13", "1999-1-1", "0999", "0000", "2101", "-1", "-0",
    "99999999999999999999", "1e400", "nan", "NaN", "inf", "Infinity", "1_000", "0x10",
    "١٩٩٩", "²²²²", "１２", "1999.0", "1976.9", "1,000", "[5]", "true", "TRUE", "\x00",
    "a\nb", "a\rb", '"', "\\", "'", "<script>alert(1)</script>", "http://a b", "https://",
    "Q", "Q12x", "1999TQ", "19x9", "\u2028", "é" * 5000, "A" * 200_000, "UNKNOWN", "NATO",
    "FRA", "2", "365",
]  # fmt: skip
VALUES = st.one_of(st.sampled_from(WEIRD), st.text(max_size=40))


def mutate(draw, text: str) -> bytes:
    """A mutation of a valid CSV text: a field changed, a field added or dropped, bytes
    that are not UTF-8, a broken gzip stream, an empty file or a shuffled header."""
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    kind = draw(st.sampled_from(["field", "field", "fields", "count", "bytes", "empty", "header"]))
    body = range(1, len(rows))
    if kind in ("field", "fields") and body:
        for _ in range(draw(st.integers(1, 3 if kind == "fields" else 1))):
            r = draw(st.sampled_from(body))
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(VALUES)
    elif kind == "count" and body:
        r = draw(st.sampled_from(body))
        rows[r] = rows[r][:-1] if draw(st.booleans()) else rows[r] + [draw(VALUES)]
    elif kind == "bytes":
        raw = text.encode("utf-8")
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x80", b"\xfe\xfe"])) + raw[at:]
    elif kind == "empty":
        return draw(
            st.sampled_from([b"", b"\n", b"\x1f\x8b", b"\x1f\x8b\x08\x00junk", b"PK\x03\x04"])
        )
    elif kind == "header":
        rows[0] = draw(st.permutations(rows[0]))[: draw(st.integers(0, len(rows[0])))]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def assert_located(error: CoopgraphError, *, line: bool = True) -> None:
    """A one-line error that names its file (and line, when ``line``)."""
    assert "\n" not in str(error) and error.path, str(error)
    if line:
        assert error.line is not None, str(error)


def assert_nquads(text: str) -> None:
    """Oxigraph's parser accepts ``text`` (an accepted row never breaks the bulk load)."""
    list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


# ------------------------------------------------------------------ curated data files

CURATED_FILES = sorted(p.name for p in FIXTURE_DATA.glob("*.csv"))


def _curated_case(draw, name: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cg-fuzz-"))
    try:
        data = folder / "data"
        shutil.copytree(FIXTURE_DATA, data)
        target = data / name
        target.write_bytes(mutate(draw, target.read_text(encoding="utf-8")))
        try:
            assert_nquads(read_curated(data).nquads)
        except CoopgraphError as error:
            assert_located(error, line=False)
            assert error.path.endswith(".csv"), str(error)
    finally:
        shutil.rmtree(folder)


def test_curated_files_reject_bad_rows_with_their_location():
    @fuzz_settings(100)
    @given(st.data())
    def case(data):
        CASES["curated data files"] += 1
        _curated_case(data.draw, data.draw(st.sampled_from(CURATED_FILES)))

    case()


def test_crosswalk_rows():
    """The crosswalk's own values: schemes, codes, year spans."""
    cells = st.one_of(
        VALUES,
        st.sampled_from(sorted(SCHEMES)),
        st.from_regex(r"\A(Q?\d{0,6}|\d{4})\Z"),
    )

    @fuzz_settings(60)
    @given(st.data())
    def case(data):
        CASES["crosswalk"] += 1
        rows = (FIXTURE_DATA / "crosswalk.csv").read_text(encoding="utf-8").splitlines()
        row = next(csv.reader([data.draw(st.sampled_from(rows[1:]))]))
        row[data.draw(st.integers(1, 4))] = data.draw(cells)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(row)
        folder = Path(tempfile.mkdtemp(prefix="cg-fuzz-"))
        try:
            shutil.copytree(FIXTURE_DATA, folder / "data")
            with (folder / "data" / "crosswalk.csv").open("a", encoding="utf-8") as handle:
                handle.write(out.getvalue())
            try:
                assert_nquads(read_curated(folder / "data").nquads)
            except CoopgraphError as error:
                assert_located(error)
        finally:
            shutil.rmtree(folder)

    case()


# --------------------------------------------------------------------------- importers

IMPORT_SETS = {
    "atop": "atop",
    "cow-alliances": "cow-alliances",
    "cow-nmc": "cow-nmc",
    "cow-states": "cow-states",
    "greenbook": "greenbook",
    "kiel": "kiel",
    "sipri": "sipri/trade-register.csv",
    "sipri-tiv": "sipri/sipri-tiv.csv",
    "unvotes": "unvotes",
}


@pytest.fixture(scope="module")
def resolver(bundled_store) -> Resolver:
    return Resolver(store.open_reader(bundled_store))


@pytest.mark.parametrize("name", sorted(IMPORT_SETS))
def test_importer_rows(name, resolver):
    """Every row of a mutated file is imported (as N-Quads Oxigraph parses) or rejected
    with its line; a file that cannot be read raises a located CoopgraphError."""
    source = IMPORT_FIXTURES / IMPORT_SETS[name]
    originals = sorted(source.glob("*.csv")) if source.is_dir() else [source]
    texts = {}
    for path in originals:
        raw = path.read_bytes()
        try:
            texts[path.name] = (raw.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            texts[path.name] = (raw.decode("latin-1"), "latin-1")

    @fuzz_settings(50)
    @given(st.data())
    def case(data):
        CASES[f"importer {name}"] += 1
        imp = importers()[name]()
        folder = Path(tempfile.mkdtemp(prefix="cg-fuzz-"))
        try:
            files = []
            for path in originals:
                text, encoding = texts[path.name]
                (folder / path.name).write_text(text, encoding=encoding)
                files.append(folder / path.name)
            target = data.draw(st.sampled_from(files))
            text, encoding = texts[target.name]
            mutated = mutate(data.draw, text)
            if encoding != "utf-8":  # keep the published encoding where the bytes allow
                mutated = mutated.decode("utf-8", errors="replace").encode(encoding, "replace")
            target.write_bytes(mutated)
            ctx = ImportContext(
                graph=ids.graph(name), resolver=resolver, known_sources=resolver.sources
            )
            try:
                if hasattr(imp, "order"):
                    files = imp.order(files)
                lines = list(imp.header(ctx))
                for path in files:
                    with path.open("rb") as raw:
                        for item in imp.read(raw, path, ctx):
                            if isinstance(item, RowError):
                                assert "\n" not in str(item) and item.line > 0, str(item)
                            else:
                                lines.extend(item)
                imp.version(ctx)
                assert_nquads("".join(lines))
            except CoopgraphError as error:
                assert_located(error, line=False)
        finally:
            shutil.rmtree(folder)

    case()


# ------------------------------------------------------------------- query parameters

_PROBE = "# param: p {kind} {default} -- a value\nSELECT ?x WHERE {{ BIND(?p AS ?x) }}\n"
_DEFAULTS = {
    "year": "1999", "date": "1999-07-01", "nation": "POL", "organisation": "NATO",
    "operation": "ISAF", "integer": "5", "string": "x", "iri": "https://example.org/x",
}  # fmt: skip
_BREAKOUTS = [
    '" } ; DROP ALL ; #', "\" } UNION { ?s ?p ?o } #", "'> } SERVICE <http://evil/> { ",
    "x\\\" . ?s ?p ?o", '"""', "<http://a> } #", "1999 } UNION { ?s ?p ?o", "?x", "$x",
    "NATO> } #", "https://a> ?p ?o } #", "https://a\n}", "1999-07-01\"^^<x> } #",
]  # fmt: skip


def test_query_parameters_stay_one_term():
    """A parameter value is refused (UsageError) or becomes exactly one RDF term: the
    probe query returns one row holding it, whatever the value tries."""
    reader = ox.Store()

    @fuzz_settings(200)
    @given(st.sampled_from(sorted(_DEFAULTS)), st.one_of(st.sampled_from(_BREAKOUTS), VALUES))
    def case(kind, raw):
        CASES["query parameters"] += 1
        query = queries.parse_header(_PROBE.format(kind=kind, default=_DEFAULTS[kind]), "<p>")
        try:
            terms = queries.bind(query, {"p": raw})
        except UsageError as error:
            assert "\n" not in str(error)
            return
        try:
            rows = list(queries.run(reader, query, {"p": raw}))
        except CoopgraphError as error:  # the term is valid yet not SPARQL-writable
            assert "\n" not in str(error) and error.path == "<p>"
            return
        assert len(rows) == 1 and rows[0]["x"] == terms[ox.Variable("p")], (raw, rows)

    case()


# ---------------------------------------------------------------------------- dates


def test_dates_parse_or_say_why():
    @fuzz_settings(300)
    @given(
        st.one_of(
            VALUES,
            st.from_regex(r"\A-?\d{1,5}(-\d{1,3}(-\d{1,3})?)?\Z"),
            st.dates().map(str),
        )
    )
    def case(text):
        CASES["dates"] += 1
        try:
            parsed = dates.parse(text)
        except ValueError as error:
            assert "\n" not in str(error).replace(text, "")
            return
        assert parsed.first <= parsed.last
        assert dates.MIN_YEAR <= parsed.first.year <= dates.MAX_YEAR
        assert parsed.precision in ("day", "month", "year")

    case()


# ------------------------------------------------------------------------- CLI options

_COMMANDS = [
    ["query", "-n", "alliance-members", "-p", "alliance={v}", "-p", "date={v}"],
    ["query", "-n", "{v}"],
    ["query", "{v}"],
    ["metrics", "--year", "{v}"],
    ["metrics", "--year", "1999", "--layer", "{v}", "--top", "{v}"],
    ["align", "--from", "{v}", "--to", "1999"],
    ["blocs", "--year", "1999", "--method", "{v}"],
    ["dependence", "--from", "1999", "--recipient", "{v}"],
    ["whatif", "--year", "1999", "--leave", "{v}", "--from", "{v}"],
    ["export", "--format", "{v}"],
    ["viz", "{v}", "--year", "1999"],
    ["sources", "--format", "{v}"],
    ["{v}"],
]


def test_cli_options_give_one_line_errors(fixture_store):
    """Random option values on the read-only commands: exit 0, or 1 or 2 with one line on
    stderr and no traceback."""
    runner = CliRunner()
    values = st.one_of(VALUES.filter(lambda v: "\x00" not in v), st.integers().map(str))

    @fuzz_settings(80)
    @given(st.sampled_from(_COMMANDS), values)
    def case(command, value):
        CASES["CLI options"] += 1
        args = ["--store", str(fixture_store)] + [a.replace("{v}", value) for a in command]
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            repr(result.exception),
        )
        if result.exit_code:
            assert "Traceback" not in result.stderr
            # one error line (click adds its usage lines above a usage error's)
            errors = [line for line in result.stderr.splitlines() if "rror" in line]
            assert len(errors) == 1, result.stderr

    case()


def test_report_cases():
    """Print the cases run per parser (``pytest -s``) and check each parser ran some."""
    print("\nfuzz cases per parser:")
    for name, count in sorted(CASES.items()):
        print(f"  {name}: {count}")
    assert all(CASES.values())
