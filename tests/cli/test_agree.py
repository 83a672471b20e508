"""The agreement report on hand-built projects whose numbers are known, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.agreement.render import render
from qcode.core.agreement.report import build, select
from qcode.core.codebook import parse as parse_codebook
from qcode.core.model import Transcript, Turn
from qcode.core.reports import ReportError
from qcode.core.store import Project
from tests.conftest import SHARED_FIXTURES

PUBLISHED = SHARED_FIXTURES / "agreement" / "published_cases.json"


def project_with(tmp_path: Path, length: int, codes: list[str],
                 codings: dict[str, list[tuple[int, int, str]]]) -> Project:
    """One transcript of `length` characters (sentences of ten), one turn, and each
    coder's (start, end, code) spans."""
    text = "Word wor. " * (length // 10) + "x" * (length % 10)
    parsed = Transcript("t", "txt", text, [Turn("P01", 0, len(text), None)])
    project = Project.create(tmp_path / "p.qcode")
    project.add_transcript(parsed, "t.txt")
    project.load_codebook(parse_codebook(
        "name: b\ncodes:\n" + "".join(f"  - name: {c}\n" for c in codes)))
    ids = {c.name: c.id for c in project.codes()}
    for coder, spans in codings.items():
        for start, end, code in spans:
            project.add_coding(1, ids[code], coder, start, end)
    return project


@pytest.mark.skipif(not PUBLISHED.exists(), reason="shared fixtures are absent")
def test_published_unitized_example_through_the_report(tmp_path: Path):
    case = next(c for c in json.loads(PUBLISHED.read_text())
                if c["id"] == "kripp2004_unitized_fig2_overall")
    low, high = case["data"]["continuum"]
    codings = {coder: [(s - low, e - low, code) for s, e, code in spans]
               for coder, spans in case["data"]["coders"].items()}
    with project_with(tmp_path, high - low, ["c", "k"], codings) as project:
        report = build(project, select(project, resamples=0))
    by_code = {r.code: r.alpha for r in report.codes}
    assert by_code["c"].value == pytest.approx(0.7286, abs=0.0005)
    assert by_code["c"].d_o == pytest.approx(0.0144, abs=0.00005)
    assert by_code["k"].value == pytest.approx(1.0)
    assert report.overall.value == pytest.approx(case["expected"], abs=case["tolerance"])


def test_nvivo_and_maxqda_views_match_hand_counts(tmp_path: Path):
    # NVivo's documented example: 1000 characters, 50 coded by both, 150 by one only.
    codings = {"ana": [(0, 150, "Scale")], "ben": [(100, 200, "Scale")]}
    with project_with(tmp_path, 1000, ["Scale"], codings) as project:
        report = build(project, select(project, resamples=0), per_transcript=True)
    [entry] = report.per_transcript
    assert entry["nvivo_agreement"] == pytest.approx(0.85)
    assert entry["characters"] == [[50, 100], [50, 800]]
    # Cohen's kappa by hand: p_o = .85, p_e = .15 x .10 + .85 x .90 = .78.
    assert entry["nvivo_kappa"].value == pytest.approx((0.85 - 0.78) / (1 - 0.78))
    # MAXQDA: the overlap (50) is a third of the joint extent (150), under 90%.
    assert report.codes[0].maxqda == {"agreements": 0, "segments": 2, "percentage": 0.0}


def test_given_units_and_three_coders(tmp_path: Path):
    # Ten sentences of ten characters; all code sentences 1 and 2, ana also 6.
    codings = {"ana": [(0, 20, "Scale"), (50, 60, "Scale")],
               "ben": [(0, 20, "Scale")], "cy": [(2, 18, "Scale")]}
    with project_with(tmp_path, 100, ["Scale"], codings) as project:
        report = build(project, select(project, unit="sentence", resamples=0))
    [row] = report.codes
    assert row.units == 10
    # Pairwise agreement per unit: sentence 6 has one pair of three agreeing.
    assert row.given["percent agreement"].value == pytest.approx((9 + 1 / 3) / 10)
    assert "Fleiss' kappa" in row.given and "Cohen's kappa" not in row.given
    assert report.notes  # two-coder views are left out, and it says so


def test_bootstrap_interval_is_seeded(tmp_path: Path):
    project = Project.create(tmp_path / "p.qcode")
    project.load_codebook(parse_codebook("name: b\ncodes:\n  - name: Scale\n"))
    for n in range(6):
        text = f"Transcript {n}. " + "Some words here. " * 20
        project.add_transcript(Transcript(
            f"t{n}", "txt", text, [Turn(None, 0, len(text), None)]), f"t{n}.txt")
        project.add_coding(n + 1, 1, "ana", 10, 60)
        project.add_coding(n + 1, 1, "ben", 10 + 5 * n, 70)
    first = build(project, select(project, resamples=100, seed=7)).overall_interval
    again = build(project, select(project, resamples=100, seed=7)).overall_interval
    assert first == again and first[0] <= first[1] <= 1
    project.close()


def test_bad_selections_are_explained(tmp_path: Path):
    with project_with(tmp_path, 100, ["Scale", "Unused"],
                      {"ana": [(0, 10, "Scale")]}) as project:
        with pytest.raises(ReportError, match="two or more coders"):
            select(project)
        with pytest.raises(ReportError, match="no coder named 'zoe'"):
            select(project, coders=["ana", "zoe"])
        project.add_coding(1, 1, "ben", 0, 10)
        with pytest.raises(ReportError, match="no code named 'Nope'"):
            select(project, codes=["Nope"])
        with pytest.raises(ReportError, match="no transcript named"):
            select(project, transcripts=["x"])
        report = build(project, select(project, resamples=0))
        unused = next(r for r in report.codes if r.code == "Unused")
        assert unused.alpha.value is None
        assert any("no coder applied this code" in w for w in unused.warnings)



def test_coders_are_matched_as_the_reports_match_them(tmp_path: Path):
    """One rule for a typed coder name, here and in the reports: as typed, else the one
    name equal to it ignoring case."""
    with project_with(tmp_path, 100, ["Scale"], {"ana": [(0, 10, "Scale")],
                                                 "ben": [(0, 20, "Scale")]}) as project:
        assert select(project, coders=["ANA", "Ben", "ana"]).coders == ["ana", "ben"]
        project.add_coding(1, 1, "Ben", 0, 30)
        assert select(project, coders=["ana", "Ben"]).coders == ["ana", "Ben"]
        with pytest.raises(ReportError, match="no coder named 'BEN'"):
            select(project, coders=["ana", "BEN"])


def test_agree_command_in_every_format(tmp_path: Path):
    codings = {"ana": [(0, 30, "Scale"), (40, 60, "Trust")],
               "ben": [(0, 25, "Scale"), (40, 60, "Trust")]}
    project = project_with(tmp_path, 200, ["Scale", "Trust"], codings)
    path = str(project.path)
    project.close()
    runner = CliRunner()
    table = runner.invoke(cli, ["-p", path, "agree", "--unit", "word", "--resamples", "0"])
    assert table.exit_code == 0, table.output
    assert "alpha_u" in table.output and "Overall" in table.output
    assert max(len(line) for line in table.output.splitlines()) <= 100
    data = json.loads(runner.invoke(cli, ["-p", path, "agree", "--format", "json",
                                          "--resamples", "0"]).output)
    assert [c["code"] for c in data["codes"]] == ["Scale", "Trust"]
    assert data["codes"][1]["unitized_alpha"]["value"] == pytest.approx(1.0)
    csv_text = runner.invoke(cli, ["-p", path, "agree", "--format", "csv"]).output
    assert csv_text.splitlines()[0].startswith("kind,code,alpha_u,d_o,d_e")
    assert "| Code |" in runner.invoke(cli, ["-p", path, "agree", "--format", "md"]).output
    out = tmp_path / "agree.html"
    result = runner.invoke(cli, ["-p", path, "agree", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0
    page = out.read_text()
    assert "<svg" in page and ">0.667<" in page and ">0.800<" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    bad = runner.invoke(cli, ["-p", path, "agree", "--coders", "ana"])
    assert bad.exit_code == 1 and "two or more coders" in bad.output
    assert "Traceback" not in bad.output
    both = runner.invoke(cli, ["-p", path, "agree", "--codes", "Scale", "--theme", "x"])
    assert both.exit_code == 2


def test_code_names_are_data_in_every_format(tmp_path: Path):
    """The CSV never starts a cell with a formula, Markdown and HTML show names as
    written, and the HTML page is the reports' frame: nothing fetched from anywhere."""
    formula, markup = '=HYPERLINK("x")', "<b>bold</b> | *x*"
    codes = [f"'{formula}'", f"'{markup}'"]
    codings = {"ana": [(0, 30, formula), (40, 60, markup)],
               "ben": [(0, 25, formula), (40, 60, markup)]}
    with project_with(tmp_path, 200, codes, codings) as project:
        report = build(project, select(project, resamples=0))
    import csv
    import io

    cells = [c for row in csv.reader(io.StringIO(render(report, "csv"))) for c in row]
    assert "'" + formula in cells and formula not in cells
    markdown = render(report, "md")
    assert "\\<b\\>bold\\</b\\> \\| \\*x\\*" in markdown and "<b>" not in markdown
    page = render(report, "html")
    assert "Content-Security-Policy" in page and "<b>bold" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; | *x*" in page



def test_default_report_fits_80_columns(tmp_path: Path):
    """Codes someone used, the overall alpha with its interval, one line for the codes
    nobody used, the few-transcripts warning, three decimals; all within 80 columns."""
    long = "Trust in the people who run the scheme, and in those who check on them"
    unused = [f"Unused code number {n}" for n in range(12)]
    codings = {"ana with a long coder name": [(0, 30, "Scale"), (40, 60, long)],
               "ben": [(0, 25, "Scale"), (40, 60, long)],
               "cy": [(2, 28, "Scale")]}
    project = project_with(tmp_path, 300, ["Scale", long, *unused], codings)
    path = str(project.path)
    project.close()
    runner = CliRunner()
    for extra in ([], ["--unit", "word"], ["--unit", "character", "--per-transcript"]):
        result = runner.invoke(cli, ["-p", path, "agree", *extra], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert max(len(line) for line in lines) <= 80, result.output
        assert sum("Unused code number" in line for line in lines) == 1
        assert "Not used by any coder (12): Unused code number 0" in result.output
        assert "only 1 transcripts" not in result.output
        assert "one transcript: no interval" in result.output
        assert "D_o" not in result.output.split("Lines:")[0]
        assert "0.667" in result.output
    full = runner.invoke(cli, ["-p", path, "agree", "--full", "--resamples", "0"])
    assert "D_o" in full.output and "Unused code number 3" in full.output


def test_few_transcripts_make_the_interval_a_warning(tmp_path: Path):
    project = project_with(tmp_path, 200, ["Scale"], {"ana": [(0, 30, "Scale")],
                                                      "ben": [(0, 25, "Scale")]})
    for n in range(2):
        text = "Word wor. " * 20
        project.add_transcript(Transcript(f"t{n}", "txt", text,
                                          [Turn("P01", 0, len(text), None)]), f"t{n}.txt")
    with project:
        # Both coders left t0 and t1 empty: compared only when asked to.
        report = build(project, select(project, include_uncoded=True))
        quiet = build(project, select(project, resamples=0, include_uncoded=True))
    assert any("only 3 transcripts" in note for note in report.notes)
    assert not quiet.notes
    assert "only 3 transcripts" in render(report, "table")
    assert "only 3 transcripts" in render(report, "json")


def test_out_refuses_to_replace_a_file_without_force(tmp_path: Path):
    with project_with(tmp_path, 200, ["Scale"], {"ana": [(0, 30, "Scale")],
                                                 "ben": [(0, 25, "Scale")]}) as project:
        path = str(project.path)
    out = tmp_path / "agree.md"
    out.write_text("my notes")
    runner = CliRunner()
    refused = runner.invoke(cli, ["-p", path, "agree", "--format", "md", "--out", str(out)])
    assert refused.exit_code != 0 and "already exists" in refused.output
    assert "--force" in refused.output and "Traceback" not in refused.output
    assert out.read_text() == "my notes"
    forced = runner.invoke(cli, ["-p", path, "agree", "--format", "md", "--out", str(out),
                                 "--force"])
    assert forced.exit_code == 0, forced.output
    assert out.read_text().startswith("# Inter-coder agreement")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_code_in_one_transcript_gets_no_interval_and_says_why(tmp_path: Path):
    """Resampling transcripts only rescales a code coded in one of them: its interval
    came out as 0.973-0.973. It gets none, and one grouped warning says why."""
    project = project_with(tmp_path, 200, ["Scale", "Speed", "Trust"],
                           {"ana": [(0, 30, "Scale"), (40, 60, "Speed"), (80, 90, "Trust")],
                            "ben": [(0, 25, "Scale"), (42, 60, "Speed"), (80, 95, "Trust")]})
    ids = {c.name: c.id for c in project.codes()}
    for n in range(4):
        text = "Word wor. " * 20
        project.add_transcript(Transcript(f"t{n}", "txt", text,
                                          [Turn("P01", 0, len(text), None)]), f"t{n}.txt")
        for coder, end in (("ana", 30), ("ben", 28)):
            project.add_coding(n + 2, ids["Trust"], coder, 0, end)
    with project:
        report = build(project, select(project, include_uncoded=True))
    rows = {r.code: r for r in report.codes}
    for alone in ("Scale", "Speed"):
        assert rows[alone].interval is None
        assert any("one transcript only" in w for w in rows[alone].warnings)
    assert rows["Trust"].interval is not None
    assert not any("one transcript only" in w for w in rows["Trust"].warnings)
    table = render(report, "table")
    warnings = table.split("Warnings")[1].split("Lines:")[0]
    assert warnings.count("one transcript only") == 1  # said once, for both codes
    assert "2 codes, coded in one transcript only" in " ".join(warnings.split())
    assert "Scale, Speed" in warnings
