"""The inter-coder agreement report: which codings are compared, and every figure the
`qcode agree` command shows, per code, per theme and overall (per transcript on request).

The statistics themselves are the pure functions of coefficients.py, unitized.py and
units.py; this module only gathers spans from the project and lays them out.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from qcode.core.agreement import coefficients as stats
from qcode.core.agreement.unitized import (UnitizedAlpha, merge_overlaps,
                                           pooled_unitized_alpha, unitized_alpha)
from qcode.core.agreement.units import spans_to_unit_counts
from qcode.core.codebook import code_paths, codes_below
from qcode.core.reports.selection import ReportError, matching_name
from qcode.core.spans import units as unit_spans

FEW_SEGMENTS = 10       # fewer coded segments than this: a warning
EXTREME_PREVALENCE = 0.05  # share of units coded below this (or above 1 - it): a warning
ACCEPTABLE, GOOD = 0.667, 0.800  # Krippendorff's (2004) lines for tentative and firm


@dataclass
class Selection:
    coders: list[str]
    transcripts: list[dict]          # id, name, length
    codes: list[dict]                # id, name, path, parent_id
    unit: str | None = None          # None: free segmentation only
    maxqda_threshold: float = 0.9
    resamples: int = 200
    seed: int = 1
    continuum: str = "per-transcript"  # or "joined": the transcripts as one continuum
    whitespace: str = "ignore"       # character units: white space left out, or "count"
    include_uncoded: bool = False    # every transcript, absent coders as coding nothing
    autocoded: str = "include"       # codings made by `qcode autocode`: or "exclude"
    compared: dict[str, list[str]] = field(default_factory=dict)  # rule -> transcripts
    left_out: list[dict] = field(default_factory=list)            # transcript, why
    statistics: tuple[str, ...] = ()     # per-domain figures asked for (domains.py)
    weights: object = "linear"           # a kind, or (codes, matrix) from a file
    distance: object = None              # None, or (codes, matrix) from a file

    def laid_out(self, lengths: list[int]) -> list[int] | int:
        """The continuum unitized alpha reads: transcripts end to end, each cutting the
        gaps at its boundary, or one joined text whose gaps run on into the next."""
        return lengths if self.continuum == "per-transcript" else sum(lengths)


@dataclass
class CodeFigures:
    code: str
    path: str
    alpha: UnitizedAlpha
    shares: dict[str, float]                    # coder -> share of the text coded
    segments: dict[str, int]                    # coder -> segments
    interval: tuple[float, float] | None = None
    given: dict[str, stats.Agreement | stats.Alpha] = field(default_factory=dict)
    units: int = 0
    table: list[list[int]] | None = None        # two coders: [[both, first only], ...]
    maxqda: dict | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Report:
    selection: Selection
    made: str
    codes: list[CodeFigures]
    themes: list[tuple[str, UnitizedAlpha]]
    overall: UnitizedAlpha
    overall_interval: tuple[float, float] | None
    per_transcript: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    domains: list = field(default_factory=list)     # domains.DomainFigures


CONTINUA = ("per-transcript", "joined")
WHITESPACE = ("ignore", "count")
AUTOCODED = ("include", "exclude")
# The rules by which a transcript is compared, as the report names them.
MARKED = "marked coded by every coder"
UNMARKED = "unmarked with codings of every coder"
EVERY = "every one, a coder absent from one counting as coding nothing (--include-uncoded)"


def select(project, coders: Sequence[str] | None = None,
           transcripts: Sequence[str] | None = None, codes: Sequence[str] | None = None,
           theme: str | None = None, unit: str | None = None, **options) -> Selection:
    """Check and resolve the researcher's choice of coders, transcripts and codes."""
    from qcode.core.store import CONSENSUS

    known = project.coders()
    if coders:
        named = {typed: matching_name(known, typed) for typed in coders}
        missing = [typed for typed, name in named.items() if name is None]
        if missing:
            raise ReportError(f"no coder named {', '.join(map(repr, missing))} "
                              f"(coders: {', '.join(known) or 'none'})")
        chosen = list(dict.fromkeys(named[typed] for typed in coders))
    else:
        chosen = [c for c in known if c != CONSENSUS]
    if len(chosen) < 2:
        raise ReportError("agreement needs two or more coders; the selection has "
                          f"{len(chosen)} ({', '.join(chosen) or 'none'}): name them with "
                          "--coders A,B")
    lengths = project.transcript_lengths()
    rows = project.transcripts()
    if transcripts:
        by_name = {t.name: t for t in rows}
        missing = [t for t in transcripts if t not in by_name]
        if missing:
            raise ReportError(f"no transcript named {', '.join(map(repr, missing))}")
        rows = [by_name[t] for t in dict.fromkeys(transcripts)]
    if not rows:
        raise ReportError("the project has no transcripts to compare")
    every = project.codes()
    paths = code_paths(every)
    by_name = {c["name"].casefold(): c for c in every}
    if codes:
        missing = [c for c in codes if c.casefold() not in by_name]
        if missing:
            raise ReportError(f"no code named {', '.join(map(repr, missing))}")
        picked = [by_name[c.casefold()] for c in codes]
    elif theme:
        top = by_name.get(theme.casefold())
        if top is None:
            raise ReportError(f"no theme named {theme!r}")
        below = set(codes_below(every, top["id"]))
        picked = [c for c in every if c["id"] in below]
    else:
        picked = every
    if not picked:
        raise ReportError("the codebook is empty: there is nothing to compare")
    if unit is not None and unit not in ("character", "word", "sentence", "turn"):
        raise ReportError(f"unknown unit {unit!r}; use character, word, sentence or turn")
    if options.get("continuum", CONTINUA[0]) not in CONTINUA:
        raise ReportError(f"unknown continuum {options['continuum']!r}; use "
                          + " or ".join(CONTINUA))
    if options.get("autocoded", AUTOCODED[0]) not in AUTOCODED:
        raise ReportError(f"unknown choice of auto-coded codings {options['autocoded']!r};"
                          " use " + " or ".join(AUTOCODED))
    if options.get("whitespace", WHITESPACE[0]) not in WHITESPACE:
        raise ReportError(f"unknown white space choice {options['whitespace']!r}; use "
                          + " or ".join(WHITESPACE))
    selection = Selection(
        chosen, [{"id": t.id, "name": t.name, "length": lengths[t.id]} for t in rows],
        [{"id": c["id"], "name": c["name"], "path": paths[c["id"]],
          "parent_id": c["parent_id"]} for c in picked], unit, **options)
    _keep_coded(project, selection)
    return selection


def _keep_coded(project, selection: Selection) -> None:
    """Keep the transcripts every chosen coder has coded, recording which rule let each
    in and why the others were left out: a transcript someone marked coded needs every
    coder's mark; one nobody marked needs a coding of every coder in it. A coder who
    never opened a transcript would otherwise count as disagreeing everywhere in it."""
    names = [t["name"] for t in selection.transcripts]
    if selection.include_uncoded:
        selection.compared = {EVERY: names}
        return
    coders = selection.coders
    marked, coded = project.coded_by(coders, [t["id"] for t in selection.transcripts])
    compared: dict[str, list[str]] = {MARKED: [], UNMARKED: []}
    kept = []
    for transcript in selection.transcripts:
        tid, name = transcript["id"], transcript["name"]
        if any((c, tid) in marked for c in coders):
            missing = [c for c in coders if (c, tid) not in marked]
            rule, why = MARKED, f"not marked coded by {', '.join(missing)}"
        else:
            missing = [c for c in coders if (c, tid) not in coded]
            rule, why = UNMARKED, f"no marks, and {', '.join(missing)} coded nothing in it"
        if missing:
            selection.left_out.append({"transcript": name, "why": why})
        else:
            compared[rule].append(name)
            kept.append(transcript)
    selection.compared = {rule: got for rule, got in compared.items() if got}
    if not kept:
        raise ReportError(
            f"no transcript was coded by every one of {', '.join(coders)}: mark the "
            "transcripts each coded ('qcode mark'), compare fewer coders with --coders, "
            "or count absent coders as coding nothing with --include-uncoded")
    selection.transcripts = kept


def choices_line(selection: Selection) -> str:
    """Every choice that moves a figure, in one sentence under the table: coders,
    transcripts (which rule let them in, which were left out and why), how transcripts
    form the continuum, the unit and white space."""
    parts = [f"Compared {', '.join(selection.coders)} on {len(selection.transcripts)} "
             "transcript(s): " + " and ".join(
                 f"{len(names)} {rule}" if rule != EVERY else rule
                 for rule, names in selection.compared.items())]
    reasons: dict[str, list[str]] = {}
    for gone in selection.left_out:
        reasons.setdefault(gone["why"], []).append(gone["transcript"])
    for why, names in reasons.items():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3
                                        else "")
        parts.append(f"left out {shown} ({why})")
    parts.append("unitized alpha over " + (
        "each transcript as its own continuum (--continuum per-transcript)"
        if selection.continuum == "per-transcript"
        else "the transcripts joined into one continuum (--continuum joined)")
        + ", every character counted")
    if selection.unit == "character":
        parts.append("character units " + (
            "leave out white space (--whitespace ignore)" if selection.whitespace == "ignore"
            else "count white space (--whitespace count)"))
    elif selection.unit:
        parts.append(f"given units: {selection.unit}s")
    parts.append("auto-coded codings " + (
        "included (--autocoded include)" if selection.autocoded == "include"
        else "left out (--autocoded exclude)"))
    return "; ".join(parts) + "."


def design(selection: Selection) -> dict:
    """The same choices for the provenance of a JSON or HTML report, in full."""
    return {"coders": selection.coders, "compared": selection.compared,
            "left_out": selection.left_out, "continuum": selection.continuum,
            "unit": selection.unit,
            "whitespace": selection.whitespace if selection.unit == "character" else None,
            "include_uncoded": selection.include_uncoded, "autocoded": selection.autocoded}


def build(project, selection: Selection, per_transcript: bool = False) -> Report:
    coders = selection.coders
    transcript_ids = [t["id"] for t in selection.transcripts]
    lengths = [t["length"] for t in selection.transcripts]
    offsets = dict(zip(transcript_ids, _starts(lengths)))
    spans = project.coded_spans(coders, [c["id"] for c in selection.codes], transcript_ids,
                                autocoded=selection.autocoded == "include")
    units_by_transcript = _units(project, selection) if selection.unit else {}
    total = sum(lengths)
    figures: list[CodeFigures] = []
    by_code: dict[int, UnitizedAlpha] = {}
    intervals, overall_interval = _intervals(coders, selection, spans)
    leaves = {c["id"] for c in selection.codes} - {c["parent_id"] for c in selection.codes}
    for code in selection.codes:
        own = {coder: {tid: merge_overlaps(spans.get((coder, tid, code["id"]), []))
                       for tid in transcript_ids} for coder in coders}
        laid = [[(offsets[tid] + s, offsets[tid] + e) for tid in transcript_ids
                 for s, e in own[coder][tid]] for coder in coders]
        alpha = unitized_alpha(laid, selection.laid_out(lengths))
        by_code[code["id"]] = alpha
        if code["id"] not in leaves and not any(laid):
            continue  # a theme nobody applied directly: its codes are reported
        row = CodeFigures(
            code["name"], code["path"], alpha,
            {c: sum(e - s for s, e in laid[i]) / total for i, c in enumerate(coders)},
            {c: len(laid[i]) for i, c in enumerate(coders)})
        row.interval = intervals.get(code["id"])
        if selection.unit:
            _given(row, own, coders, units_by_transcript)
        if len(coders) == 2:
            row.maxqda = _maxqda(own, coders, selection.maxqda_threshold)
        _warn(row, selection)
        figures.append(row)
    themes = []
    for code in selection.codes:
        below = codes_below(selection.codes, code["id"])
        if len(below) > 1:
            themes.append((code["path"], pooled_unitized_alpha(
                by_code[c] for c in below)))
    overall = pooled_unitized_alpha(by_code.values())
    report = Report(selection, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    figures, themes, overall, overall_interval)
    if per_transcript:
        report.per_transcript = _per_transcript(spans, selection)
    if selection.statistics:
        from qcode.core.agreement.domains import domain_figures
        report.domains = domain_figures(selection, spans, units_by_transcript)
    if len(coders) > 2:
        report.notes.append("MAXQDA- and NVivo-style views compare two coders; with "
                            f"{len(coders)} coders they are left out.")
    return report


# -- pieces ---------------------------------------------------------------------------


def _starts(lengths: list[int]) -> list[int]:
    out, at = [], 0
    for length in lengths:
        out.append(at)
        at += length
    return out


def _units(project, selection: Selection) -> dict[int, list[tuple[int, int]]]:
    out = {}
    for transcript in selection.transcripts:
        text = project.transcript_text(transcript["id"])
        if selection.unit == "character" and selection.whitespace == "count":
            out[transcript["id"]] = [(i, i + 1) for i in range(len(text))]
            continue
        out[transcript["id"]] = unit_spans(text, project.turns(transcript["id"]),
                                           selection.unit)
    return out


def _given(row: CodeFigures, own: dict, coders: list[str], units: dict) -> None:
    """Agreement on given units: a unit counts as coded by a coder when any of its
    characters is."""
    counts = None
    for tid, these in units.items():
        part = spans_to_unit_counts([own[c][tid] for c in coders], these)
        counts = part if counts is None else counts + part
    if counts is None or counts.units == 0:
        return
    row.units = counts.units
    row.given["percent agreement"] = stats.percent_agreement(counts)
    if len(coders) == 2:
        row.given["Cohen's kappa"] = stats.cohen_kappa(counts)
        row.given["Scott's pi"] = stats.scott_pi(counts)
        both = counts.counts
        row.table = [[both.get((1, 1), 0), both.get((1, 0), 0)],
                     [both.get((0, 1), 0), both.get((0, 0), 0)]]
    else:
        row.given["Fleiss' kappa"] = stats.fleiss_kappa(counts)
    row.given["Brennan-Prediger"] = stats.brennan_prediger(counts, categories=2)
    row.given["Gwet's AC1"] = stats.gwet_ac1(counts, categories=[0, 1])
    row.given["Krippendorff's alpha"] = stats.krippendorff_alpha(counts)


def _maxqda(own: dict, coders: list[str], threshold: float) -> dict:
    """MAXQDA-style segment agreement: a segment agrees when the other coder has a
    segment of the code overlapping it by at least `threshold` of the two segments'
    joint extent; each coder's segments are checked in turn."""
    agreed = checked = 0
    for me, other in ((coders[0], coders[1]), (coders[1], coders[0])):
        for tid, mine in own[me].items():
            theirs = own[other][tid]
            for start, end in mine:
                checked += 1
                if any(min(end, e) - max(start, s) >= threshold * (max(end, e) - min(start, s))
                       for s, e in theirs if s < end and start < e):
                    agreed += 1
    return {"agreements": agreed, "segments": checked,
            "percentage": agreed / checked if checked else None}


def _warn(row: CodeFigures, selection: Selection) -> None:
    if row.alpha.undefined:
        row.warnings.append(f"alpha undefined: {row.alpha.undefined}")
    segments = sum(row.segments.values())
    if 0 < segments < FEW_SEGMENTS:
        row.warnings.append(f"only {segments} coded segments: the figure rests on little")
    if row.table is not None and row.units:
        coded = (2 * row.table[0][0] + row.table[0][1] + row.table[1][0]) / (2 * row.units)
        if coded < EXTREME_PREVALENCE or coded > 1 - EXTREME_PREVALENCE:
            row.warnings.append(
                f"{coded:.1%} of {selection.unit}s coded: kappa and pi are unstable at such "
                "prevalence (the kappa paradox); read them beside percent agreement and AC1")
    for name, figure in row.given.items():
        if figure.value is None:
            row.warnings.append(f"{name} undefined: {figure.undefined}")


def _intervals(coders: list[str], selection: Selection, spans: dict
               ) -> tuple[dict[int, tuple[float, float]], tuple[float, float] | None]:
    """95% percentile intervals for unitized alpha, per code and pooled, from resampling
    transcripts with replacement (the independent units of a study), seeded. One pass:
    each resample's per-code alphas also give its pooled alpha."""
    transcripts = selection.transcripts
    if len(transcripts) < 2 or not selection.resamples:
        return {}, None
    chooser = random.Random(selection.seed)
    codes = [c["id"] for c in selection.codes]
    merged = {key: merge_overlaps(value) for key, value in spans.items()}
    per_code: dict[int, list[float]] = {c: [] for c in codes}
    pooled: list[float] = []
    for _ in range(selection.resamples):
        picked = [chooser.choice(transcripts) for _ in transcripts]
        lengths = [t["length"] for t in picked]
        starts = _starts(lengths)
        results = []
        for code_id in codes:
            laid = [[(at + s, at + e) for t, at in zip(picked, starts)
                     for s, e in merged.get((c, t["id"], code_id), ())] for c in coders]
            result = unitized_alpha(laid, selection.laid_out(lengths))
            results.append(result)
            if result.value is not None:
                per_code[code_id].append(result.value)
        overall = pooled_unitized_alpha(results)
        if overall.value is not None:
            pooled.append(overall.value)
    return ({c: _percentiles(v) for c, v in per_code.items() if len(v) >= 20},
            _percentiles(pooled) if len(pooled) >= 20 else None)


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))]


def _per_transcript(spans: dict, selection: Selection) -> list[dict]:
    """Per code per transcript: unitized alpha and, for two coders, the NVivo-style
    character-level percentage and kappa (NVivo's Coding Comparison query)."""
    coders = selection.coders
    out = []
    for code in selection.codes:
        for transcript in selection.transcripts:
            own = [merge_overlaps(spans.get((c, transcript["id"], code["id"]), []))
                   for c in coders]
            if not any(own):
                continue
            entry = {"code": code["path"], "transcript": transcript["name"],
                     "alpha": unitized_alpha(own, transcript["length"])}
            if len(coders) == 2:
                entry.update(_nvivo(own, transcript["length"]))
            out.append(entry)
    return out


def _nvivo(own: list[list[tuple[int, int]]], length: int) -> dict:
    """NVivo's figures for one code and one transcript, from a sweep over the two
    coders' boundaries (never one unit per character): the 2 x 2 table of characters
    coded by both, by one only and by neither; agreement = (both + neither) / all."""
    points = sorted({0, length, *(p for spans in own for span in spans for p in span)})
    table = [[0, 0], [0, 0]]
    for start, end in zip(points, points[1:]):
        first, second = (_covers(spans, start) for spans in own)
        table[0 if first else 1][0 if second else 1] += end - start
    return {"nvivo_agreement": (table[0][0] + table[1][1]) / length,
            "nvivo_kappa": stats.cohen_kappa_from_table(table), "characters": table}


def _covers(spans: list[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]
