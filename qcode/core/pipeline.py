"""The import flow in one place: parse -> anonymise (asking a Reviewer what only a
person can decide) -> store, and a report of what happened. The command line, the
demo and other callers supply the reviewer; none of them conducts the flow itself, so
no path can skip a step."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from qcode.core.anonymise.identifiers import Identifier
from qcode.core.anonymise.key import Key
from qcode.core.anonymise.review import (Anonymiser, Decision, DecisionsError,
                                         ReviewGroup, Scan, SpeakerEvidence, accept_listed)
from qcode.core.model import Transcript
from qcode.core.ingest import (ImportReport, cases_for, explicit_cases, parse_files,
                               store_parsed)
from qcode.core.participants import Participant
from qcode.core.store import Project, ProjectError
from qcode.core.wording import plural

REQUIRE_ANONYMISATION = "require_anonymisation"


class Reviewer(Protocol):
    """Whoever decides what the anonymiser cannot: the prompt, the review screen, or
    nobody (NonInteractive)."""

    def decide(self, scan: Scan, groups: list[ReviewGroup], key: Key
               ) -> dict[str, Decision]:
        """A decision for each group the reviewer settles; the rest stay open."""

    def interviewers(self, transcript: str, labels: list[str]) -> list[str] | None:
        """Which of the transcript's speaker labels (that name people) interview;
        None when the reviewer cannot tell (neutral labels are used)."""


class NonInteractive:
    """Nobody is asked. A listed value that is also a common word ("Will") is the name
    where capitalised, since the researcher listed it; every unlisted candidate stays
    open; speakers without evidence of their role get neutral labels."""

    def decide(self, scan: Scan, groups: list[ReviewGroup], key: Key
               ) -> dict[str, Decision]:
        wanted = {g.key for g in groups}
        return {k: d for k, d in accept_listed(scan).items() if k in wanted}

    def interviewers(self, transcript: str, labels: list[str]) -> list[str] | None:
        return None


@dataclass
class Anonymisation:
    key: Key
    reviewer: Reviewer
    identifiers: list[Identifier] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)  # from a decisions file
    interviewers: tuple[str, ...] = ()  # speaker labels the researcher named
    store_unreviewed: bool = False
    decisions_file: Path | None = None  # where `decisions` came from, to name it
    # Called once the key holds every pseudonym and before anything is stored: a
    # pseudonym must never be stored without the key that explains it.
    save_key: Callable[[], None] = lambda: None


@dataclass
class AnonymisedBatch:
    items: list[tuple[Path, Transcript]]
    cases: list[str | None]
    replaced: list[Counter[str]]    # per transcript: how many replacements, by category
    unresolved: list[bool]          # per transcript: does it hold an open candidate?
    open: Scan | None               # the open candidates, for the review file
    neutral: list[int]              # transcripts whose speakers got neutral labels
    warnings: list[str]             # each names its transcript
    anonymiser: Anonymiser


def anonymise_batch(items: list[tuple[Path, Transcript]], cases: list[str | None],
                    anonymisation: Anonymisation,
                    evidence: list[SpeakerEvidence] | None = None,
                    positions: list | None = None,
                    stored: Callable[[Decision], bool] = lambda decision: False
                    ) -> AnonymisedBatch:
    """Scan, review and anonymise a parsed batch in memory; `positions` receives each
    transcript's map from old to new positions; `stored` says whether a decision's
    value is in a transcript already stored (a decisions file may be for those)."""
    key, reviewer = anonymisation.key, anonymisation.reviewer
    anonymiser = Anonymiser(anonymisation.identifiers, key)
    batch = [parsed for _, parsed in items]
    evidence = evidence or [SpeakerEvidence()] * len(batch)
    if anonymisation.interviewers:
        evidence = [SpeakerEvidence(e.interviewers | set(anonymisation.interviewers),
                                    e.participants) for e in evidence]
    scan = anonymiser.scan(batch, cases, evidence, ask=reviewer.interviewers)
    if anonymisation.decisions_file is not None:
        refuse_unknown_decisions(scan, anonymisation.decisions, key,
                                 anonymisation.decisions_file, stored)
    decisions = dict(anonymisation.decisions)
    groups = [g for g in scan.groups if g.key not in decisions]
    if groups:
        decisions.update(reviewer.decide(scan, groups, key))
    still_open = [g for g in scan.groups if g.key not in decisions]
    anonymised = anonymiser.apply(scan, decisions, positions)
    unresolved = {index for g in still_open for index, _ in g.occurrences}
    return AnonymisedBatch(
        [(path, parsed) for (path, _), parsed in zip(items, anonymised)],
        [anonymised_name(anonymiser, case) if case else None for case in cases],
        anonymiser.counts, [i in unresolved for i in range(len(batch))],
        Scan(scan.batch, scan.findings, still_open) if still_open else None,
        scan.neutral, scan.warnings, anonymiser)


def anonymised_name(anonymiser: Anonymiser, name: str) -> str:
    """The one rule for a name that came with a transcript of the batch, its own name
    or its case's: such names are offered for review with the text, so each loses what
    is listed, in the key or accepted, and keeps a candidate nobody decided, as the
    text does (the transcript is then held back, or recorded as stored unreviewed).
    The undecided candidate stays out of the key."""
    return anonymiser.anonymise_name(name)


def unreviewed_case_name(anonymiser: Anonymiser, name: str) -> str:
    """A case name nobody was offered for review (a case with no transcript in the
    batch) loses anything that may be a name, since nobody will decide it: privacy
    first, at the cost of a pseudonym in the key for an ordinary word."""
    return anonymiser.anonymise_case(name)


def refuse_unknown_decisions(scan: Scan, decisions: dict[str, Decision], key: Key,
                             path: Path, stored: Callable[[Decision], bool]) -> None:
    """A decisions file made for other transcripts would decide nothing here, silently.
    The values are counted, not shown: they are real names, and terminals are logged."""
    candidates = {group.key for group in scan.groups}
    unknown = [value for value, decision in decisions.items()
               if value not in candidates
               # decided before and already in the key, as when importing again
               and value not in (key.entries if decision.action == "accept"
                                 else key.rejected)
               # for a transcript stored earlier with its candidates open
               and not stored(decision)]
    if unknown:
        raise DecisionsError(
            f"{path}: {plural(len(unknown), 'decision')} for values that are not among "
            "the candidates of these transcripts (not shown: they are real values); give "
            "the review file written for them")


def evidence_for(items: list[tuple[Path, Transcript]],
                 participants: list[Participant] | None) -> list[SpeakerEvidence]:
    """The roles the participants file gives, per transcript (by its `file`)."""
    by_file = {p.file: p for p in participants or [] if p.file}
    out = []
    for path, _ in items:
        participant = by_file.get(path.name)
        out.append(SpeakerEvidence(
            frozenset(participant.interviewers) if participant else frozenset(),
            frozenset([participant.speaker]) if participant and participant.speaker
            else frozenset()))
    return out


@dataclass
class PipelineReport(ImportReport):
    anonymised: bool = False
    replaced: dict[str, Counter[str]] = field(default_factory=dict)  # by transcript name
    held: list[tuple[Path, str]] = field(default_factory=list)  # file, anonymised name
    stored_unreviewed: list[str] = field(default_factory=list)
    neutral: list[str] = field(default_factory=list)  # file names
    checks: list[str] = field(default_factory=list)  # the anonymiser's, for the researcher
    open: Scan | None = None
    redacted: dict[str, int] = field(default_factory=dict)  # earlier transcripts
    redacted_elsewhere: int = 0  # names, memos, the event log ... of earlier work
    undo_lost: int = 0  # earlier actions that can no longer be undone
    unscrubbed: bool = False  # old text left in the WAL (another program had it open)
    merged: dict = field(default_factory=dict)  # what another tool's project added


def require_anonymisation(project: Project) -> None:
    project.set_setting(REQUIRE_ANONYMISATION, "yes",
                        "imports into this project must be anonymised")


def requires_anonymisation(project: Project) -> bool:
    return project.meta(REQUIRE_ANONYMISATION) == "yes"


def refuse_unanonymised(project: Project, anonymisation: Anonymisation | None) -> None:
    """The one refusal of a plain import into a project that requires anonymisation;
    a caller may ask it early, before reading a large file."""
    if anonymisation is None and requires_anonymisation(project):
        raise ProjectError(f"{project.path} requires anonymisation: import with "
                           "--anonymise --key KEYFILE")


def run_import(project: Project, paths: Iterable[Path], case: str | None = None,
               participants: list[Participant] | None = None,
               anonymisation: Anonymisation | None = None,
               on_file: Callable[[Path], None] | None = None,
               speaker_pattern=None) -> PipelineReport:
    """Parse, anonymise and store a batch. A transcript with a candidate nobody decided
    is held back (not stored) unless `store_unreviewed` says otherwise, which the
    project then records. Accepted decisions also reach transcripts stored before."""
    refuse_unanonymised(project, anonymisation)
    report = PipelineReport(anonymised=anonymisation is not None)
    items = parse_files(paths, report, speaker_pattern=speaker_pattern)
    given = explicit_cases(items, case, participants)
    keep = [True] * len(items)
    if anonymisation is not None:
        done = anonymise_batch(items, given, anonymisation, evidence_for(items, participants),
                               stored=lambda decision: _stored(project, decision))
        given_before = given
        items, given = done.items, done.cases
        report.checks = done.warnings
        report.open = done.open
        report.neutral = [items[i][0].name for i in done.neutral]
        keep = [anonymisation.store_unreviewed or not o for o in done.unresolved]
        for (path, parsed), counts, kept in zip(items, done.replaced, keep):
            report.replaced[parsed.name] = counts
            if not kept:
                report.held.append((path, parsed.name))
        reviewed = {case: named for case, named in zip(given_before, done.cases)
                    if case}
        participants = [_anonymised_participant(p, done.anonymiser, reviewed)
                        for p in participants or []]
        anonymisation.save_key()
    stored = [item for item, kept in zip(items, keep) if kept]
    cases = [c for c, kept in zip(cases_for(items, given), keep) if kept]
    earlier = {row.id: row.name for row in project.transcripts()}
    store_parsed(project, stored, cases, report, participants, on_file)
    if anonymisation is not None:
        imported = {name for _, name, _, _ in report.imported}
        unreviewed = [parsed.name for (_, parsed), open_ in zip(items, done.unresolved)
                      if open_ and parsed.name in imported]
        if unreviewed:
            record_unreviewed(project, unreviewed)
            report.stored_unreviewed = unreviewed
        redact_earlier(project, anonymisation, imported, report)
        settle_unreviewed(project, anonymisation, earlier)
    return report


def import_project(project: Project, exchange, source: str,
                   anonymisation: Anonymisation | None = None) -> PipelineReport:
    """Another tool's project (an ExchangeProject read from `source`) into this one,
    as `run_import` does for files: anonymised before it is stored, its transcripts
    with undecided candidates held back with everything on them, unless
    `store_unreviewed` (then recorded), and accepted decisions also applied to what
    is already here."""
    refuse_unanonymised(project, anonymisation)
    report = PipelineReport()
    if anonymisation is not None:
        report = anonymise_exchange(exchange, anonymisation,
                                    stored=lambda decision: _stored(project, decision))
    check_guids(project, exchange, source)
    earlier = {row.id: row.name for row in project.transcripts()}
    report.merged = project.import_exchange(exchange, source)
    if anonymisation is not None:
        if report.stored_unreviewed:
            record_unreviewed(project, report.stored_unreviewed)
        redact_earlier(project, anonymisation, {t.name for t in exchange.transcripts},
                       report)
        settle_unreviewed(project, anonymisation, earlier)
    return report


def check_guids(project: Project, exchange, source: str) -> None:
    """The file's GUIDs against what the project holds, before anything is stored: its
    codebook is refused if a code has the GUID of another kind of thing here, and a
    user with a GUID another coder (or thing) has here gets one of its own."""
    from qcode.core.codebook import validate
    from qcode.core.exchange.qdpx_read import settle_users

    in_use = project.guids_in_use()
    exchange.codebook.source = exchange.codebook.source or source
    validate(exchange.codebook, taken={guid: what for guid, (what, _) in in_use.items()
                                       if what != "a code"})
    exchange.warnings += settle_users(exchange, in_use)


def anonymise_exchange(exchange, anonymisation: Anonymisation,
                       stored: Callable[[Decision], bool] = lambda decision: False
                       ) -> PipelineReport:
    """Anonymise another tool's project in memory, before anything of it is stored:
    its transcripts as any import's (codings and resolutions moved with their text),
    and the short texts that came along. A transcript with a candidate nobody decided
    is taken out of `exchange` with its codings, resolutions and memos, unless
    `store_unreviewed`. The key is saved once it holds every pseudonym."""
    from qcode.core.exchange.project_import import (as_parsed, carry_anonymisation,
                                                    hold_back)

    items, given = as_parsed(exchange)
    positions: list = []
    done = anonymise_batch(items, given, anonymisation, positions=positions,
                           stored=stored)
    report = PipelineReport(anonymised=True, checks=done.warnings, open=done.open,
                            neutral=[items[i][0].name for i in done.neutral])
    reviewed = {case: named for case, named in zip(given, done.cases) if case}
    carry_anonymisation(exchange, [parsed for _, parsed in done.items], positions,
                        done.anonymiser.anonymise_short,
                        lambda name: reviewed.get(name) or unreviewed_case_name(
                            done.anonymiser, name))
    held = set()
    for (path, _), (_, parsed), transcript, counts, open_ in zip(
            items, done.items, exchange.transcripts, done.replaced, done.unresolved):
        report.replaced[transcript.name] = counts
        if open_ and not anonymisation.store_unreviewed:
            held.add(transcript.guid)
            report.held.append((path, transcript.name))
            continue
        if open_:
            report.stored_unreviewed.append(transcript.name)
        report.imported.append((path, transcript.name, parsed.word_count,
                                len(parsed.turns)))
    hold_back(exchange, held)
    anonymisation.save_key()
    return report


def _stored(project: Project, decision: Decision) -> bool:
    """Whether a decided value occurs in a transcript already in the project: in its
    text, or in its name, source file name or case name (offered for review too)."""
    from qcode.core.anonymise.detect import Detector
    from qcode.core.anonymise.review import as_words

    if not decision.value:
        return False
    finder = Detector([Identifier(decision.value, decision.category)], Key())

    def holds(text: str) -> bool:
        return any(f.kind in ("listed", "variant") for f in finder.find(text))

    return any(holds(project.transcript_text(row.id))
               or any(holds(as_words(name)) for name in (row.name, row.source_file,
                                                         row.case) if name)
               for row in project.transcripts())


def _anonymised_participant(participant: Participant, anonymiser: Anonymiser,
                            reviewed: dict[str, str]) -> Participant:
    # Attributes are kept as given (the researcher's categories); the case name is
    # where a participant's real name turns up: as its transcript's case became, or,
    # with no transcript in the batch, by the rule for names nobody reviews.
    case = reviewed.get(participant.case) or unreviewed_case_name(anonymiser,
                                                                  participant.case)
    return Participant(case, participant.file, participant.attributes)


def record_unreviewed(project: Project, names: list[str]) -> None:
    """--store-unreviewed is a choice the project remembers: which transcripts (by
    their anonymised names) went in with candidates nobody decided."""
    project.set_unreviewed_record(
        list(dict.fromkeys(project.unreviewed_record() + names)),
        f"stored {len(names)} transcript(s) with unreviewed candidates: "
        + ", ".join(names), transcripts=names)


def settle_unreviewed(project: Project, anonymisation: Anonymisation,
                      earlier: dict[int, str]) -> None:
    """After a decisions file, the record of transcripts stored unreviewed keeps only
    those that still hold a candidate the key leaves open (in their text, name or
    case), under their names now, since a name may have lost an accepted value.
    `earlier`: the transcripts here before this import, id -> name."""
    recorded = project.unreviewed_record()
    if not anonymisation.decisions or not recorded:
        return
    now = {earlier[row.id]: row for row in project.transcripts()
           if earlier.get(row.id) in recorded}
    rows = list(now.values())
    scan = Anonymiser(anonymisation.identifiers, anonymisation.key).scan(
        [project.stored_transcript(row.id) for row in rows], [row.case for row in rows])
    still_open = {rows[index].id for group in scan.groups
                  for index, _ in group.occurrences}
    kept, reviewed = [], []
    for name in recorded:
        row = now.get(name)
        if row is None:  # stored by this import, or no longer here
            kept.append(name)
        elif row.id in still_open:
            kept.append(row.name)
        else:
            reviewed.append(row.name)
    if kept == recorded:
        return
    project.set_unreviewed_record(
        kept,
        f"after the decisions, {len(kept)} transcript(s) stored unreviewed still hold "
        f"undecided candidates; reviewed now: {', '.join(reviewed) or 'none'}",
        transcripts=kept, reviewed=reviewed)


def redact_earlier(project: Project, anonymisation: Anonymisation, just_stored: set[str],
                   report: PipelineReport) -> None:
    """Values accepted in a decisions file also leave what is already in the project,
    as `redact --all` does: the texts of earlier transcripts (codings re-anchored),
    names of transcripts, source files and cases, attributes, memos and the event log;
    an earlier action whose undo data held a value can then no longer be undone."""
    from qcode.core.anonymise.redact import apply_sweep, sweep

    # The longest first: "Tobias Wrenfield" is one value, not "Tobias" and a rest.
    accepted = sorted((d for d in anonymisation.decisions.values()
                       if d.action == "accept" and d.value),
                      key=lambda d: -len(d.value))
    earlier = [row.id for row in project.transcripts() if row.name not in just_stored]
    changed = False
    for decision in accepted:
        found = sweep(project, decision.value, decision.category, decision.pseudonym,
                      anonymisation.key, earlier)
        if not found.count:
            continue
        anonymisation.save_key()  # the pseudonym is explained before it is stored
        apply_sweep(project, found)
        changed = True
        for transcript_id, _, count in found.transcripts:
            name = project.stored_transcript(transcript_id).name
            report.redacted[name] = report.redacted.get(name, 0) + count
        report.redacted_elsewhere += found.count - found.in_transcripts
        report.undo_lost += sum(1 for *_, reason in found.events if reason)
    # The old text must not stay in free pages or the WAL; another program that has the
    # project open keeps it there, which the researcher is told.
    report.unscrubbed = changed and not project.scrub()
