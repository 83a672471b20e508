"""The agreed version the reports use once places have been resolved: what both coders
coded plus the consensus at the resolved places, never the consensus codings alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.core.agreement.disagreements import compare, places_in, resolve
from qcode.core.reports import ReportError, frequencies, gather
from qcode.core.reports.agreed import agreed
from qcode.core.reports.material import agreed_codings, pooled
from qcode.core.store import CONSENSUS
from tests.report_helpers import add_codings, hand_built

# Beside the hand-built codings: ben codes b1's Debt and d1's Money as ana did, and
# b1's Money [130, 180) where ana coded [120, 180).
ALIKE = (("b1", "Debt", "ben", 100, 140), ("d1", "Money", "ben", 0, 30),
         ("b1", "Money", "ben", 130, 180))


@pytest.fixture
def hand(tmp_path: Path):
    with hand_built(tmp_path / "hand.qcode") as project:
        add_codings(project, ALIKE)
        yield project


def ids(project) -> tuple[dict[str, int], dict[str, int]]:
    return ({t.name: t.id for t in project.transcripts()},
            {c.name: c.id for c in project.codes() if c.name != "Other"})


def spans(material) -> set[tuple]:
    names = {t.id: t.name for t in material.transcripts.values()}
    codes = {c.id: c.name for c in material.tree.codes}
    return {(names[s.transcript_id], codes[s.code_id], s.start, s.end, s.coders)
            for s in material.segments}


def resolve_threats(project) -> None:
    """a1's Threats: ana [0, 50), ben [5, 45); the consensus takes ana's."""
    transcripts, codes = ids(project)
    project.resolve(transcripts["a1"], codes["Threats"], (0, 50), [(0, 50)], "first",
                    ("ana", "ben"))


def test_one_resolution_keeps_every_place_the_coders_agree_on(hand):
    resolve_threats(hand)
    material = gather(hand)
    assert material.choice.pair == ("ana", "ben")
    assert spans(material) == {
        ("a1", "Threats", 0, 50, (CONSENSUS,)),        # resolved: the consensus
        ("b1", "Debt", 100, 140, ("ana", "ben")),      # agreed as coded
        ("d1", "Money", 0, 30, ("ana", "ben")),
        ("b1", "Money", 130, 180, ("ana", "ben")),     # not resolved: what both coded
    }
    # Every coding of the three coders is read: 15 + 3, and the one consensus coding.
    assert material.codings == 19
    unresolved = [p for p in places_in(hand, "ana", "ben") if p["resolution"] is None]
    assert len(unresolved) == 11
    assert material.choice.note.startswith(
        "The agreed version of ana and ben: where both coded, plus the 1 place where "
        "they differed resolved in consensus; 11 places where they differ are not "
        "resolved yet and count only what both coded there.")
    table = frequencies(hand)
    assert {r.code.name: r.total.segments for r in table.rows if r.code.depth == 0} == {
        "Harm": 4, "Policing": 0}
    assert table.provenance.command.endswith("--coder consensus")


def test_a_resolution_replaces_what_both_coded_in_its_place(hand):
    transcripts, codes = ids(hand)
    # b1's Money: both coded [130, 180); the consensus keeps [150, 160) only.
    hand.resolve(transcripts["b1"], codes["Money"], (120, 180), [(150, 160)], "edit",
                 ("ana", "ben"))
    # a1's Debt, which only ana coded, is resolved as ben's: not coded.
    hand.resolve(transcripts["a1"], codes["Debt"], (20, 70), [], "second", ("ana", "ben"))
    found = spans(gather(hand))
    assert ("b1", "Money", 150, 160, (CONSENSUS,)) in found
    assert not [s for s in found if s[:2] in {("b1", "Money"), ("a1", "Debt")}
                and s[4] != (CONSENSUS,)]
    # The consensus coder has one coding, yet the agreed version is the default.
    assert gather(hand).choice.pair == ("ana", "ben")


def test_consensus_names_the_agreed_version_and_a_coder_means_only_theirs(hand):
    resolve_threats(hand)
    assert spans(gather(hand, coder="consensus")) == spans(gather(hand))
    assert spans(gather(hand, coder="Consensus")) == spans(gather(hand))
    ben = gather(hand, coder="ben")
    assert ben.choice.coders == ("ben",) and ben.codings == 6
    pooled = gather(hand, coder="all")
    assert pooled.choice.coders == ("ana", "ben")
    assert "consensus coder's codings are left out" in pooled.choice.note


def test_the_fingerprint_follows_the_resolutions(hand):
    resolve_threats(hand)
    first = gather(hand).fingerprint
    transcripts, codes = ids(hand)
    hand.resolve(transcripts["a1"], codes["Debt"], (20, 70), [], "second", ("ana", "ben"))
    assert gather(hand).fingerprint != first


def test_coders_are_matched_ignoring_case_when_that_is_unambiguous(hand):
    assert gather(hand, coder="BEN").choice.coders == ("ben",)
    assert gather(hand, coder="ALL").choice.coders == ("ana", "ben")
    hand.coder_id("Ben")
    assert gather(hand, coder="Ben").choice.coders == ("Ben",)
    with pytest.raises(ReportError, match="no coder named 'BEN'"):
        gather(hand, coder="BEN")
    with pytest.raises(ReportError, match="there is no consensus yet"):
        gather(hand, coder="consensus")


def test_all_with_no_codings_says_so(tmp_path: Path):
    with hand_built(tmp_path / "h.qcode") as project:
        project.conn.execute("DELETE FROM codings")
        note = gather(project, coder="all").choice.note
    assert note == "No one has coded yet: there are no codings to pool."


# -- the agreed version against disagreements.py, on any codings --------------------------

span = st.tuples(st.integers(0, 60), st.integers(1, 15)).map(lambda p: (p[0], p[0] + p[1]))
keyed = st.lists(st.tuples(st.integers(1, 2), st.integers(1, 2), span), max_size=12)


@settings(max_examples=150, deadline=None)
@given(first=keyed, second=keyed, picks=st.lists(st.tuples(
    st.integers(0, 30), st.sampled_from(["first", "second", "union", "intersection"])),
    max_size=6))
def test_the_agreed_version_is_what_both_coded_with_resolved_places_replaced(
        first, second, picks):
    groups = sorted({k[:2] for k in first + second})
    consensus, resolved, places = [], [], 0
    for group in groups:
        mine = [s for *k, s in first if tuple(k) == group]
        theirs = [s for *k, s in second if tuple(k) == group]
        _, found = compare(mine, theirs)
        places += len(found)
        for pick, choice in picks:
            if found and pick < len(found) and (group, pick) not in {
                    (r[:2], r[4]) for r in resolved}:
                place = found[pick]
                resolved.append((*group, place.start, place.end, pick))
                consensus += [(*group, s, e) for s, e in resolve(place, choice)]
    made = agreed(np.array([(*k, *s) for *k, s in first]),
                  np.array([(*k, *s) for *k, s in second]),
                  np.array([r[:4] for r in resolved]))
    assert made.places == places
    assert made.unresolved == places - len(resolved)
    got = made.spans.tolist()
    for a, b in zip(got, got[1:]):          # sorted, and apart (touching ones joined)
        assert a[:2] < b[:2] or (a[:2] == b[:2] and a[3] < b[2])
    # With the consensus codings (coder 3) added, as the reports read them.
    rows = np.array([(*k, *s, 1) for *k, s in first] + [(*k, *s, 2) for *k, s in second]
                    + [(*r, 3) for r in consensus], dtype=np.int64).reshape(-1, 5)
    rows = rows[np.lexsort(rows.T[::-1])]
    made_rows, _ = agreed_codings(rows, [1, 2], np.array([r[:4] for r in resolved]))
    segments = pooled(made_rows, {1: "ana", 2: "ben", 3: CONSENSUS})
    for group in groups:
        def chars(rows):
            return {i for *k, s, e in rows if tuple(k) == group for i in range(s, e)}
        resolved_here = chars([(*r[:2], r[2], r[3]) for r in resolved])
        both = chars([(*k, *s) for *k, s in first]) & chars([(*k, *s) for *k, s in second])
        assert chars(got) == both - resolved_here
        assert chars([s[:4] for s in segments]) == (both - resolved_here) | chars(consensus)


def test_codebook_counts_and_quotes_follow_the_reports(hand, tmp_path: Path):
    """`codebook show` and `codebook export --counts` count what `report frequencies`
    counts, quote only what that version holds, and say whose codings they are."""
    from tests.cli_runner import CliRunner

    from qcode.cli import cli
    from qcode.core.exchange import codebook_formats as formats
    from qcode.core.text import trim_words

    resolve_threats(hand)
    used = formats.usage(hand)
    table = frequencies(hand)
    parents = {row.code.parent_id for row in table.rows}
    guids = {c.id: c.guid for c in hand.codes()}
    # A code without codes under it: the appendix's count is the results table's.
    leaves = [row for row in table.rows if row.code.id not in parents]
    assert any(row.total.segments for row in leaves)
    for row in leaves:
        assert used.get(guids[row.code.id]).codings == row.total.segments
    assert used.note == gather(hand).choice.note and used.note.startswith("The agreed")
    transcripts, codes = ids(hand)
    money = used.get(guids[codes["Money"]])
    # Money in the agreed version: b1 [130, 180) and d1 [0, 30), what both coded; ana's
    # a1 [210, 260), which ben did not code, is neither counted nor quoted.
    assert money.codings == 2
    assert money.quote == trim_words(hand.transcript_text(transcripts["b1"])[130:180])
    ana = formats.usage(hand, "ana")
    assert ana.note == "Codings of ana."
    path = str(hand.path)
    hand.close()
    runner = CliRunner()
    shown = runner.invoke(cli, ["-p", path, "codebook", "show"])
    assert shown.output.splitlines()[0] == f"Counts: {used.note}"
    markdown = runner.invoke(cli, ["-p", path, "codebook", "export", "--format", "md",
                                   "--counts", "--coder", "ana"]).output
    assert "*Counts and quotes: Codings of ana.*" in markdown
    wrong = runner.invoke(cli, ["-p", path, "codebook", "show", "--coder", "nobody"])
    assert wrong.exit_code == 1 and "no coder named 'nobody'" in wrong.output
    alone = runner.invoke(cli, ["-p", path, "codebook", "export", "--format", "md",
                                "--coder", "ana"])
    assert alone.exit_code == 2 and "give --counts" in alone.output
