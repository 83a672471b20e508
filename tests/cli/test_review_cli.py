"""qcode review status / list: the figures of a colleague's review for a methods
section, and the questions still open, named in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.store import Project
from tests.tui_helpers import FIRST, build_project, code_id

pytestmark = pytest.mark.cli


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return build_project(tmp_path / "p.qcode")


def run(path: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["-p", str(path), *args], env={"QCODE_CODER": ""})
    assert result.exit_code == code, result.output
    return result.output


def reviewed(path: Path) -> None:
    training = code_id(path, "Lack of training")
    with Project.open(path) as project:
        starts = [FIRST.index(words) for words in ("We had", "Nobody", "Many fear")]
        ids = [project.add_coding(1, training, "ana", s, s + 20) for s in starts]
        project.coder = "ben"
        project.mark_coding(ids[0], "agreed")
        project.mark_coding(ids[1], "question", "Is this training, or <b>staff</b>?")
        asked = project.mark_coding(ids[2], "question", "Not training at all")
        project.coder = "ana"
        project.decide_review(asked, "removed")


def test_status_gives_the_methods_figures(path: Path):
    assert "No coding has been reviewed yet" in run(path, "review", "status")
    reviewed(path)
    out = run(path, "review", "status")
    [ana] = [line.split() for line in out.splitlines() if line.startswith("ana")]
    assert ana == ["ana", "3", "3", "1", "2", "0", "0", "1", "1"]
    assert ("Of ana's 3 codings, ben reviewed 3 (100%): 1 agreed, 2 questioned; after "
            "discussion 0 kept, 0 changed, 1 removed; 1 question still open.") in out
    figures = json.loads(run(path, "review", "status", "--json"))
    assert figures["total"]["open"] == 1 and figures["reviewers"] == ["ben"]


def test_list_open_names_transcript_turn_and_first_words(path: Path):
    reviewed(path)
    out = run(path, "review", "list", "--open")
    assert "p01-detective" in out and "turn 2, “Nobody showed us wha”" in out
    assert "ben: Is this training, or <b>staff</b>?" in out
    assert "Not training at all" not in out  # decided, so not open
    assert "[" not in out
    rows = json.loads(run(path, "review", "list", "--json"))
    assert [(r["mark"], r["outcome"]) for r in rows] == [
        ("agreed", None), ("question", None), ("question", "removed")]
    assert rows[2]["decided_by"] == "ana"


def test_the_html_report_has_a_review_section_once_there_is_a_review(path: Path,
                                                                       tmp_path: Path):
    run(path, "report", "html", str(tmp_path / "before"))
    assert 'id="review"' not in (tmp_path / "before" / "index.html").read_text("utf-8")
    reviewed(path)
    run(path, "report", "html", str(tmp_path / "after"))
    page = (tmp_path / "after" / "index.html").read_text("utf-8")
    assert '<section id="review"><h2>Review of the coding</h2>' in page
    assert "Of ana&#x27;s 3 codings, ben reviewed 3 (100%)" in page


def test_status_names_the_key_that_opens_the_review(path: Path, tmp_path: Path,
                                                     monkeypatch):
    """The key said is the transcripts screen's own, or the one the settings give it."""
    from qcode.cli.review import REVIEW_BINDING
    from qcode.tui.screens.transcripts import TranscriptsScreen

    [binding] = [b for b in TranscriptsScreen.BINDINGS if b.id == REVIEW_BINDING[0]]
    assert binding.key == REVIEW_BINDING[1]
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "none.toml"))
    assert f"'qcode code': {binding.key} on the transcripts screen" in run(
        path, "review", "status")
    (tmp_path / "config.toml").write_text('[keys]\n"transcripts.review" = "ctrl+r"\n')
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    assert "'qcode code': ctrl+r on the transcripts screen" in run(
        path, "review", "status")
