"""Inter-coder agreement on given units: percent agreement, the kappa family and
Krippendorff's alpha, from ratings, counts or a contingency table.
Pure functions: no I/O, no database. Each coefficient names the publication whose
formula it follows; tests check them against published worked examples.

Data
----
Ratings (given units)
    A coders x units matrix (a list of rows, one row per coder, one column per unit)
    whose cells are categories (any hashable value; numbers for the interval and ratio
    metrics) or ``None`` (float NaN counts as ``None``) where a coder gave no value.
    Every function that takes ratings also takes a :class:`UnitCounts`, the same data
    as "how many units show each combination of values", which is what
    :func:`spans_to_unit_counts` builds without one column per word or character.
Table
    A q x q contingency table of counts for two coders: rows are the first coder's
    categories, columns the second coder's, in the same order; every unit is coded by
    both.
Spans
    Half-open ``(start, end)`` offsets in code points, as codings are stored.

Results
-------
Chance-corrected coefficients return :class:`Agreement` (value, p_o, p_e, units);
Krippendorff's alpha returns :class:`Alpha` (value, D_o, D_e, pairable units and
values); the unitized alpha (unitized.py) returns ``UnitizedAlpha`` (value, D_o, D_e,
segments, length). When the data leave a coefficient without a value (nothing varies, no unit
coded by two coders, nobody used the code) ``value`` is ``None`` and ``undefined``
says why, in a sentence for the user. Malformed input (one coder, rows of different
lengths, overlapping units, spans outside the text) raises :class:`AgreementDataError`,
a ``ValueError``.

Missing values
--------------
* ``cohen_kappa``, ``scott_pi``: exactly two coders; only units both coded count
  (pairwise complete).
* ``percent_agreement``, ``fleiss_kappa``, ``brennan_prediger``, ``gwet_ac1``: any
  number of coders, Gwet's (2014) conventions: observed agreement p_a is the mean,
  over units with at least two values, of the share of agreeing pairs among that
  unit's pairs of values; the category shares behind p_e come from every unit with at
  least one value. With no missing values these are the textbook formulas (Fleiss
  1971, Brennan & Prediger 1981, Gwet 2008, Randolph 2005).
* ``krippendorff_alpha``: pairable values only (Krippendorff 2011): units with fewer
  than two values drop out.
* ``unitized_alpha``: nothing is missing; every coder is taken to have read the whole
  continuum, and stretches a coder did not code are that coder's gaps.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qcode.core.errors import QcodeError

LEVELS = ("nominal", "ordinal", "interval", "ratio")

__all__ = [
    "LEVELS", "Agreement", "AgreementDataError", "Alpha", "UnitCounts",
    "brennan_prediger", "brennan_prediger_from_table", "cohen_kappa", "coincidence_counts",
    "cohen_kappa_from_table", "fleiss_category_kappas", "fleiss_kappa",
    "fleiss_kappa_from_counts", "gwet_ac1", "gwet_ac1_from_table", "krippendorff_alpha",
    "krippendorff_alpha_from_table", "percent_agreement", "percent_agreement_from_table",
    "scott_pi", "scott_pi_from_table",
]


class AgreementDataError(QcodeError, ValueError):
    """The data given to an agreement function are malformed (not merely unlucky)."""


@dataclass(frozen=True)
class Agreement:
    """Percent agreement, or a chance-corrected coefficient (p_o - p_e) / (1 - p_e).

    ``p_e`` is ``None`` for percent agreement; ``units`` counts the units that entered
    p_o. ``value`` is ``None`` when undefined, with the reason in ``undefined``."""

    statistic: str
    value: float | None
    p_o: float | None = None
    p_e: float | None = None
    units: int = 0
    undefined: str | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha = 1 - D_o / D_e for given units.

    ``units`` are the pairable units (two or more values), ``values`` the pairable
    values n in them."""

    value: float | None
    d_o: float | None
    d_e: float | None
    level: str
    units: int = 0
    values: int = 0
    undefined: str | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None


class UnitCounts:
    """Ratings as counts: for each combination of values (one per coder, ``None`` for
    no value), how many units show it. Equivalent to the coders x units matrix, and an
    m-way contingency table; counts from several transcripts add up with ``+``."""

    __slots__ = ("coders", "counts")

    def __init__(self, coders: int, counts: Mapping[tuple, int]):
        if isinstance(coders, bool) or not isinstance(coders, int) or coders < 0:
            raise AgreementDataError(f"the number of coders must be a whole number; got {coders!r}")
        clean: Counter = Counter()
        for pattern, count in counts.items():
            pattern = tuple(None if _missing(v) else v for v in pattern)
            if len(pattern) != coders:
                raise AgreementDataError(
                    f"a unit has {len(pattern)} values but there are {coders} coders")
            _check_count(count)
            if count:
                clean[pattern] += int(count)
        self.coders = coders
        self.counts: dict[tuple, int] = dict(clean)

    @classmethod
    def from_matrix(cls, matrix: Sequence[Sequence]) -> UnitCounts:
        """From a coders x units matrix (one row per coder)."""
        rows = _rows(matrix)
        try:
            return cls(len(rows), Counter(zip(*rows)))
        except TypeError as error:
            raise AgreementDataError(f"categories must be hashable values ({error})") from error

    @classmethod
    def from_table(cls, table: Sequence[Sequence[int]],
                   categories: Sequence | None = None) -> UnitCounts:
        """From a q x q contingency table of two coders (rows: first coder)."""
        q = _square(table)
        labels = list(range(q)) if categories is None else list(categories)
        if len(labels) != q or len(set(labels)) != q:
            raise AgreementDataError(
                f"the table has {q} categories but {len(labels)} distinct labels were given")
        return cls(2, {(labels[i], labels[j]): table[i][j]
                       for i in range(q) for j in range(q)})

    @property
    def units(self) -> int:
        return sum(self.counts.values())

    def __add__(self, other: UnitCounts) -> UnitCounts:
        if not isinstance(other, UnitCounts):
            return NotImplemented
        if other.coders != self.coders:
            raise AgreementDataError(
                f"cannot add counts of {self.coders} coders to counts of {other.coders}")
        return UnitCounts(self.coders, Counter(self.counts) + Counter(other.counts))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, UnitCounts) and other.coders == self.coders
                and other.counts == self.counts)

    def __repr__(self) -> str:
        return f"UnitCounts(coders={self.coders}, units={self.units}, patterns={len(self.counts)})"


Ratings = Sequence[Sequence[Hashable | None]] | UnitCounts


# --- percent agreement and the kappa family ------------------------------------------

def percent_agreement(ratings: Ratings) -> Agreement:
    """Share of agreeing pairs of values (no chance correction).

    p_a = (1/n') * sum over units with r_i >= 2 values of
    sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))   (Gwet 2014, Handbook of Inter-Rater
    Reliability, 4th ed.; Fleiss 1971's P-bar).
    For two coders this is the share of units both coded on which they agree; for more,
    the mean share of agreeing coder pairs per unit."""
    data = _counts(ratings)
    units, p_a = _observed(data)
    if units == 0:
        return Agreement("percent_agreement", None, units=0, undefined=_NO_PAIRS)
    return Agreement("percent_agreement", p_a, p_o=p_a, units=units)


def percent_agreement_from_table(table: Sequence[Sequence[int]]) -> Agreement:
    """Diagonal total / grand total of a two-coder contingency table."""
    return percent_agreement(UnitCounts.from_table(table))


def cohen_kappa(ratings: Ratings) -> Agreement:
    """Cohen's (1960) kappa for two coders, on the units both coded.

    p_o = sum_k p_kk,  p_e = sum_k p_k. p_.k (each coder's own marginals),
    kappa = (p_o - p_e) / (1 - p_e)   (Cohen 1960, EPM 20:37-46)."""
    table = _pair_table(_counts(ratings), "Cohen's kappa")
    return _two_coder("cohen_kappa", table, pooled=False)


def cohen_kappa_from_table(table: Sequence[Sequence[int]]) -> Agreement:
    """Cohen's kappa from a q x q contingency table of counts."""
    _square(table)
    return _two_coder("cohen_kappa", [list(row) for row in table], pooled=False)


def scott_pi(ratings: Ratings) -> Agreement:
    """Scott's (1955) pi for two coders, on the units both coded.

    p_e = sum_k ((p_k. + p_.k) / 2)^2 (the coders' pooled marginals),
    pi = (p_o - p_e) / (1 - p_e)   (Scott 1955, POQ 19:321-325)."""
    table = _pair_table(_counts(ratings), "Scott's pi")
    return _two_coder("scott_pi", table, pooled=True)


def scott_pi_from_table(table: Sequence[Sequence[int]]) -> Agreement:
    """Scott's pi from a q x q contingency table of counts."""
    _square(table)
    return _two_coder("scott_pi", [list(row) for row in table], pooled=True)


def fleiss_kappa(ratings: Ratings) -> Agreement:
    """Fleiss' (1971) kappa for two or more coders (a multi-coder Scott's pi).

    P_bar = mean over units of sum_k n_ik (n_ik - 1) / (n (n - 1)),
    p_k = share of all values in category k, P_e = sum_k p_k^2,
    kappa = (P_bar - P_e) / (1 - P_e)   (Fleiss 1971, Psych. Bull. 76:378-382).
    With missing values this is Gwet's (2014) generalisation: P_bar over units
    with two or more values, p_k = mean over units of r_ik / r_i."""
    data = _counts(ratings)
    units, p_a = _observed(data)
    shares = _category_shares(data)
    if units == 0:
        return Agreement("fleiss_kappa", None, units=0, undefined=_NO_PAIRS)
    p_e = sum(p * p for p in shares.values())
    if len(shares) < 2:
        return Agreement("fleiss_kappa", None, p_a, 1.0, units, _ONE_CATEGORY)
    return Agreement("fleiss_kappa", (p_a - p_e) / (1 - p_e), p_a, p_e, units)


def fleiss_kappa_from_counts(counts: Sequence[Sequence[int]]) -> Agreement:
    """Fleiss' kappa from a units x categories table: cell (i, k) is the number of
    coders who put unit i in category k (Fleiss 1971's n_ij)."""
    rows = _rows(counts, what="count table")
    if not rows:
        raise AgreementDataError("the count table has no units")
    width = max(sum(row) for row in rows)
    patterns: Counter = Counter()
    for row in rows:
        for count in row:
            _check_count(count)
        values = [k for k, count in enumerate(row) for _ in range(count)]
        patterns[tuple(values + [None] * (width - len(values)))] += 1
    return fleiss_kappa(UnitCounts(width, patterns))


def fleiss_category_kappas(ratings: Ratings) -> dict[Hashable, Agreement]:
    """Fleiss' kappa for each category against all others (Fleiss 1971:
    kappa_k = 1 - sum_i n_ik (n - n_ik) / (N n (n - 1) p_k q_k)), which is Fleiss'
    kappa of the data recoded as "k" / "not k"."""
    data = _counts(ratings)
    categories = sorted({v for p in data.counts for v in p if v is not None}, key=_order)
    out = {}
    for category in categories:
        recoded: Counter = Counter()
        for pattern, count in data.counts.items():
            recoded[tuple(None if v is None else v == category for v in pattern)] += count
        out[category] = fleiss_kappa(UnitCounts(data.coders, recoded))
    return out


def brennan_prediger(ratings: Ratings, categories: int | Sequence | None = None) -> Agreement:
    """Brennan & Prediger's (1981) kappa_n = Bennett, Alpert & Goldstein's S = Randolph's
    (2005) free-marginal multirater kappa: chance agreement p_e = 1/q.

    q is the number of categories a coder could choose: ``categories`` (a count or the
    list of them), else the number of distinct values in the data. This is the chance
    correction MAXQDA uses. p_a as in :func:`percent_agreement` (Gwet 2014)."""
    data = _counts(ratings)
    q = _category_count(data, categories)
    units, p_a = _observed(data)
    if units == 0:
        return Agreement("brennan_prediger", None, units=0, undefined=_NO_PAIRS)
    if q < 2:
        return Agreement("brennan_prediger", None, p_a, 1.0, units, _ONE_CATEGORY)
    p_e = 1 / q
    return Agreement("brennan_prediger", (p_a - p_e) / (1 - p_e), p_a, p_e, units)


def brennan_prediger_from_table(table: Sequence[Sequence[int]]) -> Agreement:
    """Brennan-Prediger from a q x q table; q is the table's size."""
    q = _square(table)
    return brennan_prediger(UnitCounts.from_table(table), categories=q)


def gwet_ac1(ratings: Ratings, categories: int | Sequence | None = None) -> Agreement:
    """Gwet's (2008) AC1: p_e = sum_k pi_k (1 - pi_k) / (q - 1), where pi_k is the mean
    share of category k among a unit's values, over units with at least one value
    (Gwet 2008, BJMSP 61:29-48; Gwet 2014). q as in :func:`brennan_prediger`."""
    data = _counts(ratings)
    q = _category_count(data, categories)
    units, p_a = _observed(data)
    if units == 0:
        return Agreement("gwet_ac1", None, units=0, undefined=_NO_PAIRS)
    if q < 2:
        return Agreement("gwet_ac1", None, p_a, None, units, _ONE_CATEGORY)
    p_e = sum(p * (1 - p) for p in _category_shares(data).values()) / (q - 1)
    return Agreement("gwet_ac1", (p_a - p_e) / (1 - p_e), p_a, p_e, units)


def gwet_ac1_from_table(table: Sequence[Sequence[int]]) -> Agreement:
    """Gwet's AC1 from a q x q table; q is the table's size."""
    q = _square(table)
    return gwet_ac1(UnitCounts.from_table(table), categories=q)


# --- Krippendorff's alpha for given units --------------------------------------------

def krippendorff_alpha(ratings: Ratings, level: str = "nominal") -> Alpha:
    """Krippendorff's alpha for any number of coders and missing values.

    Coincidences o_ck = sum over pairable units u of (ordered c-k pairs in u) / (m_u - 1);
    n_c = sum_k o_ck, n = sum_c n_c;
    D_o = sum_ck o_ck delta2_ck / n,  D_e = sum_ck n_c n_k delta2_ck / (n (n - 1)),
    alpha = 1 - D_o / D_e   (Krippendorff 2011, "Computing Krippendorff's
    Alpha-Reliability"; Content Analysis, 2nd ed., 2004).
    delta2: nominal 0/1; ordinal (sum_{g=c..k} n_g - (n_c + n_k)/2)^2 over the sorted
    values; interval (c - k)^2; ratio ((c - k)/(c + k))^2."""
    if level not in LEVELS:
        raise AgreementDataError(f"unknown level '{level}'; use one of {', '.join(LEVELS)}")
    coincidences, units = coincidence_counts(_counts(ratings))
    if units == 0:
        return Alpha(None, None, None, level, undefined=_NO_PAIRS)
    values = sorted({c for c, _ in coincidences}, key=_order) if level == "nominal" \
        else _sorted_values(coincidences, level)
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for (c, k), weight in coincidences.items():
        o[index[c], index[k]] = weight
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    pairable = round(n)
    if len(values) < 2:
        return Alpha(None, 0.0, 0.0, level, units, pairable,
                     "every pairable value is the same, so nothing varies")
    delta2 = _delta2(values, n_c, level)
    d_o = float((o * delta2).sum() / n)
    d_e = float((np.outer(n_c, n_c) * delta2).sum() / (n * (n - 1)))
    return Alpha(1 - d_o / d_e, d_o, d_e, level, units, pairable)


def krippendorff_alpha_from_table(table: Sequence[Sequence[int]],
                                  categories: Sequence | None = None,
                                  level: str = "nominal") -> Alpha:
    """Krippendorff's alpha from a two-coder contingency table; ``categories`` gives the
    value of each row/column (needed for the ordinal, interval and ratio metrics;
    0, 1, 2, ... otherwise)."""
    return krippendorff_alpha(UnitCounts.from_table(table, categories), level)



def coincidence_counts(data: UnitCounts) -> tuple[Counter, int]:
    """Krippendorff's coincidences o_ck = sum over pairable units u of (ordered c-k pairs
    of values in u) / (m_u - 1), and the number of pairable units (two or more values)."""
    coincidences: Counter = Counter()
    units = 0
    for pattern, count in data.counts.items():
        values = Counter(v for v in pattern if v is not None)
        m_u = sum(values.values())
        if m_u < 2:
            continue
        units += count
        for c, n_c in values.items():
            for k, n_k in values.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    coincidences[c, k] += count * pairs / (m_u - 1)
    return coincidences, units


# --- internals -----------------------------------------------------------------------

_NO_PAIRS = "no unit has values from two coders, so there is nothing to compare"
_ONE_CATEGORY = "only one category occurs, so nothing varies and chance agreement is 1"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _check_count(count) -> None:
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise AgreementDataError(f"counts must be whole numbers of units, not {count!r}")


def _rows(matrix, what: str = "ratings") -> list[list]:
    if isinstance(matrix, (str, bytes)) or not isinstance(matrix, Sequence):
        raise AgreementDataError(f"{what} must be a list of rows")
    if any(isinstance(row, (str, bytes)) or not isinstance(row, Iterable) for row in matrix):
        raise AgreementDataError(f"every row of the {what} must be a list")
    rows = [list(row) for row in matrix]
    if what == "ratings" and len(rows) < 2:
        raise AgreementDataError(
            f"agreement needs at least two coders (one row each); got {len(rows)}")
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise AgreementDataError(
            f"every row of the {what} must have the same length; got lengths {sorted(widths)}")
    return rows


def _square(table) -> int:
    rows = _rows(table, what="table")
    if not rows or any(len(row) != len(rows) for row in rows):
        raise AgreementDataError("a contingency table must be square, with at least one category")
    for row in rows:
        for count in row:
            _check_count(count)
    return len(rows)


def _counts(ratings: Ratings) -> UnitCounts:
    data = ratings if isinstance(ratings, UnitCounts) else UnitCounts.from_matrix(ratings)
    if data.coders < 2:
        raise AgreementDataError(f"agreement needs at least two coders; got {data.coders}")
    return data


def _order(value):
    """Sort key that orders numbers by value and anything else by its text."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, repr(value))


def _observed(data: UnitCounts) -> tuple[int, float]:
    """Units with two or more values, and Gwet's p_a over them."""
    units = 0
    total = 0.0
    for pattern, count in data.counts.items():
        values = Counter(v for v in pattern if v is not None)
        r = sum(values.values())
        if r < 2:
            continue
        units += count
        total += count * sum(n * (n - 1) for n in values.values()) / (r * (r - 1))
    return units, (total / units if units else 0.0)


def _category_shares(data: UnitCounts) -> dict:
    """pi_k: the mean, over units with at least one value, of r_ik / r_i."""
    shares: Counter = Counter()
    units = 0
    for pattern, count in data.counts.items():
        values = Counter(v for v in pattern if v is not None)
        r = sum(values.values())
        if r == 0:
            continue
        units += count
        for value, n in values.items():
            shares[value] += count * n / r
    return {k: v / units for k, v in shares.items()} if units else {}


def _category_count(data: UnitCounts, categories: int | Sequence | None) -> int:
    seen = {v for pattern in data.counts for v in pattern if v is not None}
    if categories is None:
        return len(seen)
    if isinstance(categories, int) and not isinstance(categories, bool):
        if categories < len(seen):
            raise AgreementDataError(
                f"{categories} categories declared but {len(seen)} occur in the data")
        return categories
    declared = set(categories)
    unknown = seen - declared
    if unknown:
        raise AgreementDataError(
            f"values not among the declared categories: {sorted(unknown, key=_order)}")
    return len(declared)


def _pair_table(data: UnitCounts, name: str) -> list[list[int]]:
    if data.coders != 2:
        raise AgreementDataError(
            f"{name} compares exactly two coders; got {data.coders} "
            "(use fleiss_kappa or krippendorff_alpha for more)")
    pairs = {p: n for p, n in data.counts.items() if p[0] is not None and p[1] is not None}
    categories = sorted({v for p in pairs for v in p}, key=_order)
    index = {c: i for i, c in enumerate(categories)}
    table = [[0] * len(categories) for _ in categories]
    for (a, b), n in pairs.items():
        table[index[a]][index[b]] += n
    return table


def _two_coder(statistic: str, table: list[list[int]], pooled: bool) -> Agreement:
    q = len(table)
    total = sum(map(sum, table))
    if total == 0:
        return Agreement(statistic, None, units=0, undefined="no unit was coded by both "
                         "coders, so there is nothing to compare")
    rows = [sum(row) for row in table]
    columns = [sum(table[i][k] for i in range(q)) for k in range(q)]
    agree = sum(table[k][k] for k in range(q))
    # Integer numerators keep "chance agreement is exactly 1" exact.
    if pooled:
        chance, scale = sum((r + c) ** 2 for r, c in zip(rows, columns)), 4 * total * total
    else:
        chance, scale = sum(r * c for r, c in zip(rows, columns)), total * total
    p_o, p_e = agree / total, chance / scale
    if chance == scale:
        return Agreement(statistic, None, p_o, p_e, total,
                         "both coders used one and the same category for every unit, "
                         "so nothing varies and chance agreement is 1")
    return Agreement(statistic, (p_o - p_e) / (1 - p_e), p_o, p_e, total)


def _sorted_values(coincidences: Counter, level: str) -> list:
    values = {c for c, _ in coincidences}
    if level in ("interval", "ratio"):
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
                raise AgreementDataError(f"{level} alpha needs numeric values; got {v!r}")
        if level == "ratio" and any(v < 0 for v in values):
            raise AgreementDataError("ratio alpha needs values of zero or more")
    try:
        return sorted(values)
    except TypeError as error:
        raise AgreementDataError(f"{level} alpha needs values that can be ordered") from error


def _delta2(values: list, n_c: np.ndarray, level: str) -> np.ndarray:
    size = len(values)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        below = np.concatenate(([0.0], np.cumsum(n_c)))
        c, k = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
        low, high = np.minimum(c, k), np.maximum(c, k)
        between = below[high + 1] - below[low] - (n_c[low] + n_c[high]) / 2
        return between ** 2
    v = np.array(values, dtype=np.float64)
    diff = v[:, None] - v[None, :]
    if level == "interval":
        return diff ** 2
    total = v[:, None] + v[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total == 0, 0.0, (diff / np.where(total == 0, 1, total)) ** 2)
