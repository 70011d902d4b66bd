"""Every command through click's CliRunner: success and error paths, help and docs."""

from __future__ import annotations

import csv
import io
import json
import re

import click
import pytest
from click.testing import CliRunner

from coopgraph.cli import main
from coopgraph.paths import PROJECT_ROOT

from .conftest import FIXTURE_DATA


@pytest.fixture
def run(fixture_store):
    runner = CliRunner()

    def invoke(*args, store=fixture_store):
        return runner.invoke(main, ["--store", str(store), *map(str, args)])

    return invoke


def _one_line_error(result, code):
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_build_prints_counts_and_time(tmp_path):
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "build", "--data", str(FIXTURE_DATA)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^\s+\d+\s+https://w3id.org/coopgraph/graph/curated$", result.stdout, re.M)
    assert re.search(r"built in \d+\.\d\d s", result.stderr)


def test_build_uses_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPGRAPH_STORE", str(tmp_path / "env-store"))
    result = CliRunner().invoke(main, ["build", "--data", str(FIXTURE_DATA)])
    assert result.exit_code == 0
    assert (tmp_path / "env-store" / "CURRENT").exists()


def test_build_bad_data_one_line(tmp_path):
    data = tmp_path / "data"
    import shutil

    shutil.copytree(FIXTURE_DATA, data)
    (data / "nations.csv").write_text(
        "id,label,start,end,source\nPOL,Poland,1918-13-11,,nato-members\n"
    )
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "build", "--data", str(data)]
    )
    line = _one_line_error(result, 1)
    assert "nations.csv:2: start: '1918-13-11' is not a calendar date" in line


def test_build_unknown_data_file(tmp_path):
    data = tmp_path / "data"
    import shutil

    shutil.copytree(FIXTURE_DATA, data)
    (data / "treaties.csv").write_text("x\n")
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "build", "--data", str(data)]
    )
    assert "treaties.csv: unknown data file" in _one_line_error(result, 1)


def test_query_named_with_params_csv(run):
    result = run(
        "query",
        "-n",
        "alliance-members",
        "-p",
        "alliance=NATO",
        "-p",
        "date=1999-07-01",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert [r["code"] for r in csv.DictReader(io.StringIO(result.stdout))] == [
        "FRA",
        "GBR",
        "USA",
        "POL",
    ]


def test_query_inline_json_and_file(run, tmp_path):
    result = run(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#Membership> }",
        "--format",
        "json",
    )
    assert json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"] == "4"
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?s ?p ?o }")
    assert run("query", "-f", rq).stdout == "true\n"
    out = tmp_path / "out.tsv"
    result = run(
        "query",
        "-n",
        "operation-participants",
        "-p",
        "operation=ALLIED-FORCE",
        "--format",
        "tsv",
        "-o",
        out,
    )
    assert result.exit_code == 0 and out.read_text().count("\n") == 4


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "-n", "nope"], 2, "unknown query name 'nope'"),
        (["query", "-n", "alliance-members", "-p", "colour=red"], 2, "unknown parameter 'colour'"),
        (["query", "-n", "alliance-members-in-year", "-p", "year=3000"], 2, "outside 1800-2100"),
        (["query", "SELECT ?x WHERE { ?x ?y }"], 1, "<query>:1: SPARQL syntax error"),
        (["query"], 2, "give exactly one of a query text, --file or --name"),
        (["query", "-n", "graphs", "-o", "/nonexistent-dir/out.csv"], 2, "cannot write output"),
        (["metrics", "--year", "1999", "-o", "/proc/forbidden.csv"], 2, "cannot write output"),
        # (years the fixture data cover: no coverage warning before the error)
        (
            ["viz", "--from", "1990", "--to", "2000", "-o", "/nonexistent-dir/g.html"],
            2,
            "cannot write output",
        ),
    ],
)
def test_errors_are_one_line(run, args, code, message):
    line = _one_line_error(run(*args), code)
    assert message in line


def test_year_out_of_range_is_a_usage_error(run):
    result = run("metrics", "--year", "3000")
    assert result.exit_code == 2
    assert "3000 is not in the range 1800<=x<=2100" in result.stderr


def test_missing_store(tmp_path):
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "none"), "query", "-n", "graphs"])
    assert "no store here: run 'coopgraph build' first" in _one_line_error(result, 1)


def test_metrics_table_csv_json(run):
    table = run("metrics", "--year", "1999").stdout
    assert table.splitlines()[0].split() == [
        "layer", "year", "rank", "code", "nation", "ccode", "degree", "strength",
        "betweenness", "closeness", "eigenvector", "katz", "pagerank", "in_degree",
        "out_degree", "in_strength", "out_strength", "hub", "authority",
    ]  # fmt: skip
    only = run("metrics", "--from", "1998", "--to", "1999", "--metric", "pagerank").stdout
    assert only.splitlines()[0].split() == [
        "layer", "year", "rank", "code", "nation", "ccode", "pagerank",
    ]  # fmt: skip
    assert {line.split()[1] for line in only.splitlines()[2:]} == {"1998", "1999"}
    rows = list(
        csv.DictReader(io.StringIO(run("metrics", "--year", "1999", "--format", "csv").stdout))
    )
    aid = {r["code"]: r for r in rows if r["layer"] == "aid"}
    assert float(aid["ISR"]["strength"]) == 1860.0  # millions of USD, FY1999 FMF
    assert aid["ISR"]["rank"] == "1"
    alliances = [r for r in rows if r["layer"] == "alliances"]
    assert len(alliances) == 4 and all(r["degree"] == "3" for r in alliances)
    data = json.loads(
        run("metrics", "--year", "1999", "--layer", "aid", "--format", "json", "--top", "1").stdout
    )
    assert [d["code"] for d in data] == ["ISR"]


def test_viz_writes_html(run, tmp_path):
    out = tmp_path / "g.html"
    result = run("viz", "--year", "1999", "-o", out)
    assert result.exit_code == 0 and "wrote" in result.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_validate_bundled_and_files(run, tmp_path):
    examples = PROJECT_ROOT / "ontology" / "examples"
    assert run("validate", examples / "S01-valid.ttl").exit_code == 0
    result = run("validate", examples / "S04-invalid-1.ttl")
    assert result.exit_code == 1
    assert "ex:a\tcg:donor\tS04: an aid flow needs exactly one donor" in result.stdout
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    line = _one_line_error(run("validate", bad), 1)
    assert "bad.ttl:3: invalid Turtle" in line
    result = run("validate", "--data", FIXTURE_DATA)
    assert result.exit_code == 0 and "valid" in result.stderr


def test_queries_lists_the_library(run):
    out = run("queries").stdout
    assert "alliance-members\n" in out and "--param year=<year>" in out


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    assert "Example:" in runner.invoke(main, ["--help"]).output
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0
        assert "Example: coopgraph " in result.output, name


def _readme_sections(readme: str) -> dict[str, str]:
    """Heading line -> the text under it, up to the next heading of level 2 or 3."""
    parts = re.split(r"^(#{2,3} .*)$", readme, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _mentions(text: str, option: str) -> bool:
    """``option`` as a whole token: ``--to`` is not found in ``--top`` or ``--to-date``."""
    return re.search(rf"(?<![-\w]){re.escape(option)}(?![-\w])", text) is not None


def _long_options(command) -> list[str]:
    return [o for p in command.params for o in p.opts if o.startswith("--")]


def test_readme_documents_every_command_and_option():
    """Each command has a README section headed `coopgraph NAME` (one section may cover a
    few commands) that names each of its long options; the global options are named under
    "## Commands" before the first command's section."""
    sections = _readme_sections((PROJECT_ROOT / "README.md").read_text())
    headings = list(sections)
    first_command = next(h for h in headings if h.startswith("### `coopgraph "))
    shared = "".join(
        sections[h] for h in headings[headings.index("## Commands") : headings.index(first_command)]
    )
    for option in _long_options(main):
        assert _mentions(shared, option), f"README's Commands lacks the global option {option}"
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        own = [h for h in headings if h.startswith("### ") and f"`coopgraph {name}`" in h]
        assert own, f"README has no section headed `coopgraph {name}`"
        for option in _long_options(command):
            assert _mentions(sections[own[0]], option), (
                f"README's section {own[0]!r} lacks {option} of coopgraph {name}"
            )
