"""`qcode quotes` and `qcode report ...` end to end, and every mistake a researcher
can make: one clear line, a non-zero exit, and no file written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import docx
import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from tests.conftest import cli_result
from qcode.core.store import Project
from tests.report_helpers import CODEBOOK, hand_built, words


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.delenv("QCODE_CODER", raising=False)
    hand_built(tmp_path / "hand.qcode").close()
    return lambda *args, ok=True: cli_result(["-p", "hand.qcode", *args], ok)


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_quotes_print_markdown_with_attributions(run):
    out = run("quotes", "Control", "--by", "group").output
    assert out.startswith("# Quotes: Control\n")
    assert "## Threats" in out and "### Police" in out and "### Sex workers" in out
    assert f"> {words('a1', 0, 9)}\n>\n> — Interviewer" in out     # the interviewer's
    assert f"> {words('a2', 20, 29)}\n>\n> — Detective, Southeast" in out
    assert "— Analyst\n" in out                       # B has no region
    assert "## Made from" in out and "--coder all" in out


def test_quotes_to_each_kind_of_file(run, tmp_path: Path):
    run("quotes", "Harm", "--out", "q.md")
    assert (tmp_path / "q.md").read_text(encoding="utf-8").startswith("# Quotes: Harm")
    run("quotes", "Harm", "--out", "q.html")
    assert "<blockquote>" in (tmp_path / "q.html").read_text(encoding="utf-8")
    result = run("quotes", "Harm", "--out", "q.docx", "--attribution", "{role} ({case})")
    assert "wrote 10 quotes to q.docx" in result.output
    lines = [p.text for p in docx.Document(str(tmp_path / "q.docx")).paragraphs]
    assert "— Detective (A)" in lines
    run("quotes", "Harm", "--out", "q.csv")
    rows = list(csv.DictReader((tmp_path / "q.csv").open(encoding="utf-8")))
    assert len(rows) == 10 and rows[0]["attribution"] == "Interviewer"
    assert rows[1]["attribution"] == "Detective, Southeast"
    made = json.loads((tmp_path / "q.csv.provenance.json").read_text(encoding="utf-8"))
    assert made["report"] == "quotes" and made["parameters"]["code"] == "Harm"
    run("quotes", "Harm", "--format", "md", "--out", "quotes.txt")
    assert (tmp_path / "quotes.txt").read_text(encoding="utf-8").startswith("# Quotes")
    assert not [n for n in files(tmp_path) if n.endswith(".part")]


def test_frequencies_table_fits_80_columns_and_ends_with_provenance(run):
    out = run("report", "frequencies", "--by", "group").output
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    made = next(i for i, line in enumerate(lines) if line.startswith("Made "))
    assert "hand.qcode" in lines[made] and "fingerprint" in " ".join(lines[made:])
    header = next(line for line in lines if line.startswith("Code"))
    assert header.split() == ["Code", "Police", "Sex", "workers", "(none)", "total"]
    assert any(line.split() == ["Harm", "7", "(2)", "2", "(1)", "1", "(1)", "10", "(4)"]
               for line in lines)
    assert any(line.startswith("    Threats") for line in lines)


def test_frequencies_as_csv_json_and_markdown(run, tmp_path: Path):
    run("report", "frequencies", "--by", "group", "--out", "f.csv")
    rows = list(csv.DictReader((tmp_path / "f.csv").open(encoding="utf-8")))
    harm = rows[0]
    # Each group's size is in the header of its cases column.
    assert (harm["code"], harm["Police segments"], harm["Police cases (n=2)"],
            harm["(none) segments"], harm["(none) cases (n=1)"], harm["segments"],
            harm["cases (n=4)"]) == ("Harm", "7", "2", "1", "1", "10", "4")
    assert (tmp_path / "f.csv.provenance.json").exists()
    data = json.loads(run("report", "frequencies", "--format", "json").output)
    assert data["codes"][0] == {"code": "Harm", "name": "Harm", "depth": 0, "groups": {},
                                "segments": 10, "cases": 4}
    assert data["provenance"]["fingerprint"]
    assert "| **Harm** | 10 (4) |" in run("report", "frequencies", "--format", "md").output
    printed = run("report", "frequencies", "--format", "csv")
    assert printed.stdout.startswith("code,name,depth,segments,cases (n=4)\n")


def test_cooccurrence_table_csv_and_json(run, tmp_path: Path):
    out = run("report", "cooccurrence").output
    assert "Co-occurrence within overlapping passages" in out
    assert "1. Threats" in out and "Pairs of codes" in out
    pair = next(line for line in out.splitlines() if "0.57" in line)
    assert pair.split() == ["2", "0.57", "Threats", "Debt"]
    run("report", "cooccurrence", "--within", "turn", "--out", "c.csv")
    blocks = list(csv.reader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert blocks[0][0] == "count (turns)" and blocks[1][:3] == [
        "Harm / Control / Threats", "4", "2"]
    assert blocks[5] == [] and blocks[6][0] == "Jaccard"
    assert blocks[8][3] == "0.2"
    data = json.loads(run("report", "cooccurrence", "--within", "transcript",
                          "--theme", "Control", "--format", "json").output)
    assert data["counts"] == [[4, 3], [3, 3]] and data["unit"] == "transcripts"
    top = run("report", "cooccurrence", "--top", "1").output
    assert "3 less used codes are left out" in top and "No two codes occur" in top


def test_network_in_each_format(run, tmp_path: Path):
    assert run("report", "network").output.startswith("flowchart LR\n")
    assert "digraph" in run("report", "network", "--format", "dot").output
    run("report", "network", "--theme", "Harm", "--out", "harm.svg")
    svg = (tmp_path / "harm.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Threats" in svg and "Evidence" not in svg


def test_html_report_is_written_whole(run, tmp_path: Path):
    result = run("report", "html", "out")
    assert "wrote the report to out/index.html" in result.output
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Report: Hand-built" in page and "report html out" in page
    assert files(tmp_path / "out") == {"index.html"}
    refused = run("report", "html", "out", "--by", "role", ok=False)
    assert "out/index.html already exists; give --force to replace it" in refused.output
    run("report", "html", "out", "--by", "role", "--force")      # made again over it
    assert "Frequencies by role" in (tmp_path / "out" / "index.html").read_text(
        encoding="utf-8")


def test_an_existing_file_is_replaced_only_with_force(run, tmp_path: Path):
    for args in (["quotes", "Harm", "--out", "q.md"],
                 ["report", "frequencies", "--out", "f.csv"],
                 ["report", "cooccurrence", "--out", "c.json"],
                 ["report", "network", "--out", "n.svg"]):
        run(*args)
        before = (tmp_path / args[-1]).read_bytes()
        result = run(*args, ok=False)
        assert f"{args[-1]} already exists; give --force to replace it" in result.output
        assert (tmp_path / args[-1]).read_bytes() == before
        run(*args, "--force")
    result = run("report", "frequencies", "--out", "hand.qcode", "--format", "csv",
                 "--force", ok=False)
    assert "is the project itself" in result.output


def test_a_format_its_file_contradicts_is_refused_and_no_provenance_goes_stale(
        run, tmp_path: Path):
    result = run("report", "frequencies", "--out", "f.csv", "--format", "json", ok=False)
    assert "--format json does not fit 'f.csv', whose extension says csv: write it to " \
           "a file ending in .json" in result.output
    assert not (tmp_path / "f.csv").exists()
    # .txt is plain text, for any format: a CSV there, then a table over it.
    run("report", "frequencies", "--out", "f.txt", "--format", "csv")
    assert (tmp_path / "f.txt.provenance.json").exists()
    run("report", "frequencies", "--out", "f.txt", "--force")
    assert not (tmp_path / "f.txt.provenance.json").exists()


def test_the_recorded_command_makes_the_same_file_again(run, tmp_path: Path):
    run("report", "frequencies", "--by", "group", "--out", "f.csv")
    made = json.loads((tmp_path / "f.csv.provenance.json").read_text(encoding="utf-8"))
    assert made["command"] == ("qcode -p hand.qcode report frequencies --by group "
                               "--coder all --format csv --out f.csv")
    assert made["parameters"]["format"] == "csv" and made["parameters"]["out"] == "f.csv"
    printed = run("report", "cooccurrence", "--format", "md").output
    assert "report cooccurrence --within overlap --coder all --format md" in printed
    md = run("quotes", "Harm", "--format", "html").output
    assert "--max-words 120 --coder all --format html</dd>" in md
    # Made again by its own command (the file is there: --force), the same figures.
    words = made["command"].split()[1:]
    run(*words[2:], "--force")
    again = json.loads((tmp_path / "f.csv.provenance.json").read_text(encoding="utf-8"))
    assert again["fingerprint"] == made["fingerprint"]


def test_an_empty_selection_is_said_in_every_format(run, tmp_path: Path):
    Project.open(tmp_path / "hand.qcode").coder_id("cy")
    result = run("report", "frequencies", "--coder", "cy", "--format", "csv")
    assert "The selection is empty: no coded segments." in result.stderr
    assert "The selection is empty" not in result.stdout
    for args in (["report", "cooccurrence", "--coder", "cy", "--out", "c.csv"],
                 ["report", "network", "--theme", "Silence", "--out", "n.svg"],
                 ["report", "html", "h", "--coder", "cy"]):
        assert "The selection is empty: no coded segments." in run(*args).output
    assert "The selection is empty" in run("report", "network", "--theme",
                                           "Silence").output
    data = json.loads(run("report", "frequencies", "--coder", "cy", "--format",
                          "json").output)
    assert data["empty"] is True
    result = run("quotes", "Silence", "--out", "q.docx")
    assert result.output == ("wrote 0 quotes to q.docx\n"
                             "The selection is empty: no segment is coded with it.\n")
    result = run("quotes", "Silence", "--format", "csv")
    assert "The selection is empty: no segment is coded with it." in result.stderr


def test_an_empty_selection_is_reported_as_empty(run, tmp_path: Path):
    out = run("quotes", "Silence").output
    assert "The selection is empty: no segment is coded with it." in out
    run("quotes", "Silence", "--out", "none.md")
    assert "The selection is empty" in (tmp_path / "none.md").read_text(encoding="utf-8")
    Project.open(tmp_path / "hand.qcode").coder_id("cy")
    assert "The selection is empty" in run("report", "frequencies", "--coder", "cy").output
    assert "The selection is empty" in run("report", "cooccurrence", "--coder",
                                           "cy").output


@pytest.mark.parametrize("args, message", [
    (["quotes", "Treats", "--out", "x.md"],
     "no code or theme named 'Treats'; close matches: 'Harm / Control / Threats'"),
    (["quotes", "Other", "--out", "x.md"],
     "'Other' names 2 codes: 'Harm / Other'; 'Policing / Other'; give the path"),
    (["quotes", "Harm", "--attribution", "{role}, {rank}", "--out", "x.md"],
     "the attribution names 'rank', which no case has (attributes: group, region, role"),
    (["quotes", "Harm", "--attribution", "{role", "--out", "x.md"],
     "the attribution template '{role' is not valid"),
    (["quotes", "Harm", "--by", "age", "--out", "x.csv"],
     "no case has the attribute 'age' (attributes: group, region, role)"),
    (["quotes", "Harm", "--coder", "cy", "--out", "x.md"],
     "no coder named 'cy' (coders: ana, ben; or 'all')"),
    (["quotes", "Harm", "--format", "docx"], "a Word document goes to a file"),
    (["quotes", "Harm", "--out", "x.pdf"], "cannot tell the format from 'x.pdf'"),
    (["quotes", "Harm", "--max-words", "-1", "--out", "x.md"], "--max-words"),
    (["report", "frequencies", "--by", "age", "--out", "x.csv"],
     "no case has the attribute 'age'"),
    (["report", "frequencies", "--out", "x.docx"], "cannot tell the format from 'x.docx'"),
    (["report", "cooccurrence", "--theme", "Nothing", "--out", "x.csv"],
     "no code or theme named 'Nothing'"),
    (["report", "cooccurrence", "--top", "0", "--out", "x.csv"], "'--top'"),
    (["report", "cooccurrence", "--within", "sentence"], "'--within'"),
    (["report", "network", "--theme", "Nothing", "--out", "x.svg"],
     "no code or theme named 'Nothing'"),
    (["report", "html", "x", "--by", "age"], "no case has the attribute 'age'"),
    (["report", "html", "x", "--coder", "cy"], "no coder named 'cy'"),
    (["report", "frequencies", "--out", "missing/f.csv"], "missing/f.csv: cannot write"),
])
def test_mistakes_give_one_line_and_write_nothing(run, tmp_path: Path, args, message):
    before = files(tmp_path)
    result = run(*args, ok=False)
    assert message in result.output
    assert files(tmp_path) == before


def test_an_empty_project_and_one_without_a_codebook(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    runner.invoke(cli, ["init"], catch_exceptions=False)
    for args in (["quotes", "Harm"], ["report", "frequencies"], ["report", "cooccurrence"],
                 ["report", "html", "out"]):
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 1, result.output
        assert result.output == ("Error: the project has no transcripts yet: import some "
                                 "with 'qcode import FILES'\n")
    assert not (tmp_path / "out").exists()
    # The network is the codebook's, so it needs a codebook and no transcript.
    result = runner.invoke(cli, ["report", "network"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == ("Error: the codebook is empty: load one with 'qcode codebook "
                             "load FILE'\n")
    (tmp_path / "t.txt").write_text("P01: Something was said.\n", encoding="utf-8")
    runner.invoke(cli, ["import", "t.txt"], catch_exceptions=False)
    result = runner.invoke(cli, ["report", "frequencies"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "the codebook is empty: load one with 'qcode codebook load FILE'" in result.output
    missing = runner.invoke(cli, ["-p", "nowhere.qcode", "report", "frequencies"],
                            catch_exceptions=False)
    assert missing.exit_code == 1 and "no project at nowhere.qcode" in missing.output


def test_the_network_of_a_codebook_is_made_before_any_transcript(tmp_path: Path,
                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    runner.invoke(cli, ["init"], catch_exceptions=False)
    (tmp_path / "book.yaml").write_text(CODEBOOK, encoding="utf-8")
    runner.invoke(cli, ["codebook", "load", "book.yaml"], catch_exceptions=False)
    result = runner.invoke(cli, ["report", "network"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert '["Harm<br>0 segments, 0 cases"]' in result.output
    assert "The selection is empty" in result.output
