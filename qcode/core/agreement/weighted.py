"""Weighted agreement on given units: weighted kappa, Conger's kappa, Gwet's AC2 and
Krippendorff's alpha with a distance of the researcher's own.

Pure functions: no I/O, no database. Ratings are as in coefficients.py (a coders x units
matrix, ``None`` where a coder gave no value, or a :class:`UnitCounts`).

Weights are *agreement* weights, Gwet's (2014) convention: a q x q matrix w with
w_kk = 1 and 0 <= w_kl <= 1, rows and columns in the order of ``categories``. Cohen's
(1968) disagreement weights v give the same kappa as w = 1 - v / max(v).
``"linear"`` and ``"quadratic"`` are Gwet's (2014, ch. 3) weights from the category
scores x (the categories themselves when they are numbers, else 1, 2, ..., q in the
order given): w_kl = 1 - |x_k - x_l| / (x_max - x_min), and 1 - (x_k - x_l)^2 /
(x_max - x_min)^2. ``categories`` defaults to the values in the data, sorted.

A distance for alpha is Krippendorff's delta^2: a q x q matrix with zero diagonal,
symmetric and never negative. Gwet's weighted alpha is alpha with delta^2 = 1 - w.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from qcode.core.agreement.coefficients import (
    Agreement, AgreementDataError, Alpha, Ratings, UnitCounts, _category_shares, _counts,
    _order, coincidence_counts)

WEIGHTS = ("identity", "linear", "quadratic")

__all__ = ["WEIGHTS", "conger_kappa", "distance_matrix", "gwet_ac2", "krippendorff_alpha_distance",
           "parse_matrix", "weight_matrix", "weighted_kappa"]

Matrix = Sequence[Sequence[float]]


def weight_matrix(weights: str | Matrix, categories: Sequence[Hashable]) -> np.ndarray:
    """The q x q agreement weights for ``categories``: a named kind or a matrix,
    checked (square, of size q, 1 on the diagonal, every weight between 0 and 1)."""
    q = len(categories)
    if isinstance(weights, str):
        if weights not in WEIGHTS:
            raise AgreementDataError(
                f"unknown weights {weights!r}; use {', '.join(WEIGHTS)} or a matrix")
        if weights == "identity" or q < 2:
            return np.eye(q)
        scores = _scores(categories)
        spread = scores.max() - scores.min()
        gap = np.abs(scores[:, None] - scores[None, :]) / spread
        return 1 - gap if weights == "linear" else 1 - gap ** 2
    matrix = _square_matrix(weights, q, "weights")
    if not np.allclose(np.diag(matrix), 1):
        raise AgreementDataError("agreement weights must be 1 on the diagonal "
                                 "(a category agrees fully with itself)")
    if (matrix < 0).any() or (matrix > 1).any():
        raise AgreementDataError("agreement weights must lie between 0 and 1")
    return matrix


def distance_matrix(distance: Matrix, categories: Sequence[Hashable]) -> np.ndarray:
    """Krippendorff's delta^2 for ``categories``, checked: square, of size q, 0 on the
    diagonal, symmetric, never negative."""
    delta2 = _square_matrix(distance, len(categories), "distance")
    if not np.allclose(np.diag(delta2), 0):
        raise AgreementDataError("a distance must be 0 between a category and itself")
    if not np.allclose(delta2, delta2.T):
        raise AgreementDataError("a distance must be symmetric (from c to k as from k to c)")
    if (delta2 < 0).any():
        raise AgreementDataError("a distance must not be negative")
    return delta2


def weighted_kappa(ratings: Ratings, weights: str | Matrix = "linear",
                   categories: Sequence | None = None) -> Agreement:
    """Cohen's (1968) weighted kappa for two coders, on the units both coded.

    p_o = sum_kl w_kl p_kl, p_e = sum_kl w_kl p_k. p_.l (each coder's own marginals),
    kappa_w = (p_o - p_e) / (1 - p_e)   (Cohen 1968, Psych. Bull. 70:213-220; in
    agreement weights as Gwet 2014, ch. 3). Identity weights give Cohen's kappa."""
    data = _counts(ratings)
    if data.coders != 2:
        raise AgreementDataError(f"weighted kappa compares exactly two coders; got "
                                 f"{data.coders} (use conger_kappa for more)")
    labels = _categories(data, categories)
    w = weight_matrix(weights, labels)
    index = {c: i for i, c in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for (a, b), count in data.counts.items():
        if a is not None and b is not None:
            table[index[a], index[b]] += count
    total = table.sum()
    if total == 0:
        return Agreement("weighted_kappa", None, units=0, undefined=_NO_BOTH)
    p = table / total
    p_o = float((w * p).sum())
    p_e = float((w * np.outer(p.sum(axis=1), p.sum(axis=0))).sum())
    return _chance_corrected("weighted_kappa", p_o, p_e, int(total))


def conger_kappa(ratings: Ratings, weights: str | Matrix = "identity",
                 categories: Sequence | None = None) -> Agreement:
    """Conger's (1980) kappa for two or more coders, optionally weighted: Cohen's kappa
    generalised, with one set of marginals per coder.

    p_a as in :func:`gwet_ac2`; p_gk = coder g's share of category k among the units g
    coded; p_e = sum_kl w_kl (pbar_k pbar_l - s2_kl / r), with pbar_k the mean of p_gk
    over the r coders and s2_kl their covariance (divisor r - 1), which is the mean over
    pairs of coders g != h of sum_kl w_kl p_gk p_hl   (Conger 1980, Psych. Bull.
    88:322-328; Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed., ch. 2-3). With
    two coders and no missing values it is Cohen's (weighted) kappa."""
    data = _counts(ratings)
    labels = _categories(data, categories)
    w = weight_matrix(weights, labels)
    units, p_a = _weighted_observed(data, labels, w)
    if units == 0:
        return Agreement("conger_kappa", None, units=0, undefined=_NO_PAIRS)
    index = {c: i for i, c in enumerate(labels)}
    per_coder = np.zeros((data.coders, len(labels)))
    for pattern, count in data.counts.items():
        for g, value in enumerate(pattern):
            if value is not None:
                per_coder[g, index[value]] += count
    coded = per_coder.sum(axis=1)
    if (coded == 0).any():
        return Agreement("conger_kappa", None, p_a, None, units,
                         "a coder gave no value at all, so their marginals are unknown")
    shares = per_coder / coded[:, None]
    r = data.coders
    mean = shares.mean(axis=0)
    covariance = (shares.T @ shares - r * np.outer(mean, mean)) / (r - 1)
    p_e = float((w * (np.outer(mean, mean) - covariance / r)).sum())
    return _chance_corrected("conger_kappa", p_a, p_e, units)


def gwet_ac2(ratings: Ratings, weights: str | Matrix = "quadratic",
             categories: Sequence | None = None) -> Agreement:
    """Gwet's AC2 for any number of coders and missing values; identity weights give AC1.

    r_ik = coders putting unit i in k, r_i = sum_k r_ik, r*_ik = sum_l w_kl r_il;
    p_a = mean over units with r_i >= 2 of sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1));
    pi_k = mean over units with r_i >= 1 of r_ik / r_i, T_w = sum_kl w_kl;
    p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)   (Gwet 2014, Handbook of
    Inter-Rater Reliability, 4th ed., ch. 3). q is the number of ``categories``."""
    data = _counts(ratings)
    labels = _categories(data, categories)
    w = weight_matrix(weights, labels)
    units, p_a = _weighted_observed(data, labels, w)
    if units == 0:
        return Agreement("gwet_ac2", None, units=0, undefined=_NO_PAIRS)
    q = len(labels)
    if q < 2:
        return Agreement("gwet_ac2", None, p_a, None, units, _ONE_CATEGORY)
    pi = _category_shares(data)  # the same pi_k as AC1's
    shares = np.array([pi.get(c, 0.0) for c in labels])
    p_e = float(w.sum() / (q * (q - 1)) * (shares * (1 - shares)).sum())
    return _chance_corrected("gwet_ac2", p_a, p_e, units)


def krippendorff_alpha_distance(ratings: Ratings, distance: Matrix,
                                categories: Sequence) -> Alpha:
    """Krippendorff's alpha with the researcher's own distance delta^2 between
    categories: D_o = sum_ck o_ck delta2_ck / n, D_e = sum_ck n_c n_k delta2_ck /
    (n (n - 1)), alpha = 1 - D_o / D_e, on the coincidences of
    :func:`~qcode.core.agreement.coefficients.krippendorff_alpha`   (Krippendorff
    2019, Content Analysis, 4th ed., ch. 12; 2011, "Computing Krippendorff's
    Alpha-Reliability"). ``distance`` rows and columns follow ``categories``."""
    data = _counts(ratings)
    labels = _categories(data, categories)
    delta2 = distance_matrix(distance, labels)
    coincidences, units = coincidence_counts(data)
    if units == 0:
        return Alpha(None, None, None, "custom", undefined=_NO_PAIRS)
    index = {c: i for i, c in enumerate(labels)}
    o = np.zeros((len(labels), len(labels)))
    for (c, k), weight in coincidences.items():
        o[index[c], index[k]] = weight
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    d_o = float((o * delta2).sum() / n)
    d_e = float((np.outer(n_c, n_c) * delta2).sum() / (n * (n - 1)))
    if d_e <= 0:
        return Alpha(None, d_o, 0.0, "custom", units, round(n), "expected disagreement "
                     "is 0: the values that occur are all at distance 0 from each other")
    return Alpha(1 - d_o / d_e, d_o, d_e, "custom", units, round(n))


def parse_matrix(text: str, what: str) -> tuple[list[str], np.ndarray]:
    """A square matrix written as CSV: a header row naming the categories (its first
    cell ignored), then one row per category, its name first, in the header's order.
    Returns the category names and the matrix; ``what`` names it in errors."""
    import csv

    rows = [[cell.strip() for cell in row] for row in csv.reader(text.splitlines())
            if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise AgreementDataError(f"the {what} file needs a header row of categories and "
                                 "one row per category")
    names = rows[0][1:]
    if len(set(names)) != len(names) or not all(names):
        raise AgreementDataError(f"the {what} file's header must name each category once")
    body = rows[1:]
    if [row[0] for row in body] != names:
        raise AgreementDataError(f"the {what} file's rows must name the categories in the "
                                 f"header's order ({', '.join(names)})")
    if any(len(row) != len(names) + 1 for row in body):
        raise AgreementDataError(f"the {what} file is not square: every row needs "
                                 f"{len(names)} numbers")
    try:
        matrix = np.array([[float(cell) for cell in row[1:]] for row in body])
    except ValueError as error:
        raise AgreementDataError(f"the {what} file holds something that is not a number "
                                 f"({error})") from error
    if not np.isfinite(matrix).all():
        raise AgreementDataError(f"the {what} file holds a value that is not finite")
    return names, matrix


# --- internals -----------------------------------------------------------------------

_NO_PAIRS = "no unit has values from two coders, so there is nothing to compare"
_NO_BOTH = "no unit was coded by both coders, so there is nothing to compare"
_ONE_CATEGORY = "only one category is possible, so nothing varies"


def _categories(data: UnitCounts, categories: Sequence | None) -> list:
    seen = {v for pattern in data.counts for v in pattern if v is not None}
    if categories is None:
        return sorted(seen, key=_order)
    labels = list(categories)
    if len(set(labels)) != len(labels):
        raise AgreementDataError("each category may be declared only once")
    unknown = seen - set(labels)
    if unknown:
        raise AgreementDataError(
            f"values not among the declared categories: {sorted(unknown, key=_order)}")
    return labels


def _scores(categories: Sequence) -> np.ndarray:
    numeric = all(isinstance(c, (int, float, np.number)) and not isinstance(c, bool)
                  for c in categories)
    return (np.array(categories, dtype=np.float64) if numeric
            else np.arange(1, len(categories) + 1, dtype=np.float64))


def _square_matrix(matrix, q: int, what: str) -> np.ndarray:
    try:
        array = np.array(matrix, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise AgreementDataError(f"the {what} must be a square matrix of numbers") from error
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise AgreementDataError(f"the {what} must be a square matrix; got shape "
                                 f"{'x'.join(map(str, array.shape))}")
    if array.shape[0] != q:
        raise AgreementDataError(f"the {what} matrix is {array.shape[0]} x {array.shape[0]} "
                                 f"but there are {q} categories")
    if not np.isfinite(array).all():
        raise AgreementDataError(f"the {what} must hold finite numbers")
    return array


def _weighted_observed(data: UnitCounts, labels: list, w: np.ndarray) -> tuple[int, float]:
    """Units with two or more values, and Gwet's weighted p_a over them."""
    index = {c: i for i, c in enumerate(labels)}
    units = 0
    total = 0.0
    for pattern, count in data.counts.items():
        r = np.zeros(len(labels))
        for value in pattern:
            if value is not None:
                r[index[value]] += 1
        r_i = r.sum()
        if r_i < 2:
            continue
        units += count
        total += count * float((r * (w @ r - 1)).sum()) / (r_i * (r_i - 1))
    return units, (total / units if units else 0.0)


def _chance_corrected(statistic: str, p_o: float, p_e: float, units: int) -> Agreement:
    if np.isclose(p_e, 1):
        return Agreement(statistic, None, float(p_o), float(p_e), units,
                         "chance agreement is 1, so nothing is left to correct for")
    p_o, p_e = float(p_o), float(p_e)
    return Agreement(statistic, (p_o - p_e) / (1 - p_e), p_o, p_e, units)
