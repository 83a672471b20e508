from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qcode.core.agreement.disagreements import compare
from qcode.core.agreement.places import PARTLY, group_places
from qcode.core.passages import passage
from qcode.core.model import Turn


def per_code(transcript_id, code, first, second, resolution=None):
    return [{"transcript_id": transcript_id, "transcript": f"t{transcript_id}",
             "code_id": hash(code) % 1000, "code": code, "place": place,
             "resolution": resolution} for place in compare(first, second)[1]]


def test_different_codes_on_one_passage_are_one_place():
    places = (per_code(1, "Gaps in police knowledge", [(10, 40)], [])
              + per_code(1, "Lack of training", [], [(12, 45)])
              + per_code(1, "Trust", [(100, 120)], []))
    meeting = group_places(places)
    assert [(m.start, m.end) for m in meeting] == [(10, 45), (100, 120)]
    assert meeting[0].label("ana", "ben") == (
        "ana: Gaps in police knowledge / ben: Lack of training")
    assert meeting[1].label("ana", "ben") == "Trust: only ana coded"


def test_boundaries_of_one_code_keep_their_kind():
    [place] = group_places(per_code(1, "Trust", [(0, 10)], [(5, 20)]))
    assert place.label("ana", "ben") == "Trust: boundaries differ"
    assert place.codes_of("first") == place.codes_of("second") == ["Trust"]


def test_places_join_through_a_third_and_never_across_transcripts():
    places = (per_code(1, "A", [(0, 10)], []) + per_code(1, "B", [], [(8, 20)])
              + per_code(1, "C", [(18, 30)], []) + per_code(2, "A", [(5, 9)], []))
    meeting = group_places(places)
    assert [(m.transcript_id, m.start, m.end, len(m.members)) for m in meeting] == [
        (1, 0, 30, 3), (2, 5, 9, 1)]


def test_touching_places_stay_apart():
    meeting = group_places(per_code(1, "A", [(0, 10)], []) + per_code(1, "B", [], [(10, 20)]))
    assert len(meeting) == 2


def test_resolution_of_a_meeting_place():
    both = per_code(1, "A", [(0, 10)], [], "first") + per_code(1, "B", [], [(5, 12)])
    assert group_places(both)[0].resolution == PARTLY
    done = per_code(1, "A", [(0, 10)], [], "first") + per_code(1, "B", [], [(5, 12)], "first")
    assert group_places(done)[0].resolution == "first"
    assert group_places(per_code(1, "A", [(0, 10)], []))[0].resolution is None


spans = st.lists(st.tuples(st.integers(0, 100), st.integers(1, 20)).map(
    lambda t: (t[0], t[0] + t[1])), max_size=6)


@given(st.lists(st.tuples(spans, spans), min_size=1, max_size=4))
def test_every_place_in_exactly_one_meeting_place_and_those_do_not_overlap(codes):
    places = [p for n, (a, b) in enumerate(codes) for p in per_code(1, f"c{n}", a, b)]
    meeting = group_places(places)
    assert sorted(id(m) for place in meeting for m in place.members) == sorted(
        id(p) for p in places)
    for before, after in zip(meeting, meeting[1:]):
        assert before.end <= after.start
    for place in meeting:
        for member in place.members:
            assert place.start <= member["place"].start < member["place"].end <= place.end


def test_a_passage_named_by_turn_and_first_words():
    text = "A: hello there\nB: we never knew who to call about any of it at all\n"
    turns = [Turn("A", 3, 14, 0, number=1), Turn("B", 18, len(text) - 1, 15, number=2)]
    assert passage(text, turns, 18, len(text) - 1) == "turn 2, “we never knew who to call…”"
    assert passage(text, turns, 3, 8) == "turn 1, “hello”"
    assert passage(text, [], 3, 8) == "“hello”"
