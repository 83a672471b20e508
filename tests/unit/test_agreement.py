"""Agreement coefficients against published worked examples, brute force and invariants.

Expected values come only from publications and reference implementations, each cited
in the case files: ../shared/fixtures/agreement/published_cases.json (skipped when
absent) and tests/data/agreement_cases.json."""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from fractions import Fraction
from itertools import accumulate
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.core.agreement import coefficients as ag
from qcode.core.agreement import unitized as unitizing
from qcode.core.agreement import units as to_units
from qcode.core.agreement.coefficients import AgreementDataError, UnitCounts

REPO = Path(__file__).resolve().parents[2]
SHARED_CASES = REPO.parent / "shared" / "fixtures" / "agreement" / "published_cases.json"
OWN_CASES = REPO / "tests" / "data" / "agreement_cases.json"

GIVEN = {
    "percent_agreement": ag.percent_agreement,
    "cohen_kappa": ag.cohen_kappa,
    "scott_pi": ag.scott_pi,
    "bennett_s": ag.brennan_prediger,
    "brennan_prediger": ag.brennan_prediger,
    "gwet_ac1": ag.gwet_ac1,
    "fleiss_kappa": ag.fleiss_kappa,
}
FROM_TABLE = {
    "percent_agreement": ag.percent_agreement_from_table,
    "cohen_kappa": ag.cohen_kappa_from_table,
    "scott_pi": ag.scott_pi_from_table,
    "bennett_s": ag.brennan_prediger_from_table,
    "brennan_prediger": ag.brennan_prediger_from_table,
    "gwet_ac1": ag.gwet_ac1_from_table,
}
# Published sub-values named differently from the result fields.
SUB_VALUE_FIELD = {"P_bar": "p_o", "P_e_bar": "p_e", "kappa_irr_R": "value"}
# Fleiss 1971 category kappas: the case's notes give DKPro's tolerance of 0.005; R's
# irr prints kappa to 7 digits.
SUB_TOLERANCE = {"category_kappas": 0.005, "kappa_irr_R": 1e-6}
NOT_COVERED = {"kappa_max": "Cohen's maximum kappa given the marginals is not part of the API"}


def load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def case_params(path: Path) -> list:
    return [pytest.param(case, id=case["id"]) for case in load(path)]


def spans_of(case: dict, category: str) -> tuple[list[list[tuple[int, int]]], int]:
    begin, end = case["data"]["continuum"]
    scale = case.get("scale", 1)
    coders = [[((s - begin) * scale, (e - begin) * scale) for s, e, code in spans if code == category]
              for spans in case["data"]["coders"].values()]
    return coders, (end - begin) * scale


def fields(result) -> dict:
    if isinstance(result, ag.Agreement):
        return {"value": result.value, "p_o": result.p_o, "p_e": result.p_e}
    return {"value": result.value, "D_o": result.d_o, "D_e": result.d_e}


def evaluate(case: dict):
    """Compute the case's statistic with qcode; return the result object."""
    statistic = case["statistic"].split()[0]
    form = re.match(r"[a-z_]+", case["data_format"]).group()
    level = (case.get("level") or "nominal").split()[0]
    data = case["data"]
    if form == "spans":
        if statistic == "unitized_alpha_per_category":
            return unitizing.unitized_alpha(*spans_of(case, case["category"]))
        if statistic == "unitized_alpha_overall":
            codes = sorted({code for spans in data["coders"].values() for *_, code in spans})
            return unitizing.pooled_unitized_alpha(
                unitizing.unitized_alpha(*spans_of(case, c)) for c in codes)
        coders, length = spans_of(case, case["category"])
        ratings = to_units.spans_to_unit_counts(coders, [(i, i + 1) for i in range(length)])
        statistic = statistic.removesuffix("_character_level")
    elif form == "contingency_table":
        if statistic == "krippendorff_alpha":
            return ag.krippendorff_alpha_from_table(data, case.get("categories"), level)
        return FROM_TABLE[statistic](data)
    elif form == "reliability_matrix":
        ratings = data
    elif form == "unit_patterns":
        patterns: Counter = Counter()
        for count, values in data:
            patterns[tuple(values)] += count
        ratings = UnitCounts(len(data[0][1]), patterns)
    else:
        raise AssertionError(f"unknown data format {case['data_format']!r}")
    if statistic == "krippendorff_alpha":
        return ag.krippendorff_alpha(ratings, level)
    return GIVEN[statistic](ratings)


def check_case(case: dict) -> None:
    result = evaluate(case)
    tolerance = case["tolerance"]
    if case.get("undefined"):
        assert result.value is None and result.undefined, result
        return
    got = fields(result)
    if case.get("expected") is not None:
        assert result.value is not None, result.undefined
        assert abs(result.value - case["expected"]) <= tolerance, (result.value, case["expected"])
    for name, expected in case.get("sub_values", {}).items():
        if name in NOT_COVERED:
            continue
        limit = case.get("sub_tolerances", {}).get(name, SUB_TOLERANCE.get(name, tolerance))
        if name == "category_kappas":
            kappas = {str(k): r.value for k, r in ag.fleiss_category_kappas(case["data"]).items()}
            for category, value in expected.items():
                assert abs(kappas[category] - value) <= limit, (category, kappas[category], value)
            continue
        value = got[SUB_VALUE_FIELD.get(name, name)]
        assert value is not None and abs(value - expected) <= limit, (name, value, expected)


@pytest.mark.skipif(not SHARED_CASES.exists(), reason="../shared/fixtures is absent")
@pytest.mark.parametrize("case", case_params(SHARED_CASES))
def test_shared_published_case(case):
    check_case(case)


@pytest.mark.parametrize("case", case_params(OWN_CASES))
def test_own_published_case(case):
    check_case(case)


def test_own_cases_cite_their_sources():
    cases = load(OWN_CASES)
    assert len(cases) >= 50
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert case["source"] and case["provenance"] in ("published", "reference implementation")
        assert "qcode" not in case["source"].lower()


def test_every_shared_sub_value_is_checked_or_listed():
    for case in load(SHARED_CASES):
        for name in case.get("sub_values", {}):
            assert name in NOT_COVERED or name in SUB_VALUE_FIELD or name in SUB_TOLERANCE \
                or name in ("p_o", "p_e", "D_o", "D_e"), name


# --- missing values and the two input forms ----------------------------------------

def test_cohen_uses_only_units_both_coders_coded():
    with_missing = [[1, 2, 2, None, 1, 3], [1, 2, 1, 3, None, 3]]
    complete = [[1, 2, 2, 3], [1, 2, 1, 3]]
    assert ag.cohen_kappa(with_missing) == ag.cohen_kappa(complete)
    assert ag.cohen_kappa(with_missing).units == 4
    assert ag.scott_pi(with_missing) == ag.scott_pi(complete)


def test_nan_is_missing():
    assert ag.krippendorff_alpha([[1, 2, float("nan")], [1, 2, 3]]) == \
        ag.krippendorff_alpha([[1, 2, None], [1, 2, 3]])


def test_two_coder_percent_agreement_is_the_share_of_agreeing_complete_units():
    result = ag.percent_agreement([["a", "b", None, "a"], ["a", "a", "b", "a"]])
    assert result.value == pytest.approx(2 / 3) and result.units == 3


def test_matrix_table_and_counts_agree():
    matrix = [list("aabbbbbccccc"), list("abbbbbcccccc")]
    table = [[1, 1, 0], [0, 4, 1], [0, 0, 5]]
    assert ag.cohen_kappa(matrix).value == pytest.approx(ag.cohen_kappa_from_table(table).value)
    assert ag.scott_pi(matrix).value == pytest.approx(ag.scott_pi_from_table(table).value)
    assert ag.krippendorff_alpha(matrix).value == pytest.approx(
        ag.krippendorff_alpha_from_table(table, list("abc")).value)
    assert ag.gwet_ac1(matrix).value == pytest.approx(ag.gwet_ac1_from_table(table).value)
    assert UnitCounts.from_matrix(matrix) == UnitCounts.from_table(table, list("abc"))


def test_fleiss_from_counts_matches_the_matrix():
    matrix = [list("YYNNY"), list("YYNYY"), list("YNYNN")]
    counts = [[col.count("N"), col.count("Y")] for col in zip(*matrix)]
    assert ag.fleiss_kappa_from_counts(counts).value == pytest.approx(ag.fleiss_kappa(matrix).value)


def test_unit_counts_add_across_transcripts():
    first, second = [[1, 0, 1], [1, 1, 0]], [[0, 0], [0, 1]]
    joined = [a + b for a, b in zip(first, second)]
    assert UnitCounts.from_matrix(first) + UnitCounts.from_matrix(second) == UnitCounts.from_matrix(joined)


def test_declared_categories_change_brennan_prediger_and_ac1():
    matrix = [[1, 1, 2, 2], [1, 2, 2, 2]]
    assert ag.brennan_prediger(matrix).p_e == 0.5
    assert ag.brennan_prediger(matrix, categories=4).p_e == 0.25
    assert ag.brennan_prediger(matrix, categories=[1, 2, 3]).p_e == pytest.approx(1 / 3)
    assert ag.gwet_ac1(matrix, categories=3).value != ag.gwet_ac1(matrix).value
    with pytest.raises(AgreementDataError, match="declared"):
        ag.brennan_prediger(matrix, categories=1)


# --- undefined and bad input -------------------------------------------------------

@pytest.mark.parametrize("function", [ag.percent_agreement, ag.cohen_kappa, ag.scott_pi,
                                      ag.fleiss_kappa, ag.brennan_prediger, ag.gwet_ac1,
                                      ag.krippendorff_alpha])
def test_bad_ratings_raise_clear_errors(function):
    with pytest.raises(AgreementDataError, match="at least two coders"):
        function([[1, 2, 3]])
    with pytest.raises(AgreementDataError, match="at least two coders"):
        function([])
    with pytest.raises(AgreementDataError, match="same length"):
        function([[1, 2], [1]])
    with pytest.raises(AgreementDataError):
        function("ab")


@pytest.mark.parametrize("function", [ag.percent_agreement, ag.cohen_kappa, ag.scott_pi,
                                      ag.fleiss_kappa, ag.brennan_prediger, ag.gwet_ac1,
                                      ag.krippendorff_alpha])
def test_nothing_to_compare_is_undefined_with_a_reason(function):
    for ratings in ([[], []], [[1, None], [None, 2]]):
        result = function(ratings)
        assert result.value is None and not result.defined
        assert "nothing to compare" in result.undefined


@pytest.mark.parametrize("function", [ag.cohen_kappa, ag.scott_pi, ag.fleiss_kappa,
                                      ag.brennan_prediger, ag.gwet_ac1, ag.krippendorff_alpha])
def test_no_variation_is_undefined_with_a_reason(function):
    result = function([["x"] * 5, ["x"] * 5])
    assert result.value is None
    assert "nothing varies" in result.undefined


def test_percent_agreement_is_defined_without_variation():
    assert ag.percent_agreement([["x"] * 5, ["x"] * 5]).value == 1.0


def test_two_coder_statistics_refuse_three_coders():
    with pytest.raises(AgreementDataError, match="exactly two coders"):
        ag.cohen_kappa([[1, 2], [1, 2], [2, 2]])
    with pytest.raises(AgreementDataError, match="exactly two coders"):
        ag.scott_pi([[1, 2], [1, 2], [2, 2]])


def test_alpha_rejects_unknown_levels_and_non_numbers():
    with pytest.raises(AgreementDataError, match="unknown level"):
        ag.krippendorff_alpha([[1, 2], [1, 2]], level="cardinal")
    with pytest.raises(AgreementDataError, match="numeric"):
        ag.krippendorff_alpha([["a", "b"], ["a", "b"]], level="interval")
    with pytest.raises(AgreementDataError, match="zero or more"):
        ag.krippendorff_alpha([[-1, 2], [1, 2]], level="ratio")
    with pytest.raises(AgreementDataError, match="hashable"):
        ag.krippendorff_alpha([[[1], [2]], [[1], [2]]])


def test_bad_tables():
    with pytest.raises(AgreementDataError, match="square"):
        ag.cohen_kappa_from_table([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(AgreementDataError, match="whole numbers"):
        ag.cohen_kappa_from_table([[1, -2], [3, 4]])
    with pytest.raises(AgreementDataError, match="whole numbers"):
        ag.scott_pi_from_table([[1, 0.5], [3, 4]])
    assert ag.cohen_kappa_from_table([[0, 0], [0, 0]]).undefined


def test_unitized_bad_input():
    with pytest.raises(AgreementDataError, match="at least two coders"):
        unitizing.unitized_alpha([[(0, 5)]], 10)
    with pytest.raises(AgreementDataError, match="overlap"):
        unitizing.unitized_alpha([[(0, 5), (3, 8)], [(0, 5)]], 10)
    with pytest.raises(AgreementDataError, match="outside"):
        unitizing.unitized_alpha([[(0, 12)], [(0, 5)]], 10)
    with pytest.raises(AgreementDataError, match="empty"):
        unitizing.unitized_alpha([[(4, 4)], [(0, 5)]], 10)
    with pytest.raises(AgreementDataError, match="transcript boundary"):
        unitizing.unitized_alpha([[(3, 7)], [(0, 5)]], [5, 5])
    with pytest.raises(AgreementDataError, match="empty"):
        unitizing.unitized_alpha([[], []], 0)
    with pytest.raises(AgreementDataError, match="pairs"):
        unitizing.unitized_alpha([[(0, 1, 2)], []], 10)
    with pytest.raises(AgreementDataError, match="share one continuum"):
        unitizing.pooled_unitized_alpha([unitizing.unitized_alpha([[(0, 1)], []], 10),
                                  unitizing.unitized_alpha([[(0, 1)], []], 11)])


def test_unitized_nobody_coded_is_undefined():
    result = unitizing.unitized_alpha([[], [], []], 100)
    assert result.value is None and result.undefined == "no coder applied this code"
    assert (result.d_o, result.d_e, result.units) == (0.0, 0.0, 0)


def test_unitized_one_coder_silent_is_defined():
    # The other coder read the text and coded nothing: that is disagreement, not absence.
    result = unitizing.unitized_alpha([[(10, 20)], []], 100)
    assert result.value is not None and result.value < 1


def test_unitized_cost_does_not_depend_on_length():
    # A per-character expansion of 10^12 characters could not run; the sweep does.
    result = unitizing.unitized_alpha([[(10, 2000), (5000, 9000)], [(20, 2100)]], 10 ** 12)
    assert result.defined and result.length == 10 ** 12


def test_merge_overlaps_keeps_touching_spans_apart():
    assert unitizing.merge_overlaps([(5, 9), (0, 3), (2, 4), (9, 12)]) == [(0, 4), (5, 9), (9, 12)]


def test_spans_to_units_bad_units():
    with pytest.raises(AgreementDataError, match="text order"):
        to_units.spans_to_units([[(0, 3)], []], [(0, 5), (3, 8)])
    with pytest.raises(AgreementDataError, match="empty"):
        to_units.spans_to_units([[(0, 3)], []], [(0, 0)])
    with pytest.raises(AgreementDataError, match="empty"):
        to_units.spans_to_units([[(3, 3)], []], [(0, 5)])


# --- brute force: unitized alpha by per-character expansion --------------------------

def brute_unitized(spans, lengths):
    """Krippendorff's (2004) D_o and D_e from per-character section labels, every pair
    of sections compared by definition, in exact fractions."""
    total = sum(lengths)
    m = len(spans)
    transcript_starts = set(accumulate([0, *lengths[:-1]]))
    sections = []
    for coder in spans:
        owner = [None] * total
        for k, (start, end) in enumerate(coder):
            for x in range(start, end):
                assert owner[x] is None
                owner[x] = k
        mine = []
        for x in range(total):
            if x == 0 or owner[x] != owner[x - 1] or (owner[x] is None and x in transcript_starts):
                mine.append([x, x + 1, owner[x] is not None])
            else:
                mine[-1][1] = x + 1
        sections.append(mine)

    def delta2(g, h):
        (bg, eg, unit_g), (bh, eh, unit_h) = g, h
        if unit_g and unit_h and bg < eh and bh < eg:
            return (bg - bh) ** 2 + (eg - eh) ** 2
        if unit_g and not unit_h and bh <= bg and eg <= eh:
            return (eg - bg) ** 2
        if unit_h and not unit_g and bg <= bh and eh <= eg:
            return (eh - bh) ** 2
        return 0

    observed = sum(delta2(g, h) for i in range(m) for j in range(m) if i != j
                   for g in sections[i] for h in sections[j])
    d_o = Fraction(observed, m * (m - 1) * total * total)
    units = [e - b for mine in sections for b, e, is_unit in mine if is_unit]
    gaps = [e - b for mine in sections for b, e, is_unit in mine if not is_unit]
    count = len(units)
    numerator = Fraction(0)
    for length in units:
        numerator += Fraction(count - 1, 3) * (2 * length ** 3 - 3 * length ** 2 + length)
        placements = sum(len(range(gap - length + 1)) for gap in gaps)
        numerator += length * length * placements
    denominator = m * total * (m * total - 1) - sum(x * (x - 1) for x in units)
    d_e = Fraction(2, total) * numerator / denominator
    return d_o, d_e


def random_unitizing(rng: random.Random, coders: int, lengths: list[int]):
    """Each coder's disjoint segments, some abutting, none crossing a transcript."""
    spans = []
    for _ in range(coders):
        mine = []
        for offset, length in zip(accumulate([0, *lengths[:-1]]), lengths):
            cuts = sorted(set(rng.sample(range(length + 1), k=min(length + 1, rng.randint(0, 7)))))
            for a, b in zip(cuts, cuts[1:]):
                if rng.random() < 0.5:
                    mine.append((offset + a, offset + b))
        rng.shuffle(mine)
        spans.append(mine)
    return spans


@pytest.mark.parametrize("seed", range(300))
def test_unitized_alpha_matches_per_character_brute_force(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 25) for _ in range(rng.randint(1, 3))]
    spans = random_unitizing(rng, rng.randint(2, 4), lengths)
    result = unitizing.unitized_alpha(
        spans, lengths if len(lengths) > 1 or seed % 2 else lengths[0])
    d_o, d_e = brute_unitized(spans, lengths)
    assert result.d_o == pytest.approx(float(d_o), rel=1e-9, abs=1e-15)
    assert result.d_e == pytest.approx(float(d_e), rel=1e-9, abs=1e-15)
    if result.value is None:
        assert d_e == 0 or result.units == 0
    else:
        assert abs(result.value - float(1 - d_o / d_e)) <= 1e-9


@pytest.mark.parametrize("seed", range(30))
def test_unitized_alpha_does_not_depend_on_transcript_order(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(3, 40) for _ in range(4)]
    spans = random_unitizing(rng, 3, lengths)
    offsets = list(accumulate([0, *lengths[:-1]]))
    order = list(range(4))
    rng.shuffle(order)
    new_offsets = dict(zip(order, accumulate([0, *[lengths[t] for t in order][:-1]])))
    moved = []
    for coder in spans:
        shifted = []
        for start, end in coder:
            t = max(i for i in range(4) if offsets[i] <= start)
            shifted.append((start - offsets[t] + new_offsets[t], end - offsets[t] + new_offsets[t]))
        moved.append(shifted)
    a = unitizing.unitized_alpha(spans, lengths)
    b = unitizing.unitized_alpha(moved, [lengths[t] for t in order])
    assert (a.value is None) == (b.value is None)
    assert a.d_o == pytest.approx(b.d_o, rel=1e-12) and a.d_e == pytest.approx(b.d_e, rel=1e-12)


# --- span -> units -----------------------------------------------------------------

@pytest.mark.parametrize("seed", range(100))
def test_spans_to_units_matches_per_character_membership(seed):
    rng = random.Random(seed)
    length = rng.randint(1, 80)
    cuts = sorted(set(rng.sample(range(length + 1), k=min(length + 1, rng.randint(2, 20)))))
    units = [(a, b) for a, b in zip(cuts, cuts[1:]) if rng.random() < 0.8]
    spans = []
    for _ in range(rng.randint(2, 4)):
        mine = []
        for _ in range(rng.randint(0, 5)):
            start = rng.randrange(length)
            mine.append((start, rng.randint(start + 1, length)))
        spans.append(mine)
    matrix = to_units.spans_to_units(spans, units)
    expected = [[int(any(s < ue and us < e for s, e in mine)) for us, ue in units] for mine in spans]
    assert matrix == expected
    assert to_units.spans_to_unit_counts(spans, units) == UnitCounts.from_matrix(matrix)


def test_spans_to_units_on_words():
    text = "we went to the station then home"
    units = [(0, 2), (3, 7), (8, 10), (11, 14), (15, 22), (23, 27), (28, 32)]
    spans = [[(3, 14)], [(9, 20)], []]  # "went to the"; "o the stat"; nothing
    assert [text[a:b] for a, b in units][1] == "went"
    assert to_units.spans_to_units(spans, units) == [[0, 1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 0, 0],
                                               [0] * 7]


# --- invariants (hypothesis) --------------------------------------------------------

VALUES = st.sampled_from([0, 1, 2, 3])
COUNTED = [ag.percent_agreement, ag.fleiss_kappa, ag.brennan_prediger, ag.gwet_ac1,
           ag.krippendorff_alpha, lambda r: ag.krippendorff_alpha(r, "ordinal"),
           lambda r: ag.krippendorff_alpha(r, "interval"), lambda r: ag.krippendorff_alpha(r, "ratio")]


@st.composite
def ratings(draw, coders=None, missing=True):
    m = coders or draw(st.integers(2, 4))
    n = draw(st.integers(1, 25))
    cell = st.one_of(st.none(), VALUES) if missing else VALUES
    return [[draw(cell) for _ in range(n)] for _ in range(m)]


@settings(max_examples=150, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=30), st.integers(2, 5))
def test_identical_coders_agree_perfectly_or_undefined(row, m):
    matrix = [list(row)] * m
    varied = len(set(row)) > 1
    for function in COUNTED[1:] + ([ag.cohen_kappa, ag.scott_pi] if m == 2 else []):
        result = function(matrix)
        if varied:
            assert result.value == pytest.approx(1.0, abs=1e-12)
        else:
            assert result.value is None and result.undefined
    assert ag.percent_agreement(matrix).value == 1.0


@settings(max_examples=150, deadline=None)
@given(ratings(), st.randoms(use_true_random=False))
def test_swapping_coders_changes_nothing(matrix, rng):
    shuffled = matrix[:]
    rng.shuffle(shuffled)
    functions = COUNTED + ([ag.cohen_kappa, ag.scott_pi] if len(matrix) == 2 else [])
    for function in functions:
        a, b = function(matrix), function(shuffled)
        assert (a.value is None) == (b.value is None)
        if a.value is not None:
            assert a.value == pytest.approx(b.value, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(ratings(missing=False))
def test_values_stay_in_range_without_missing_values(matrix):
    functions = COUNTED + ([ag.cohen_kappa, ag.scott_pi] if len(matrix) == 2 else [])
    for function in functions:
        value = function(matrix).value
        assert value is None or -1 - 1e-12 <= value <= 1 + 1e-12


@settings(max_examples=150, deadline=None)
@given(ratings())
def test_values_stay_in_range_with_missing_values(matrix):
    assert 0 <= (ag.percent_agreement(matrix).value or 0) <= 1
    for function in (ag.brennan_prediger, ag.gwet_ac1, ag.krippendorff_alpha):
        value = function(matrix).value
        assert value is None or -1 - 1e-12 <= value <= 1 + 1e-12
    if len(matrix) == 2:
        for function in (ag.cohen_kappa, ag.scott_pi):
            value = function(matrix).value
            assert value is None or -1 - 1e-12 <= value <= 1 + 1e-12


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(2, 4))
def test_unitized_invariants(seed, m):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 200) for _ in range(rng.randint(1, 3))]
    spans = random_unitizing(rng, m, lengths)
    result = unitizing.unitized_alpha(spans, lengths)
    assert result.d_o >= 0 and result.d_e >= 0
    assert result.value is None or result.value <= 1 + 1e-12
    swapped = unitizing.unitized_alpha(spans[::-1], lengths)
    assert swapped.d_o == pytest.approx(result.d_o) and swapped.d_e == pytest.approx(result.d_e)
    same = unitizing.unitized_alpha([spans[0]] * m, lengths)
    assert same.value is None or same.value == pytest.approx(1.0, abs=1e-12)


# --- cross-check with the krippendorff package ---------------------------------------

@settings(max_examples=200, deadline=None)
@given(ratings(), st.sampled_from(ag.LEVELS))
def test_alpha_matches_the_krippendorff_package(matrix, level):
    krippendorff = pytest.importorskip("krippendorff")
    numbers = [[None if v is None else v + 1 for v in row] for row in matrix]
    ours = ag.krippendorff_alpha(numbers, level)
    if ours.value is None:
        return
    data = [[math.nan if v is None else float(v) for v in row] for row in numbers]
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours.value == pytest.approx(theirs, abs=1e-9)
