"""The coding margin's layout (stripe columns, rows, labels) and the colours that tell
sibling and nested codes apart (issue 14)."""

from __future__ import annotations

import random

from qcode.core.colours import PALETTE, distinct_colours
from qcode.core.margin import Run, add_coding, layout_margin, row_of
from qcode.core.model import Code

# Ten rows of ten characters: row r covers offsets [10r, 10r + 10).
ROWS = list(range(0, 100, 10))


def random_codings(rng: random.Random, count: int, codes: int, longest: int) -> list:
    """(code, start, end) of `count` codings of `codes` codes over the rows' text, each
    shorter than `longest` characters."""
    codings = []
    for _ in range(count):
        start = rng.randrange(95)
        codings.append((rng.randrange(codes), start, start + rng.randrange(1, longest)))
    return codings


def test_row_of_an_offset():
    assert [row_of(ROWS, o) for o in (0, 9, 10, 95, 500)] == [0, 0, 1, 9, 9]


def test_codes_apart_share_a_column_and_each_is_labelled_on_its_first_row():
    layout = layout_margin([(1, 0, 15), (2, 30, 45)], ROWS)
    assert layout.columns == 1
    assert [layout.stripes(r) for r in range(6)] == [[1], [1], [None], [2], [2], [None]]
    assert layout.labels == {0: [1], 3: [2]}


def test_overlapping_codings_stand_side_by_side():
    layout = layout_margin([(1, 0, 25), (2, 15, 45)], ROWS)
    assert layout.columns == 2
    assert layout.stripes(1) == [1, 2]
    assert layout.stripes(0) == [1, None]
    assert layout.stripes(4) == [None, 2]


def test_codings_on_one_row_without_overlapping_text_still_need_two_columns():
    # Both stripes would otherwise be drawn in one cell of row 0.
    layout = layout_margin([(1, 0, 3), (2, 5, 8)], ROWS)
    assert layout.columns == 2
    assert layout.stripes(0) == [1, 2]


def test_a_nested_code_sits_right_of_its_parent_and_stays_visible():
    layout = layout_margin([(7, 25, 35), (3, 10, 60)], ROWS)  # inner given first
    assert layout.column_of == {3: 0, 7: 1}
    assert layout.stripes(2) == [3, 7]
    assert layout.stripes(5) == [3, None]
    assert layout.labels == {1: [3], 2: [7]}


def test_labels_starting_on_one_row_stack_downwards():
    layout = layout_margin([(1, 0, 40), (2, 0, 40), (3, 0, 5)], ROWS)
    assert layout.columns == 3
    assert layout.labels == {0: [3], 1: [1], 2: [2]}


def test_a_label_with_no_free_row_shares_its_first_row():
    layout = layout_margin([(1, 0, 5), (2, 0, 5)], ROWS)
    assert layout.labels == {0: [1, 2]}


def test_a_code_coded_twice_keeps_one_column_and_joins_codings_on_a_shared_row():
    layout = layout_margin([(1, 0, 12), (1, 14, 18), (2, 5, 8), (1, 50, 60)], ROWS)
    assert layout.column_of[1] == 0
    assert [layout.stripes(r)[0] for r in (0, 1, 2, 5)] == [1, 1, None, 1]
    assert layout.labels == {0: [2], 1: [1], 5: [1]}


def test_layout_does_not_depend_on_the_order_codings_come_in():
    rng = random.Random(3)
    codings = random_codings(rng, 60, codes=8, longest=30)
    first = layout_margin(codings, ROWS)
    rng.shuffle(codings)
    second = layout_margin(codings, ROWS)
    assert first.column_of == second.column_of
    assert [first.stripes(r) for r in range(10)] == [second.stripes(r) for r in range(10)]


def test_every_coded_row_shows_its_code_and_no_column_holds_two_codes_on_a_row():
    rng = random.Random(8)
    codings = random_codings(rng, 40, codes=20, longest=25)
    layout = layout_margin(codings, ROWS)
    for code, start, end in codings:
        for row in range(row_of(ROWS, start), row_of(ROWS, end - 1) + 1):
            assert code in layout.stripes(row)


def test_single_codings_use_the_fewest_columns_the_deepest_overlap_needs():
    codings = [(1, 0, 30), (2, 10, 50), (3, 35, 60), (4, 45, 70), (5, 62, 99)]
    # Deepest overlap of rows: rows 3-4 hold codes 2 and 3, rows 4 hold 2, 3 and 4.
    assert layout_margin(codings, ROWS).columns == 3


def test_with_a_limit_codes_beyond_it_share_the_last_column_and_are_not_lost():
    codings = [(1, 0, 50), (2, 0, 50), (3, 0, 50), (4, 60, 70)]
    layout = layout_margin(codings, ROWS, max_columns=2)
    assert layout.columns == 2
    assert layout.stripes(0) == [1, 2]
    assert layout.stripes(6) == [4, None]


def test_overflow_fills_the_free_rows_of_the_last_column():
    codings = [(1, 0, 90), (2, 0, 25), (3, 20, 70)]
    layout = layout_margin(codings, ROWS, max_columns=2)
    assert [layout.stripes(r)[1] for r in range(8)] == [2, 2, 2, 3, 3, 3, 3, None]


def test_empty_codings_and_no_codings_give_an_empty_margin():
    assert layout_margin([], ROWS).columns == 0
    assert layout_margin([(1, 5, 5)], ROWS).stripes(0) == []


# -- colours ------------------------------------------------------------------------------

def code(id_, colour=None, parent=None, depth=0) -> Code:
    return Code(guid=str(id_), name=f"c{id_}", colour=colour, parent_id=parent,
                id=id_, depth=depth)


def test_the_codebook_s_colours_are_kept_where_siblings_differ():
    codes = [code(1, "#112233"), code(2, "#445566")]
    assert distinct_colours(codes) == {1: "#112233", 2: "#445566"}


def test_siblings_sharing_a_colour_get_palette_colours_that_differ():
    codes = [code(1, "#1F5F8B")] + [code(i, "#5DADE2", 1, 1) for i in range(2, 12)]
    colours = distinct_colours(codes)
    children = [colours[i] for i in range(2, 12)]
    assert children[0] == "#5DADE2"
    assert len(set(children)) == 10
    assert colours[1] not in children


def test_a_child_with_its_parent_s_colour_is_given_another():
    colours = distinct_colours([code(1, "#AA0000"), code(2, "#aa0000", 1, 1)])
    assert colours[1] == "#AA0000" and colours[2] != "#AA0000"
    assert colours[2] in PALETTE


def test_codes_without_colours_differ_from_siblings_and_parent_beyond_the_palette():
    codes = [code(0)] + [code(i, parent=0, depth=1) for i in range(1, 30)]
    colours = distinct_colours(codes)
    siblings = [colours[i] for i in range(1, 30)]
    assert len(set(siblings[:19])) == 19
    assert colours[0] not in siblings
    assert all(a != b for a, b in zip(siblings, siblings[1:]))


# -- adding one coding ---------------------------------------------------------------------

def test_a_coding_added_leaves_every_other_code_in_its_column():
    layout = layout_margin([(1, 0, 25), (2, 15, 45), (3, 60, 70)], ROWS)
    before = dict(layout.column_of)
    # A new code meeting code 2 only: the first free column, the others unmoved.
    add_coding(layout, 4, 32, 55, ROWS)
    assert {c: layout.column_of[c] for c in before} == before
    assert layout.column_of[4] == 0
    assert layout.stripes(3) == [4, 2] and layout.stripes(5) == [4, None]
    assert layout.labels[3] == [4]


def test_a_coding_of_a_placed_code_joins_its_column():
    layout = layout_margin([(1, 0, 15), (2, 5, 25)], ROWS)
    add_coding(layout, 1, 50, 65, ROWS)
    assert layout.column_of == {2: 0, 1: 1}
    assert layout.stripes(5) == [None, 1] and layout.stripes(6) == [None, 1]
    assert layout.labels[5] == [1]


def test_a_coding_that_meets_its_own_code_joins_its_run_under_one_label():
    layout = layout_margin([(1, 0, 15), (2, 40, 50)], ROWS)
    add_coding(layout, 1, 12, 30, ROWS)
    assert [layout.stripes(r) for r in range(4)] == [[1], [1], [1], [None]]
    assert layout.labels == {0: [1], 4: [2]}
    assert layout.runs[0] == [Run(1, 0, 2), Run(2, 4, 4)]


def test_a_coding_meeting_another_code_in_its_code_s_column_takes_a_free_one():
    # Code 3's column (1, shared with code 2 beyond the limit) holds code 2 on rows
    # 2-5; a coding of code 3 there goes in a new column, labelled; nothing else moves.
    layout = layout_margin([(1, 0, 50), (2, 0, 50), (3, 0, 15), (3, 60, 70)], ROWS,
                           max_columns=2)
    before = [list(runs) for runs in layout.runs]
    add_coding(layout, 3, 20, 25, ROWS)
    assert layout.runs[:2] == before and layout.column_of[3] == 1
    assert layout.runs[2] == [Run(3, 2, 2)] and layout.stripes(2)[2] == 3
    assert 3 in layout.labels[2]


def test_a_coding_meeting_every_column_adds_one():
    layout = layout_margin([(1, 0, 30), (2, 10, 30)], ROWS)
    add_coding(layout, 3, 5, 15, ROWS)
    assert layout.columns == 3 and layout.stripes(1) == [1, 2, 3]


def test_codings_added_one_by_one_each_show_on_every_row_they_cover():
    rng = random.Random(21)
    codings = random_codings(rng, 40, codes=6, longest=25)
    layout = layout_margin(codings[:10], ROWS)
    for coding in codings[10:]:
        add_coding(layout, *coding, ROWS)
    for code, start, end in codings:
        for row in range(row_of(ROWS, start), row_of(ROWS, end - 1) + 1):
            assert code in layout.stripes(row)
    for runs in layout.runs:  # no column holds two runs on one row
        assert all(a.last < b.first for a, b in zip(runs, runs[1:]))
