"""`qcode agree --statistic`: per theme, its codes as exclusive categories (cu-alpha,
|u-alpha, weighted kappa, Conger's kappa, AC2, alpha with a distance), the same numbers
as the Python API on the same data, and every mistake in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.agreement import unitizing_family as family
from qcode.core.agreement import weighted as wt
from qcode.core.codebook import parse as parse_codebook
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project

CODES = ["mild", "moderate", "severe"]
# Sentence i is [10 i, 10 i + 10); each coder codes [10 i, 10 i + 9) of the sentences named.
ANA = ["mild", "mild", "moderate", "severe", "severe", "moderate", "mild"]
BEN = ["mild", "moderate", "moderate", "severe", "moderate", "moderate", None]


def segments(values):
    return [(10 * i, 10 * i + 9, v) for i, v in enumerate(values) if v]


@pytest.fixture
def project_path(tmp_path: Path) -> str:
    text = "Word wor. " * 20
    project = Project.create(tmp_path / "p.qcode")
    project.add_transcript(Transcript("t", "txt", text, [Turn("P01", 0, len(text), None)]),
                           "t.txt")
    project.load_codebook(parse_codebook(
        "name: b\ncodes:\n  - name: Severity\n    codes:\n"
        + "".join(f"      - name: {c}\n" for c in CODES)))
    ids = {c.name: c.id for c in project.codes()}
    for coder, values in (("ana", ANA), ("ben", BEN)):
        for start, end, code in segments(values):
            project.add_coding(1, ids[code], coder, start, end)
    path = str(project.path)
    project.close()
    return path


def agree(path: str, *args: str):
    return CliRunner().invoke(cli, ["-p", path, "agree", "--resamples", "0", *args],
                              env={"COLUMNS": "80"})


def figures(result) -> dict:
    assert result.exit_code == 0, result.output
    (domain,) = json.loads(result.output)["domains"]
    assert domain["theme"] == "Severity" and domain["codes"] == CODES
    return {name: f["value"] for name, f in domain["figures"].items()}


def test_domain_figures_are_the_api_figures(project_path):
    got = figures(agree(project_path, "--unit", "sentence", "--statistic", "cu-alpha",
                        "--statistic", "weighted-kappa", "--statistic", "conger",
                        "--statistic", "ac2", "--weights", "quadratic", "--format", "json"))
    rows = [ANA + [None] * 13, BEN + [None] * 13]
    laid = [segments(ANA), segments(BEN)]
    assert got["cu-alpha"] == pytest.approx(family.cu_alpha(laid, 200).value)
    assert got["|u-alpha"] == pytest.approx(family.binary_u_alpha(laid, 200).value)
    assert got["weighted-kappa"] == pytest.approx(
        wt.weighted_kappa(rows, "quadratic", CODES).value)
    assert got["conger"] == pytest.approx(wt.conger_kappa(rows, "quadratic", CODES).value)
    assert got["ac2"] == pytest.approx(wt.gwet_ac2(rows, "quadratic", CODES).value)


def test_weights_and_distance_files(project_path, tmp_path: Path):
    weights = tmp_path / "w.csv"
    # Rows in another order than the codebook's: matched by name.
    weights.write_text(",severe,mild,moderate\nsevere,1,0,0.5\nmild,0,1,0.5\n"
                       "moderate,0.5,0.5,1\n")
    distance = tmp_path / "d.csv"
    distance.write_text(",mild,moderate,severe\nmild,0,1,4\nmoderate,1,0,1\nsevere,4,1,0\n")
    got = figures(agree(project_path, "--unit", "sentence", "--statistic", "ac2",
                        "--weights", str(weights), "--statistic", "alpha-distance",
                        "--distance", str(distance), "--format", "json"))
    rows = [ANA + [None] * 13, BEN + [None] * 13]
    assert got["ac2"] == pytest.approx(wt.gwet_ac2(rows, "linear", CODES).value)
    interval = [[0, 1, 4], [1, 0, 1], [4, 1, 0]]
    assert got["alpha-distance"] == pytest.approx(
        wt.krippendorff_alpha_distance(rows, interval, CODES).value)


def test_the_table_names_the_weights_and_fits(project_path):
    result = agree(project_path, "--unit", "sentence", "--statistic", "conger")
    assert result.exit_code == 0, result.output
    assert "Theme (domain)" in result.output and "Weights: linear" in result.output
    section = result.output.split("Theme (domain)")[1].split("\n\n")[0]
    assert max(len(line) for line in section.splitlines()) <= 80


@pytest.mark.parametrize("args, message", [
    (["--statistic", "conger"], "add --unit"),
    (["--unit", "word", "--statistic", "alpha-distance"], "go together"),
    (["--weights", "quadratic"], "used only by"),
    (["--unit", "word", "--statistic", "ac2", "--weights", "cubic"], "no file cubic"),
])
def test_option_mistakes_are_one_line(project_path, args, message):
    result = agree(project_path, *args)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text, message", [
    (",mild,moderate\nmild,1,0\nmoderate,0,1\n", "theme's codes"),
    (",mild,moderate,severe\nmild,1,0,0\nmoderate,0,1,0\nsevere,0,0,0.5\n", "diagonal"),
    (",a,b\na,1,x\nb,0,1\n", "not a number"),
])
def test_bad_weights_files_name_the_file(project_path, tmp_path: Path, text, message):
    path = tmp_path / "w.csv"
    path.write_text(text)
    result = agree(project_path, "--unit", "word", "--statistic", "ac2", "--weights", str(path))
    assert message in result.output and "Traceback" not in result.output
    if message != "theme's codes":
        assert result.exit_code == 1 and str(path) in result.output


def test_overlapping_codes_of_a_theme_leave_cu_alpha_out_with_a_reason(project_path):
    with Project.open(Path(project_path)) as project:
        ids = {c.name: c.id for c in project.codes()}
        project.add_coding(1, ids["severe"], "ana", 5, 12)
    result = agree(project_path, "--statistic", "cu-alpha", "--format", "json")
    assert result.exit_code == 0, result.output
    (domain,) = json.loads(result.output)["domains"]
    assert "cu-alpha" not in domain["figures"]
    assert any(w.startswith("cu-alpha left out: ana: segments") and "mutually exclusive" in w
               for w in domain["warnings"])
    given = agree(project_path, "--unit", "sentence", "--statistic", "conger",
                  "--format", "json")
    (domain,) = json.loads(given.output)["domains"]
    assert "2 times a coder gave one sentence two codes of this theme" in domain["warnings"][0]
    rows = [[None, None, *ANA[2:]] + [None] * 13, BEN + [None] * 13]
    assert domain["figures"]["conger"]["value"] == pytest.approx(
        wt.conger_kappa(rows, "linear", CODES).value)


def test_binary_u_alpha_follows_the_continuum(tmp_path: Path):
    """|u-alpha reads the continuum the report states: two transcripts cut the gaps at
    their boundary per transcript, and let them run on when joined."""
    text = "Word wor. " * 20
    project = Project.create(tmp_path / "p.qcode")
    for name in ("t1", "t2"):
        project.add_transcript(Transcript(name, "txt", text, [Turn("P01", 0, len(text))]),
                               f"{name}.txt")
    project.load_codebook(parse_codebook(
        "name: b\ncodes:\n  - name: Severity\n    codes:\n"
        + "".join(f"      - name: {c}\n" for c in CODES)))
    ids = {c.name: c.id for c in project.codes()}
    laid = [[], []]
    for tid, at in ((1, 0), (2, len(text))):
        for i, (coder, values) in enumerate((("ana", ANA), ("ben", BEN))):
            for start, end, code in segments(values):  # a gap opens each transcript
                project.add_coding(tid, ids[code], coder, start + 5, end + 5)
                laid[i].append((at + start + 5, at + end + 5, code))
    path = str(project.path)
    project.close()
    per = figures(agree(path, "--statistic", "cu-alpha", "--format", "json"))
    joined = figures(agree(path, "--statistic", "cu-alpha", "--continuum", "joined",
                           "--format", "json"))
    assert per["|u-alpha"] == pytest.approx(family.binary_u_alpha(laid, [200, 200]).value)
    assert joined["|u-alpha"] == pytest.approx(family.binary_u_alpha(laid, 400).value)
    assert per["|u-alpha"] != pytest.approx(joined["|u-alpha"])
    assert per["cu-alpha"] == pytest.approx(joined["cu-alpha"])  # stretches never cross


def test_cu_alpha_over_all_domains_in_every_format(tmp_path: Path):
    """Two themes: one Cu-alpha line (which theme), the API's figure; the CSV's domain
    rows under a kind column; the workbook's Domains sheet."""
    import csv
    import io

    from openpyxl import load_workbook

    text = "Word wor. " * 20
    project = Project.create(tmp_path / "p.qcode")
    project.add_transcript(Transcript("t", "txt", text, [Turn("P01", 0, len(text))]),
                           "t.txt")
    project.load_codebook(parse_codebook(
        "name: b\ncodes:\n  - name: Severity\n    codes:\n"
        + "".join(f"      - name: {c}\n" for c in CODES)
        + "  - name: Mood\n    codes:\n      - name: calm\n      - name: upset\n"))
    ids = {c.name: c.id for c in project.codes()}
    ana = segments(ANA) + [(80, 89, "calm")]
    ben = segments(BEN) + [(60, 69, "upset"), (80, 89, "upset")]
    for coder, laid in (("ana", ana), ("ben", ben)):
        for start, end, code in laid:
            project.add_coding(1, ids[code], coder, start, end)
    path = str(project.path)
    project.close()
    theme = {**{c: "Severity" for c in CODES}, "calm": "Mood", "upset": "Mood"}
    expected, _ = family.global_cu_alpha(
        [[(s, e, theme[c]) for s, e, c in laid] for laid in (ana, ben)], 200)
    data = json.loads(agree(path, "--statistic", "cu-alpha", "--format", "json").output)
    assert data["domains_overall"]["value"] == pytest.approx(expected.value)
    assert data["domains_overall"]["themes"] == ["Severity", "Mood"]
    table = agree(path, "--statistic", "cu-alpha").output
    assert "Cu-alpha over all 2 domains" in table and f"{expected.value:.3f}" in table
    rows = list(csv.DictReader(io.StringIO(
        agree(path, "--statistic", "cu-alpha", "--format", "csv").output)))
    kinds = [r["kind"] for r in rows]
    assert kinds == ["code"] * (len(kinds) - 4) + ["overall", "domain", "domain",
                                                  "domains overall"]
    assert float(rows[-1]["domain cu-alpha"]) == pytest.approx(expected.value)
    assert rows[-3]["code"] == "Severity" and rows[-3]["domain |u-alpha"]
    out = tmp_path / "a.xlsx"
    assert agree(path, "--statistic", "cu-alpha", "--out", str(out)).exit_code == 0
    sheet = [r for r in load_workbook(out)["Domains"].iter_rows(values_only=True)]
    assert sheet[0][:3] == ("Theme (domain)", "codes", "units")
    assert [r[0] for r in sheet[1:3]] == ["Severity", "Mood"]
    assert sheet[-1][0].startswith("Cu-alpha over all domains")
