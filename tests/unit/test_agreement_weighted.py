"""Weighted kappa, Conger's kappa, Gwet's AC2, alpha with a custom distance and the
unitizing family (cu-alpha, |u-alpha): against published values, and against deliberately
naive implementations of the published definitions written here, in exact fractions."""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.core.agreement import unitized
from qcode.core.agreement import unitizing_family as family
from qcode.core.agreement import weighted as wt
from qcode.core.agreement.coefficients import AgreementDataError, UnitCounts

# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: the 4 raters x 12 units data
# (irrCAC's cac.raw4raters; Krippendorff 2011's example) and the two contingency tables
# (irrCAC's cont3x3abstractors and cont4x4diagnosis).
RAW4 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, None],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
DIAGNOSIS = [[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]]
# irrCAC's custom weights example (afergadis/irrCAC test/unit/irrCAC/raw/test_conger.py).
CUSTOM = [[1.00, 0.75, 0.50, 0.25, 0.00], [0.00, 1.00, 0.75, 0.50, 0.25],
          [0.25, 0.00, 1.00, 0.75, 0.50], [0.50, 0.25, 0.00, 1.00, 0.75],
          [0.75, 0.50, 0.25, 0.00, 1.00]]
IRRCAC = ("Gwet (2014) Handbook of Inter-Rater Reliability 4th ed., values as printed by "
          "Gwet's irrCAC and asserted in afergadis/irrCAC (GitHub) test/unit/irrCAC/")


def table(counts):
    return UnitCounts.from_table(counts, list(range(1, len(counts) + 1)))


# (source, function, data, weights, expected value, expected p_o, expected p_e); values
# are printed to 3 decimals.
PUBLISHED = [
    (IRRCAC + "table/test_cohen.py", wt.weighted_kappa, ABSTRACTORS, "identity", 0.796, None, None),
    (IRRCAC + "table/test_cohen.py", wt.weighted_kappa, ABSTRACTORS, "linear", 0.843, None, None),
    (IRRCAC + "table/test_cohen.py", wt.weighted_kappa, ABSTRACTORS, "quadratic", 0.892, None, None),
    (IRRCAC + "table/test_cohen.py", wt.weighted_kappa, DIAGNOSIS, "linear", 0.407, None, None),
    (IRRCAC + "table/test_cohen.py", wt.weighted_kappa, DIAGNOSIS, "quadratic", 0.383, None, None),
    (IRRCAC + "table/test_gwet.py", wt.gwet_ac2, ABSTRACTORS, "identity", 0.849, None, None),
    (IRRCAC + "table/test_gwet.py", wt.gwet_ac2, ABSTRACTORS, "linear", 0.900, None, None),
    (IRRCAC + "table/test_gwet.py", wt.gwet_ac2, ABSTRACTORS, "quadratic", 0.940, None, None),
    (IRRCAC + "table/test_gwet.py", wt.gwet_ac2, DIAGNOSIS, "linear", 0.377, None, None),
    (IRRCAC + "table/test_gwet.py", wt.gwet_ac2, DIAGNOSIS, "quadratic", 0.299, None, None),
    (IRRCAC + "raw/test_gwet.py", wt.gwet_ac2, RAW4, "identity", 0.775, 0.818, 0.190),
    (IRRCAC + "raw/test_gwet.py", wt.gwet_ac2, RAW4, "linear", 0.859, 0.939, 0.571),
    (IRRCAC + "raw/test_gwet.py", wt.gwet_ac2, RAW4, "quadratic", 0.914, 0.975, 0.714),
    (IRRCAC + "raw/test_conger.py", wt.conger_kappa, RAW4, "identity", 0.763, 0.818, 0.233),
    (IRRCAC + "raw/test_conger.py", wt.conger_kappa, RAW4, "linear", 0.814, 0.939, 0.675),
    (IRRCAC + "raw/test_conger.py", wt.conger_kappa, RAW4, "quadratic", 0.858, 0.975, 0.827),
    (IRRCAC + "raw/test_conger.py", wt.conger_kappa, RAW4, CUSTOM, 0.763, 0.886, 0.521),
]


@pytest.mark.parametrize("source, function, data, weights, value, p_o, p_e", PUBLISHED,
                         ids=[f"{f.__name__}-{i}" for i, (_, f, *_rest) in enumerate(PUBLISHED)])
def test_published_weighted_values(source, function, data, weights, value, p_o, p_e):
    ratings = data if data is RAW4 else table(data)
    result = function(ratings, weights, [1, 2, 3, 4, 5] if data is RAW4 else None)
    assert result.value == pytest.approx(value, abs=0.0005), source
    if p_o is not None:
        assert result.p_o == pytest.approx(p_o, abs=0.0005)
        assert result.p_e == pytest.approx(p_e, abs=0.0005)


@pytest.mark.parametrize("weights, expected", [("linear", 0.800), ("quadratic", 0.849)])
def test_alpha_with_a_custom_distance_matches_gwet_and_krippendorff(weights, expected):
    """Gwet's weighted alpha on RAW4 (irrCAC raw/test_krippendorff.py: linear .800,
    quadratic .849) is alpha with delta^2 = 1 - w; quadratic weights are Krippendorff's
    (2011) interval metric, published as .849 for the same data."""
    categories = [1, 2, 3, 4, 5]
    distance = 1 - wt.weight_matrix(weights, categories)
    result = wt.krippendorff_alpha_distance(RAW4, distance, categories)
    assert result.value == pytest.approx(expected, abs=0.0005)


def test_artstein_poesio_style_partial_distance():
    """A distance of one's own: half a disagreement between two close categories
    (Artstein & Poesio 2008, Computational Linguistics 34:555-596, §2.6) lies between
    nominal alpha (every disagreement whole) and alpha where they count as agreement."""
    data = [list("aabbccab"), list("abbbcabc")]
    cats = list("abc")
    whole = wt.krippendorff_alpha_distance(data, [[0, 1, 1], [1, 0, 1], [1, 1, 0]], cats)
    half = wt.krippendorff_alpha_distance(data, [[0, .5, 1], [.5, 0, 1], [1, 1, 0]], cats)
    assert whole.value < half.value


# --- naive definitions --------------------------------------------------------------

def naive_weights(kind, cats):
    q = len(cats)
    if kind == "identity":
        return [[Fraction(int(a == b)) for b in range(q)] for a in range(q)]
    xs = [Fraction(c) for c in cats]
    spread = max(xs) - min(xs)
    power = 1 if kind == "linear" else 2
    return [[1 - (abs(a - b) / spread) ** power for b in xs] for a in xs]


def naive_weighted_kappa(matrix, w, cats):
    pairs = [(a, b) for a, b in zip(*matrix) if a is not None and b is not None]
    n = len(pairs)
    i = {c: k for k, c in enumerate(cats)}
    p_o = sum(w[i[a]][i[b]] for a, b in pairs) / Fraction(n)
    p_e = sum(w[i[a]][i[b]] for a, _ in pairs for _, b in pairs) / Fraction(n * n)
    return p_o, p_e


def naive_p_a(matrix, w, cats):
    """Gwet's weighted p_a: per unit with two or more values, the mean weight over its
    ordered pairs of distinct coders."""
    i = {c: k for k, c in enumerate(cats)}
    shares = []
    for column in zip(*matrix):
        values = [v for v in column if v is not None]
        if len(values) >= 2:
            pairs = list(permutations(range(len(values)), 2))
            shares.append(sum(w[i[values[a]]][i[values[b]]] for a, b in pairs) / Fraction(len(pairs)))
    return sum(shares) / len(shares)


def naive_conger_p_e(matrix, w, cats):
    """Mean over ordered pairs of distinct coders of sum_kl w_kl p_gk p_hl."""
    i = {c: k for k, c in enumerate(cats)}
    marginals = []
    for row in matrix:
        values = [v for v in row if v is not None]
        marginals.append([Fraction(values.count(c), len(values)) for c in cats])
    pairs = list(permutations(range(len(matrix)), 2))
    return sum(w[k][l] * marginals[g][k] * marginals[h][l]
               for g, h in pairs for k in range(len(cats)) for l in range(len(cats))) / len(pairs)


def naive_ac2_p_e(matrix, w, cats):
    units = [[v for v in column if v is not None] for column in zip(*matrix)]
    units = [u for u in units if u]
    pi = [sum(Fraction(u.count(c), len(u)) for u in units) / len(units) for c in cats]
    q = len(cats)
    t_w = sum(map(sum, w))
    return t_w / (q * (q - 1)) * sum(p * (1 - p) for p in pi)


def naive_alpha(matrix, delta2):
    """Krippendorff's alpha by definition: every ordered pair of values within a unit
    (weighted 1 / (m_u - 1)) against every ordered pair of pairable values."""
    units = [[v for v in column if v is not None] for column in zip(*matrix)]
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    observed = sum(Fraction(delta2(u[a], u[b])) / (len(u) - 1)
                   for u in units for a, b in permutations(range(len(u)), 2))
    expected = sum(delta2(values[a], values[b]) for a, b in permutations(range(n), 2))
    return observed / n, Fraction(expected) / (n * (n - 1))


CATS = [1, 2, 3, 4]


@st.composite
def ratings(draw, coders=None, missing=True):
    m = coders or draw(st.integers(2, 4))
    n = draw(st.integers(2, 12))
    cell = st.one_of(st.none(), st.sampled_from(CATS)) if missing else st.sampled_from(CATS)
    return [[draw(cell) for _ in range(n)] for _ in range(m)]


@settings(max_examples=150, deadline=None)
@given(ratings(coders=2), st.sampled_from(["identity", "linear", "quadratic"]))
def test_weighted_kappa_matches_the_definition(matrix, kind):
    result = wt.weighted_kappa(matrix, kind, CATS)
    if not any(a is not None and b is not None for a, b in zip(*matrix)):
        assert result.value is None and result.undefined
        return
    p_o, p_e = naive_weighted_kappa(matrix, naive_weights(kind, CATS), CATS)
    assert result.p_o == pytest.approx(float(p_o)) and result.p_e == pytest.approx(float(p_e))
    if p_e != 1:
        assert result.value == pytest.approx(float((p_o - p_e) / (1 - p_e)))


def pairable(matrix):
    return any(sum(v is not None for v in column) >= 2 for column in zip(*matrix))


@settings(max_examples=150, deadline=None)
@given(ratings(), st.sampled_from(["identity", "linear", "quadratic"]))
def test_conger_and_ac2_match_the_definition(matrix, kind):
    conger, ac2 = wt.conger_kappa(matrix, kind, CATS), wt.gwet_ac2(matrix, kind, CATS)
    if not pairable(matrix):
        assert conger.value is None and ac2.value is None
        return
    w = naive_weights(kind, CATS)
    p_a = naive_p_a(matrix, w, CATS)
    assert ac2.p_o == pytest.approx(float(p_a)) and conger.p_o == pytest.approx(float(p_a))
    assert ac2.p_e == pytest.approx(float(naive_ac2_p_e(matrix, w, CATS)))
    if all(any(v is not None for v in row) for row in matrix):
        assert conger.p_e == pytest.approx(float(naive_conger_p_e(matrix, w, CATS)))


@settings(max_examples=100, deadline=None)
@given(ratings(coders=2, missing=False),
       st.sampled_from(["identity", "linear", "quadratic"]))
def test_conger_is_cohen_for_two_complete_coders(matrix, kind):
    conger, cohen = wt.conger_kappa(matrix, kind, CATS), wt.weighted_kappa(matrix, kind, CATS)
    assert (conger.value is None) == (cohen.value is None)
    if cohen.value is not None:
        assert conger.value == pytest.approx(cohen.value)


# A distance is 0 or a size a researcher would write: a subnormal float such as 5e-324
# underflows to 0 in floating point, where the exact fractions keep it.
DISTANCES = st.one_of(st.just(0.0), st.floats(1e-6, 3))


@settings(max_examples=150, deadline=None)
@given(ratings(), st.lists(DISTANCES, min_size=6, max_size=6))
def test_alpha_distance_matches_the_definition(matrix, upper):
    d = [[Fraction(0)] * 4 for _ in range(4)]
    cells = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    for (a, b), x in zip(cells, upper):
        d[a][b] = d[b][a] = Fraction(x)
    result = wt.krippendorff_alpha_distance(matrix, d, CATS)
    if not pairable(matrix):
        assert result.value is None
        return
    d_o, d_e = naive_alpha(matrix, lambda a, b: d[a - 1][b - 1])
    assert result.d_o == pytest.approx(float(d_o), abs=1e-12)
    if d_e > 0:
        assert result.d_e == pytest.approx(float(d_e))
        assert result.value == pytest.approx(float(1 - d_o / d_e), abs=1e-9)


# --- the unitizing family -----------------------------------------------------------

def random_domain(rng, coders, length, codes="xyz"):
    """Each coder's disjoint coded segments (some abutting), one code each."""
    out = []
    for _ in range(coders):
        cuts = sorted(set(rng.sample(range(length + 1), k=min(length + 1, rng.randint(0, 8)))))
        out.append([(a, b, rng.choice(codes)) for a, b in zip(cuts, cuts[1:])
                    if rng.random() < 0.6])
    return out


def per_character(segments, length):
    matrix = []
    for own in segments:
        row = [None] * length
        for s, e, code in own:
            for x in range(s, e):
                row[x] = code
        matrix.append(row)
    return matrix


def intersection_cu_alpha(segments):
    """Krippendorff et al. (2016) cu-alpha for two coders: coincidences are the lengths
    of the intersections of one coder's c-segments with the other's k-segments, both
    ways; alpha = 1 - (n - 1) sum o_ck delta_ck / sum n_c n_k delta_ck (nominal)."""
    o = {}
    for mine, theirs in (segments, segments[::-1]):
        for s1, e1, c in mine:
            for s2, e2, k in theirs:
                overlap = min(e1, e2) - max(s1, s2)
                if overlap > 0:
                    o[c, k] = o.get((c, k), 0) + overlap
    n_c = {}
    for (c, _), x in o.items():
        n_c[c] = n_c.get(c, 0) + x
    n = sum(n_c.values())
    observed = sum(x for (c, k), x in o.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    return None if n == 0 or expected == 0 else 1 - Fraction((n - 1) * observed, expected)


@pytest.mark.parametrize("seed", range(200))
def test_cu_alpha_of_two_coders_is_the_intersection_definition(seed):
    rng = random.Random(seed)
    length = rng.randint(1, 40)
    segments = random_domain(rng, 2, length)
    expected = intersection_cu_alpha(segments)
    result = family.cu_alpha(segments, length)
    if expected is None:
        assert result.value is None and result.undefined
    else:
        assert result.value == pytest.approx(float(expected), abs=1e-9)


@pytest.mark.parametrize("seed", range(100))
def test_cu_alpha_is_nominal_alpha_over_coded_characters(seed):
    rng = random.Random(seed)
    length = rng.randint(1, 30)
    segments = random_domain(rng, rng.randint(2, 4), length)
    result = family.cu_alpha(segments, length)
    matrix = per_character(segments, length)
    if not pairable(matrix):
        assert result.value is None
        return
    d_o, d_e = naive_alpha(matrix, lambda a, b: int(a != b))
    if d_e == 0:
        assert result.value is None
    else:
        assert result.value == pytest.approx(float(1 - d_o / d_e), abs=1e-9)


@pytest.mark.parametrize("seed", range(60))
def test_binary_u_alpha_is_unitized_alpha_of_any_code(seed):
    rng = random.Random(seed)
    length = rng.randint(1, 40)
    segments = random_domain(rng, rng.randint(2, 3), length)
    result = family.binary_u_alpha(segments, length)
    relevant = [[(s, e) for s, e, _ in own] for own in segments]
    assert result == unitized.unitized_alpha(relevant, length)


def test_binary_u_alpha_ignores_which_code_while_cu_alpha_does_not():
    first = [(0, 10, "joy"), (20, 30, "anger")]
    second = [(0, 10, "anger"), (20, 30, "joy")]
    assert family.binary_u_alpha([first, second], 40).value == pytest.approx(1.0)
    assert family.cu_alpha([first, second], 40).value < 0


def random_domains(rng, coders, length):
    """Each coder's segments labelled by domain: within a domain disjoint (some
    abutting), across the domains free to overlap, as a coder may apply two themes."""
    out = [[] for _ in range(coders)]
    for domain in "AB"[:rng.randint(1, 2)] + "C":
        for own, more in zip(out, random_domain(rng, coders, length, codes=domain)):
            own.extend(more)
    return out


def naive_global_cu_alpha(segments, length):
    """Cu-alpha by definition, character by character: a coder's value at a character
    is the one domain they coded there; none, or two at once, is no value; nominal alpha
    over those values (naive_alpha, exact fractions)."""
    matrix, several = [], 0
    for own in segments:
        row = []
        for x in range(length):
            shown = {d for s, e, d in own if s <= x < e}
            several += len(shown) > 1
            row.append(next(iter(shown)) if len(shown) == 1 else None)
        matrix.append(row)
    if not pairable(matrix):
        return None, several
    d_o, d_e = naive_alpha(matrix, lambda a, b: int(a != b))
    return (None if d_e == 0 else 1 - d_o / d_e), several


@pytest.mark.parametrize("seed", range(150))
def test_global_cu_alpha_matches_the_definition(seed):
    rng = random.Random(seed)
    length = rng.randint(1, 30)
    segments = random_domains(rng, rng.randint(2, 4), length)
    expected, several = naive_global_cu_alpha(segments, length)
    result, counted = family.global_cu_alpha(segments, length)
    assert counted == several
    if expected is None:
        assert result.value is None and result.undefined
    else:
        assert result.value == pytest.approx(float(expected), abs=1e-9)


@pytest.mark.parametrize("seed", range(100))
def test_global_cu_alpha_of_two_coders_is_the_intersection_definition(seed):
    """Two coders, no coder showing two domains at once: the 2016 intersection
    definition with domains as the values, and cu-alpha with codes renamed to domains."""
    rng = random.Random(seed)
    length = rng.randint(1, 40)
    segments = random_domain(rng, 2, length, codes="ABC")
    expected = intersection_cu_alpha(segments)
    result, several = family.global_cu_alpha(segments, length)
    assert several == 0 and result == family.cu_alpha(segments, length)
    if expected is None:
        assert result.value is None
    else:
        assert result.value == pytest.approx(float(expected), abs=1e-9)


def test_global_cu_alpha_asks_which_domain_not_which_code():
    both = [(0, 10, "Severity"), (20, 30, "Mood"), (20, 30, "Severity"), (30, 35, "Mood")]
    result, several = family.global_cu_alpha([both, both[:3] + [(32, 35, "Severity")]], 40)
    assert several == 20  # [20, 30) for each coder: no single domain there
    assert result.value < 1
    same, _ = family.global_cu_alpha([both, both], 40)
    assert same.value == pytest.approx(1.0)
    swapped = [(0, 10, "Mood"), (20, 30, "Severity")]
    crossed, _ = family.global_cu_alpha([[(0, 10, "Severity"), (20, 30, "Mood")], swapped],
                                        40)
    assert crossed.value < 0


def test_stretch_counts_cost_follows_segments_not_length():
    counts = family.stretch_counts([[(0, 10 ** 9, "a")], [(5, 10 ** 9, "a")]], 10 ** 9)
    assert counts.counts == {("a", None): 5, ("a", "a"): 10 ** 9 - 5}


# --- bad input ----------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: wt.weighted_kappa(RAW4[:2], "cubic"), "unknown weights"),
    (lambda: wt.weighted_kappa(RAW4[:2], [[1, 0], [0, 1], [0, 0]]), "square"),
    (lambda: wt.weighted_kappa(RAW4[:2], [[1, 0], [0, 1]]), "5 categories"),
    (lambda: wt.gwet_ac2(RAW4, [[0.5] * 5] * 5), "diagonal"),
    (lambda: wt.gwet_ac2(RAW4, [[1, 2, 0, 0, 0]] + [[0] * 5] * 4), "diagonal"),
    (lambda: wt.conger_kappa([RAW4[0]]), "two coders"),
    (lambda: wt.weighted_kappa(RAW4), "exactly two coders"),
    (lambda: wt.gwet_ac2(RAW4, "linear", [1, 2, 3]), "not among the declared"),
    (lambda: wt.gwet_ac2(RAW4, "linear", [1, 1, 2, 3, 4, 5]), "only once"),
    (lambda: wt.krippendorff_alpha_distance(RAW4, [[0, 1], [2, 0]], [1, 2, 3, 4, 5]), "2 x 2"),
    (lambda: wt.krippendorff_alpha_distance([[1, 2], [2, 1]], [[0, 1], [2, 0]], [1, 2]),
     "symmetric"),
    (lambda: wt.krippendorff_alpha_distance([[1, 2], [2, 1]], [[1, 1], [1, 0]], [1, 2]), "0 between"),
    (lambda: wt.krippendorff_alpha_distance([[1, 2], [2, 1]], [[0, -1], [-1, 0]], [1, 2]),
     "negative"),
    (lambda: family.cu_alpha([[(0, 5, "a"), (3, 8, "b")], []], 10), "mutually exclusive"),
    (lambda: family.cu_alpha([[(0, 12, "a")], []], 10), "outside the text"),
    (lambda: family.cu_alpha([[(0, 5, None)], []], 10), "no code"),
    (lambda: family.cu_alpha([[(0, 5, "a")]], 10), "two coders"),
    (lambda: family.binary_u_alpha([[(0, 5)], []], 10), "(start, end, code)"),
])
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(AgreementDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


@pytest.mark.parametrize("text, message", [
    ("", "header row"),
    (",a,b\na,1,0\n", "header's order"),
    (",a,b\nb,1,0\na,0,1\n", "header's order"),
    (",a,b\na,1\nb,0,1\n", "not square"),
    (",a,b\na,1,x\nb,0,1\n", "not a number"),
    (",a,a\na,1,0\na,0,1\n", "once"),
])
def test_bad_matrix_files(text, message):
    with pytest.raises(AgreementDataError, match=message):
        wt.parse_matrix(text, "weights")


def test_matrix_file_reads_names_and_numbers():
    names, matrix = wt.parse_matrix(" ,low,high\nlow,1,0.5\nhigh,0.5,1\n", "weights")
    assert names == ["low", "high"] and matrix.tolist() == [[1, 0.5], [0.5, 1]]
