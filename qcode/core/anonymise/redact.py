"""A late find: an identifier noticed after coding began, replaced in one stored
transcript. The store applies the result; this module only decides what changes."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.anonymise.apply import PositionMap, Replacement, anonymise_parsed
from qcode.core.anonymise.detect import Detector
from qcode.core.anonymise.identifiers import Identifier
from qcode.core.anonymise.key import Key
from qcode.core.importers.base import ParsedTranscript
from qcode.core.store import Project


@dataclass
class Redaction:
    transcript: ParsedTranscript
    positions: PositionMap
    count: int
    pseudonym: str


def redact_text(parsed: ParsedTranscript, value: str, category: str,
                pseudonym: str | None, key: Key) -> Redaction:
    """Replace every whole-word occurrence of `value` (and its case, possessive and
    spelling variants) in `parsed`. The researcher named it, so nothing is left for
    review: even a common word like "Will" is replaced where capitalised."""
    detector = Detector([Identifier(value, category, pseudonym)], Key())
    found = [f for f in detector.find(parsed.text) if f.kind in ("listed", "variant")]
    entry = key.assign(value, category, pseudonym)
    for finding in found:
        if finding.text.casefold() != value.casefold():
            key.assign(finding.text, category, entry.pseudonym)
    replacements = [Replacement(f.start, f.end, entry.pseudonym) for f in found]
    return Redaction(anonymise_parsed(parsed, replacements), PositionMap(replacements),
                     len(replacements), entry.pseudonym)


def redact_transcript(project: Project, transcript_id: int, value: str, category: str,
                      pseudonym: str | None, key: Key) -> Redaction:
    return redact_text(project.stored_transcript(transcript_id), value, category,
                       pseudonym, key)
