"""Hostile input to ``coopgraph import`` (issue 18, second pass): each attack a hostile
test of main found, turned into a regression test on small files made here.

Decompression bombs are refused while they stream (peak memory measured in a child);
workbooks declaring XML entities are refused; numbers outside their field's range
reject their rows; every path problem is one line; control characters from files are
escaped; a BOM is accepted and a bad byte names its own line; a truncated file or a
re-import that would drop most of a source is refused unless --replace-anyway; a second
writer fails before it reads its files.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopgraph import api, sources
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError, printable
from coopgraph.outputs import charts, html

from .conftest import ROOT

COOPGRAPH = [sys.executable, "-m", "coopgraph.cli"]
TIV_HEADER = "supplier,recipient,year,value,supplier_cown,recipient_cown\n"
GREENBOOK = [
    "Fiscal Year", "Region", "Country", "Assistance Category", "Publication Row",
    "Funding Agency", "Funding Account Name", "Obligations (Historical Dollars)",
    "Obligations (Constant Dollars)",
]  # fmt: skip
NOBODY = 65534
#: Peak memory a refused hostile file may cost the importing process (main: 4.3 GB).
PEAK_MB = 300


@pytest.fixture
def root(fixture_store, tmp_path) -> Path:
    """A private copy of the fixture store (USA, POL, GBR, FRA, ISR, DDR)."""
    copy = tmp_path / "store"
    shutil.copytree(fixture_store, copy)
    return copy


def tiv_rows(count: int, first_year: int = 1950) -> str:
    """``count`` SIPRI TIV rows, United States to Poland, one per year, resolved by name."""
    return "".join(f"United States,Poland,{first_year + i},{i + 1},NA,NA\n" for i in range(count))


def run_cli(root: Path, *args: str, timeout: float = 120) -> tuple[int, str, float]:
    """``coopgraph --store ROOT ARGS`` in a child: exit code, stderr, the child's peak MB.

    Each call runs in a fresh Python child whose own child is coopgraph, so the peak
    read from RUSAGE_CHILDREN is that import's alone."""
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[2:], capture_output=True, timeout=float(sys.argv[1]))\n"
        "sys.stderr.buffer.write(done.stderr)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "sys.stdout.write(f'{done.returncode} {peak}')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", probe, str(timeout), *COOPGRAPH, "--store", str(root), *args],
        capture_output=True,
        timeout=timeout + 30,
    )
    code, peak_kb = child.stdout.split()
    return int(code), child.stderr.decode("utf-8", "backslashreplace"), int(peak_kb) / 1024


def one_line_error(stderr: str) -> str:
    """The one error line of a refused command (no traceback)."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("coopgraph: error: ")
    return lines[0]


def workbook(rows: list[list[str]]) -> bytes:
    """A small Greenbook-shaped .xlsx written by openpyxl."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in [GREENBOOK, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, member: str, chunks, target: Path) -> None:
    """Copy the workbook ``data`` to ``target`` with ``member`` replaced by ``chunks(old)``
    (an iterator of bytes, streamed into the archive)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != member:
                out.writestr(info, source.read(info.filename))
                continue
            new = zipfile.ZipInfo(member)
            new.compress_type = zipfile.ZIP_DEFLATED
            with out.open(new, "w", force_zip64=True) as handle:
                for chunk in chunks(source.read(member)):
                    handle.write(chunk)


# ------------------------------------------------------------- 1. decompression bombs


def test_a_gzip_of_zeros_is_refused_while_it_streams(root, tmp_path):
    bomb = tmp_path / "zeros.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as out:
        block = bytes(1 << 20)
        for _ in range(512):  # 512 MiB of NUL bytes, one line without end
            out.write(block)
    assert bomb.stat().st_size < 3 << 20
    code, stderr, peak = run_cli(root, "import", "sipri-tiv", str(bomb))
    line = one_line_error(stderr)
    assert code == 1
    assert "zeros.csv.gz:1: a record longer than 1,048,576 characters" in line
    assert peak < PEAK_MB, f"peak {peak:.0f} MB"


def test_the_decompressed_size_ceiling_stops_a_gzip_as_it_reads(root, tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", 64 * 1024)
    path = tmp_path / "big.csv.gz"
    path.write_bytes(gzip.compress((TIV_HEADER + tiv_rows(150) * 20).encode()))
    with pytest.raises(CoopgraphError) as caught:
        api.import_source(root, "sipri-tiv", [path])
    message = str(caught.value)
    assert "/big.csv.gz:" in message
    assert "decompresses to more than 65,536 bytes" in message
    assert caught.value.line is not None and caught.value.line > 1


def test_an_xlsx_with_one_huge_cell_is_refused_with_low_memory(root, tmp_path):
    data = workbook([["2001", "Europe", "Poland", "Military", "Foreign Military Financing",
                      "DoD", "FMF", "100", "120"]])  # fmt: skip
    huge = tmp_path / "huge.xlsx"

    def one_huge_cell(xml: bytes):
        head, tail = xml.split(b"</sheetData>")
        yield head + b'<row r="3"><c r="A3" t="inlineStr"><is><t>'
        for _ in range(256):  # 256 MiB in one cell
            yield b"A" * (1 << 20)
        yield b"</t></is></c></row></sheetData>" + tail

    rewrite_member(data, "xl/worksheets/sheet1.xml", one_huge_cell, huge)
    assert huge.stat().st_size < 2 << 20
    code, stderr, peak = run_cli(root, "import", "greenbook", str(huge))
    line = one_line_error(stderr)
    assert code == 1
    assert "huge.xlsx: xl/worksheets/sheet1.xml: a text longer than 1,048,576" in line
    assert peak < PEAK_MB, f"peak {peak:.0f} MB"


def test_a_workbook_part_past_its_ceiling_is_refused_before_parsing(root, tmp_path):
    data = workbook([])
    big = tmp_path / "styles.xlsx"
    rewrite_member(
        data,
        "xl/styles.xml",
        lambda xml: iter([xml[:-1], b" " * (sources.MAX_WORKBOOK_PART_BYTES + 1), b">"]),
        big,
    )
    with pytest.raises(CoopgraphError, match=r"xl/styles.xml decompresses past the ceiling"):
        api.import_source(root, "greenbook", [big])


# ------------------------------------------------------------------ 2. XML entities


def test_defusedxml_is_what_openpyxl_parses_with():
    openpyxl = pytest.importorskip("openpyxl")
    if os.environ.get("OPENPYXL_DEFUSEDXML") == "False":
        pytest.skip("OPENPYXL_DEFUSEDXML=False turns it off")
    assert openpyxl.DEFUSEDXML is True


def test_an_xlsx_declaring_entities_is_refused_in_one_line(root, tmp_path):
    data = workbook([["2001", "Europe", "Poland", "Military", "Foreign Military Financing",
                      "DoD", "FMF", "100", "120"]])  # fmt: skip
    laughs = b"".join(
        b'<!ENTITY %s "%s">' % (bytes([ord("b") + i]), b"&%s;" % bytes([ord("a") + i]) * 10)
        for i in range(8)
    )
    dtd = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + laughs + b"]>"
    hostile = tmp_path / "entities.xlsx"
    rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: iter([dtd, xml.replace(b"Poland", b"&i;")]),
        hostile,
    )
    code, stderr, _ = run_cli(root, "import", "greenbook", str(hostile))
    line = one_line_error(stderr)
    assert code == 1
    assert "entities.xlsx: xl/worksheets/sheet1.xml: declares a DTD" in line


# ------------------------------------------------------------------ 3. numbers


@pytest.mark.parametrize(
    "value, reason",
    [
        ("1e999990", "value: 1e999990 is outside 0..1e+6"),
        ("1e999999", "value: 1e999999 is outside 0..1e+6"),
        ("inf", "value: 'inf' is not a finite number"),
        ("NaN", "value: 'NaN' is not a finite number"),
        ("1e-999999", "more than 30 decimals"),
        ("-3", "value: -3 is outside"),
    ],
)
def test_a_tiv_outside_its_range_rejects_its_row(root, tmp_path, value, reason):
    path = tmp_path / "tiv.csv"
    path.write_text(TIV_HEADER + tiv_rows(2) + f"United States,Poland,2000,{value},NA,NA\n")
    report = api.import_source(root, "sipri-tiv", [path])
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (3, 2, 1)
    assert "/tiv.csv:4: " in report.rejected[0] and reason in report.rejected[0]


def test_amounts_and_years_outside_their_ranges_reject_their_rows(root, tmp_path):
    kiel = tmp_path / "data_explorer.csv"
    kiel.write_text(
        "country,iso,year,month,total,financial,humanitarian,military\n"
        "United States,USA,2022,4,1,0,0,1e999999\n"  # billions: overflowed Decimal
        "United States,USA,2022,5,1,0,0,1e999990\n"
        "United States,USA,9999,6,1,0,0,1\n"
        "United States,USA,2022,7,1,0,0,2.5\n"
    )
    report = api.import_source(root, "kiel", [kiel])
    assert (report.rows_imported, report.rows_rejected) == (1, 3)
    reasons = " | ".join(report.rejected)
    assert "data_explorer.csv:2: military: 1e999999 is outside -1e+13..1e+13" in reasons
    assert "data_explorer.csv:3: military:" in reasons
    assert "data_explorer.csv:4: year: 9999 is outside 1800..2100" in reasons
    book = tmp_path / "greenbook.csv"
    book.write_text(
        ",".join(f'"{c}"' for c in GREENBOOK) + "\n"
        "2001,Europe,Poland,Military,Foreign Military Financing,DoD,FMF,100,1e999990\n"
        "2001,Europe,Poland,Military,Foreign Military Financing,DoD,FMF," + "9" * 20 + ",1\n"
    )
    report = api.import_source(root, "greenbook", [book])
    assert report.rows_rejected == 2
    assert "Obligations (Constant Dollars): 1e999990 is outside" in report.rejected[0]
    assert (
        "Obligations (Historical Dollars): 99999999999999999999 is outside" in (report.rejected[1])
    )


def test_pages_refuse_numbers_that_are_not_finite():
    with pytest.raises(CoopgraphError, match=r"not finite \(data.facts\[1\].amount = inf\)"):
        html._json_for_script({"facts": [{"amount": 1.0}, {"amount": float("inf")}]})
    with pytest.raises(CoopgraphError, match="not finite"):
        html._json_for_script([float("nan")])
    point = charts.Point("POL", "Poland", float("inf"), 0.2)
    with pytest.raises(CoopgraphError, match="POL: aid inf"):
        charts.svg_scatter([point], "aid")


# ------------------------------------------------------------------ 4. paths


def _paths(tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "loop").symlink_to(folder / "loop")
    os.mkfifo(folder / "fifo")
    (folder / "folder").mkdir()
    return {
        "loop": os.fsencode(folder / "loop"),
        "fifo": os.fsencode(folder / "fifo"),
        "folder": os.fsencode(folder / "folder"),
        "missing": os.fsencode(folder / "missing.csv"),
        "undecodable": os.fsencode(folder) + b"/caf\xe9\x1b[31m.csv",
    }


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("loop", "in/loop: cannot open the file: Too many levels of symbolic links"),
        ("fifo", "in/fifo: not a regular file (a pipe or device): give the data file itself"),
        ("folder", "in/folder: a directory: give the data file itself"),
        ("missing", "in/missing.csv: no such file"),
        ("undecodable", "in/caf\\xe9\\x1b[31m.csv: no such file"),
    ],
)
def test_every_path_problem_is_one_line(root, tmp_path, kind, expected):
    path = _paths(tmp_path)[kind]
    with pytest.raises(CoopgraphError) as caught:
        api.import_source(root, "sipri-tiv", [Path(os.fsdecode(path))])
    assert str(caught.value).endswith(expected)
    started = time.monotonic()  # the command line too: no wait, no traceback
    code, stderr, _ = run_cli(root, "import", "sipri-tiv", os.fsdecode(path), timeout=30)
    assert time.monotonic() - started < 30
    assert code == 1 and one_line_error(stderr).endswith(expected)


def test_a_file_with_an_undecodable_name_imports_and_is_named_escaped(root, tmp_path):
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/tiv-\xe9.csv"))
    path.write_text(TIV_HEADER + tiv_rows(3))
    report = api.import_source(root, "sipri-tiv", [path])
    assert report.rows_imported == 3
    loaded = {s["source"]: s for s in api.sources(root)}
    assert loaded["sipri-tiv"]["files"] == "tiv-\\xe9.csv"


def test_an_unreadable_file_is_one_line(root, tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text(TIV_HEADER + tiv_rows(1))
    path.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(CoopgraphError, match=r"secret.csv: cannot open the file: Perm"):
            api.import_source(root, "sipri-tiv", [path])
        return
    read, write = os.pipe()
    child = os.fork()  # root reads anything: ask as nobody
    if child == 0:
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                sources.open_input(path)
                answer = "opened"
            except CoopgraphError as error:
                answer = str(error)
            os.write(write, answer.encode("utf-8", "backslashreplace"))
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read, "rb") as answer:
        text = answer.read().decode()
    assert text.endswith("secret.csv: cannot open the file: Permission denied"), text


# ------------------------------------------------------ 5. truncation and large drops


def test_a_reimport_that_drops_most_of_a_source_is_refused(root, tmp_path):
    full, cut = tmp_path / "full.csv", tmp_path / "cut.csv"
    full.write_text(TIV_HEADER + tiv_rows(40))
    cut.write_text(TIV_HEADER + tiv_rows(5))
    before = api.import_source(root, "sipri-tiv", [full]).triples
    with pytest.raises(CoopgraphError) as caught:
        api.import_source(root, "sipri-tiv", [cut])
    message = str(caught.value)
    assert message.startswith(f"sipri-tiv: would replace {before:,} triples with ")
    assert message.endswith("; pass --replace-anyway to import anyway (store unchanged)")
    assert "(-8" in message  # 35 of 40 flows gone: -86%
    loaded = {s["source"]: s for s in api.sources(root)}
    assert loaded["sipri-tiv"]["triples"] == before  # the store is unchanged
    result = CliRunner().invoke(
        main, ["--store", str(root), "import", "sipri-tiv", "--replace-anyway", str(cut)]
    )
    assert result.exit_code == 0, result.output
    assert [s["rows_imported"] for s in api.sources(root) if s["source"] == "sipri-tiv"] == [5]


@pytest.mark.parametrize(
    "ending, reason",
    [
        ("United States,Poland,1999,12", "its last line has 4 of 6 fields and no line break"),
        ('United States,Poland,1999,"12', "its last record ends inside a quoted field"),
        ('United States,"Pol\nand', "its last record ends inside a quoted field"),
    ],
)
def test_a_file_that_ends_mid_record_is_refused_unless_replace_anyway(
    root, tmp_path, ending, reason
):
    path = tmp_path / "tiv.csv"
    path.write_text(TIV_HEADER + tiv_rows(10) + ending)
    with pytest.raises(CoopgraphError) as caught:
        api.import_source(root, "sipri-tiv", [path])
    message = str(caught.value)
    assert "/tiv.csv:12: the file ends mid-record: " + reason in message
    assert message.endswith("pass --replace-anyway to import what was read (store unchanged)")
    report = api.import_source(root, "sipri-tiv", [path], replace_anyway=True)
    assert (report.rows_imported, report.rows_rejected) == (10, 1)


def test_a_trade_register_that_ends_mid_record_is_refused(root, tmp_path):
    register = ROOT / "tests" / "fixtures" / "import" / "sipri" / "trade-register.csv"
    path = tmp_path / "trade-register.csv"
    path.write_bytes(register.read_bytes().rstrip(b"\n"))  # its last record is short
    with pytest.raises(CoopgraphError, match=r"trade-register.csv:22: the file ends mid-rec"):
        api.import_source(root, "sipri", [path])


def test_a_gzip_stream_that_ends_early_is_refused(root, tmp_path):
    data = gzip.compress((TIV_HEADER + tiv_rows(150)).encode())
    for size in (len(data) * 2 // 3, 10):  # rows then the cut; nothing but the cut
        path = tmp_path / "tiv.csv.gz"
        path.write_bytes(data[:size])
        with pytest.raises(CoopgraphError, match="ends mid-record: its gzip stream ends early"):
            api.import_source(root, "sipri-tiv", [path])


def test_a_complete_last_line_without_a_line_break_is_not_truncation(root, tmp_path):
    path = tmp_path / "tiv.csv"
    path.write_text(TIV_HEADER + tiv_rows(3).rstrip("\n"))
    assert api.import_source(root, "sipri-tiv", [path]).rows_imported == 3


# ------------------------------------------------------------ 6. control characters


def test_control_characters_from_a_file_are_escaped_in_every_message(root, tmp_path):
    path = tmp_path / "tiv.csv"
    path.write_text(TIV_HEADER + "\x1b[31mEvil\x07,Poland,2015,1,NA,NA\n")
    for args in (["import"], ["import", "--strict"]):
        code, stderr, _ = run_cli(root, *args, "sipri-tiv", str(path))
        assert "\x1b" not in stderr and "\x07" not in stderr
        assert "\\x1b[31mEvil\\x07" in stderr
    assert code == 1
    assert printable("a\x9b2J\u202eb\udce9\n c") == "a\\x9b2J\\u202eb\\xe9 c"


# ----------------------------------------------------------- 7. BOM and bad bytes


def test_a_utf8_bom_is_accepted(root, tmp_path):
    path = tmp_path / "tiv.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (TIV_HEADER + tiv_rows(2)).encode())
    assert api.import_source(root, "sipri-tiv", [path]).rows_imported == 2


def test_a_byte_that_does_not_decode_names_its_own_line(root, tmp_path):
    lines = [TIV_HEADER.encode()] + [row.encode() for row in tiv_rows(3000).splitlines(True)]
    lines[2499] = lines[2499].replace(b"Poland", b"Pol\xe9nd")  # line 2500
    path = tmp_path / "tiv.csv"
    path.write_bytes(b"".join(lines))
    with pytest.raises(CoopgraphError) as caught:
        api.import_source(root, "sipri-tiv", [path])
    assert str(caught.value).endswith("tiv.csv:2500: not utf-8 text: byte 0xe9 at character 18")


# ------------------------------------------------------------ 8. the lock comes first


def test_a_second_writer_fails_at_once_before_reading_its_files(root, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "handle = open(sys.argv[1], 'a'); fcntl.flock(handle, fcntl.LOCK_EX)\n"
            "print('held', flush=True); time.sleep(60)\n",
            str(root / ".lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        # files that do not exist: reading them first would report that instead
        with pytest.raises(CoopgraphError, match="another coopgraph process is writing"):
            api.import_source(root, "sipri-tiv", [tmp_path / "not-read.csv"])
        with pytest.raises(CoopgraphError, match="another coopgraph process is writing"):
            api.build(root, data=tmp_path / "no-data-here")
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
