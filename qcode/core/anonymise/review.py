"""Scanning a batch of transcripts, grouping what needs a person's decision, and
turning decisions into anonymised transcripts.

The real text never leaves memory: only the anonymised ParsedTranscript is handed on
to the project, and the key (real value -> pseudonym) is saved to the researcher's file.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from qcode.core.anonymise.apply import PositionMap, Replacement, anonymise_parsed
from qcode.core.anonymise import lexicon
from qcode.core.anonymise.detect import (ROLE_LABEL, ROLE_WORDS, TITLES, TOKEN, Detector,
                                         Finding, generic_label)
from qcode.core.anonymise.identifiers import CATEGORIES, Identifier, normalise_category
from qcode.core.anonymise.key import Key, decrypt, encrypt, is_encrypted
from qcode.core.anonymise.patterns import canonical
from qcode.core import outputs
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

    @property
    def listed(self) -> bool:
        """Every occurrence is a listed value (or a speaker's name) held only because it
        is also a common word, as opposed to a candidate nobody listed."""
        return all(f.kind != "candidate" for _, f in self.occurrences)

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
    warnings: list[str] = field(default_factory=list)  # for the researcher, before import
    speakers: dict[str, str] = field(default_factory=dict)  # named label -> role label


class Anonymiser:
    def __init__(self, identifiers: list[Identifier], key: Key):
        self.identifiers = identifiers
        self.key = key
        self.detector = Detector(identifiers, key)

    def scan(self, batch: list[ParsedTranscript], cases: list[str | None] | None = None
             ) -> Scan:
        speakers = speaker_names(batch, cases or [None] * len(batch), self.identifiers,
                                 self.key)
        if speakers:
            # The names in the labels are listed values for this batch, with the role
            # label as their pseudonym: replaced in labels and text alike, unreviewed.
            self.detector = Detector(self.identifiers, self.key, speakers)
        detections = self.detector.detect_batch(
            [parsed.text for parsed in batch],
            [{t.label_start for t in parsed.turns if t.speaker and t.label_start is not None}
             for parsed in batch])
        findings, warnings = [], []
        groups: dict[str, ReviewGroup] = {}
        for index, (parsed, detection) in enumerate(zip(batch, detections)):
            findings.append(detection.findings)
            for kept, cut, words in detection.overlaps:
                warnings.append(
                    f"{parsed.name}: the listed values '{kept}' and '{cut}' overlap in "
                    f"'{words}'; only '{kept}' was replaced there: check it, or list "
                    f"'{words}' itself")
            for finding in detection.findings:
                if not finding.review:
                    continue
                group = groups.setdefault(
                    canonical(finding.value, finding.category),
                    ReviewGroup(finding.value, finding.category, finding.reason))
                group.occurrences.append((index, finding))
                if group.suggestion is None:
                    group.suggestion = finding.pseudonym
        ordered = sorted(groups.values(), key=lambda g: (-len(g.occurrences), g.value))
        labels = {identifier.value: identifier.pseudonym for identifier, label in speakers
                  if identifier.value == label}
        return Scan(batch, findings, ordered, warnings, labels)

    def apply(self, scan: Scan, decisions: dict[str, Decision],
              positions: list[PositionMap] | None = None) -> list[ParsedTranscript]:
        """The anonymised batch. Findings needing review are replaced only when their
        group was accepted, but every listed value found is entered in the key, so
        verify-anonymised looks for the ones left in the text. `positions`, when given,
        receives each transcript's map from old to new positions (to carry codings
        that came with the text, as from another tool's project)."""
        out = []
        accepted = [Identifier(g.value, d.category, d.pseudonym or g.suggestion)
                    for g in scan.groups
                    if (d := decisions.get(g.key)) is not None and d.action == "accept"]
        # A value accepted in review was found only where the finder proposed it ("Mr
        # Smith"); a second pass that treats the accepted values as listed finds it
        # everywhere else: "Smith Street", "Anna Smith", "SMITH".
        again = Detector(accepted, Key()) if accepted else None
        # What the researcher rejected stays, even when it is close to an accepted
        # value ("Wikipedia" rejected, "Wikimedia" accepted).
        rejected = {g.value.casefold() for g in scan.groups
                    if (d := decisions.get(g.key)) is not None and d.action == "reject"}
        for parsed, found in zip(scan.batch, scan.findings):
            replacements = []
            for finding in found:
                pseudonym = self._pseudonym(finding, decisions)
                if pseudonym is not None:
                    replacements.append(Replacement(finding.start, finding.end, pseudonym))
            if again is not None:
                replacements += self._other_forms(parsed.text, replacements, again,
                                                  rejected)
            replacements.sort(key=lambda r: r.start)
            anonymised = anonymise_parsed(parsed, replacements, scan.speakers)
            if positions is not None:
                positions.append(PositionMap(replacements))
            out.append(replace(anonymised, name=self.anonymise_name(parsed.name)))
        for label, role in scan.speakers.items():
            self.key.assign(label, "person", role)  # also when no text carried the label
        for group_key, decision in decisions.items():
            if decision.action == "reject":
                self.key.rejected.add(group_key)
        return out

    def _other_forms(self, text: str, done: list[Replacement], again: Detector,
                     rejected: set[str]) -> list[Replacement]:
        taken = [(r.start, r.end) for r in done]
        extra = []
        for finding in again.find(text):
            # An accepted common word ("Will") is replaced wherever it is capitalised.
            if finding.kind not in ("listed", "variant"):
                continue
            if finding.text.casefold() in rejected or \
                    canonical(finding.text, finding.category) in self.key.rejected:
                continue
            if any(start < finding.end and finding.start < end for start, end in taken):
                continue
            entry = self._record(finding, finding.category, finding.pseudonym)
            extra.append(Replacement(finding.start, finding.end, entry.pseudonym))
        return extra

    def _pseudonym(self, finding: Finding, decisions: dict[str, Decision]) -> str | None:
        if not finding.review:
            return self._record(finding, finding.category, finding.pseudonym).pseudonym
        decision = decisions.get(canonical(finding.value, finding.category))
        if decision is not None and decision.action == "accept":
            return self._record(finding, decision.category,
                                decision.pseudonym or finding.pseudonym).pseudonym
        if finding.kind != "candidate":
            # A listed name held for review ("Will"): still a real value, so the key
            # holds it and verify-anonymised reports where it was left.
            self._record(finding, finding.category, finding.pseudonym)
        return None

    def _record(self, finding: Finding, category: str, pseudonym: str | None):
        entry = self.key.assign(finding.value, category, pseudonym)
        if finding.text.casefold() != finding.value.casefold():
            # A spelling or format variant: remember it under the same pseudonym so
            # later imports and verify-anonymised know it too.
            self.key.assign(finding.text, entry.category, entry.pseudonym)
        return entry

    def anonymise_name(self, name: str) -> str:
        """File names can carry names too ("interview_john_smith")."""
        readable = name.replace("_", " ")
        return self._replaced(name, [f for f in self.detector.find(readable)
                                     if not f.review])

    def anonymise_short(self, text: str) -> str:
        """A short text that came with the transcripts (a memo, a case's or a code's
        name, guidance): every listed value and every value the key knows goes, in
        its case, possessive and spelling forms. A listed name that is also a word
        ("Mark", "Rose") goes wherever it is capitalised, as `--non-interactive`
        does in transcripts; nobody reviews these texts, so unlisted names are not
        looked for: list them, or add them to the key by reviewing the transcripts."""
        found = [f for f in self.detector.find(text)
                 if not f.review or (f.kind == "listed" and f.text[:1].isupper())]
        return self._replaced(text, found)

    def _replaced(self, text: str, found: list) -> str:
        if not found:
            return text
        replacements = []
        for finding in found:
            entry = self.key.lookup(finding.value, finding.category) or self.key.assign(
                finding.value, finding.category, finding.pseudonym)
            replacements.append(Replacement(finding.start, finding.end, entry.pseudonym))
        from qcode.core.anonymise.apply import apply_replacements

        return apply_replacements(text, replacements)


def speaker_names(batch: list[ParsedTranscript], cases: list[str | None],
                  identifiers: list[Identifier], key: Key
                  ) -> list[tuple[Identifier, str]]:
    """Speaker labels that name people, as listed values with a role label for
    pseudonym ("Barry Solow" -> "Interviewer"), each with the words of the name
    ("Barry", "Solow") under the same pseudonym. Each with the label it came from.

    A label keeps the pseudonym the key or the researcher's list gave it; otherwise it
    gets the role its first transcript suggests, so it is the same across the batch."""
    chosen = {canonical(i.value, i.category): i.pseudonym for i in identifiers
              if i.pseudonym}
    pseudonyms = {e.pseudonym.casefold() for e in key.entries.values()}
    labels: dict[str, str] = {}
    for parsed, case in zip(batch, cases):
        suggestions = _speaker_suggestions(parsed, case)
        for label in dict.fromkeys(t.speaker for t in parsed.turns if t.speaker):
            folded = canonical(label, "person")
            if (label in labels or ROLE_LABEL.match(label) or generic_label(label)
                    or folded in key.rejected or label.casefold() in pseudonyms
                    or not TOKEN.search(label)):
                continue
            entry = key.lookup(label, "person")
            role = entry.pseudonym if entry else chosen.get(folded) or suggestions.get(label)
            if role:
                labels[label] = role
    names: list[tuple[Identifier, str]] = []
    parts: dict[str, tuple[str, str | None, str]] = {}  # word -> (word, pseudonym, label)
    for label, role in labels.items():
        names.append((Identifier(label, "person", role), label))
        for word in TOKEN.findall(label):
            folded = word.casefold()
            if (len(word) < 2 or not word.isalpha() or folded in TITLES
                    or folded in ROLE_WORDS or folded in pseudonyms
                    or lexicon.is_common_proper(word) or lexicon.is_filler(word)):
                continue
            entry = key.lookup(word, "person")
            pseudonym = entry.pseudonym if entry else chosen.get(folded, role)
            if folded not in parts:
                parts[folded] = (word, pseudonym, label)
            elif parts[folded][1] != pseudonym:
                # Two speakers share the name: neither pseudonym is safe, so the word is
                # left to the candidate finder and the researcher.
                parts[folded] = (word, None, label)
    names += [(Identifier(word, "person", pseudonym), label)
              for word, pseudonym, label in parts.values() if pseudonym is not None]
    return names


def accept_listed(scan: Scan) -> dict[str, Decision]:
    """Decisions for the review groups made only of listed values that are also common
    words ("Mark", "Rose"): the researcher listed them, so where they are capitalised
    they are taken as the name (lowercase words never match). Used where nobody is
    asked: the demo and --non-interactive."""
    return {g.key: Decision("accept", g.category, g.suggestion)
            for g in scan.groups if g.listed}


def _speaker_suggestions(parsed: ParsedTranscript, case: str | None) -> dict[str, str]:
    """Role labels to offer for speakers named in labels: the one who talks most is the
    participant (the case's name), the other named speakers interviewers."""
    words: Counter[str] = Counter()
    for turn in parsed.turns:
        if turn.speaker:
            words[turn.speaker] += len(parsed.text[turn.start:turn.end].split())
    # A role label ("P01") counts: the participant may be the one not named.
    ranked = [speaker for speaker, _ in words.most_common()
              if ROLE_LABEL.match(speaker) or not generic_label(speaker)]
    if not ranked:
        return {}
    suggestions = {ranked[0]: case or "Participant"}
    others = [s for s in ranked[1:] if not ROLE_LABEL.match(s)]
    for number, speaker in enumerate(others, start=1):
        suggestions[speaker] = "Interviewer" if len(others) == 1 else f"Interviewer {number}"
    return suggestions


# -- the non-interactive report and decisions file -----------------------------------

ENCRYPTED_REPORT = "qcode-review-encrypted"
REPORT_COLUMNS = ("decision", "value", "category", "pseudonym", "occurrences", "reason",
                  "context")


def write_report(scan: Scan, path: Path, passphrase: str | None = None,
                 project: Path | None = None, key: Path | None = None,
                 force: bool = False) -> None:
    """Unresolved candidates as a CSV a researcher can fill in (decision: accept or
    reject) and give back with --decisions. It holds real values, so it is written as
    the key is: only its owner may read it, sealed with the key's passphrase when the
    key is encrypted, and never over the project, the key or (unless `force`) any
    other file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_COLUMNS)
    for group in scan.groups:
        writer.writerow(["", group.value, group.category, group.suggestion or "",
                         len(group.occurrences), group.reason,
                         " | ".join(group.contexts(scan.batch))])
    data = buffer.getvalue().encode("utf-8")
    if passphrase:
        data = json.dumps(encrypt(data, passphrase, ENCRYPTED_REPORT)).encode("ascii")
    outputs.write(path, data, project, key, force)


class DecisionsError(Exception):
    pass


def read_decisions(path: Path, passphrase: str | None = None) -> dict[str, Decision]:
    """A filled-in review file, plain or sealed with the key's passphrase."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DecisionsError(f"{path}: no such file") from None
    if is_encrypted(path, ENCRYPTED_REPORT):
        if passphrase is None:
            raise DecisionsError(f"{path}: the review file is encrypted; give the key's "
                                 "passphrase")
        data = decrypt(json.loads(data), passphrase, path, "review file")
    try:
        rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    except UnicodeDecodeError:
        raise DecisionsError(f"{path}: not a UTF-8 text file") from None
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
