from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qcode.core.agreement.disagreements import Place, compare, resolve
from qcode.core.agreement.units import merged


def test_places_where_coders_differ():
    agreed, places = compare([(0, 10), (20, 30), (50, 60)], [(0, 10), (25, 40), (70, 80)])
    assert agreed == [(0, 10)]
    assert [(p.start, p.end, p.kind) for p in places] == [
        (20, 40, "boundaries differ"), (50, 60, "only the first coder coded"),
        (70, 80, "only the second coder coded")]
    place = places[0]
    assert resolve(place, "first") == [(20, 30)]
    assert resolve(place, "second") == [(25, 40)]
    assert resolve(place, "union") == [(20, 40)]
    assert resolve(place, "intersection") == [(25, 30)]
    assert resolve(places[1], "intersection") == []


def test_a_place_can_hold_several_spans_of_each_coder():
    agreed, [place] = compare([(0, 5), (8, 12)], [(3, 9)])
    assert agreed == []
    assert (place.start, place.end) == (0, 12)
    assert resolve(place, "intersection") == [(3, 5), (8, 9)]


spans = st.lists(st.tuples(st.integers(0, 100), st.integers(1, 20)).map(
    lambda t: (t[0], t[0] + t[1])), max_size=8)


@given(spans, spans)
def test_agreed_and_places_cover_both_coders_exactly(first, second):
    agreed, places = compare(first, second)
    assert merged([s for p in places for s in p.first] + agreed) == merged(first)
    assert merged([s for p in places for s in p.second] + agreed) == merged(second)
    for place in places:
        assert place.first != place.second
        for start, end in place.first + place.second:
            assert place.start <= start < end <= place.end
    swapped_agreed, swapped = compare(second, first)
    assert swapped_agreed == agreed
    assert [(p.start, p.end) for p in swapped] == [(p.start, p.end) for p in places]


def test_identical_coders_never_disagree():
    assert compare([(1, 4), (6, 9)], [(6, 9), (1, 4)]) == ([(1, 4), (6, 9)], [])
    assert isinstance(compare([], [(1, 2)])[1][0], Place)
