"""Anonymisation commands and options. Thin: read the files the researcher names, let
them review what is uncertain, call the core."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from qcode.cli import commandline as cl

from qcode.cli.common import Strong, ask, can_ask, say

if TYPE_CHECKING:  # the anonymiser is loaded by the commands that use it (start-up time)
    from qcode.core.anonymise.key import Key
    from qcode.core.anonymise.review import Decision, Scan
    from qcode.core.model import Transcript

PASSPHRASE_ENV = "QCODE_KEY_PASSPHRASE"
REVIEWS = ("prompt", "screen")


def key_options(function):
    """--key, --identifiers and the review options shared by import and anonymise."""
    options = [
        cl.option("--key", "key_path", type=cl.Path(dir_okay=False, path_type=Path),
                  help="Key file (real value -> pseudonym), kept outside the project. "
                  "Created if missing; reused so pseudonyms stay consistent."),
        cl.option("--identifiers", type=cl.Path(dir_okay=False, path_type=Path),
                  help="CSV or YAML list of identifiers: value, category, pseudonym."),
        cl.option("--non-interactive", is_flag=True,
                  help="Apply only listed identifiers and patterns; write uncertain "
                  "candidates to a report instead of asking."),
        cl.option("--report", type=cl.Path(dir_okay=False, path_type=Path),
                  help="Where --non-interactive writes the candidates "
                  "(default: beside the key)."),
        cl.option("--decisions", type=cl.Path(dir_okay=False, path_type=Path),
                  help="A filled-in report: its accept/reject decisions are applied."),
        cl.option("--force", is_flag=True,
                  help="Replace an existing --report file (and, for anonymise, existing "
                  "files in --out)."),
        cl.option("--encrypt-key", is_flag=True,
                  help=f"Encrypt a new key with a passphrase (asked, or ${PASSPHRASE_ENV})."),
        cl.option("--review", type=cl.Choice(REVIEWS), default="prompt",
                  show_default=True,
                  help="How uncertain candidates are reviewed: one question at a time "
                  "(prompt), or all in a full-screen list (screen)."),
        cl.option("--interviewer", "interviewers", multiple=True, metavar="NAME",
                  help="A speaker label that is the interviewer (repeatable); the "
                  "other named speaker is the participant."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


store_unreviewed_option = cl.option(
    "--store-unreviewed", is_flag=True,
    help="With --non-interactive: store transcripts with undecided candidates anyway "
    "(recorded in the project) instead of holding them back.")


def refuse_without_anonymise(**options) -> None:
    """The anonymisation options mean nothing without --anonymise: saying so beats
    importing raw text the researcher believed would be anonymised."""
    given = [f"--{name.replace('_', '-')}" for name, value in options.items()
             if value and value != "prompt"]
    if given:
        raise cl.UsageError(f"{', '.join(given)} only work with --anonymise; add it, "
                            "or leave them out")


def passphrase_for(key_path: Path, encrypt: bool) -> str | None:
    from qcode.core.anonymise.key import is_encrypted

    needed = encrypt or is_encrypted(key_path)
    if not needed:
        return None
    return ask_passphrase(key_path, confirm=not key_path.exists())


def ask_passphrase(path: Path, confirm: bool = False) -> str:
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        raise cl.CommandError(
            f"{path} is encrypted; set {PASSPHRASE_ENV} to the key's passphrase")
    return ask(f"Passphrase for {path}", hide_input=True,
               confirmation_prompt=confirm)


def open_key(key_path: Path | None, encrypt: bool) -> tuple[Key, str | None]:
    if key_path is None:
        raise cl.UsageError("anonymisation needs --key KEYFILE (kept outside the project)")
    if not key_path.parent.is_dir():
        # Checked first: finding out after a long review would lose the review.
        raise cl.CommandError(f"{key_path}: there is no folder {key_path.parent} to "
                              "keep the key in; create it first")
    passphrase = passphrase_for(key_path, encrypt)
    from qcode.core.anonymise.key import load_key

    return load_key(key_path, passphrase), passphrase


def bind_key(key: Key, key_path: Path, project) -> None:
    """Bind the key and the open project to each other, or refuse (one line) a key that
    belongs elsewhere. Before anything is anonymised; the project records the key once
    the key is saved (`record_key`)."""
    from qcode.core.anonymise.key import bind_to_project

    say_note(bind_to_project(key, key_path, project))


def bind_key_to_new(key: Key, key_path: Path, path: Path, guid: str,
                    key_id: str | None = None) -> None:
    """bind_key for a project not written yet (or about to take another identity): it
    holds no pseudonyms."""
    from qcode.core.anonymise.key import bind

    say_note(bind(key, key_path, path, guid, key_id, lambda: False))


def say_note(note: str | None) -> None:
    if note:
        say(f"note: {note}", err=True)


def record_key(key: Key, project) -> None:
    """After the key is saved and before any pseudonym is stored: the project names the
    key its pseudonyms come from."""
    if project.key_id() != key.key_id:
        project.record_key(key.key_id)


@dataclass
class ReviewReport:
    """Where --non-interactive writes the candidates left open, and how a filled-in one
    is read back: with the key's protection (sealed with its passphrase when the key is
    encrypted), never over the project or the key, over another file only with --force."""

    path: Path
    key_path: Path
    passphrase: str | None = None
    project: Path | None = None
    force: bool = False

    def write(self, scan: Scan) -> None:
        from qcode.core.anonymise.review import write_report

        write_report(scan, self.path, self.passphrase, self.project, self.key_path,
                     self.force)

    def read(self, decisions: Path) -> dict[str, Decision]:
        from qcode.core.anonymise.key import is_encrypted
        from qcode.core.anonymise.review import ENCRYPTED_REPORT, read_decisions

        passphrase = self.passphrase
        if passphrase is None and is_encrypted(decisions, ENCRYPTED_REPORT):
            passphrase = ask_passphrase(decisions)
        return read_decisions(decisions, passphrase)


def review_report(report: Path | None, key_path: Path, passphrase: str | None,
                  project: Path | None = None, force: bool = False) -> ReviewReport:
    """The review report of a command. A --report named is checked now, before any
    work: it is refused if it exists (without --force). By default it goes beside the
    key, under the next free name, so a review file already there (perhaps filled in)
    is never replaced."""
    from qcode.core import outputs

    if report is not None:
        outputs.check(report, project, key_path, force)
        return ReviewReport(report, key_path, passphrase, project, force)
    path, number = key_path.with_name(f"{key_path.stem}-review.csv"), 1
    while path.exists():
        number += 1
        path = key_path.with_name(f"{key_path.stem}-review-{number}.csv")
    return ReviewReport(path, key_path, passphrase, project, force)


NO_TERMINAL = ("no terminal to ask in: use --non-interactive (with --decisions FILE "
               "once the review file is filled in); nothing was imported or written")


def refuse_without_terminal() -> None:
    """Questions with nobody to answer them (input from a file or a pipe) would end in
    a bare "Aborted!" or a prompt repeated forever: one line instead, before
    anything is stored or the key saved."""
    if not can_ask():
        raise cl.CommandError(NO_TERMINAL)


class PromptReviewer:
    """The review as questions on the terminal, one candidate at a time."""

    def decide(self, scan: Scan, groups, key: Key) -> dict[str, Decision]:
        refuse_without_terminal()
        return review_interactively(scan, groups, key)

    def interviewers(self, transcript: str, labels: list[str]) -> list[str] | None:
        refuse_without_terminal()
        return ask_interviewers(transcript, labels)


class ScreenReviewer(PromptReviewer):
    """The review as one full-screen list (Textual)."""

    def decide(self, scan: Scan, groups, key: Key) -> dict[str, Decision]:
        return review_on_screen(scan, groups, key)


def reviewer_for(non_interactive: bool, review: str):
    from qcode.core.pipeline import NonInteractive

    if non_interactive:
        return NonInteractive()
    return ScreenReviewer() if review == "screen" else PromptReviewer()


def anonymisation_for(key_path: Path | None, identifiers_path: Path | None,
                      non_interactive: bool, decisions_path: Path | None,
                      encrypt_key: bool, review: str, interviewers: tuple[str, ...],
                      store_unreviewed: bool, project, report_path: Path | None,
                      force: bool):
    """The options of the command as the pipeline's Anonymisation, and where its review
    file goes. The key is bound to the project before anything is read, and saved by
    the pipeline when it holds every pseudonym, before the project is written; the
    project then records which key its pseudonyms come from."""
    key, passphrase = open_key(key_path, encrypt_key)
    bind_key(key, key_path, project)
    anonymisation, report = anonymisation_with(
        key, key_path, passphrase, identifiers_path, non_interactive, decisions_path,
        review, interviewers, store_unreviewed, project.path, report_path, force)
    kept_for(anonymisation, key_path, passphrase, project)
    return anonymisation, report


def anonymisation_with(key: Key, key_path: Path, passphrase: str | None,
                       identifiers_path: Path | None, non_interactive: bool,
                       decisions_path: Path | None, review: str,
                       interviewers: tuple[str, ...], store_unreviewed: bool,
                       project_path: Path, report_path: Path | None, force: bool):
    """anonymisation_for with the key open and bound: the files named are read (and
    refused) before any project is written. Its key is saved by `kept_for`."""
    from qcode.core.anonymise.identifiers import read_identifiers
    from qcode.core.pipeline import Anonymisation

    report = review_report(report_path, key_path, passphrase, project_path, force)
    return Anonymisation(
        key, reviewer_for(non_interactive, review),
        read_identifiers(identifiers_path) if identifiers_path else [],
        report.read(decisions_path) if decisions_path else {},
        tuple(interviewers), store_unreviewed,
        decisions_file=decisions_path), report


def kept_for(anonymisation, key_path: Path, passphrase: str | None, project) -> None:
    """Where the pipeline saves the key, and the project that then records it."""

    def save() -> None:
        save_key(anonymisation.key, key_path, passphrase)
        record_key(anonymisation.key, project)

    anonymisation.save_key = save


def say_transcripts(outcome, verb: str = "imported") -> None:
    """One line per transcript: what it became and what was replaced in it, by
    category (counts, never values)."""
    for path, name, words, turns in outcome.imported:
        replaced = outcome.replaced.get(name)
        what = ("; replaced: " + ", ".join(f"{category} {n}" for category, n
                                           in sorted(replaced.items()))
                if replaced else "; nothing replaced" if outcome.anonymised else "")
        say(f"{verb} {path.name} as '{name}': {words:,} words, {turns} turns{what}")


def say_review(outcome, key_path: Path | None, report: ReviewReport | None) -> None:
    """What the anonymisation left to do and where: earlier work redacted, neutral
    speaker labels, the candidates nobody decided, what was held back or stored
    unreviewed and how to finish it, and where the key is."""
    for name, count in outcome.redacted.items():
        say(f"replaced {count} accepted value(s) in '{name}', already in the "
            "project (codings re-anchored)")
    if outcome.redacted_elsewhere:
        say(f"replaced {outcome.redacted_elsewhere} accepted value(s) in names, "
            "memos and the event log of what was already in the project"
            + (f"; {outcome.undo_lost} earlier action(s) can no longer be undone"
               if outcome.undo_lost else ""))
    if outcome.unscrubbed:
        say("warning: another program has the project open, so the old text is "
            "still in its WAL: close every qcode on it, then run 'qcode scrub'",
            err=True)
    say_neutral(outcome.neutral)
    if outcome.open is not None:
        report.write(outcome.open)
        say(f"{len(outcome.open.groups)} candidate(s) nobody decided are listed in "
            f"{report.path} (it holds real values: keep it with the key)", err=True)
    if outcome.held:
        say(f"held back {len(outcome.held)} transcript(s) with undecided candidates, "
            f"NOT imported: {', '.join(p.name for p, _ in outcome.held)}; fill in "
            "the decision column of that file and import them again with "
            "--decisions FILE (or --store-unreviewed to store them as they are)",
            err=True)
    if outcome.stored_unreviewed:
        say(f"stored {len(outcome.stored_unreviewed)} transcript(s) with undecided "
            "candidates (--store-unreviewed, recorded in the project); finish "
            "them with --decisions FILE", err=True)
    if outcome.anonymised:
        say(f"key: {key_path} (keep it outside the project)")


def anonymise_batch(items: list[tuple[Path, Transcript]], cases: list[str | None],
                    key: Key, identifiers_path: Path | None, non_interactive: bool,
                    report: ReviewReport, decisions_path: Path | None,
                    key_path: Path, review: str = "prompt",
                    interviewers: tuple[str, ...] = ()
                    ) -> list[tuple[Path, Transcript]]:
    """Anonymise a batch in memory without storing it (file to file)."""
    from qcode.core.anonymise.identifiers import read_identifiers
    from qcode.core.pipeline import Anonymisation
    from qcode.core.pipeline import anonymise_batch as anonymise

    anonymisation = Anonymisation(
        key, reviewer_for(non_interactive, review),
        read_identifiers(identifiers_path) if identifiers_path else [],
        report.read(decisions_path) if decisions_path else {}, tuple(interviewers),
        decisions_file=decisions_path)
    done = anonymise(items, cases, anonymisation)
    for warning in done.warnings:
        say(f"warning: {warning}", err=True)
    say_neutral([done.items[i][0].name for i in done.neutral])
    if done.open is not None:
        report.write(done.open)
        say(f"{len(done.open.groups)} candidate(s) left unresolved and NOT "
            f"replaced; review them in {report.path} (it holds real values: keep it "
            "with the key) and run again with --decisions", err=True)
    return done.items


def say_neutral(names: list[str]) -> None:
    if names:
        say(f"note: {', '.join(names)}: nothing says who interviews, so named "
            "speakers are labelled Speaker 1, Speaker 2 ... in order of first "
            "appearance; name the interviewer with --interviewer NAME or a "
            "'speaker'/'interviewer' column in --attributes", err=True)


def ask_interviewers(transcript: str, labels: list[str]) -> list[str] | None:
    """Roles come from the researcher, never from who talks most."""
    say(f"\n{transcript}: the speaker labels name people; who interviews?", err=True)
    for number, label in enumerate(labels, start=1):
        say(f"  {number}. {label}", err=True)
    while True:
        answer = ask("  interviewer number(s), comma-separated; n if none of them "
                     "interviews; s to say nothing (labels Speaker 1, 2 ...)",
                     err=True).strip().lower()
        if answer == "s":
            return None
        if answer == "n":
            return []
        try:
            return [labels[int(n) - 1] for n in answer.split(",") if n.strip()]
        except (ValueError, IndexError):
            say(f"  type numbers from 1 to {len(labels)}, n or s", err=True)


ANSWERS = {"a": "accept", "r": "reject", "m": "map to an existing pseudonym",
           "c": "choose another category", "A": "accept all remaining",
           "R": "reject all remaining", "q": "quit without importing"}


def review_interactively(scan: Scan, groups, key: Key) -> dict[str, Decision]:
    """One question per candidate, shown in context. No answer is the default: an
    Enter that accepted would replace ordinary words in bulk."""
    from qcode.core.anonymise.identifiers import CATEGORIES
    from qcode.core.anonymise.review import Decision

    say(f"{len(groups)} possible identifier(s) to review. For each, type one of: "
        + ", ".join(f"[{k}] {v}" for k, v in ANSWERS.items()) + ".", err=True)
    decisions: dict[str, Decision] = {}
    categories = list(CATEGORIES)
    for number, group in enumerate(groups, start=1):
        say("", err=True)
        suggestion = f", suggested: {group.suggestion}" if group.suggestion else ""
        say(Strong(f"[{number}/{len(groups)}] {group.value}"),
            f"  ({group.category}; {group.reason}; "
            f"{len(group.occurrences)} occurrence(s){suggestion})", err=True)
        for line in group.contexts(scan.batch):
            say(f"    {line}", err=True)
        category = group.category
        while True:
            answer = ask("  decision", type=cl.Choice(list(ANSWERS)),
                         show_choices=True, err=True)
            if answer == "q":
                raise cl.CommandError("review stopped: nothing was imported or written")
            if answer in ("A", "R"):
                action = "accept" if answer == "A" else "reject"
                for rest in groups[number - 1:]:
                    decisions[rest.key] = Decision(action, rest.category, rest.suggestion
                                                   if action == "accept" else None)
                return decisions
            if answer == "r":
                decisions[group.key] = Decision("reject", category)
                break
            if answer == "c":
                category = ask("  category", type=cl.Choice(categories),
                               default=category, err=True)
                continue
            if answer == "m":
                existing = key.pseudonyms()
                if not existing:
                    say("  the key has no pseudonyms yet", err=True)
                    continue
                pseudonym = ask("  pseudonym", type=cl.Choice(existing), err=True)
                decisions[group.key] = Decision("accept", category, pseudonym)
                break
            decisions[group.key] = Decision("accept", category, group.suggestion)
            break
    return decisions


def review_on_screen(scan: Scan, groups, key: Key) -> dict[str, Decision]:
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise cl.CommandError("--review screen needs a terminal; use --review prompt "
                              "or --non-interactive")
    from qcode.tui.screens.review import ReviewApp  # Textual only when it is asked for

    decisions = ReviewApp(scan, groups, key).run()
    if decisions is None:
        raise cl.CommandError("review stopped: nothing was imported or written")
    return decisions


def save_key(key: Key, key_path: Path, passphrase: str | None) -> None:
    from qcode.core.anonymise import key as keys

    keys.save_key(key, key_path, passphrase)
