"""Scanning a batch of transcripts, grouping what needs a person's decision, and
turning decisions into anonymised transcripts.

The real text never leaves memory: only the anonymised ParsedTranscript is handed on
to the project, and the key (real value -> pseudonym) is saved to the researcher's file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from qcode.core.anonymise.apply import Replacement, anonymise_parsed
from qcode.core.anonymise.detect import ROLE_LABEL, Detector, Finding, generic_label
from qcode.core.anonymise.identifiers import CATEGORIES, Identifier, normalise_category
from qcode.core.anonymise.key import Key
from qcode.core.anonymise.patterns import canonical
from qcode.core.importers.base import ParsedTranscript

DECISIONS = ("accept", "reject")


@dataclass
class ReviewGroup:
    """Every occurrence of one uncertain value across the batch: decided once."""

    value: str
    category: str
    reason: str
    occurrences: list[tuple[int, Finding]] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def key(self) -> str:
        return canonical(self.value, self.category)

    def contexts(self, batch: list[ParsedTranscript], limit: int = 3,
                 width: int = 35) -> list[str]:
        """Keyword-in-context lines: '... before [VALUE] after ...'."""
        lines = []
        for index, finding in self.occurrences[:limit]:
            text = batch[index].text
            before = " ".join(text[max(0, finding.start - width):finding.start].split())
            after = " ".join(text[finding.end:finding.end + width].split())
            lines.append(f"{batch[index].name}: …{before} [{finding.text}] {after}…")
        return lines


@dataclass
class Decision:
    action: str                     # accept | reject
    category: str = "person"
    pseudonym: str | None = None    # None: the next "[Category N]"; else chosen/existing


@dataclass
class Scan:
    batch: list[ParsedTranscript]
    findings: list[list[Finding]]
    groups: list[ReviewGroup]


class Anonymiser:
    def __init__(self, identifiers: list[Identifier], key: Key):
        self.identifiers = identifiers
        self.key = key
        self.detector = Detector(identifiers, key)

    def scan(self, batch: list[ParsedTranscript], cases: list[str | None] | None = None
             ) -> Scan:
        findings = []
        groups: dict[str, ReviewGroup] = {}
        for index, parsed in enumerate(batch):
            speakers = [(t.speaker, t.label_start) for t in parsed.turns
                        if t.speaker and t.label_start is not None]
            found = self.detector.find(parsed.text, speakers)
            findings.append(found)
            suggestions = _speaker_suggestions(parsed, (cases or [None] * len(batch))[index])
            for finding in found:
                if not finding.review:
                    continue
                group = groups.setdefault(
                    canonical(finding.value, finding.category),
                    ReviewGroup(finding.value, finding.category, finding.reason))
                group.occurrences.append((index, finding))
                if finding.kind == "speaker" and group.suggestion is None:
                    group.suggestion = suggestions.get(finding.value)
                    group.reason = finding.reason
        ordered = sorted(groups.values(), key=lambda g: (-len(g.occurrences), g.value))
        return Scan(batch, findings, ordered)

    def apply(self, scan: Scan, decisions: dict[str, Decision]) -> list[ParsedTranscript]:
        """The anonymised batch. Findings needing review are replaced only when their
        group was accepted; the key learns every value replaced (and its variants)."""
        out = []
        accepted = [Identifier(g.value, d.category, None) for g in scan.groups
                    if (d := decisions.get(g.key)) is not None and d.action == "accept"]
        # A value accepted in review was found only in the form the candidate finder saw
        # ("Reynolds"); its other forms ("REYNOLDS", "wikipedia") are found by a second
        # pass that treats the accepted values as listed.
        again = Detector(accepted, Key()) if accepted else None
        for parsed, found in zip(scan.batch, scan.findings):
            replacements = []
            for finding in found:
                pseudonym = self._pseudonym(finding, decisions)
                if pseudonym is not None:
                    replacements.append(Replacement(finding.start, finding.end, pseudonym))
            if again is not None:
                replacements += self._other_forms(parsed.text, found, again)
            replacements.sort(key=lambda r: r.start)
            anonymised = anonymise_parsed(parsed, replacements)
            out.append(replace(anonymised, name=self.anonymise_name(parsed.name)))
        for group_key, decision in decisions.items():
            if decision.action == "reject":
                self.key.rejected.add(group_key)
        return out

    def _other_forms(self, text: str, found: list[Finding], again: Detector
                     ) -> list[Replacement]:
        taken = [(f.start, f.end) for f in found]
        extra = []
        for finding in again.find(text):
            if finding.kind not in ("listed", "variant") or finding.review:
                continue
            if any(start < finding.end and finding.start < end for start, end in taken):
                continue
            entry = self.key.lookup(finding.value, finding.category)
            if entry is not None:
                extra.append(Replacement(finding.start, finding.end, entry.pseudonym))
        return extra

    def _pseudonym(self, finding: Finding, decisions: dict[str, Decision]) -> str | None:
        if finding.review:
            decision = decisions.get(canonical(finding.value, finding.category))
            if decision is None or decision.action != "accept":
                return None
            entry = self.key.assign(finding.value, decision.category,
                                    decision.pseudonym or finding.pseudonym)
        else:
            entry = self.key.assign(finding.value, finding.category, finding.pseudonym)
        if finding.text.casefold() != finding.value.casefold():
            # A spelling or format variant: remember it under the same pseudonym so
            # later imports and verify-anonymised know it too.
            self.key.assign(finding.text, entry.category, entry.pseudonym)
        return entry.pseudonym

    def anonymise_name(self, name: str) -> str:
        """File names can carry names too ("interview_john_smith")."""
        readable = name.replace("_", " ")
        found = [f for f in self.detector.find(readable) if not f.review]
        if not found:
            return name
        replacements = []
        for finding in found:
            entry = self.key.lookup(finding.value, finding.category) or self.key.assign(
                finding.value, finding.category, finding.pseudonym)
            replacements.append(Replacement(finding.start, finding.end, entry.pseudonym))
        from qcode.core.anonymise.apply import apply_replacements

        return apply_replacements(name, replacements)


def _speaker_suggestions(parsed: ParsedTranscript, case: str | None) -> dict[str, str]:
    """Role labels to offer for speakers named in labels: the one who talks most is the
    participant (the case's name), the other named speakers interviewers."""
    words: Counter[str] = Counter()
    for turn in parsed.turns:
        if turn.speaker:
            words[turn.speaker] += len(parsed.text[turn.start:turn.end].split())
    ranked = [speaker for speaker, _ in words.most_common() if not generic_label(speaker)]
    if not ranked:
        return {}
    suggestions = {ranked[0]: case or "Participant"}
    others = [s for s in ranked[1:] if not ROLE_LABEL.match(s)]
    for number, speaker in enumerate(others, start=1):
        suggestions[speaker] = "Interviewer" if len(others) == 1 else f"Interviewer {number}"
    return suggestions


# -- the non-interactive report and decisions file -----------------------------------

REPORT_COLUMNS = ("decision", "value", "category", "pseudonym", "occurrences", "reason",
                  "context")


def write_report(scan: Scan, path: Path) -> None:
    """Unresolved candidates as a CSV a researcher can fill in (decision: accept or
    reject) and give back with --decisions. It holds real values: keep it with the key,
    never with the project."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_COLUMNS)
    for group in scan.groups:
        writer.writerow(["", group.value, group.category, group.suggestion or "",
                         len(group.occurrences), group.reason,
                         " | ".join(group.contexts(scan.batch))])
    path.write_text(buffer.getvalue(), encoding="utf-8")


class DecisionsError(Exception):
    pass


def read_decisions(path: Path) -> dict[str, Decision]:
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    except FileNotFoundError:
        raise DecisionsError(f"{path}: no such file") from None
    decisions = {}
    for line, row in enumerate(rows, start=2):
        action = (row.get("decision") or "").strip().lower()
        if not action:
            continue
        if action not in DECISIONS:
            raise DecisionsError(f"{path}:{line}: decision must be accept or reject, "
                                 f"not '{action}'")
        category = normalise_category(row.get("category") or "person")
        if category is None:
            raise DecisionsError(f"{path}:{line}: unknown category '{row.get('category')}' "
                                 f"(use one of: {', '.join(CATEGORIES)})")
        value = (row.get("value") or "").strip()
        if not value:
            raise DecisionsError(f"{path}:{line}: the value is empty")
        decisions[canonical(value, category)] = Decision(
            action, category, (row.get("pseudonym") or "").strip() or None)
    return decisions
