"""The write-up reports on a hand-built project whose numbers are worked out here (see
tests/report_helpers.py for the project), and properties that hold on any codings."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

from xml.dom import minidom

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.core.model import Transcript, Turn
from qcode.core.reports import (ReportError, cooccurrence, frequencies, gather, html_report,
                                network, quotes, to_dot, to_mermaid, to_svg)
from qcode.core.reports.attribution import Attribution, default_template
from qcode.core.reports.material import pooled
from qcode.core.store import CONSENSUS, Project
from tests.report_helpers import add_codings, hand_built, text_of, words


@pytest.fixture
def hand(tmp_path: Path):
    with hand_built(tmp_path / "hand.qcode") as project:
        yield project


def totals(table) -> dict[str, tuple[int, int]]:
    return {row.code.label: (row.total.segments, row.total.cases) for row in table.rows}


def cells(table, label: str) -> list[tuple[int, int]]:
    row = next(r for r in table.rows if r.code.label == label)
    return [(c.segments, c.cases) for c in row.cells]


# -- which codings -----------------------------------------------------------------------


def test_without_a_consensus_every_coder_is_pooled_and_overlaps_count_once(hand):
    material = gather(hand)
    assert material.choice.coders == ("ana", "ben")
    assert "pooled" in material.choice.note and "no consensus" in material.choice.note
    # 15 codings; ben's Threats [5, 45) in a1 lies inside ana's [0, 50): 14 segments.
    assert material.codings == 15
    assert len(material.segments) == 14
    [joined] = [s for s in material.segments if s.start == 0 and s.end == 50]
    assert joined.coders == ("ana", "ben")


def test_consensus_codings_without_a_resolved_place_are_used_alone(hand):
    # Coded as "consensus" by hand, not by resolving places (see test_reports_agreed).
    add_codings(hand, [("a1", "Money", CONSENSUS, 0, 20)])
    material = gather(hand)
    assert material.choice.coders == (CONSENSUS,) and material.choice.pair is None
    assert material.codings == 1
    assert "consensus coder alone" in material.choice.note
    assert gather(hand, coder="all").choice.coders == ("ana", "ben")


def test_one_coder_and_unknown_coders(hand):
    assert gather(hand, coder="ben").codings == 3
    with pytest.raises(ReportError, match=r"no coder named 'cy' \(coders: ana, ben; or 'all'\)"):
        gather(hand, coder="cy")


def test_a_reading_sees_one_state_while_another_coder_codes(hand):
    with Project.open(hand.path) as other:
        with hand.reading():
            before = hand.coder_rows()
            add_codings(other, [("d1", "Debt", "ben", 250, 260)])
            assert hand.coder_rows() == before
        assert hand.coder_rows() != before


# -- frequencies -------------------------------------------------------------------------


def test_frequencies_by_group_roll_up_through_the_themes(hand):
    table = frequencies(hand, by="group")
    # D has no group; A and B are Police, C is a sex worker.
    assert table.columns == ("Police", "Sex workers", "(none)")
    assert table.sizes == (2, 1, 1)
    assert table.cases == 4
    assert cells(table, "Harm / Control / Threats") == [(3, 2), (1, 1), (0, 0)]
    assert cells(table, "Harm / Control / Debt") == [(2, 2), (1, 1), (0, 0)]
    assert cells(table, "Harm / Control") == [(5, 2), (2, 1), (0, 0)]
    assert cells(table, "Harm / Money") == [(2, 2), (0, 0), (1, 1)]
    assert cells(table, "Harm") == [(7, 2), (2, 1), (1, 1)]
    # a1's two Evidence segments are one case (A).
    assert cells(table, "Policing / Evidence") == [(2, 1), (1, 1), (1, 1)]
    assert totals(table) == {
        "Harm": (10, 4), "Harm / Control": (7, 3), "Harm / Control / Threats": (4, 3),
        "Harm / Control / Debt": (3, 3), "Harm / Money": (3, 3), "Harm / Other": (0, 0),
        "Policing": (4, 3), "Policing / Evidence": (4, 3), "Policing / Other": (0, 0),
        "Policing / Silence": (0, 0)}


def test_frequencies_of_one_coder_without_groups(hand):
    table = frequencies(hand, coder="ana")
    assert table.columns == () and table.rows[0].cells == ()
    found = totals(table)
    assert found["Harm / Control / Debt"] == (2, 2)     # c1's Debt is ben's
    assert found["Policing / Evidence"] == (3, 3)       # a1's second is ben's
    assert found["Harm"] == (9, 4)
    assert "ana" in table.provenance.coder_note


def test_frequencies_per_transcript_and_per_case(hand):
    by_transcript = frequencies(hand, by="transcript")
    assert by_transcript.columns == ("a1", "a2", "b1", "c1", "d1")
    assert cells(by_transcript, "Harm / Control / Threats") == [
        (1, 1), (1, 1), (1, 1), (1, 1), (0, 0)]
    by_case = frequencies(hand, by="case")
    assert by_case.columns == ("A", "B", "C", "D")
    assert cells(by_case, "Harm / Control / Threats") == [(2, 1), (1, 1), (1, 1), (0, 0)]


def test_attributes_are_found_ignoring_case_and_unknown_ones_are_named(hand):
    assert frequencies(hand, by="GROUP").by == "group"
    with pytest.raises(ReportError, match=r"no case has the attribute 'age' \(attributes: "
                                          r"group, region, role\)"):
        frequencies(hand, by="age")


def test_a_transcript_without_a_case_counts_as_a_case_of_its_own(tmp_path: Path):
    with hand_built(tmp_path / "h.qcode") as project:
        project.conn.execute("UPDATE transcripts SET case_id = NULL WHERE name = 'a2'")
        table = frequencies(project, by="group")
    assert table.columns == ("Police", "Sex workers", "(none)")
    assert table.sizes == (2, 1, 2)             # D, and a2 on its own
    assert cells(table, "Harm / Control / Threats") == [(2, 2), (1, 1), (1, 1)]
    assert totals(table)["Harm / Control / Threats"] == (4, 4)


# -- co-occurrence -----------------------------------------------------------------------


def test_cooccurrence_within_overlapping_passages(hand):
    matrix = cooccurrence(hand)
    assert [c.name for c in matrix.codes] == ["Threats", "Debt", "Money", "Evidence"]
    assert matrix.unit == "places"
    # Threats and Debt overlap in a1 and (pooled: ben's Debt) in c1; Debt and Money in b1.
    assert matrix.counts == ((4, 2, 0, 0), (2, 3, 1, 0), (0, 1, 3, 0), (0, 0, 0, 4))
    # (2 Threats + 2 Debt segments overlapping the other) / (4 + 3); (1 + 1) / (3 + 3).
    assert matrix.jaccard[0][1] == pytest.approx(4 / 7)
    assert matrix.jaccard[1][2] == pytest.approx(1 / 3)
    assert matrix.jaccard[0][3] == 0.0
    assert [(a.name, b.name, n) for a, b, n, _ in matrix.pairs()] == [
        ("Threats", "Debt", 2), ("Debt", "Money", 1)]


def test_cooccurrence_within_turns(hand):
    matrix = cooccurrence(hand, within="turn")
    # d1's Evidence [90, 130) is in turns 1 and 2, so it meets Money in turn 1.
    assert matrix.counts == ((4, 2, 0, 0), (2, 3, 1, 0), (0, 1, 3, 1), (0, 0, 1, 4))
    assert matrix.jaccard[0][1] == pytest.approx(2 / 5)
    assert matrix.jaccard[1][2] == pytest.approx(1 / 5)
    assert matrix.jaccard[2][3] == pytest.approx(1 / 6)
    assert matrix.outside_turns == 0


def test_cooccurrence_within_transcripts(hand):
    matrix = cooccurrence(hand, within="transcript")
    assert matrix.counts == ((4, 3, 2, 2), (3, 3, 2, 2), (2, 2, 3, 2), (2, 2, 2, 3))
    assert matrix.jaccard[0][1] == pytest.approx(3 / 4)
    assert matrix.jaccard[0][2] == pytest.approx(2 / 5)
    assert matrix.jaccard[2][3] == pytest.approx(1 / 2)


def test_cooccurrence_of_a_theme_and_of_the_top_codes(hand):
    control = cooccurrence(hand, theme="Control")
    assert [c.name for c in control.codes] == ["Threats", "Debt"]
    assert control.counts == ((4, 2), (2, 3))
    top = cooccurrence(hand, top=2)
    # Threats and Evidence have 4 segments each; Debt and Money 3.
    assert [c.name for c in top.codes] == ["Threats", "Evidence"]
    assert top.left_out == 2
    assert cooccurrence(hand, theme="Silence").empty


# -- network ------------------------------------------------------------------------------


def test_network_counts_and_formats(hand):
    net = network(hand)
    counts = {n.code.label: (n.segments, n.cases) for n in net.nodes()}
    assert counts["Harm"] == (10, 4) and counts["Harm / Control"] == (7, 3)
    assert counts["Policing / Silence"] == (0, 0)
    assert [r.code.name for r in net.roots] == ["Harm", "Policing"]
    mermaid = to_mermaid(net)
    assert mermaid.startswith("flowchart LR\n")
    assert 'n1["Harm<br>10 segments, 4 cases"]' in mermaid
    assert mermaid.count(" --- ") == 10 - 2
    dot = to_dot(net)
    assert dot.startswith("digraph") and dot.count(" -> ") == 8
    svg = to_svg(net)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg.count("<rect") == 10
    only = network(hand, theme="Control")
    assert [n.code.name for n in only.nodes()] == ["Control", "Threats", "Debt"]


def test_every_network_format_carries_what_it_was_made_from(hand):
    net = network(hand)
    items = net.provenance.items()
    mermaid, dot = to_mermaid(net), to_dot(net)
    for label, value in items:
        assert f"%% {label}: {value}" in mermaid
        assert f"    // {label}: {value}" in dot
    assert "counts three times" in mermaid and "counts three times" in dot
    drawn = minidom.parseString(to_svg(net))
    [desc] = drawn.getElementsByTagName("desc")
    assert f"Fingerprint: SHA-256 {net.provenance.fingerprint}" in desc.firstChild.data
    shown = [t.firstChild.data for t in drawn.getElementsByTagName("text")]
    assert f"Made again by: {net.provenance.command}" in shown
    width = float(drawn.documentElement.getAttribute("width"))
    assert all(svg_text_width(t, 9) + 10 <= width for t in shown if t.startswith("Made"))
    assert "<desc>" not in to_svg(net, standalone=False)       # the page says it


def svg_text_width(text: str, size: float) -> float:
    from qcode.core.reports.svg import text_width

    return text_width(text, size)


def test_an_empty_network_says_so_in_every_format(hand):
    net = network(hand, theme="Silence")
    assert net.empty
    for text in (to_mermaid(net), to_dot(net), to_svg(net)):
        assert "The selection is empty: no coded segments." in text


def test_the_network_of_a_codebook_without_transcripts_is_all_zeros(tmp_path: Path):
    from qcode.core.codebook import parse as parse_codebook
    from tests.report_helpers import CODEBOOK

    with Project.create(tmp_path / "plan.qcode") as project:
        project.load_codebook(parse_codebook(CODEBOOK))
        net = network(project)
        with pytest.raises(ReportError, match="no transcripts yet"):
            frequencies(project)
    assert [n.segments for n in net.nodes()] == [0] * 10 and net.empty
    assert net.provenance.transcripts == 0


# -- quotes -------------------------------------------------------------------------------


def test_quotes_of_a_theme_grouped_by_attribute(hand):
    report = quotes(hand, "Control", by="group")
    assert report.codes == 3
    assert [(g.code.name, g.value, len(g.quotes)) for g in report.groups] == [
        ("Threats", "Police", 3), ("Threats", "Sex workers", 1),
        ("Debt", "Police", 2), ("Debt", "Sex workers", 1)]
    first = report.groups[0].quotes
    assert [q.transcript for q in first] == ["a1", "a2", "b1"]
    assert first[0].text == words("a1", 0, 9)
    assert first[0].coders == ("ana", "ben")
    # a1's Threats [0, 50) lies in the interviewer's turn: theirs, not the Detective's.
    assert [q.attribution for q in first] == [
        "Interviewer", "Detective, Southeast", "Analyst"]
    assert (first[0].speaker, first[0].turn) == ("Interviewer", 1)
    assert (first[1].speaker, first[1].turn) == ("P", 2)


def test_a_quote_over_several_turns_keeps_them_apart(hand):
    # d1's Evidence [90, 130): the end of the interviewer's turn, then P's.
    quote = quotes(hand, "Evidence", coder="ana").groups[0].quotes[-1]
    assert quote.transcript == "d1"
    assert quote.lines == (f"Interviewer: {words('d1', 18, 19)}",
                           f"P: {words('d1', 20, 25)}")
    assert quote.text == " / ".join(quote.lines)
    assert quote.attribution == "Operator"          # P's words are in it
    short = quotes(hand, "Evidence", coder="ana", max_words=4).groups[0].quotes[-1]
    assert short.lines == (f"Interviewer: {words('d1', 18, 19)}",
                           f"P: {words('d1', 20, 21)}…")


@pytest.mark.parametrize("speaker, interviewer", [
    ("Interviewer", True), ("interviewer 2", True), ("Researcher", True),
    ("Moderator A", True), ("Facilitator", True), ("I", True), ("Q1", True),
    ("P01", False), ("Participant", False), ("Interviewee", False), ("R", False),
    ("Jane Doe", False), (None, False),
])
def test_the_interviewers_side_is_known_by_its_role_words(speaker, interviewer):
    from qcode.core.roles import is_interviewer

    assert is_interviewer(speaker) is interviewer


def test_words_joined_by_apostrophes_and_hyphens_stay_whole(hand):
    text = "P: They're a well-known site, 'the best' - so they say.\n"
    tid = hand.add_transcript(Transcript("w1", "txt", text, [
        Turn("P", 3, len(text) - 1, 0)]), "w1.txt", case="A")
    money = next(c.id for c in hand.codes() if c.name == "Money")
    # From inside "They're" (at its "re") to inside "well-known" (after "well-").
    hand.add_coding(tid, money, "ana", text.index("re a"), text.index("known"))
    hand.add_coding(tid, money, "ana", text.index("best"), text.index("so"))
    found = [q.text for q in quotes(hand, "Money", coder="ana").groups[0].quotes
             if q.transcript == "w1"]
    assert found == ["They're a well-known", "best' -"]


def test_a_quote_is_widened_to_whole_words_and_cut_after_max_words(hand):
    report = quotes(hand, "Evidence", coder="ben")
    [quote] = report.groups[0].quotes
    # ben coded [162, 188): inside words 32 and 37, which are kept whole.
    assert quote.text == words("a1", 32, 37)
    assert not quote.shortened
    short = quotes(hand, "Harm / Control / Debt", max_words=3, coder="ana")
    assert short.groups[0].quotes[0].text == words("a1", 4, 6) + "…"
    assert short.groups[0].quotes[0].shortened


def test_attribution_fields_and_fallbacks(hand):
    report = quotes(hand, "Money", attribution="{role} ({group}), {case} {speaker}")
    lines = {q.transcript: q.attribution for g in report.groups for q in g.quotes}
    # d1's Money [0, 30) is the interviewer's.
    assert lines == {"a1": "Detective (Police), A P", "b1": "Analyst (Police), B P",
                     "d1": "Interviewer"}
    with pytest.raises(ReportError, match=r"names 'rank', which no case has \(attributes: "
                                          r"group, region, role; also case, transcript"):
        quotes(hand, "Money", attribution="{role}, {rank}")


def test_finding_codes_and_themes(hand):
    tree = gather(hand).tree
    assert tree.find("threats").label == "Harm / Control / Threats"
    assert tree.find("Harm > Control > Threats").label == "Harm / Control / Threats"
    assert tree.find("control / debt").label == "Harm / Control / Debt"
    assert tree.find("Policing / Other").label == "Policing / Other"
    with pytest.raises(ReportError, match=r"'Other' names 2 codes: 'Harm / Other'; "
                                          r"'Policing / Other'"):
        tree.find("Other")
    with pytest.raises(ReportError, match=r"no code or theme named 'Treats'; close "
                                          r"matches: 'Harm / Control / Threats'"):
        tree.find("Treats")


def test_an_empty_selection_says_so(hand):
    report = quotes(hand, "Silence")
    assert report.empty and report.count == 0
    assert not frequencies(hand, coder="ben").empty
    hand.coder_id("cy")             # a coder who has coded nothing yet
    assert frequencies(hand, coder="cy").empty
    assert cooccurrence(hand, coder="cy").empty
    assert network(hand, coder="cy").empty


def test_an_empty_project_is_explained(tmp_path: Path):
    with Project.create(tmp_path / "empty.qcode") as project:
        with pytest.raises(ReportError, match="no transcripts yet"):
            frequencies(project)
    with Project.create(tmp_path / "no-codebook.qcode") as project:
        project.add_transcript(Transcript("t", "txt", "P: words.", [
            Turn("P", 3, 9, 0)]), "t.txt")
        with pytest.raises(ReportError, match="the codebook is empty"):
            cooccurrence(project)


# -- provenance ----------------------------------------------------------------------------


def test_provenance_records_the_inputs_and_remakes_the_report(hand):
    table = frequencies(hand, by="group")
    made = table.provenance
    assert made.project_file == "hand.qcode"
    assert made.project_guid == hand.meta("project_guid")
    assert (made.transcripts, made.cases, made.codings, made.segments) == (5, 4, 15, 14)
    assert made.command == "qcode -p hand.qcode report frequencies --by group --coder all"
    assert made.parameters == {"by": "group", "coder": None}
    json.dumps(made.as_dict())
    assert "fingerprint" in made.footer() and "\n" not in made.footer()
    assert frequencies(hand, by="group").provenance.fingerprint == made.fingerprint
    add_codings(hand, [("d1", "Debt", "ana", 250, 260)])
    assert frequencies(hand, by="group").provenance.fingerprint != made.fingerprint


def test_the_fingerprint_follows_the_codebook_and_the_attributes(hand):
    first = gather(hand).fingerprint
    hand.edit_code(next(c.id for c in hand.codes() if c.name == "Debt"), name="Debts")
    second = gather(hand).fingerprint
    hand.set_attributes("D", {"group": "Platform staff"})
    assert len({first, second, gather(hand).fingerprint}) == 3


def test_no_path_is_recorded(tmp_path: Path):
    folder = tmp_path / "private-folder"
    folder.mkdir()
    with hand_built(folder / "study.qcode") as project:
        made = quotes(project, "Harm").provenance
    assert "private-folder" not in json.dumps(made.as_dict())


# -- attribution templates ---------------------------------------------------------------


@pytest.mark.parametrize("values, line", [
    ({"role": "DS", "region": "SE", "group": "Police"}, "DS, SE (Police)"),
    ({"role": "DS", "region": "SE"}, "DS, SE"),
    ({"region": "SE", "group": "Police"}, "SE (Police)"),
    ({"role": "DS", "group": "Police"}, "DS (Police)"),
    ({"group": "Police"}, "(Police)"),        # brackets go with the value in them
    ({}, "unknown"),
])
def test_a_missing_value_leaves_out_its_separator_and_brackets(values, line):
    template = Attribution("{role}, {region} ({group})", ["group", "region", "role"])
    assert template.fill(values) == line


@pytest.mark.parametrize("template, values, line", [
    ("{role} ({group}, {region})", {"role": "DS", "region": "SE"}, "DS (SE)"),
    ("{role} ({group}, {region})", {"role": "DS", "group": "Police"}, "DS (Police)"),
    ("{role} ({group}, {region})", {"role": "DS"}, "DS"),
    ("{role} ({group}, {region})", {"group": "Police", "region": "SE"}, "(Police, SE)"),
    ("{role} [{case}]", {"case": "P01"}, "[P01]"),
    ("{role} [{case}]", {"role": "DS"}, "DS"),
    ("Participant {case}, {role}", {"role": "DS"}, "Participant DS"),
    ("{role}, {region}.", {"role": "DS"}, "DS."),
    ("{role} \"{case}\"", {"case": "P01"}, '"P01"'),
    ("{role}, {case} (interview)", {"case": "P01"}, "P01 (interview)"),
    ("{role} (of {region}", {"role": "DS"}, "DS"),
    ("{role}'s view", {"role": "DS"}, "DS's view"),
])
def test_brackets_go_with_the_values_inside_them(template, values, line):
    assert Attribution(template, ["group", "region", "role"]).fill(values) == line


separators = st.sampled_from([", ", " ", " (", ")", " [", "]", " - ", "; ", "(", ") "])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.tuples(separators, st.sampled_from(["role", "region", "group"])),
                      min_size=1, max_size=5),
       tail=separators, present=st.sets(st.sampled_from(["role", "region", "group"])))
def test_attributions_keep_every_value_and_never_leave_brackets_empty_or_unpaired(
        parts, tail, present):
    template = "".join(f"{sep}{{{name}}}" for sep, name in parts) + tail
    values = {name: name.upper() for name in present}
    line = Attribution(template, ["group", "region", "role"]).fill(values)
    if not present & {name for _, name in parts}:
        assert line == "unknown"
        return
    for name in present & {name for _, name in parts}:
        assert name.upper() in line
    for name in {"role", "region", "group"} - present:
        assert name.upper() not in line
    assert "()" not in line and "[]" not in line and "( " not in line
    if set(present) >= {name for _, name in parts}:      # nothing left out
        assert line == " ".join(template.format(**values).split())
    balanced = all(template.count(a) == template.count(b) for a, b in ("()", "[]"))
    if balanced and _nested_well(template):
        for a, b in ("()", "[]"):
            assert line.count(a) == line.count(b), (template, line)


@pytest.mark.parametrize("template, problem", [
    ("{role", "not valid"), ("{role!r}", "plain name"), ("{}", "plain name"),
    ("", "empty"), ("{role} {{x}", "not valid"),
])
def test_bad_templates_are_refused(template, problem):
    with pytest.raises(ReportError, match=problem):
        Attribution(template, ["role"])


def _nested_well(text: str) -> bool:
    stack = []
    for ch in text:
        if ch in "([":
            stack.append(ch)
        elif ch in ")]":
            if not stack or stack.pop() != {")": "(", "]": "["}[ch]:
                return False
    return not stack


def test_braces_in_values_and_doubled_braces_are_text():
    assert Attribution("{{{role}}}", ["role"]).fill({"role": "{x}"}) == "{{x}}"
    assert default_template(["role"]) == "{role}"
    assert default_template(["group"]) == "{case}"


# -- properties ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    """The hand-built transcripts and codebook, to lay random codings on."""
    with hand_built(tmp_path_factory.mktemp("blank") / "blank.qcode") as project:
        yield project


def _material(project, rows: list[tuple[int, int, int, int, int]]):
    material = gather(project, coder="ana")
    array = np.array(rows, dtype=np.int64).reshape(-1, 5)
    array = array[np.lexsort(array.T[::-1])]
    return dataclasses.replace(material, segments=pooled(array, {1: "ana", 2: "ben"}))


codings_strategy = st.lists(st.tuples(
    st.integers(1, 5), st.sampled_from([3, 4, 5, 7]), st.integers(0, 290),
    st.integers(1, 60), st.integers(1, 2)), max_size=40).map(
    lambda rows: [(t, c, s, min(300, s + n), k) for t, c, s, n, k in rows])


@settings(max_examples=60, deadline=None)
@given(rows=codings_strategy, within=st.sampled_from(["overlap", "turn", "transcript"]))
def test_matrices_are_symmetric_and_jaccard_is_a_share(blank, rows, within):
    matrix = cooccurrence(_material(blank, rows), within=within)
    size = len(matrix.codes)
    for i in range(size):
        assert matrix.jaccard[i][i] == 1.0
        for j in range(size):
            assert matrix.counts[i][j] == matrix.counts[j][i]
            assert matrix.jaccard[i][j] == pytest.approx(matrix.jaccard[j][i])
            assert 0.0 <= matrix.jaccard[i][j] <= 1.0
            assert (matrix.counts[i][j] > 0) == (matrix.jaccard[i][j] > 0)
            if within != "overlap":
                assert matrix.counts[i][j] <= min(matrix.counts[i][i], matrix.counts[j][j])


@settings(max_examples=60, deadline=None)
@given(rows=codings_strategy)
def test_overlap_counts_match_a_comparison_of_every_pair(blank, rows):
    material = _material(blank, rows)
    matrix = cooccurrence(material)
    index = {c.id: i for i, c in enumerate(matrix.codes)}
    expected = [[0] * len(index) for _ in index]
    segments = material.segments
    for a in segments:
        for b in segments:
            if a.code_id < b.code_id and a.transcript_id == b.transcript_id and \
                    a.start < b.end and b.start < a.end:
                i, j = index[a.code_id], index[b.code_id]
                expected[i][j] += 1
                expected[j][i] += 1
    for code, i in index.items():
        expected[i][i] = sum(1 for s in segments if s.code_id == code)
    assert [list(r) for r in matrix.counts] == expected


@settings(max_examples=60, deadline=None)
@given(rows=codings_strategy)
def test_segments_never_overlap_within_a_code_and_cover_every_coding(blank, rows):
    material = _material(blank, rows)
    by_place: dict = {}
    for s in material.segments:
        by_place.setdefault((s.transcript_id, s.code_id), []).append((s.start, s.end))
    for spans in by_place.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    for t, c, start, end, _ in rows:
        assert any(s <= start and end <= e for s, e in by_place[(t, c)])


@settings(max_examples=60, deadline=None)
@given(rows=codings_strategy, by=st.sampled_from([None, "group", "case"]))
def test_a_theme_counts_at_least_what_each_code_under_it_counts(blank, rows, by):
    material = _material(blank, rows)
    table = frequencies(material, by=by)
    for row in table.rows:
        children = [r for r in table.rows if r.code.parent_id == row.code.id]
        own = sum(1 for s in material.segments if s.code_id == row.code.id)
        assert row.total.segments == own + sum(c.total.segments for c in children)
        assert row.total.cases <= table.cases
        for child in children:
            assert row.total.cases >= child.total.cases
            for mine, theirs in zip(row.cells, child.cells):
                assert mine.segments >= theirs.segments and mine.cases >= theirs.cases


def test_texts_are_what_the_helper_says():
    assert text_of("a1")[60:64] == "a112" and len(text_of("a1")) == 300


def test_the_html_report_compares_coders_only_when_two_have_coded(hand):
    page = html_report(hand).html
    assert "Krippendorff's unitized alpha (free segmentation) between ana, ben" in page
    hand.conn.execute("DELETE FROM codings WHERE coder_id = (SELECT id FROM coders"
                      " WHERE name = 'ben')")
    page = html_report(hand).html
    assert ("Nothing to compare: agreement needs two coders with codings, and the "
            "project has 1 (ana).") in page


def test_the_html_fingerprint_covers_the_agreement_whatever_the_coder(hand):
    page = html_report(hand, coder="ana")
    assert "whichever codings the other sections use" in page.html
    assert "between ana, ben" in page.html
    # ben's codings are not in the other sections, but they are in the agreement.
    add_codings(hand, [("d1", "Debt", "ben", 250, 260)])
    again = html_report(hand, coder="ana")
    assert again.provenance.fingerprint != page.provenance.fingerprint
    assert frequencies(hand, coder="ana").provenance.fingerprint == \
        frequencies(gather(hand, coder="ana")).provenance.fingerprint


def test_the_html_report_is_one_reading(hand, monkeypatch):
    """Its quote texts and the agreement's codings are read in the transaction the
    codings were gathered in, so a coder writing meanwhile cannot split the report."""
    import qcode.core.agreement.report as agreement_report

    seen = []
    build, excerpts = agreement_report.build, hand.excerpts

    def watched(function):
        def call(*args, **kwargs):
            seen.append((function.__name__, hand.conn.in_transaction))
            return function(*args, **kwargs)
        return call

    monkeypatch.setattr(agreement_report, "build", watched(build))
    monkeypatch.setattr(hand, "excerpts", watched(excerpts))
    html_report(hand)
    quotes(hand, "Harm")
    assert sorted(set(seen)) == [("build", True), ("excerpts", True)]


# -- the terminal table -------------------------------------------------------------------


def test_a_frequency_table_fits_its_width_however_many_groups(hand):
    from qcode.core.reports.tables import frequencies_text

    for case, role in (("A", "Detective Sergeant"), ("B", "Detective Constable"),
                       ("C", "Independent escort"), ("D", "Head of Trust and Safety")):
        hand.set_attributes(case, {"role": role})
    text = frequencies_text(frequencies(hand, by="role"), "table", 80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = next(line for line in lines if line.startswith("Code"))
    # Cut to the width of their numbers, "Detective …" would name two groups: letters.
    assert header.split() == ["Code", "A", "B", "C", "D", "total"]
    assert "A = Detective Constable" in lines and "D = Independent escort" in lines
    narrow = frequencies_text(frequencies(hand, by="transcript"), "table", 40)
    lines = narrow.splitlines()
    assert all(len(line) <= 40 for line in lines)
    headers = [line.split() for line in lines if line.startswith("Code")]
    assert len(headers) > 1                       # the groups in several tables
    assert [name for h in headers for name in h[1:]] == ["a1", "a2", "b1", "c1", "d1",
                                                         "total"]
    assert sum(1 for line in lines if line.startswith("Harm ")) == len(headers)


def test_a_theme_counts_each_of_its_codes_segments(hand):
    from qcode.core.reports.tables import frequencies_text

    # One passage of d1 coded with Threats, Debt and Money: three segments of Harm.
    add_codings(hand, [("d1", code, "ana", 200, 250) for code in ("Threats", "Debt",
                                                                   "Money")])
    table = frequencies(hand, coder="ana")
    assert totals(table)["Harm"] == (9 + 3, 4)
    assert totals(table)["Harm / Control"] == (6 + 2, 4)
    for form in ("table", "md", "json"):
        assert "counts three times" in frequencies_text(table, form)
    assert "counts three times" in html_report(hand).html


def test_csv_cells_cannot_start_a_formula(hand):
    from qcode.core.reports import quotes_formats, tables

    threats = next(c.id for c in hand.codes() if c.name == "Threats")
    hand.edit_code(threats, name="=HYPERLINK(\"http://x\")")
    hand.set_attributes("A", {"role": "+Detective", "region": "@home"})
    text = tables.frequencies_text(frequencies(hand), "csv")
    assert "'=HYPERLINK" in text and ",=" not in text
    rows = list(csv.DictReader(io.StringIO(quotes_formats.to_csv(quotes(hand, "Harm")))))
    assert {r["attribution"] for r in rows if r["case"] == "A"} >= {"'+Detective, @home"}
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    harm = next(c.id for c in hand.codes() if c.name == "Harm")
    hand.edit_code(harm, name="-Harm")
    matrix = list(csv.reader(io.StringIO(tables.cooccurrence_text(cooccurrence(hand),
                                                                  "csv"))))
    assert matrix[0][1].startswith("'-Harm / Control / ")


def test_the_html_pairs_come_from_every_code_not_only_the_heatmaps(hand, monkeypatch):
    import importlib

    # The package's html_report is the function; the module is imported by name.
    monkeypatch.setattr(importlib.import_module("qcode.core.reports.html_report"),
                        "HEATMAP_CODES", 2)
    # Threats and Evidence have most segments; Threats-Debt is the strongest pair.
    page = html_report(hand).html
    heatmap = page[page.index('<section id="cooccurrence">'):page.index("Codes most often")]
    assert "1. Threats" in heatmap and "2. Evidence" in heatmap and "Debt" not in heatmap
    pairs = page[page.index("Codes most often"):page.index('<section id="network">')]
    assert "<td>Threats</td><td>Debt</td><td>2</td>" in pairs
    assert "<td>Debt</td><td>Money</td><td>1</td>" in pairs


def test_the_top_codes_keep_the_whole_matrix_cells(hand):
    whole = cooccurrence(hand, within="turn")
    top = cooccurrence(hand, within="turn", top=2)
    assert [c.name for c in top.codes] == ["Threats", "Evidence"]
    i, j = (whole.codes.index(c) for c in top.codes)
    assert top.counts == ((whole.counts[i][i], whole.counts[i][j]),
                          (whole.counts[j][i], whole.counts[j][j]))
    assert top.left_out == 2 and top.segments == (4, 4)


def test_an_attribute_no_transcripts_case_has_is_named_as_such(hand):
    hand.set_attributes("P99", {"county": "Kent"})     # a case with no transcript
    message = r"no transcript's case has a value for 'county' \(only P99, without " \
              r"transcripts, has it\)"
    with pytest.raises(ReportError, match=message):
        frequencies(hand, by="county")
    with pytest.raises(ReportError, match=message):
        quotes(hand, "Harm", by="County")
    with pytest.raises(ReportError, match=message):
        quotes(hand, "Harm", attribution="{role}, {county}")
