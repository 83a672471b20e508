"""`--format xlsx` end to end: frequencies, co-occurrence, quotes, agreement and the
codebook as workbooks read back with openpyxl; a hostile code name stays text; a
workbook needs --out and never replaces a file unasked; an exported workbook holds no
original identifier."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qcode.core.anonymise import lexicon
from tests.cli.test_anonymise_leaks import whole_word
from tests.conftest import cli_result
from tests.report_helpers import hand_built

HOSTILE = '=HYPERLINK("http://e.test","x")'


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.delenv("QCODE_CODER", raising=False)
    project = hand_built(tmp_path / "hand.qcode")
    money = next(c.id for c in project.codes() if c.name == "Money")
    project.edit_code(money, name=HOSTILE)
    project.close()
    return lambda *args, ok=True, **kw: cli_result(["-p", "hand.qcode", *args], ok, **kw)


def rows(path: Path, sheet: str) -> list[tuple]:
    return [tuple(r) for r in load_workbook(path)[sheet].iter_rows(values_only=True)]


def provenance(path: Path) -> dict:
    return {label: value for label, value in rows(path, "Provenance")}


def test_frequencies_as_a_workbook(run, tmp_path: Path):
    assert "wrote frequencies of 10 codes to f.xlsx" in run(
        "report", "frequencies", "--by", "group", "--out", "f.xlsx").output
    table = rows(tmp_path / "f.xlsx", "Frequencies")
    assert table[0][:4] == ("code", "name", "depth", "Police segments")
    harm = next(r for r in table if r[0] == "Harm")
    assert harm[2] == 0 and isinstance(harm[-2], int) and harm[-2] == 10
    made = provenance(tmp_path / "f.xlsx")
    assert made["Report"] == "frequencies"
    assert made["Made again by"].endswith("--format xlsx --out f.xlsx")
    assert made["Fingerprint"].startswith("SHA-256 ")
    # The provenance is inside the workbook: nothing beside it.
    assert not (tmp_path / "f.xlsx.provenance.json").exists()


def test_a_formula_code_name_stays_text(run, tmp_path: Path):
    run("report", "frequencies", "--out", "f.xlsx")
    sheet = load_workbook(tmp_path / "f.xlsx")["Frequencies"]
    hostile = [c for row in sheet.iter_rows() for c in row if c.value and HOSTILE in
               str(c.value)]
    assert hostile and all(c.data_type == "s" for c in hostile)
    assert any(c.value == HOSTILE for c in hostile)
    with zipfile.ZipFile(tmp_path / "f.xlsx") as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist())


def test_cooccurrence_as_a_workbook(run, tmp_path: Path):
    run("report", "cooccurrence", "--out", "c.xlsx")
    book = load_workbook(tmp_path / "c.xlsx")
    assert book.sheetnames == ["Counts", "Jaccard", "Pairs", "Provenance"]
    counts = rows(tmp_path / "c.xlsx", "Counts")
    assert counts[0][0] == "count (places)"
    assert all(isinstance(v, int) for r in counts[1:] for v in r[1:])
    notes = [v for k, v in rows(tmp_path / "c.xlsx", "Provenance") if k == "Note"]
    assert any("overlap" in n for n in notes)


def test_quotes_as_a_workbook(run, tmp_path: Path):
    assert "wrote 10 quotes to q.xlsx" in run("quotes", "Harm", "--format", "xlsx",
                                              "--out", "q.xlsx").output
    table = rows(tmp_path / "q.xlsx", "Quotes")
    header = table[0]
    assert header[:4] == ("theme", "code", "quote", "attribution")
    first = dict(zip(header, table[1]))
    assert first["attribution"] == "Interviewer" and isinstance(first["start"], int)
    assert provenance(tmp_path / "q.xlsx")["Report"] == "quotes"


def test_agreement_and_codebook_as_workbooks(run, tmp_path: Path):
    run("agree", "--coders", "ana,ben", "--resamples", "0", "--out", "a.xlsx")
    table = rows(tmp_path / "a.xlsx", "Agreement")
    assert table[0][:3] == ("kind", "code", "alpha_u") and table[-1][:2] == ("overall", "(overall)")
    assert provenance(tmp_path / "a.xlsx")["Report"] == "agreement"
    run("codebook", "export", "--out", "cb.xlsx", "--counts")
    book = rows(tmp_path / "cb.xlsx", "Codebook")
    named = {r[1]: r for r in book[1:]}
    assert HOSTILE in named and isinstance(named["Threats"][-2], int)
    assert provenance(tmp_path / "cb.xlsx")["Codebook"] == "Hand-built"


@pytest.mark.parametrize("args", [
    ("report", "frequencies", "--format", "xlsx"),
    ("report", "cooccurrence", "--format", "xlsx"),
    ("quotes", "Harm", "--format", "xlsx"),
    ("agree", "--coders", "ana,ben", "--format", "xlsx"),
    ("codebook", "export", "--format", "xlsx"),
])
def test_a_workbook_needs_a_file(run, args):
    out = run(*args, ok=False, one_line=True).output
    assert "give --out FILE.xlsx" in out


def test_an_existing_file_is_kept_unless_forced(run, tmp_path: Path):
    (tmp_path / "f.xlsx").write_text("mine")
    out = run("report", "frequencies", "--out", "f.xlsx", ok=False, one_line=True).output
    assert "already exists" in out and (tmp_path / "f.xlsx").read_text() == "mine"
    run("report", "frequencies", "--out", "f.xlsx", "--force")
    assert load_workbook(tmp_path / "f.xlsx").sheetnames[0] == "Frequencies"
    assert [p.name for p in tmp_path.glob(".*.part")] == []


def test_a_mismatched_extension_is_refused(run, tmp_path: Path):
    run("quotes", "Harm", "--format", "xlsx", "--out", "q.txt", ok=False, one_line=True)
    run("agree", "--coders", "ana,ben", "--format", "csv", "--out", "a.xlsx", ok=False,
        one_line=True)
    assert not (tmp_path / "q.txt").exists() and not (tmp_path / "a.xlsx").exists()


def test_an_exported_workbook_holds_no_original_identifier(tmp_path: Path, monkeypatch,
                                                          demo_copy: Path):
    """Every quote of the demo (whole segments), its frequencies and its codebook with
    a quote per code, searched in the workbooks' unzipped parts for each listed real
    value."""
    from qcode.core.demo import demo_identifiers

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_CODER", raising=False)
    code = cli_result(["-p", "demo.qcode", "codebook", "show", "--json"]).output
    themes = [c["name"] for c in json.loads(code) if c["depth"] == 0]
    files = []
    for i, theme in enumerate(themes):
        cli_result(["-p", "demo.qcode", "quotes", theme, "--max-words", "0",
                    "--out", f"q{i}.xlsx"])
        files.append(tmp_path / f"q{i}.xlsx")
    cli_result(["-p", "demo.qcode", "report", "frequencies", "--out", "f.xlsx"])
    cli_result(["-p", "demo.qcode", "codebook", "export", "--counts", "--out", "cb.xlsx"])
    files += [tmp_path / "f.xlsx", tmp_path / "cb.xlsx"]
    data = b""
    for path in files:
        # Its parts unzipped: its compressed bytes may hold any three letters by chance.
        with zipfile.ZipFile(path) as archive:
            data += b"".join(archive.read(n) for n in archive.namelist())
    assert sum(len(rows(path, "Quotes")) - 1 for path in files[:-2]) > 20
    left = {}
    for identifier in demo_identifiers():
        common = " " not in identifier.value and lexicon.is_ordinary(identifier.value)
        hits = whole_word(identifier.value, data, case_sensitive=common)
        if hits:
            left[identifier.value] = hits[:2]
    assert left == {}
