"""Scanning a batch of transcripts, grouping what needs a person's decision, and
turning decisions into anonymised transcripts.

The real text never leaves memory: only the anonymised Transcript is handed on
to the project, and the key (real value -> pseudonym) is saved to the researcher's file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from qcode.core.errors import QcodeError
from qcode.core.anonymise.apply import PositionMap, Replacement, anonymise_parsed
from qcode.core.anonymise import lexicon
from qcode.core.anonymise.detect import (ROLE_LABEL, ROLE_WORDS, TITLES, TOKEN, Detector,
                                         Finding, generic_label)
from qcode.core.anonymise.identifiers import CATEGORIES, Identifier, normalise_category
from qcode.core.anonymise.key import Key, decrypt, encrypt, is_encrypted
from qcode.core.anonymise.patterns import canonical
from qcode.core import outputs
from qcode.core.model import Transcript

DECISIONS = ("accept", "reject")


@dataclass
class ReviewGroup:
    """Every occurrence of one uncertain value across the batch: decided once."""

    value: str
    category: str
    reason: str
    occurrences: list[tuple[int, Finding]] = field(default_factory=list)
    suggestion: str | None = None
    # Occurrences (by their number in `occurrences`) that stand in a transcript's file
    # name or case name, not its text: what holds them ("file name") and that name.
    in_names: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return canonical(self.value, self.category)

    @property
    def listed(self) -> bool:
        """Every occurrence is a listed value (or a speaker's name) held only because it
        is also a common word, as opposed to a candidate nobody listed."""
        return all(f.kind != "candidate" for _, f in self.occurrences)

    def contexts(self, batch: list[Transcript], limit: int = 3,
                 width: int = 35) -> list[str]:
        """Keyword-in-context lines: '... before [VALUE] after ...'."""
        lines = []
        for number, (index, finding) in enumerate(self.occurrences[:limit]):
            if number in self.in_names:
                what, name = self.in_names[number]
                lines.append(f"{batch[index].name}: {what} '{name[:finding.start]}"
                             f"[{finding.text}]{name[finding.end:]}'")
                continue
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
    value: str | None = None        # as written in a decisions file


@dataclass
class Scan:
    batch: list[Transcript]
    findings: list[list[Finding]]
    groups: list[ReviewGroup]
    warnings: list[str] = field(default_factory=list)  # for the researcher, before import
    # Per transcript: named label -> role label; and the transcripts whose labels are
    # neutral ("Speaker 1") because nothing said who interviews.
    speakers: list[dict[str, str]] = field(default_factory=list)
    neutral: list[int] = field(default_factory=list)


class Anonymiser:
    def __init__(self, identifiers: list[Identifier], key: Key):
        self.identifiers = identifiers
        self.key = key
        self.detector = Detector(identifiers, key)
        self.speakers: list[tuple[Identifier, str]] = []
        self.counts: list[Counter[str]] = []  # per transcript of the last apply

    def scan(self, batch: list[Transcript], cases: list[str | None] | None = None,
             evidence: list[SpeakerEvidence] | None = None,
             ask: AskInterviewers | None = None) -> Scan:
        plan = speaker_names(batch, cases or [None] * len(batch), self.identifiers,
                             self.key, evidence, ask)
        if plan.names:
            # The names in the labels are listed values for this batch, under the
            # person's pseudonym: replaced in labels and text alike, unreviewed.
            self.detector = Detector(self.identifiers, self.key, plan.names)
        self.speakers = plan.names
        detections = self.detector.detect_batch(
            [parsed.text for parsed in batch],
            [{t.label_start for t in parsed.turns if t.speaker and t.label_start is not None}
             for parsed in batch])
        findings, warnings = [], list(plan.notes)
        groups: dict[str, ReviewGroup] = {}
        for index, (parsed, detection) in enumerate(zip(batch, detections)):
            findings.append(detection.findings)
            warnings += _variants_taken(parsed.name, detection.findings)
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
        self._names_to_review(batch, cases or [None] * len(batch), groups)
        ordered = sorted(groups.values(), key=lambda g: (-len(g.occurrences), g.value))
        return Scan(batch, findings, ordered, warnings, plan.roles, plan.neutral)

    def _names_to_review(self, batch: list[Transcript], cases: list[str | None],
                         groups: dict[str, ReviewGroup]) -> None:
        """A name that stands only in a file name or a case name ("interview_jo_mbeki"
        for a text that never says "Mbeki") is a candidate like any other: offered for
        review with the name as its context, and left open when nobody decides."""
        in_text = set(groups)
        for index, (parsed, case) in enumerate(zip(batch, cases)):
            for what, name in (("file name", parsed.name), ("case name", case)):
                if not name:
                    continue
                for finding in self.detector.find(as_words(name)):
                    group_key = canonical(finding.value, finding.category)
                    if finding.kind != "candidate" or group_key in in_text \
                            or _extension(name, finding):
                        continue
                    group = groups.setdefault(group_key, ReviewGroup(
                        finding.value, finding.category,
                        f"{finding.reason}; only in a {what}"))
                    group.in_names[len(group.occurrences)] = (what, name)
                    group.occurrences.append((index, finding))

    def apply(self, scan: Scan, decisions: dict[str, Decision],
              positions: list[PositionMap] | None = None) -> list[Transcript]:
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
        self.counts = []
        for index, (parsed, found) in enumerate(zip(scan.batch, scan.findings)):
            roles = scan.speakers[index] if index < len(scan.speakers) else {}
            replacements = self._labels(parsed, roles)
            taken = [(r.start, r.end) for r in replacements]
            counts: Counter[str] = Counter()
            for finding in found:
                if any(start < finding.end and finding.start < end for start, end in taken):
                    continue
                pseudonym = self._pseudonym(finding, decisions)
                if pseudonym is not None:
                    replacements.append(Replacement(finding.start, finding.end, pseudonym))
                    counts[self._category(finding, decisions)] += 1
            if again is not None:
                extra = self._other_forms(parsed.text, replacements, again, rejected)
                for replacement, category in extra:
                    replacements.append(replacement)
                    counts[category] += 1
            counts["speaker label"] += len(taken)
            replacements.sort(key=lambda r: r.start)
            anonymised = anonymise_parsed(parsed, replacements, roles)
            if positions is not None:
                positions.append(PositionMap(replacements))
            out.append(anonymised)
            self.counts.append(+counts)
        for group_key, decision in decisions.items():
            if decision.action == "reject":
                self.key.rejected.add(group_key)
        # Names that came with the files (transcript, case and file names) go through
        # everything known now: the list, the key, and what was accepted in review.
        self.detector = Detector(self.identifiers + accepted, self.key, self.speakers)
        named = []
        for parsed, anonymised, counts in zip(scan.batch, out, self.counts):
            name = self.anonymise_name(parsed.name)
            if name != parsed.name:
                counts["file name"] += 1
            named.append(replace(anonymised, name=name))
        return named

    @staticmethod
    def _labels(parsed: Transcript, roles: dict[str, str]) -> list[Replacement]:
        """A named label standing in the text becomes its role label, whole."""
        return [Replacement(t.label_start, t.label_start + len(t.speaker), roles[t.speaker])
                for t in parsed.turns
                if t.speaker in roles and t.label_start is not None
                and parsed.text[t.label_start:t.label_start + len(t.speaker)] == t.speaker]

    @staticmethod
    def _category(finding: Finding, decisions: dict[str, Decision]) -> str:
        decision = decisions.get(canonical(finding.value, finding.category))
        return decision.category if finding.review and decision else finding.category

    def _other_forms(self, text: str, done: list[Replacement], again: Detector,
                     rejected: set[str]) -> list[tuple[Replacement, str]]:
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
            extra.append((Replacement(finding.start, finding.end, entry.pseudonym),
                          entry.category))
        return extra

    def _pseudonym(self, finding: Finding, decisions: dict[str, Decision]) -> str | None:
        if not finding.review:
            return self._record(finding, finding.category, finding.pseudonym).pseudonym
        decision = decisions.get(canonical(finding.value, finding.category))
        if decision is not None and decision.action == "accept":
            pseudonym = decision.pseudonym or finding.pseudonym
            if pseudonym is None and finding.variant_of is not None:
                # Accepted as a misspelling of a listed value: that person's pseudonym.
                pseudonym = self.key.assign(finding.variant_of, decision.category).pseudonym
            return self._record(finding, decision.category, pseudonym).pseudonym
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
        """File names can carry names too ("interview_john_smith"): every listed value,
        speaker's name, key value and value accepted in review goes. File names are
        often in lowercase, where a name that is also a word ("castellan", "will")
        would pass for the word: each word is read as capitalised."""
        readable = as_words(name)
        return self._replaced(name, [f for f in self.detector.find(readable)
                                     if not f.review or f.kind in ("listed", "speaker")])

    def anonymise_case(self, name: str) -> str:
        """A case is named by the researcher, often after the participant: anything in
        it that may be a name goes, unlisted candidates included, since nobody reviews
        it and it names the whole case ("Ann Smithfield" -> "[Person 3]")."""
        readable = as_words(name)
        return self._replaced(name, self.detector.find(readable))

    def anonymise_short(self, text: str) -> str:
        """A short text that came with the transcripts (a memo, a case's or a code's
        name, guidance): every listed value and every value the key knows goes, in
        its case, possessive and spelling forms. A listed name that is also a word
        ("Mark", "Rose") goes wherever it is capitalised, as `--non-interactive`
        does in transcripts; nobody reviews these texts, so unlisted names are not
        looked for: list them, or add them to the key by reviewing the transcripts."""
        found = [f for f in self.detector.find(text)
                 if not f.review or (f.kind == "listed" and f.text[:1].isupper())
                 or _misspelt_listed(f)]
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


def _misspelt_listed(finding: Finding) -> bool:
    """A capitalised word near a listed value that is neither an ordinary word nor a
    first name ("Okafur" for "Okafor"): in a transcript it is proposed for review, but
    nobody reviews a memo, so there it goes as the listed value's misspelling. "Emmy"
    near "Emma" and "Thirsty" near "Kirsty" stay: each is more likely a word or
    another person."""
    words = TOKEN.findall(finding.text)
    return (finding.variant_of is not None and finding.text[:1].isupper()
            and not any(lexicon.is_ordinary(w) or lexicon.is_first_name(w) for w in words))


def _variants_taken(name: str, findings: list[Finding]) -> list[str]:
    """Spelling variants replaced without asking, said once each: only beside the rest
    of their value ("Kirstie Miles" for "Kirsty Miles"), never silently."""
    taken = dict.fromkeys((f.text, f.value) for f in findings if f.kind == "variant")
    return [f"{name}: '{text}' was taken for a spelling variant of the listed '{value}' "
            f"(the rest of the name stands beside it); if it is someone else, list it"
            for text, value in taken]


def _extension(name: str, finding: Finding) -> bool:
    """Whether a finding is the file type that ends a name ("p03.docx"), not a word."""
    return finding.end == len(name) and name[finding.start - 1:finding.start] == "."


@dataclass
class SpeakerEvidence:
    """What the researcher said about who speaks in one transcript: speaker labels (as
    written) of the interviewers and of the participant. Only this decides roles; how
    much someone talks does not (the interviewer may talk most)."""

    interviewers: frozenset[str] = frozenset()
    participants: frozenset[str] = frozenset()

    def role_of(self, label: str) -> str | None:
        folded = label.casefold()
        if folded in {i.casefold() for i in self.interviewers}:
            return "interviewer"
        if folded in {p.casefold() for p in self.participants}:
            return "participant"
        return None


@dataclass
class SpeakerPlan:
    """Speaker labels that name people, decided for a batch: `names` are the listed
    values the detector replaces in the text (each with the label it came from, under
    the person's one pseudonym); `roles` gives, per transcript, the role label each
    named label becomes; `neutral` the transcripts whose labels became "Speaker N"
    because nothing said who interviews."""

    names: list[tuple[Identifier, str]] = field(default_factory=list)
    roles: list[dict[str, str]] = field(default_factory=list)
    neutral: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how role-like labels were read


# Asked when a transcript's labels name people and nothing says who interviews, with
# the transcript's name and those labels: the interviewers' labels, or None (neutral).
AskInterviewers = Callable[[str, list[str]], "list[str] | None"]


def named_labels(parsed: Transcript, key: Key) -> list[str]:
    """The transcript's speaker labels that name people, in order of first appearance."""
    pseudonyms = {e.pseudonym.casefold() for e in key.entries.values()}
    return [label for label in dict.fromkeys(t.speaker for t in parsed.turns if t.speaker)
            # One ordinary word may be a surname ("Castellan", "Smith"): only a label
            # of several ordinary words ("Multiple Speakers") surely names nobody.
            if not (ROLE_LABEL.match(label) or (generic_label(label) and " " in label)
                    or canonical(label, "person") in key.rejected
                    or label.casefold() in pseudonyms or not TOKEN.search(label))]


def as_words(name: str) -> str:
    readable = name.replace("_", " ")
    titled = readable.title()
    # Positions must stay those of `name` (title() keeps the length of nearly all text).
    return titled if len(titled) == len(readable) else readable


def speaker_names(batch: list[Transcript], cases: list[str | None],
                  identifiers: list[Identifier], key: Key,
                  evidence: list[SpeakerEvidence] | None = None,
                  ask: AskInterviewers | None = None) -> SpeakerPlan:
    """Speaker labels that name people ("Barry Solow"): each gets a role label in its
    transcript from explicit evidence only (the key or list giving a role, the
    researcher's `evidence`, or `ask`), else neutral labels "Speaker 1", "Speaker 2" in
    order of first appearance. The name itself, wherever it stands in the text, gets
    the person's one pseudonym: the key's, the list's, a distinctive role ("P03"), or
    a new "[Person N]"; so two participants never share one, and a label is never
    "[Person 6]"."""
    chosen = {canonical(i.value, i.category): i.pseudonym for i in identifiers
              if i.pseudonym}
    evidence = evidence or [SpeakerEvidence()] * len(batch)
    plan = SpeakerPlan()
    pseudonym_of: dict[str, str] = {}
    first_in: dict[str, str] = {}  # label -> the transcript it first stands in
    for index, (parsed, case, said) in enumerate(zip(batch, cases, evidence)):
        labels = named_labels(parsed, key)
        roles = _roles(labels, case, said, key, chosen)
        undecided = [label for label in labels if label not in roles]
        if undecided and ask is not None:
            interviewers = ask(parsed.name, labels)
            if interviewers is not None:
                roles = _roles(labels, case, SpeakerEvidence(
                    frozenset(interviewers), said.participants), key, chosen)
                undecided = [label for label in labels if label not in roles]
        if undecided:
            plan.neutral.append(index)
            for number, label in enumerate(undecided, start=1):
                roles[label] = f"Speaker {number}"
        plan.roles.append(roles)
        for label in labels:
            if label not in pseudonym_of:
                pseudonym_of[label] = _name_pseudonym(label, roles[label], key, chosen)
                first_in[label] = parsed.name
    pseudonyms = {e.pseudonym.casefold() for e in key.entries.values()}
    parts: dict[str, tuple[str, str | None, str]] = {}  # word -> (word, pseudonym, label)
    for label, pseudonym in pseudonym_of.items():
        plan.names.append((Identifier(label, "person", pseudonym), label))
        words, note = name_parts(label)
        if note:
            plan.notes.append(f"{first_in[label]}: {note}")
        for word in words:
            folded = word.casefold()
            if (len(word) < 2 or not word.isalpha() or folded in TITLES
                    or folded in pseudonyms or lexicon.is_common_proper(word)
                    or lexicon.is_filler(word)):
                continue
            entry = key.lookup(word, "person")
            mine = entry.pseudonym if entry else chosen.get(folded, pseudonym)
            if folded not in parts:
                parts[folded] = (word, mine, label)
            elif parts[folded][1] != mine:
                # Two speakers share the name: neither pseudonym is safe, so the word is
                # left to the candidate finder and the researcher.
                parts[folded] = (word, None, label)
    plan.names += [(Identifier(word, "person", pseudonym), label)
                   for word, pseudonym, label in parts.values() if pseudonym is not None]
    return plan


def name_parts(label: str) -> tuple[list[str], str | None]:
    """The words of a speaker label that may be a name, each then replaced wherever it
    stands alone, and what was decided when the label is a phrase rather than a name.
    Role words ("ACTOR", "NARRATOR") and function words ("AS", "OF") name nobody: "AS"
    taken for a name once replaced every "As" of the batch. In "<actor> AS <role>" the
    actor's words are a name (unless they are a role word); in the role played, as in
    any other phrase, only words that are no ordinary word, or first names, are kept
    ("ACTOR AS EINSTEIN": "EINSTEIN")."""
    words = TOKEN.findall(label)
    if not any(lexicon.is_function_word(w) for w in words):
        return [w for w in words if w.casefold() not in ROLE_WORDS], None
    folded = [w.casefold() for w in words]
    actor = folded.index("as") if "as" in folded[1:] else 0
    kept = [w for w in words[:actor] if w.casefold() not in ROLE_WORDS]
    kept += [w for w in words[actor:] if w.casefold() not in ROLE_WORDS
             and not lexicon.is_function_word(w)
             and (not lexicon.is_ordinary(w) or lexicon.is_english_first_name(w))]
    left = " ".join(w for w in words if w not in kept)
    return kept, (f"the speaker label '{label}' reads as a phrase, not one name: "
                  f"name words '{' '.join(kept)}', other words '{left}' (never replaced "
                  "on their own)" if kept else
                  f"the speaker label '{label}' reads as a phrase: no word of it is taken "
                  "for a name on its own")


GENERIC_ROLES = re.compile(r"^(?:Interviewer|Participant|Speaker)(?: \d+)?$")


def _roles(labels: list[str], case: str | None, said: SpeakerEvidence, key: Key,
           chosen: dict[str, str]) -> dict[str, str]:
    """The role label of each named label the evidence decides. A role the key or the
    list gives ("Interviewer", "P01") stands; one known side decides the other only
    when a single named label is left for it."""
    given = {}
    for label in labels:
        entry = key.lookup(label, "person")
        pseudonym = entry.pseudonym if entry else chosen.get(canonical(label, "person"))
        if pseudonym and not pseudonym.startswith("["):
            given[label] = pseudonym
    sides = {label: said.role_of(label) for label in labels if label not in given}
    left = [label for label, side in sides.items() if side is None]
    if len(left) == 1 and any(sides.values()):
        known = {side for side in sides.values() if side}
        if known == {"interviewer"}:
            sides[left[0]] = "participant"
        elif known == {"participant"}:
            sides[left[0]] = "interviewer"
    roles = dict(given)
    for side, name in (("interviewer", "Interviewer"),
                       ("participant", _participant_label(case))):
        these = [label for label, s in sides.items() if s == side]
        for number, label in enumerate(these, start=1):
            roles[label] = name if len(these) == 1 else f"{name} {number}"
    return roles


def _participant_label(case: str | None) -> str:
    """The case's own label ("P03") only when it is a role label, never a name."""
    return case if case and ROLE_LABEL.match(case) else "Participant"


def _name_pseudonym(label: str, role: str, key: Key, chosen: dict[str, str]) -> str:
    """One person, one pseudonym across project and key: the key's, the list's, the
    role when it is distinctive ("P03", not "Participant") and nobody else's, or a
    new "[Person N]"."""
    entry = key.lookup(label, "person")
    if entry is not None:
        return entry.pseudonym
    pseudonym = chosen.get(canonical(label, "person"))
    if not pseudonym and not GENERIC_ROLES.match(role) and not any(
            e.pseudonym == role for e in key.entries.values()):
        pseudonym = role
    return key.assign(label, "person", pseudonym or None).pseudonym


def accept_listed(scan: Scan) -> dict[str, Decision]:
    """Decisions for the review groups made only of listed values that are also common
    words ("Mark", "Rose"): the researcher listed them, so where they are capitalised
    they are taken as the name (lowercase words never match). Used where nobody is
    asked: the demo and --non-interactive."""
    return {g.key: Decision("accept", g.category, g.suggestion)
            for g in scan.groups if g.listed}


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


class DecisionsError(QcodeError):
    pass


def read_decisions(path: Path, passphrase: str | None = None) -> dict[str, Decision]:
    """A filled-in review file, plain or sealed with the key's passphrase."""
    return parse_decisions(open_review_file(path, passphrase), path)


def open_review_file(path: Path, passphrase: str | None = None) -> bytes:
    """The review file's CSV as bytes, unsealed with the key's passphrase if sealed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DecisionsError(f"{path}: no such file") from None
    except OSError as exc:
        raise DecisionsError(f"{path}: cannot read it ({exc.strerror})") from None
    if is_encrypted(path, ENCRYPTED_REPORT):
        if passphrase is None:
            raise DecisionsError(f"{path}: the review file is encrypted; give the key's "
                                 "passphrase")
        data = decrypt(json.loads(data), passphrase, path, "review file")
    return data


def seal_review_file(path: Path, data: bytes, passphrase: str,
                     key: Path | None = None) -> None:
    """A review file filled in outside qcode, sealed again in its place: checked first
    (a file that cannot be read back is refused, and the old one stays), then written
    as `write_report` writes it, replacing the file it came from in one step."""
    parse_decisions(data, path)
    sealed = json.dumps(encrypt(data, passphrase, ENCRYPTED_REPORT)).encode("ascii")
    outputs.write(path, sealed, key=key, force=True)


def parse_decisions(data: bytes, path: Path) -> dict[str, Decision]:
    try:
        rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    except UnicodeDecodeError:
        raise DecisionsError(f"{path}: not a UTF-8 text file") from None
    except csv.Error as exc:  # a NUL, a cell past the csv module's limit
        raise DecisionsError(f"{path}: invalid CSV: {exc}") from None
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
            action, category, (row.get("pseudonym") or "").strip() or None, value)
    return decisions
