"""The inter-coder agreement report: which codings are compared, and every figure the
`qcode agree` command shows, per code, per theme and overall (per transcript on request).

The statistics themselves are the pure functions of coefficients.py, unitized.py and
units.py; this module only gathers spans from the project and lays them out.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain

import numpy as np

from qcode.core.agreement import bootstrap
from qcode.core.agreement import coefficients as stats
from qcode.core.agreement.unitized import (UnitizedAlpha, merge_overlaps,
                                           pooled_unitized_alpha, unitized_alpha)
from qcode.core.agreement.segments import maxqda_view
from qcode.core.agreement.units import Characters, merged_segments, spans_to_unit_counts
from qcode.core.codebook import code_paths, codes_below
from qcode.core.model import Code
from qcode.core.reports.selection import ReportError, matching_name
from qcode.core.spans import units as unit_spans

FEW_SEGMENTS = 10       # fewer coded segments than this: a warning
# One wording for every code it fits (the segs column gives each count), so that the
# short table can say it once for all of them.
FEW_SEGMENTS_WARNING = (f"fewer than {FEW_SEGMENTS} coded segments: the figure rests on "
                        "little")
ONE_TRANSCRIPT_WARNING = ("coded in one transcript only: no interval, as the interval "
                          "resamples transcripts and this code's figure does not vary "
                          "with them")
FEW_TRANSCRIPTS = 5     # fewer transcripts than this: the bootstrap interval means little
EXTREME_PREVALENCE = 0.05  # share of units coded below this (or above 1 - it): a warning
ACCEPTABLE, GOOD = 0.667, 0.800  # Krippendorff's (2004) lines for tentative and firm


@dataclass
class Selection:
    coders: list[str]
    transcripts: list[dict]          # id, name, length
    codes: list[Code]
    paths: dict[int, str]            # code id -> its path of names
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
    # Cu-alpha over every domain at once (which theme), and the themes it covers.
    domains_overall: stats.Alpha | None = None
    overall_themes: list[str] = field(default_factory=list)


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
    by_name = {c.name.casefold(): c for c in every}
    if codes:
        missing = [c for c in codes if c.casefold() not in by_name]
        if missing:
            raise ReportError(f"no code named {', '.join(map(repr, missing))}")
        picked = [by_name[c.casefold()] for c in codes]
    elif theme:
        top = by_name.get(theme.casefold())
        if top is None:
            raise ReportError(f"no theme named {theme!r}")
        below = set(codes_below(every, top.id))
        picked = [c for c in every if c.id in below]
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
        picked, {c.id: paths[c.id] for c in picked}, unit, **options)
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
    marked, coded = project.coded_by(coders, [t["id"] for t in selection.transcripts],
                                     autocoded=selection.autocoded == "include")
    compared: dict[str, list[str]] = {MARKED: [], UNMARKED: []}
    kept = []
    for transcript in selection.transcripts:
        tid, name = transcript["id"], transcript["name"]
        if any((c, tid) in marked for c in coders):
            missing = [c for c in coders if (c, tid) not in marked]
            rule, why = MARKED, f"not marked coded by {', '.join(missing)}"
        else:
            missing = [c for c in coders if (c, tid) not in coded]
            rule, why = UNMARKED, f"no marks, and {', '.join(missing)} coded nothing in it" \
                + ("" if selection.autocoded == "include" else " by hand")
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
    laid_all = _laid(project, selection)
    # Spans per transcript only for the views that work transcript by transcript.
    spans = (project.coded_spans(coders, [c.id for c in selection.codes], transcript_ids,
                                  autocoded=selection.autocoded == "include")
             if per_transcript or selection.statistics
             or selection.unit not in (None, "character") else {})
    units_by_transcript = _units(project, selection) if selection.unit else {}
    total = sum(lengths)
    figures: list[CodeFigures] = []
    by_code: dict[int, UnitizedAlpha] = {}
    laid_by_code: dict[int, list[np.ndarray]] = {}
    shown: dict[int, CodeFigures] = {}
    leaves = {c.id for c in selection.codes} - {c.parent_id for c in selection.codes}
    for code in selection.codes:
        laid = laid_all[code.id]
        laid_by_code[code.id] = laid
        alpha = unitized_alpha(laid, selection.laid_out(lengths))
        by_code[code.id] = alpha
        if code.id not in leaves and not any(len(mine) for mine in laid):
            continue  # a theme nobody applied directly: its codes are reported
        row = CodeFigures(
            code.name, selection.paths[code.id], alpha,
            {c: int((laid[i][:, 1] - laid[i][:, 0]).sum()) / total
             for i, c in enumerate(coders)},
            {c: len(laid[i]) for i, c in enumerate(coders)})
        shown[code.id] = row
        if selection.unit:
            _given(row, spans, code.id, laid, coders, units_by_transcript)
        if len(coders) == 2:
            row.maxqda = maxqda_view(laid, selection.maxqda_threshold)
        _warn(row, selection)
        figures.append(row)
    overall_interval = _intervals(selection, laid_by_code, lengths, shown)
    themes = []
    for code in selection.codes:
        below = codes_below(selection.codes, code.id)
        if len(below) > 1:
            themes.append((selection.paths[code.id], pooled_unitized_alpha(
                by_code[c] for c in below)))
    overall = pooled_unitized_alpha(by_code.values())
    report = Report(selection, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    figures, themes, overall, overall_interval)
    if per_transcript:
        report.per_transcript = _per_transcript(spans, selection)
    if selection.statistics:
        from qcode.core.agreement.domains import domain_figures, overall_cu_alpha
        listed = (_units(project, selection, listed=True)
                  if isinstance(units_by_transcript, Characters) else units_by_transcript)
        report.domains = domain_figures(selection, spans, listed)
        report.domains_overall, report.overall_themes, overall_warnings = \
            overall_cu_alpha(selection, spans)
        report.notes += overall_warnings
    if selection.resamples and len(transcript_ids) < FEW_TRANSCRIPTS:
        report.notes.append(_few_transcripts(len(transcript_ids)))
    if len(coders) > 2:
        report.notes.append("MAXQDA- and NVivo-style views compare two coders; with "
                            f"{len(coders)} coders they are left out.")
    return report


# -- pieces ---------------------------------------------------------------------------


def _few_transcripts(count: int) -> str:
    if count < 2:
        return ("one transcript: no interval, as the interval resamples transcripts "
                f"(it needs {FEW_TRANSCRIPTS} or more to mean something)")
    return (f"only {count} transcripts: an interval from resampling so few is not "
            f"meaningful ({FEW_TRANSCRIPTS} or more are needed); read alpha without it")


def _laid(project, selection: Selection) -> dict[int, list[np.ndarray]]:
    """Per code, each coder's merged segments (n x 2) on the continuum of the selected
    transcripts end to end, from one read of the coding rows, grouped with numpy.
    Merging on the continuum is merging per transcript: no segment crosses a
    transcript's end."""
    ids = {name: coder_id for coder_id, name, _ in project.coder_rows()}
    coder_ids = np.array([ids[c] for c in selection.coders], dtype=np.int64)
    fetched = project.coding_rows(coder_ids.tolist(), selection.autocoded == "include")
    rows = np.fromiter(chain.from_iterable(fetched), dtype=np.int64,
                       count=5 * len(fetched)).reshape(-1, 5)
    transcripts = np.array([t["id"] for t in selection.transcripts], dtype=np.int64)
    starts = np.array(_starts([t["length"] for t in selection.transcripts]), dtype=np.int64)
    codes = np.array([c.id for c in selection.codes], dtype=np.int64)
    rows = rows[np.isin(rows[:, 0], transcripts) & np.isin(rows[:, 1], codes)]
    by_id = np.argsort(transcripts)
    at = starts[by_id[np.searchsorted(transcripts[by_id], rows[:, 0])]]
    coder = np.argsort(coder_ids)[np.searchsorted(np.sort(coder_ids), rows[:, 4])]
    key = rows[:, 1] * len(coder_ids) + coder
    order = np.argsort(key, kind="stable")
    key, spans = key[order], (rows[:, 2:4] + at[:, None])[order]
    out = {}
    for code_id in codes.tolist():
        bounds = np.searchsorted(key, code_id * len(coder_ids) + np.arange(len(coder_ids) + 1))
        out[code_id] = [merged_segments(spans[low:high])
                        for low, high in zip(bounds[:-1], bounds[1:])]
    return out


def _starts(lengths: list[int]) -> list[int]:
    out, at = [], 0
    for length in lengths:
        out.append(at)
        at += length
    return out


def _units(project, selection: Selection, listed: bool = False
           ) -> dict[int, list[tuple[int, int]]] | Characters:
    """Each transcript's given units; characters, for the whole continuum, as counts
    between span boundaries, never listed one by one, unless ``listed`` (the
    per-theme statistics of domains.py read units transcript by transcript)."""
    count_space = selection.whitespace == "count"
    if selection.unit == "character" and not listed:
        return Characters([project.transcript_text(t["id"]) for t in selection.transcripts],
                          count_space)
    out = {}
    for transcript in selection.transcripts:
        text = project.transcript_text(transcript["id"])
        if selection.unit == "character" and count_space:
            out[transcript["id"]] = [(i, i + 1) for i in range(len(text))]
            continue
        out[transcript["id"]] = unit_spans(text, project.turns(transcript["id"]),
                                           selection.unit)
    return out


def _given(row: CodeFigures, spans: dict, code_id: int, laid: list, coders: list[str],
           units: dict | Characters) -> None:
    """Agreement on given units: a unit counts as coded by a coder when any of its
    characters is."""
    if isinstance(units, Characters):
        counts = units.counts(laid)
    else:
        counts = None
        for tid, these in units.items():
            part = spans_to_unit_counts(
                [merge_overlaps(spans.get((c, tid, code_id), [])) for c in coders], these)
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


def _warn(row: CodeFigures, selection: Selection) -> None:
    if row.alpha.undefined:
        row.warnings.append(f"alpha undefined: {row.alpha.undefined}")
    segments = sum(row.segments.values())
    if 0 < segments < FEW_SEGMENTS:
        row.warnings.append(FEW_SEGMENTS_WARNING)
    if row.table is not None and row.units:
        coded = (2 * row.table[0][0] + row.table[0][1] + row.table[1][0]) / (2 * row.units)
        if coded < EXTREME_PREVALENCE or coded > 1 - EXTREME_PREVALENCE:
            row.warnings.append(
                f"{coded:.1%} of {selection.unit}s coded: kappa and pi are unstable at such "
                "prevalence (the kappa paradox); read them beside percent agreement and AC1")
    for name, figure in row.given.items():
        if figure.value is None:
            row.warnings.append(f"{name} undefined: {figure.undefined}")


def _intervals(selection: Selection, laid_by_code: dict, lengths: list[int],
               shown: dict[int, CodeFigures]) -> tuple[float, float] | None:
    """95% percentile intervals for unitized alpha, per code (set on its row) and
    pooled (returned), from resampling transcripts with replacement, seeded."""
    if len(lengths) < 2 or not selection.resamples:
        return None
    compute = (bootstrap.intervals if selection.continuum == "per-transcript"
               else bootstrap.joined_intervals)
    per_code, pooled = compute(list(laid_by_code.values()), lengths,
                               selection.resamples, selection.seed)
    bounds = np.cumsum(lengths)
    for (code_id, laid), interval in zip(laid_by_code.items(), per_code):
        if code_id not in shown:
            continue
        # Resampling transcripts only rescales a code found in one of them: its
        # "interval" would be as narrow as 0.973-0.973 and say nothing.
        starts = np.concatenate([spans[:, 0] for spans in laid])
        if len(np.unique(np.searchsorted(bounds, starts, side="right"))) < 2:
            shown[code_id].warnings.append(ONE_TRANSCRIPT_WARNING)
        else:
            shown[code_id].interval = interval
    return pooled


def _per_transcript(spans: dict, selection: Selection) -> list[dict]:
    """Per code per transcript: unitized alpha and, for two coders, the NVivo-style
    character-level percentage and kappa (NVivo's Coding Comparison query)."""
    coders = selection.coders
    out = []
    for code in selection.codes:
        for transcript in selection.transcripts:
            own = [merge_overlaps(spans.get((c, transcript["id"], code.id), []))
                   for c in coders]
            if not any(own):
                continue
            entry = {"code": selection.paths[code.id], "transcript": transcript["name"],
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
