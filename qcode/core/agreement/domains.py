"""Agreement per domain: a theme whose codes are mutually exclusive (ATLAS.ti's semantic
domain), for the `qcode agree --statistic` figures that compare codes rather than
presence: cu-alpha and |u-alpha on the free segmentation, and on given units weighted
kappa, Conger's kappa, Gwet's AC2 and alpha with a distance of the researcher's own.

The statistics are the pure functions of weighted.py and unitizing_family.py; this module
lays the project's spans out for them. A domain is any selected theme with two or more
selected codes directly under it; its categories are those codes in codebook order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from qcode.core.agreement import weighted
from qcode.core.agreement.coefficients import AgreementDataError, UnitCounts
from qcode.core.agreement.unitized import merge_overlaps
from qcode.core.agreement.unitizing_family import binary_u_alpha, cu_alpha, global_cu_alpha
from qcode.core.agreement.units import touched_ranges
from qcode.core.model import Code

GIVEN = ("weighted-kappa", "conger", "ac2", "alpha-distance")
NAMES = {"weighted-kappa": "weighted kappa", "conger": "Conger's kappa", "ac2": "Gwet's AC2",
         "alpha-distance": "alpha (distance)"}


@dataclass
class DomainFigures:
    theme: str                                   # the theme's path
    codes: list[str]                             # its categories, in codebook order
    figures: dict[str, object] = field(default_factory=dict)   # name -> Alpha/Agreement
    units: int = 0
    warnings: list[str] = field(default_factory=list)


def domains_of(codes: list[Code]) -> list[tuple[Code, list[Code]]]:
    """Each selected theme with two or more selected codes directly under it."""
    out = []
    for theme in codes:
        below = [c for c in codes if c.parent_id == theme.id]
        if len(below) >= 2:
            out.append((theme, below))
    return out


def domain_figures(selection, spans: dict, units: dict) -> list[DomainFigures]:
    """The figures `selection.statistics` asks for, per domain. ``spans`` maps (coder,
    transcript id, code id) to spans; ``units`` maps transcript id to given units."""
    out = []
    for theme, below in domains_of(selection.codes):
        row = DomainFigures(selection.paths[theme.id], [c.name for c in below])
        if "cu-alpha" in selection.statistics:
            _free(row, selection, spans, below)
        wanted = [s for s in selection.statistics if s in GIVEN]
        if wanted and units:
            _given(row, selection, spans, units, below, wanted)
        out.append(row)
    return out


def overall_cu_alpha(selection, spans: dict) -> tuple[object, list[str], list[str]]:
    """Cu-alpha over every domain of the selection at once, each coding read as its
    domain (the theme's path), the domains it covers and its warnings; None when fewer
    than two domains are selected, as with one domain nothing could differ."""
    found = domains_of(selection.codes)
    if len(found) < 2 or "cu-alpha" not in selection.statistics:
        return None, [], []
    laid = _laid(selection, spans, [(code, selection.paths[theme.id])
                                    for theme, below in found for code in below])
    figure, several = global_cu_alpha(laid, sum(t["length"] for t in selection.transcripts))
    warnings = [f"{several} characters where a coder applied codes of two themes at once "
                "have no single theme and were left out of Cu-alpha"] if several else []
    return figure, [selection.paths[theme.id] for theme, _ in found], warnings


def _laid(selection, spans: dict, labelled: list[tuple[Code, str]]) -> list[list]:
    """Each coder's (start, end, label) on the transcripts laid end to end."""
    lengths = [t["length"] for t in selection.transcripts]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).tolist()
    return [[(at + s, at + e, label) for t, at in zip(selection.transcripts, starts)
             for code, label in labelled
             for s, e in merge_overlaps(spans.get((coder, t["id"], code.id), []))]
            for coder in selection.coders]


def _free(row: DomainFigures, selection, spans: dict, below: list[Code]) -> None:
    lengths = [t["length"] for t in selection.transcripts]
    laid = _laid(selection, spans, [(code, code.name) for code in below])
    try:
        row.figures["cu-alpha"] = cu_alpha(laid, sum(lengths))
        row.figures["|u-alpha"] = binary_u_alpha(laid, selection.laid_out(lengths))
    except AgreementDataError as error:
        message = str(error)
        for i, coder in enumerate(selection.coders):
            message = message.replace(f"coder #{i + 1}:", f"{coder}:")
        row.warnings.append(f"cu-alpha left out: {message}")


def _given(row: DomainFigures, selection, spans: dict, units: dict, below: list[Code],
           wanted: list[str]) -> None:
    """Each coder's value for a unit is the code of the domain they applied to it; a
    unit with no code of the domain has no value, and a unit given two codes of the
    domain by one coder is that coder's missing value, counted in a warning."""
    patterns: Counter = Counter()
    clashes = 0
    for tid, these in units.items():
        if not these:
            continue
        # A sweep over the edges of the touched unit ranges: the cost grows with the
        # number of codings, not of units.
        changes: dict[int, list[tuple[int, str, int]]] = {0: [], len(these): []}
        for i, coder in enumerate(selection.coders):
            for code in below:
                for low, high in touched_ranges(spans.get((coder, tid, code.id), []),
                                                these):
                    changes.setdefault(low, []).append((i, code.name, 1))
                    changes.setdefault(high, []).append((i, code.name, -1))
        active = [Counter() for _ in selection.coders]
        points = sorted(changes)
        for here, following in zip(points, points[1:]):
            for i, name, step in changes[here]:
                active[i][name] += step
            pattern = []
            for counter in active:
                on = [name for name, count in counter.items() if count > 0]
                clashes += (following - here) * (len(on) > 1)
                pattern.append(on[0] if len(on) == 1 else None)
            patterns[tuple(pattern)] += following - here
    data = UnitCounts(len(selection.coders), patterns)
    row.units = data.units
    if clashes:
        row.warnings.append(f"{clashes} times a coder gave one {selection.unit} two codes "
                            "of this theme; those values were left out")
    try:
        weights, distance = _matrices(row, selection)
    except AgreementDataError as error:
        row.warnings.append(f"given-unit statistics left out: {error}")
        return
    for name in wanted:
        try:
            row.figures[name] = _statistic(name, data, row.codes, weights, distance)
        except AgreementDataError as error:
            row.warnings.append(f"{NAMES[name]} left out: {error}")


def _matrices(row: DomainFigures, selection) -> tuple[object, object]:
    """This domain's weights (a kind, or a file's matrix) and distance (a file's matrix
    or None), a file's rows and columns put in codebook order."""
    found = []
    for what in ("weights", "distance"):
        source = getattr(selection, what)
        if not isinstance(source, tuple):
            found.append(source)
            continue
        names, matrix = source
        if sorted(names) != sorted(row.codes):
            raise AgreementDataError(f"the {what} file names {', '.join(names)} but the "
                                     f"theme's codes are {', '.join(row.codes)}")
        order = [names.index(code) for code in row.codes]
        found.append(matrix[np.ix_(order, order)])
    return found[0], found[1]


def _statistic(name: str, data: UnitCounts, categories, weights, distance):
    if name == "weighted-kappa":
        return weighted.weighted_kappa(data, weights, categories)
    if name == "conger":
        return weighted.conger_kappa(data, weights, categories)
    if name == "ac2":
        return weighted.gwet_ac2(data, weights, categories)
    if distance is None:
        raise AgreementDataError("alpha with a distance needs --distance FILE")
    return weighted.krippendorff_alpha_distance(data, distance, categories)
