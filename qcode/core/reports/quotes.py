"""Quotes for a write-up: every coded segment of a code, or of a theme and the codes
under it, with its attribution line, grouped by code (and by participant group when
asked), in the project's anonymised text."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import groupby

from qcode.core.model import Coding
from qcode.core.roles import is_interviewer
from qcode.core.reports.attribution import Attribution, default_template
from qcode.core.reports.codes import CodeRef
from qcode.core.reports.groups import grouping
from qcode.core.reports.material import Material, Segment, material_of, reading
from qcode.core.reports.provenance import Provenance, provenance
from qcode.core.reports.selection import ReportError
from qcode.core.text import trim_words

MAX_WORDS = 120
CONTEXT = 40          # characters read either side of a segment to complete its words
WORD_CHAR = re.compile(r"\w")
JOINERS = "'’-‐‑"      # apostrophes and hyphens, which may join the letters of a word


@dataclass(frozen=True)
class Quote:
    text: str                    # on one line, whole words, turns joined by " / "; "…"
                                 # ends a shortened one
    lines: tuple[str, ...]       # one per turn it covers; with several, each begins
                                 # with its speaker's label ("Interviewer: …")
    attribution: str             # the interviewer's label for their own words
    transcript: str
    case: str | None
    speaker: str | None          # of the turn where the segment starts
    turn: int | None
    start: int                   # the coded span, in the transcript's code points
    end: int
    coders: tuple[str, ...]
    shortened: bool
    memos: tuple[tuple[str, str], ...] = ()  # (coder, memo) of its codings, when asked


@dataclass(frozen=True)
class QuoteGroup:
    code: CodeRef
    value: str | None            # the group's value (with `by`), else None
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class QuoteReport:
    selected: CodeRef
    codes: int                   # codes in the selection (the code, or a theme's)
    by: str | None
    template: str
    max_words: int
    groups: tuple[QuoteGroup, ...]   # codes in tree order, values in group order
    provenance: Provenance
    memos: bool = False              # each quote carries its codings' memos

    @property
    def count(self) -> int:
        return sum(len(g.quotes) for g in self.groups)

    @property
    def empty(self) -> bool:
        return not self.groups


def quotes(source, selector: str, coder: str | None = None, by: str | None = None,
           attribution: str | None = None, max_words: int = MAX_WORDS,
           memos: bool = False) -> QuoteReport:
    """Every segment of the code or theme `selector` (a name or a path, see
    CodeTree.find). `by`: an attribute (or "transcript", "case") to group by;
    `attribution`: a template such as "{role}, {region}" (default: those of role and
    region that cases have, else "{case}"); `max_words`: 0 keeps whole segments;
    `memos`: each quote carries the memos on the codings it is made of."""
    if max_words < 0:
        raise ReportError("--max-words is a number of words (0 keeps whole segments)")
    # The turns and texts are read in the reading the codings were gathered in.
    with reading(source):
        report = _quotes(material_of(source, coder), selector, by, attribution,
                         max_words)
        return _with_memos(report, source) if memos else report


def _with_memos(report: QuoteReport, source) -> QuoteReport:
    """Each quote with the memos on the codings of its code, by its coders, that its
    span is made of (codings are joined into a segment where they overlap)."""
    project = source.project if isinstance(source, Material) else source
    ids = {t.name: t.id for t in project.transcripts()}
    read: dict[int, list[Coding]] = {}

    def memos_of(group: QuoteGroup, quote: Quote) -> tuple[tuple[str, str], ...]:
        transcript_id = ids[quote.transcript]
        if transcript_id not in read:
            read[transcript_id] = project.codings(transcript_id)
        return tuple((c.coder_name, c.memo.strip()) for c in read[transcript_id]
                     if c.code_id == group.code.id and c.coder_name in quote.coders
                     and c.memo.strip() and c.start < quote.end and c.end > quote.start)

    groups = tuple(replace(g, quotes=tuple(replace(q, memos=memos_of(g, q))
                                           for q in g.quotes)) for g in report.groups)
    made = report.provenance
    made = replace(made, command=f"{made.command} --memos",
                   parameters={**made.parameters, "memos": True})
    return replace(report, groups=groups, memos=True, provenance=made)


def _quotes(material: Material, selector: str, by: str | None, attribution: str | None,
            max_words: int) -> QuoteReport:
    selected = material.tree.find(selector)
    codes = material.tree.below(selected.id)
    wanted = {c.id for c in codes}
    groups = grouping(material, by)
    template = attribution if attribution is not None else default_template(
        material.held_attribute_names)
    line = Attribution(template, material.attribute_names)
    for name in line.fields:
        if name in material.attribute_names and name not in material.held_attribute_names:
            raise material.unheld(name)
    segments = [s for s in material.segments if s.code_id in wanted]
    found: dict[tuple[int, str | None], list[tuple[str, int, Quote]]] = defaultdict(list)
    for segment, quote in zip(segments, make_quotes(material, segments, line, max_words)):
        found[(segment.code_id, groups.value_of(segment.transcript_id))].append(
            (quote.transcript, segment.start, quote))
    order = {value: i for i, value in enumerate(groups.columns)}
    keys = sorted(found, key=lambda k: (codes.index(material.tree.by_id[k[0]]),
                                        order.get(k[1], 0)))
    made_groups = tuple(
        QuoteGroup(material.tree.by_id[code_id], value,
                   tuple(q for *_, q in sorted(found[(code_id, value)],
                                               key=lambda f: f[:2])))
        for code_id, value in keys)
    words = ["quotes", selected.label, "--attribution", template,
             "--max-words", str(max_words), *(["--by", groups.by] if groups.by else [])]
    made = provenance(material, "quotes", words, {
        "selector": selector, "code": selected.label, "by": groups.by,
        "attribution": template, "max_words": max_words})
    return QuoteReport(selected, len(codes), groups.by, template, max_words, made_groups,
                       made)


def make_quotes(material: Material, segments: list[Segment], line: Attribution,
                max_words: int) -> list[Quote]:
    """A Quote for each segment, in the same order: two reads of the project (the
    turns of their transcripts, and their texts), whatever the number of segments."""
    project = material.project
    turns = _turns(project.turn_rows(sorted({s.transcript_id for s in segments})))
    texts = project.excerpts([(s.transcript_id, max(0, s.start - CONTEXT), s.end + CONTEXT)
                              for s in segments])
    out = []
    for segment, excerpt in zip(segments, texts):
        transcript = material.transcripts[segment.transcript_id]
        base = max(0, segment.start - CONTEXT)
        low, high = whole_words(excerpt, segment.start - base, segment.end - base)
        spoken = _spoken(turns.get(segment.transcript_id), base + low, base + high)
        parts = [(speaker, excerpt[start - base:end - base])
                 for _, speaker, start, end in spoken] or [(None, excerpt[low:high])]
        parts = [(speaker, " ".join(text.split())) for speaker, text in parts
                 if text.strip()] or [(None, "")]
        parts, shortened = cut(parts, max_words)
        lines = _labelled(parts)
        turn = spoken[0] if spoken else None
        values = {**material.attributes.get(transcript.case_id, {}),
                  "case": material.case_name(transcript.id), "transcript": transcript.name,
                  "speaker": turn[1] if turn else None}
        out.append(Quote(" / ".join(lines), lines, _attributed(spoken, line, values),
                         transcript.name, values["case"], turn[1] if turn else None,
                         turn[0] if turn else None, segment.start, segment.end,
                         segment.coders, shortened))
    return out


def _attributed(spoken: list[tuple], line: Attribution, values: dict) -> str:
    """The attribution line: the interviewer's label when every turn the quote covers
    is the interviewer's (their words are not the participant's), else the case's
    line from the template."""
    speakers = list(dict.fromkeys(speaker for _, speaker, _, _ in spoken))
    if speakers and all(is_interviewer(s) for s in speakers):
        return ", ".join(speakers)
    return line.fill(values)


def _labelled(parts: list[tuple[str | None, str]]) -> tuple[str, ...]:
    """One line per turn. A quote over several turns labels each line with its
    speaker, so who said what never rests on the attribution under it."""
    if len(parts) == 1:
        return (parts[0][1],)
    return tuple(f"{speaker}: {text}" if speaker else text for speaker, text in parts)


def whole_words(excerpt: str, start: int, end: int) -> tuple[int, int]:
    """The span of `excerpt`, widened to whole words where it starts or ends inside
    one: a word cut by a careless selection was meant to be in. An apostrophe or a
    hyphen between letters is inside its word ("they're", "well-known")."""
    while 0 < start < len(excerpt) and _inside_word(excerpt, start):
        start -= 1
    while 0 < end < len(excerpt) and _inside_word(excerpt, end):
        end += 1
    return start, end


def _inside_word(text: str, at: int) -> bool:
    """Whether text[at - 1] and text[at] are parts of one word."""
    def letter(i: int) -> bool:
        return 0 <= i < len(text) and WORD_CHAR.match(text[i]) is not None

    def part(i: int) -> bool:
        return letter(i) or (0 <= i < len(text) and text[i] in JOINERS
                             and letter(i - 1) and letter(i + 1))

    return part(at - 1) and part(at)


def cut(parts: list[tuple[str | None, str]], max_words: int
        ) -> tuple[list[tuple[str | None, str]], bool]:
    """The turns' texts cut after `max_words` words in all (0: no limit), after a
    whole word, with "…" where the quote was cut."""
    total = sum(len(text.split()) for _, text in parts)
    if not max_words or total <= max_words:
        return parts, False
    kept, left = [], max_words
    for at, (speaker, text) in enumerate(parts):
        words = text.split()
        if len(words) < left:
            kept.append((speaker, text))
            left -= len(words)
            continue
        # The rest of the quote follows, so trim_words always cuts and marks the cut.
        rest = " ".join([text, *(t for _, t in parts[at + 1:])])
        kept.append((speaker, trim_words(rest, len(" ".join(words[:left])))))
        break
    return kept, True


def _turns(rows: list[tuple]) -> dict[int, tuple[list[int], list[tuple]]]:
    out = {}
    for tid, these in groupby(rows, key=lambda r: r[0]):
        these = list(these)
        out[tid] = ([r[3] for r in these], these)
    return out


def _spoken(turns, start: int, end: int) -> list[tuple[int, str | None, int, int]]:
    """(number, speaker, start, end) of each turn the span shares text with, the
    turn's part of the span only (a speaker label between turns is left out)."""
    if not turns:
        return []
    starts, rows = turns
    at = max(0, bisect.bisect_right(starts, start) - 1)
    out = []
    while at < len(rows) and rows[at][3] < end:
        if rows[at][4] > start:
            out.append((rows[at][1], rows[at][2], max(start, rows[at][3]),
                        min(end, rows[at][4])))
        at += 1
    return out
