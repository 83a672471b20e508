"""A late find: an identifier noticed after coding began, replaced wherever the
project holds text: transcript texts and speakers, names of transcripts, source files,
cases, attributes, codes and coders, code guidance, memos, and the event log (its
summaries and undo data). The store applies the result; this module only decides what
changes."""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace

from rapidfuzz.distance import Levenshtein

from qcode.core.anonymise.apply import (PositionMap, Replacement, anonymise_parsed,
                                        apply_replacements)
from qcode.core.anonymise.detect import TOKEN, Detector, Finding
from qcode.core.anonymise.identifiers import Identifier
from qcode.core.anonymise.key import Key
from qcode.core.model import Transcript
from qcode.core.store import Project, ProjectError

# What a researcher calls each text field of the store (see store.TEXT_FIELDS).
FIELD_NAMES = {
    ("transcripts", "name"): "transcript name", ("transcripts", "source_file"):
    "source file name", ("cases", "name"): "case name", ("attributes", "name"):
    "attribute name", ("attributes", "value"): "attribute value", ("codes", "name"):
    "code name", ("codes", "definition"): "code definition", ("codes", "when_to_use"):
    "code guidance (when to use)", ("codes", "when_not_to_use"):
    "code guidance (when not to use)", ("codes", "example"): "code example",
    ("memos", "name"): "memo title", ("memos", "text"): "memo", ("codings", "memo"):
    "coding memo", ("coders", "name"): "coder name", ("resolutions", "first_coder"):
    "coder name in a resolution", ("resolutions", "second_coder"):
    "coder name in a resolution", ("resolutions", "resolved_by"):
    "coder name in a resolution", ("meta", "value"): "project setting",
    ("events", "coder"): "coder name in the event log",
    ("events", "summary"): "event log summary",
}
# The farthest a spelling variant is from the listed word (see Detector._learn_variants).
NEAR = 2
UNDO_CLEANED = ("its undo data held a redacted value, which undo would have put back")


@dataclass
class Redaction:
    transcript: Transcript
    positions: PositionMap
    count: int
    pseudonym: str


@dataclass
class Hit:
    """One line of the preview: where the value stands, and how often."""
    where: str
    count: int


@dataclass
class Sweep:
    """Every place a value stands in a project, and what each becomes."""
    pseudonym: str
    # (transcript id, its redaction, occurrences in its text and speakers)
    transcripts: list[tuple[int, Redaction, int]] = field(default_factory=list)
    fields: list[tuple[str, str, int, str]] = field(default_factory=list)
    events: list[tuple[int, list | None, dict, str | None]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(hit.count for hit in self.hits)

    @property
    def in_transcripts(self) -> int:
        return sum(count for *_, count in self.transcripts)


def check_value(value: str) -> str:
    """The value to redact, refused when it would match too much or nothing."""
    value = value.strip()
    if not value:
        raise ProjectError("the value to redact is empty")
    if len(value) < 2:
        raise ProjectError("a one-letter value would match too much; give the whole name")
    if not TOKEN.search(value):
        raise ProjectError("the value to redact has no letters or digits to match")
    return value


def redact_text(parsed: Transcript, value: str, category: str,
                pseudonym: str | None, key: Key) -> Redaction:
    """Replace every whole-word occurrence of `value` (and its case, possessive and
    spelling variants) in `parsed`. The researcher named it, so nothing is left for
    review: even a common word like "Will" is replaced where capitalised."""
    finder = _Finder(value, category, pseudonym, key)
    return finder.transcript(parsed)


def sweep(project: Project, value: str, category: str, pseudonym: str | None, key: Key,
          transcript_ids: list[int] | None = None) -> Sweep:
    """Find `value` in the texts of these transcripts (default: all) and in every
    other place the project holds text; nothing is changed yet."""
    finder = _Finder(check_value(value), category, pseudonym, key)
    found = Sweep(finder.pseudonym)
    ids = transcript_ids if transcript_ids is not None else [
        row.id for row in project.transcripts()]
    for transcript_id in ids:
        parsed = project.stored_transcript(transcript_id)
        redaction = finder.transcript(parsed)
        if redaction.count or finder.speakers:
            found.transcripts.append((transcript_id, redaction,
                                      redaction.count + finder.speakers))
            found.hits += _turn_hits(parsed, finder.last)
        if finder.speakers:
            found.hits.append(Hit(f"transcript {parsed.name}: speaker names not written "
                                  "in the text (voice tags)", finder.speakers))
    event_hits: dict[str, int] = {}
    for table, column, rowid, where, text in project.text_fields():
        new, count = finder.string(text)
        if count:
            found.fields.append((table, column, rowid, new))
            label = FIELD_NAMES[(table, column)]
            if table == "events":
                event_hits[label] = event_hits.get(label, 0) + count
            else:
                found.hits.append(Hit(f"{label} ({where}): {_short(text)}", count))
    undone_lost = 0
    for event_id, changes, details in project.event_details():
        new_changes, in_changes = finder.walk(changes)
        new_details, in_details = finder.walk(details)
        if in_changes or in_details:
            found.events.append((event_id, new_changes, new_details,
                                 UNDO_CLEANED if in_changes else None))
            event_hits["event log details"] = (event_hits.get("event log details", 0)
                                               + in_details)
            event_hits["undo data"] = event_hits.get("undo data", 0) + in_changes
            undone_lost += bool(in_changes)
    for label, count in event_hits.items():
        if count:
            more = (f" of {undone_lost} action(s), which can then no longer be undone"
                    if label == "undo data" else "")
            found.hits.append(Hit(f"{label}{more}", count))
    finder.remember_variants()
    return found


def apply_sweep(project: Project, found: Sweep) -> None:
    """Change every place of a sweep in one transaction: names first, so the events
    the rewrites record name the transcripts by their new names."""
    with project.transaction():
        project.set_text_fields(found.fields)
        project.clean_events(found.events)
        outside = found.count - found.in_transcripts
        if outside:
            project.record("redact elsewhere",
                           f"redacted {outside} occurrence(s) outside transcript texts as "
                           f"{found.pseudonym}", occurrences=outside,
                           pseudonym=found.pseudonym, undo_cleaned=sum(
                               1 for *_, reason in found.events if reason))
        for transcript_id, redaction, count in found.transcripts:
            name = project.stored_transcript(transcript_id).name
            project.rewrite_transcript(
                transcript_id, redaction.transcript, redaction.positions,
                f"redacted {count} occurrence(s) in {name} as {redaction.pseudonym}",
                transcript=name, occurrences=count, pseudonym=redaction.pseudonym)


class _Finder:
    """One value, its pseudonym, and the variants of it met on the way (which the key
    learns, so that verify-anonymised looks for them too)."""

    def __init__(self, value: str, category: str, pseudonym: str | None, key: Key):
        self.detector = Detector([Identifier(value, category, pseudonym)], Key())
        self.value, self.category, self.key = value, category, key
        self.pseudonym = key.assign(value, category, pseudonym).pseudonym
        self.variants: set[str] = set()
        self.words = {t.casefold() for t in TOKEN.findall(value)}
        self.near: dict[str, bool] = {}  # word -> may it be (a variant of) one of ours
        self.last: list[Finding] = []  # in the latest transcript text
        self.speakers = 0  # speakers outside the text renamed in the latest transcript

    def _find(self, text: str) -> list[Finding]:
        found = [f for f in self.detector.find(text) if f.kind in ("listed", "variant")]
        self.variants.update(f.text for f in found
                             if f.text.casefold() != self.value.casefold())
        return found

    def transcript(self, parsed: Transcript) -> Redaction:
        self.last = self._find(parsed.text)
        replacements = [Replacement(f.start, f.end, self.pseudonym) for f in self.last]
        new = anonymise_parsed(parsed, replacements)
        # A speaker whose label is not in the text (a voice tag) is renamed on its own.
        self.speakers = 0
        turns = []
        for turn in new.turns:
            speaker, count = self.string(turn.speaker) if turn.speaker else (None, 0)
            self.speakers += count
            turns.append(dc_replace(turn, speaker=speaker))
        self.remember_variants()
        return Redaction(dc_replace(new, turns=turns), PositionMap(replacements),
                         len(replacements), self.pseudonym)

    def _may_hold(self, text: str) -> bool:
        """Whether a text has a word equal or close to a word of the value: a cheap
        test that spares the detector the GUIDs, dates and ids of the event log."""
        for token in TOKEN.findall(_without_format_characters(text)):
            word = token.casefold()
            near = self.near.get(word)
            if near is None:
                near = self.near[word] = any(
                    Levenshtein.distance(word, mine, score_cutoff=NEAR) <= NEAR
                    for mine in self.words)
            if near:
                return True
        return False

    def string(self, text: str) -> tuple[str, int]:
        """A short text with the value replaced, and how often it was."""
        if not self._may_hold(text):
            return text, 0
        # File names join words with "_": read as spaces (same length, same positions).
        found = self._find(text.replace("_", " "))
        if not found:
            return text, 0
        return apply_replacements(text, [Replacement(f.start, f.end, self.pseudonym)
                                         for f in found]), len(found)

    def walk(self, value) -> tuple[object, int]:
        """Event details (JSON) with the value replaced in every text, keys included."""
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, list):
            pairs = [self.walk(v) for v in value]
            return [v for v, _ in pairs], sum(n for _, n in pairs)
        if isinstance(value, dict):
            out, total = {}, 0
            for k, v in value.items():
                (k, a), (v, b) = self.string(k), self.walk(v)
                out[k] = v
                total += a + b
            return out, total
        return value, 0

    def remember_variants(self) -> None:
        for variant in sorted(self.variants):
            self.key.assign(variant, self.category, self.pseudonym)


def _turn_hits(parsed: Transcript, found: list[Finding]) -> list[Hit]:
    """Preview lines for a transcript: one per turn with hits, by its first words."""
    starts = [t.label_start if t.label_start is not None else t.start
              for t in parsed.turns]
    per_turn: dict[int, int] = {}
    for finding in found:
        index = bisect.bisect_right(starts, finding.start) - 1
        per_turn[index] = per_turn.get(index, 0) + 1
    hits = []
    for index, count in sorted(per_turn.items()):
        if index < 0:
            hits.append(Hit(f"transcript {parsed.name}, before the first turn", count))
            continue
        turn = parsed.turns[index]
        hits.append(Hit(f"transcript {parsed.name}, turn {index + 1}: "
                        f"{_short(parsed.text[turn.start:turn.end])}", count))
    return hits


def _without_format_characters(text: str) -> str:
    """Soft hyphens and zero-width characters split no word."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _short(text: str, words: int = 8) -> str:
    parts = text.split()
    return '"' + " ".join(parts[:words]) + ("…" if len(parts) > words else "") + '"'
