"""Commands about transcripts and cases: import, list, show, search, remove; cases
and their attributes."""

from __future__ import annotations

import sys
from pathlib import Path

from qcode.cli import commandline as cl

from qcode.cli.anonymise import (anonymisation_for, key_options, refuse_without_anonymise,
                                 store_unreviewed_option)
from qcode.cli.group import cli
from qcode.cli.common import (Strong, acting_coder, can_ask, clock, confirm, emit_json,
                              open_project, print_table, say, say_undo, shutil_width,
                              speaker_pattern_option, warn_unreviewed)
from qcode.core.text import terminal_safe


@cli.command(name="import")
# A folder or a missing file is named by the import, which goes on with the rest.
@cl.argument("files", nargs=-1, required=True, type=cl.Path(path_type=Path))
@cl.option("--case", help="Case (participant) these transcripts belong to.")
@cl.option("--attributes", type=cl.Path(dir_okay=False, path_type=Path),
           help="CSV of participants: a 'case' column, an optional 'file' column, "
           "and attribute columns.")
@cl.option("--anonymise", is_flag=True,
           help="Replace identifiers before the text enters the project (needs --key).")
@speaker_pattern_option
@key_options
@store_unreviewed_option
@cl.pass_context
def import_(ctx: cl.Context, files: tuple[Path, ...], case: str | None,
            attributes: Path | None, anonymise: bool, key_path: Path | None,
            identifiers: Path | None, non_interactive: bool, report: Path | None,
            decisions: Path | None, force: bool, encrypt_key: bool, review: str,
            interviewers: tuple[str, ...], store_unreviewed: bool,
            speaker_pattern) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt) into the project."""
    from qcode.core.participants import read_participants
    from qcode.core.pipeline import refuse_unanonymised, run_import

    project = open_project(ctx)
    participants = read_participants(attributes) if attributes else None
    anonymisation = report_file = None
    if anonymise:
        anonymisation, report_file = anonymisation_for(
            key_path, identifiers, non_interactive, decisions, encrypt_key, review,
            interviewers, store_unreviewed, project, report, force)
    else:
        refuse_without_anonymise(key=key_path, identifiers=identifiers,
                                 non_interactive=non_interactive, report=report,
                                 decisions=decisions, force=force, encrypt_key=encrypt_key,
                                 review=review, interviewer=interviewers,
                                 store_unreviewed=store_unreviewed)
    refuse_unanonymised(project, anonymisation)  # before anything is read or shown
    from qcode.cli.terminal import progress

    with progress(len(files), "Importing") as bar:
        outcome = run_import(project, files, case, participants, anonymisation,
                             on_file=lambda _: bar.update(1),
                             speaker_pattern=speaker_pattern)
    summarise_import(outcome, key_path, report_file)
    # Held back counts as not imported: a batch held back whole has imported nothing.
    if outcome.failed or not outcome.imported:
        missing = len(outcome.failed) + len(outcome.held)
        raise cl.CommandError(
            f"{missing or len(files)} of {len(files)} file(s) not imported")


def summarise_import(outcome, key_path: Path | None, report) -> None:
    """What happened to each file, what was replaced by category (counts, never
    values), what was held back and how to finish, and where the key is."""
    from qcode.cli.anonymise import say_review, say_transcripts

    for path, warning in outcome.warnings:
        say(f"warning: {path}: {warning}", err=True)
    for warning in outcome.checks:
        say(f"warning: {warning}", err=True)
    say_transcripts(outcome)
    for path, problem in outcome.failed:
        say(f"error: {path}: {problem}{elsewhere(path)}", err=True)
    if not outcome.imported:
        say("nothing imported")
    say_review(outcome, key_path, report)
    if not outcome.anonymised and outcome.imported:
        say("warning: the text was NOT anonymised: real names in it are now in "
            "the project; use --anonymise --key KEYFILE for real interviews",
            err=True)


# Files `import` is not for, and the command that is.
OTHER_COMMANDS = {".qdpx": "import-project", ".qde": "import-project",
                  ".qdc": "codebook import"}


def elsewhere(path: Path) -> str:
    command = OTHER_COMMANDS.get(path.suffix.lower())
    return f"; bring it in with 'qcode {command} {path}'" if command else ""


@cli.command()
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def transcripts(ctx: cl.Context, as_json: bool) -> None:
    """List transcripts with their case, words and turns."""
    project = open_project(ctx)
    rows = project.transcripts()
    stored_unreviewed = project.stored_unreviewed()
    unreviewed = set(stored_unreviewed)
    if as_json:
        emit_json([{"name": t.name, "guid": t.guid, "case": t.case, "words": t.word_count,
                    "turns": t.turn_count, "format": t.source_format,
                    "source_file": t.source_file, "imported": t.imported,
                    "unreviewed_names": t.name in unreviewed} for t in rows])
    elif not rows:
        say("No transcripts yet: add some with 'qcode import FILES'.")
    else:
        print_table(["transcript", "case", "words", "turns", "format"],
                    [[t.name + (" (unreviewed names)" if t.name in unreviewed else ""),
                      t.case, f"{t.word_count:,}", t.turn_count, t.source_format]
                     for t in rows])
        warn_unreviewed(stored_unreviewed)


@cli.group(name="transcript")
def transcript_group() -> None:
    """Work with one transcript."""


@transcript_group.command(name="remove")
@cl.argument("name")
@cl.option("--yes", is_flag=True, help="Do not ask before removing.")
@cl.option("--coder", envvar="QCODE_CODER",
           help="Whose action it is, to undo in 'qcode code' (default: your coder name).")
@cl.pass_context
def transcript_remove(ctx: cl.Context, name: str, yes: bool, coder: str | None) -> None:
    """Remove a transcript imported by mistake, with its turns, codings, memos and
    resolutions (and its case, when nothing else uses it). Undoable until
    'qcode scrub', which makes it unrecoverable."""
    from qcode.core.store import ProjectError
    from qcode.settings import SettingsError, read_settings

    project = open_project(ctx)
    rows = project.transcripts()
    row = next((t for t in rows if name in (t.name, t.guid, t.guid.lower())), None)
    if row is None:
        # Elsewhere a case name or the start of a name will do; removal wants the name.
        try:
            fits = next(t.name for t in rows if t.id == project.transcript_id(name))
        except ProjectError:
            fits = None
        raise cl.CommandError(f"no transcript named '{name}' in {project.path}" + (
            f" (did you mean '{fits}'? give its full name)" if fits else ""))
    try:
        coder = coder or read_settings().coder
    except SettingsError as exc:
        raise cl.CommandError(str(exc)) from None
    if not coder:
        raise cl.CommandError("say whose action this is, to undo it later: --coder "
                              "NAME (or set QCODE_CODER)")
    codings = len(project.codings(row.id))
    what = (f"transcript {row.name} ({row.word_count:,} words, {row.turn_count} turns, "
            f"{codings} codings{f', case {row.case}' if row.case else ''})")
    if not yes:
        if not can_ask():
            raise cl.CommandError(f"removing {what} needs confirmation: run it in a "
                                  "terminal, or give --yes")
        confirm(f"Remove {what}?", abort=True)
    gone = project.remove_transcript(row.id, actor=coder)
    say(f"removed {what}, {gone['resolutions']} resolutions and {gone['memos']} "
        "memos" + (f"; {gone['memo links']} link(s) to it dropped from other memos"
                   if gone["memo links"] else ""))
    if gone["case"]:
        say(gone["case"])
    say(f"undo: u in 'qcode code --coder {coder}', until 'qcode scrub' makes the "
        "removal final")


@cli.command()
@cl.argument("transcript")
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def show(ctx: cl.Context, transcript: str, as_json: bool) -> None:
    """Show a transcript turn by turn, with speakers."""
    import textwrap

    project = open_project(ctx)
    transcript_id = project.transcript_id(transcript)
    text = project.transcript_text(transcript_id)
    turns = project.turns(transcript_id)
    if as_json:
        emit_json([{"turn": t.number, "speaker": t.speaker, "start": t.start, "end": t.end,
                    "label_start": t.label_start, "begin_time": t.begin_time,
                    "end_time": t.end_time, "text": text[t.start:t.end]} for t in turns])
        return
    width = min(shutil_width(), 100)
    for t in turns:
        stamp = f" [{clock(t.begin_time)}]" if t.begin_time is not None else ""
        say(Strong(f"{t.number:>4}  {t.speaker or '—'}{stamp}"))
        for paragraph in text[t.start:t.end].split("\n"):
            say(textwrap.fill(terminal_safe(paragraph), width=width, initial_indent="      ",
                              subsequent_indent="      ") or "")
        say("")


@cli.command()
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def cases(ctx: cl.Context, as_json: bool) -> None:
    """List cases (participants) with their attributes and transcripts."""
    project = open_project(ctx)
    named = {t.guid: t.name for t in project.transcripts()}
    rows = [{"case": c.name, "attributes": c.values,
             "transcripts": sorted(named[guid] for guid in c.transcripts)}
            for c in project.all_cases()]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        say("No cases yet: 'qcode case set P01 role=...' or import with --case.")
        return
    names = project.attribute_names()
    print_table(["case", *names, "transcripts"],
                [[r["case"], *[r["attributes"].get(n, "") for n in names],
                  ", ".join(r["transcripts"])] for r in rows])


@cli.group()
def case() -> None:
    """Work with one case."""


@case.command(name="set")
@cl.argument("name")
@cl.argument("assignments", nargs=-1, required=True)
@cl.option("--coder", envvar="QCODE_CODER",
           help="Whose action it is, to undo in 'qcode code' (default: your coder name).")
@cl.pass_context
def case_set(ctx: cl.Context, name: str, assignments: tuple[str, ...],
             coder: str | None) -> None:
    """Set attributes: qcode case set P01 role="Detective Sergeant" region=Southeast.
    An empty value (region=) removes the attribute. Undo: u in 'qcode code' or on
    the transcripts screen."""
    values = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise cl.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="assignments")
        values[key.strip()] = value.strip()
    coder = acting_coder(coder)
    open_project(ctx).set_attributes(name, values, actor=coder)
    say(f"case {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
    say_undo(coder, "setting these attributes")
