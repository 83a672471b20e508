"""Who codes what (assignments, marks) and how agreement uses it: coders are compared
only on transcripts each of them coded, and every choice that moves a figure is said
(issue 13)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from qcode.core.agreement.render import render
from qcode.core.agreement.report import (MARKED, UNMARKED, build, choices_line, select)
from qcode.core.agreement.unitized import unitized_alpha
from qcode.core.model import CodingStatus
from qcode.core.reports import ReportError
from qcode.core.store import Project
from tests.design_helpers import LENGTH, make_project

pytestmark = pytest.mark.unit

def ids(project: Project, *names: str) -> list[int]:
    return [project.transcript_id(n) for n in names]


@pytest.fixture
def project(tmp_path: Path):
    with make_project(tmp_path / "p.qcode") as made:
        yield made


def alpha_of(project: Project, **options) -> float:
    return build(project, select(project, resamples=0, **options)).codes[0].alpha.value


def test_an_absent_coder_does_not_drag_alpha_down(project: Project):
    project.mark_coded("ana", ids(project, "T1", "T2", "T3", "T4"))
    project.mark_coded("ben", ids(project, "T1", "T2", "T3", "T4"))
    project.mark_coded("cy", ids(project, "T1", "T2"))
    compared = alpha_of(project)
    # The old figure: cy taken to have read T3 and T4 and coded nothing there.
    code = project.codes()[0].id
    spans = project.coded_spans(["ana", "ben", "cy"], [code])
    laid = [[(at + s, at + e) for at, t in zip(range(0, 4 * LENGTH, LENGTH),
                                              ids(project, "T1", "T2", "T3", "T4"))
             for s, e in spans.get((c, t, code), [])] for c in ("ana", "ben", "cy")]
    old = unitized_alpha(laid, [LENGTH] * 4).value
    assert alpha_of(project, include_uncoded=True) == pytest.approx(old)
    # Compared on the two transcripts all three coded, as if only those were chosen.
    assert compared == pytest.approx(alpha_of(project, transcripts=["T1", "T2"],
                                              include_uncoded=True))
    assert compared > old


def test_the_rule_for_each_transcript_is_recorded(project: Project):
    project.mark_coded("ana", ids(project, "T1"))
    project.mark_coded("ben", ids(project, "T1"))
    selection = select(project, resamples=0)
    # T1: marked, cy did not mark it. T2: nobody marked it, all coded in it.
    assert selection.compared == {UNMARKED: ["T2"]}
    assert selection.left_out == [
        {"transcript": "T1", "why": "not marked coded by cy"},
        {"transcript": "T3", "why": "no marks, and cy coded nothing in it"},
        {"transcript": "T4", "why": "no marks, and cy coded nothing in it"}]
    line = choices_line(selection)
    assert "left out T1 (not marked coded by cy)" in line
    assert "left out T3, T4 (no marks, and cy coded nothing in it)" in line
    project.mark_coded("cy", ids(project, "T1"))
    assert select(project, resamples=0).compared == {MARKED: ["T1"], UNMARKED: ["T2"]}


def test_a_mark_lets_in_a_coder_who_found_nothing(project: Project):
    # cy read T3 and found nothing to code: with the mark, that is agreement data.
    for coder in ("ana", "ben", "cy"):
        project.mark_coded(coder, ids(project, "T3"))
    selection = select(project, coders=["ana", "ben", "cy"], transcripts=["T3"],
                       resamples=0)
    assert selection.compared == {MARKED: ["T3"]}


def test_nothing_coded_by_every_coder_is_refused_with_the_way_out(project: Project):
    with pytest.raises(ReportError, match="--include-uncoded"):
        select(project, transcripts=["T3", "T4"], resamples=0)
    assert select(project, transcripts=["T3", "T4"], include_uncoded=True,
                  resamples=0).left_out == []


def test_marks_and_assignments_are_undoable_and_listed(project: Project):
    project.coder = "lead"
    assert project.assign("cy", ids(project, "T1", "T2")) == ["T1", "T2"]
    assert project.assign("cy", ids(project, "T1")) == []  # already so: no event
    assert project.mark_coded("cy", ids(project, "T1")) == ["T1"]
    status = {(r.coder, r.transcript): r for r in project.coding_status()}
    assert status["cy", "T1"].assigned and status["cy", "T1"].marked_coded
    assert status["cy", "T2"].assigned and not status["cy", "T2"].marked_coded
    assert status["ana", "T3"] == CodingStatus("ana", "T3", False, None, 1)
    project.coder = "cy"
    assert project.undo() == "cy marked T1 coded"
    assert not project.coded_by(["cy"], ids(project, "T1"))[0]
    project.coder = "lead"
    assert project.undo() == "assigned T1, T2 to cy"
    assert not any(r.assigned for r in project.coding_status())


def test_removing_a_transcript_takes_its_marks_and_undo_brings_them_back(project: Project):
    project.coder = "lead"
    project.mark_coded("ana", ids(project, "T4"))
    project.remove_transcript(project.transcript_id("T4"))
    assert not [r for r in project.coding_status() if r.transcript == "T4"]
    project.undo()
    assert project.coded_by(["ana"], ids(project, "T4"))[0] == {
        ("ana", project.transcript_id("T4"))}


def test_marks_made_in_a_coders_copy_travel_through_merge(tmp_path: Path):
    main = make_project(tmp_path / "main.qcode")
    main.coder = "lead"
    main.assign("cy", ids(main, "T1"))
    main.close()
    shutil.copy(tmp_path / "main.qcode", tmp_path / "cy.qcode")
    with Project.open(tmp_path / "cy.qcode") as copy:
        copy.mark_coded("cy", ids(copy, "T1", "T2"))
    with Project.open(tmp_path / "main.qcode") as main:
        assert main.merge(tmp_path / "cy.qcode")["marks"] == 2
        assert main.merge(tmp_path / "cy.qcode")["marks"] == 0  # twice adds nothing
        status = {r.transcript: r for r in main.coding_status() if r.coder == "cy"}
        assert status["T1"].assigned and status["T1"].marked_coded
        assert status["T2"].marked_coded and not status["T2"].assigned


def test_joined_continuum_lets_gaps_run_across_transcripts(project: Project):
    selection = select(project, coders=["ana", "ben"], resamples=0, continuum="joined")
    joined = build(project, selection).codes[0].alpha
    apart = build(project, select(project, coders=["ana", "ben"], resamples=0)).codes[0]
    assert joined.value != pytest.approx(apart.alpha.value)
    code = project.codes()[0].id
    spans = project.coded_spans(["ana", "ben"], [code])
    laid = [[(n * LENGTH + s, n * LENGTH + e)
             for n, t in enumerate(ids(project, "T1", "T2", "T3", "T4"))
             for s, e in spans.get((c, t, code), [])] for c in ("ana", "ben")]
    assert joined.value == pytest.approx(unitized_alpha(laid, 4 * LENGTH).value)
    assert "--continuum joined" in choices_line(selection)


def test_white_space_is_a_stated_choice_for_character_units(project: Project):
    ignored = build(project, select(project, coders=["ana", "ben"], unit="character",
                                    resamples=0))
    counted = build(project, select(project, coders=["ana", "ben"], unit="character",
                                    whitespace="count", resamples=0))
    assert counted.codes[0].units == 4 * LENGTH > ignored.codes[0].units
    assert "leave out white space (--whitespace ignore)" in choices_line(ignored.selection)
    assert "count white space" in choices_line(counted.selection)


def test_the_choices_are_under_the_table_and_in_the_provenance(project: Project):
    report = build(project, select(project, resamples=0))
    table = render(report, "table", width=80).splitlines()
    said = textwrap.wrap(choices_line(report.selection), 80, break_on_hyphens=False)
    assert said[0].startswith("Compared ana, ben, cy on 2 transcript(s)")
    assert all(line in table for line in said)
    data = json.loads(render(report, "json"))
    assert data["design"]["compared"] == {UNMARKED: ["T1", "T2"]}
    assert data["design"]["left_out"][0]["transcript"] == "T3"
    assert data["design"]["continuum"] == "per-transcript"
    html = render(report, "html")
    assert "Transcripts compared" in html and "cy coded nothing in it" in html


def test_with_autocoded_excluded_search_hits_alone_are_not_coding_a_transcript(
        project: Project):
    """cy's only codings in T3 are accepted search hits: with --autocoded exclude cy
    has not coded T3 (nothing of cy's is compared there), unless cy marked it coded."""
    code = project.codes()[0].id
    project.add_autocodings(code, "cy", [(project.transcript_id("T3"), 0, 40)], "hits")
    assert "T3" in select(project, resamples=0).compared[UNMARKED]
    excluded = select(project, resamples=0, autocoded="exclude")
    assert excluded.compared == {UNMARKED: ["T1", "T2"]}
    assert {"transcript": "T3", "why": "no marks, and cy coded nothing in it by hand"} \
        in excluded.left_out
    assert project.coded_by(["cy"], ids(project, "T3"), autocoded=False)[1] == set()
    for coder in ("ana", "ben", "cy"):
        project.mark_coded(coder, ids(project, "T3"))
    assert "T3" in select(project, resamples=0, autocoded="exclude").compared[MARKED]
