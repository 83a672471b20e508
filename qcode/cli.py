"""The `qcode` command. Each command is thin: open the project, call the core, print.

Start-up time is part of every command: this module loads click and little else. Each
command imports what it needs (the store, the anonymiser, the codebook reader) when it
runs, and the commands of other modules are loaded when named (LAZY_COMMANDS), so
`qcode --help` loads none of them (tests/test_startup.py holds that line)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qcode import __version__
from qcode.core.errors import QcodeError
from qcode.cli_anonymise import (anonymisation_for, anonymise_batch, bind_key, key_options,
                                  open_key, record_key, refuse_without_anonymise,
                                  review_report, save_key)
from qcode.core import outputs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from qcode.core.store import Project

DEFAULT_PROJECT = "project.qcode"

# Commands of other modules, loaded only when named. The first sentence of each one's
# help is kept here so that `qcode --help` lists them without loading them
# (tests/test_startup.py checks it against the command's own).
LAZY_COMMANDS = {
    "export": ("qcode.cli_exchange", "export",
               "Export the whole project (transcripts, codebook, codings, coders, cases "
               "and memos) to OUT.qdpx, a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA "
               "and QualCoder."),
    "import-project": ("qcode.cli_exchange", "import_project",
                       "Import a REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, "
                       "QualCoder or qcode): codebook, transcripts, codings with their "
                       "coders, cases with attributes and memos."),
    "quotes": ("qcode.cli_reports", "quotes",
               "Every coded segment of a code, or of a theme and the codes under it, with "
               "its attribution line (\"Detective Sergeant, Southeast\"), for a write-up."),
    "report": ("qcode.cli_reports", "report",
               "Tables and figures for a write-up: frequencies, co-occurrence, the "
               "thematic network, and a whole HTML report."),
    "review-file": ("qcode.cli_review_file", "review_file",
                    "The review file an anonymising import writes (beside the key, or "
                    "--report)."),
}


class QcodeGroup(click.Group):
    """Turns the errors a user can cause into one clear line and a non-zero exit, and
    loads the commands of LAZY_COMMANDS when they are named."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands or name not in LAZY_COMMANDS:
            return self.commands.get(name)
        module, attribute, _ = LAZY_COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """Click's, with the lazy commands among the names it suggests for a typo."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = getattr(exc, "command_name", None)  # click 8.4 and later suggest names
            if name is None:
                raise
            raise type(exc)(name, possibilities=self.list_commands(ctx), ctx=ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's list of commands, with each lazy command's short help made from
        LAZY_COMMANDS as click makes it from the command's help."""
        listed = [(name, self.listed(name)) for name in self.list_commands(ctx)]
        listed = [(name, command) for name, command in listed if not command.hidden]
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        with formatter.section("Commands"):
            formatter.write_dl([(name, command.get_short_help_str(limit))
                                for name, command in listed])

    def listed(self, name: str) -> click.Command:
        """The command as `qcode --help` lists it: a lazy one not loaded yet is a
        stand-in with its help from LAZY_COMMANDS."""
        if name in self.commands:
            return self.commands[name]
        return click.Command(name, help=LAZY_COMMANDS[name][2])

    def invoke(self, ctx: click.Context):
        import sqlite3  # loaded with the store by every command that opens a project

        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            project = ctx.params.get("project") or DEFAULT_PROJECT
            raise click.ClickException(f"{project}: database error: {exc}") from None
        except QcodeError as exc:  # every error a user can cause derives from it
            raise click.ClickException(str(exc)) from None


@click.group(cls=QcodeGroup)
@click.option(
    "--project", "-p", type=click.Path(dir_okay=False, path_type=Path),
    envvar="QCODE_PROJECT", default=DEFAULT_PROJECT, show_default=True,
    help="Project file (or set QCODE_PROJECT).",
)
@click.version_option(__version__, prog_name="qcode")
@click.pass_context
def cli(ctx: click.Context, project: Path) -> None:
    """qcode: keyboard-first qualitative coding of interview transcripts."""
    ctx.obj = project


class LazyChoice(click.Choice):
    """A choice among names that another module holds, read when the option is used or
    its help shown, so that loading the CLI does not load that module."""

    def __init__(self, names: Callable[[], Iterable[str]]):
        self.names = names
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.names())

    @choices.setter
    def choices(self, _: Iterable[str]) -> None:
        """The names come from `names`, not from what click.Choice sets."""


def anonymiser_categories() -> Iterable[str]:
    from qcode.core.anonymise.identifiers import CATEGORIES

    return CATEGORIES


def open_project(ctx: click.Context) -> Project:
    from qcode.core.store import Project

    project = Project.open(ctx.find_root().obj)
    ctx.call_on_close(project.close)
    return project


def emit_json(data) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(c) if c is not None else "" for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    click.echo(line(headers))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))


# -- project ----------------------------------------------------------------------------


@cli.command()
@click.option("--require-anonymisation", is_flag=True,
              help="Refuse any import without --anonymise (for real interviews).")
@click.pass_context
def init(ctx: click.Context, require_anonymisation: bool) -> None:
    """Create a new, empty project file."""
    from qcode.core.pipeline import require_anonymisation as require
    from qcode.core.store import Project

    path = ctx.find_root().obj
    with Project.create(path) as project:
        if require_anonymisation:
            require(project)
    click.echo(f"Created project {path}" + (" (imports must be anonymised)"
                                            if require_anonymisation else ""))


@cli.command()
@click.option("--fresh", is_flag=True, help="Rebuild demo.qcode even if it exists.")
@click.option("--no-tui", is_flag=True, help="Only build and describe it; do not open it.")
@click.option("--coder", envvar="QCODE_CODER", help="Your name as a coder.")
def demo(fresh: bool, no_tui: bool, coder: str | None) -> None:
    """Build the demo project (demo.qcode) from bundled fictional interviews and open
    it in the coding screen."""
    from qcode.core.demo import build_demo
    from qcode.core.store import Project

    path = Path("demo.qcode")
    if fresh:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"),
                      path.with_name("demo.key.json")):
            stale.unlink(missing_ok=True)
    if path.exists():
        project = Project.open(path)
        click.echo(f"Opened the existing demo project {path} (--fresh rebuilds it).")
    else:
        build = build_demo(path)
        project = build.project
        for file, problem in build.report.failed + build.report.warnings:
            click.echo(f"warning: demo file {file.name}: {problem}", err=True)
        for problem in build.report.checks:
            click.echo(f"warning: demo: {problem}", err=True)
        click.echo(f"Built the demo project {path}: the interviews were anonymised on the "
                   f"way in and the project requires anonymisation; the key is in "
                   f"{build.key_path} ({build.unresolved} unlisted candidates were taken "
                   "as ordinary words: the demo's list names every person in it).")
    with project:
        describe(project)
    if not no_tui and sys.stdin.isatty() and sys.stdout.isatty():
        run_tui(path, coder)


@cli.command()
@click.option("--coder", envvar="QCODE_CODER",
              help="Your name as a coder (asked once and remembered if not given).")
@click.option("--transcript", help="Open this transcript straight away.")
@click.pass_context
def code(ctx: click.Context, coder: str | None, transcript: str | None) -> None:
    """Open the project in the coding screen (the terminal UI)."""
    open_project(ctx).close()  # a clear error before the screen takes over the terminal
    run_tui(ctx.find_root().obj, coder, transcript)


def run_tui(path: Path, coder: str | None, transcript: str | None = None) -> None:
    from qcode.settings import SettingsError
    from qcode.tui.app import make_app

    try:
        app = make_app(path, coder, transcript)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


def describe(project: Project) -> None:
    summary = project.summary()
    click.echo(
        f"{summary['transcripts']} transcripts ({summary['words']:,} words, "
        f"{summary['turns']:,} turns), {summary['cases']} cases, {summary['codes']} codes, "
        f"{summary['codings']} codings."
    )
    rows = [[t.name, t.case, t.word_count, t.turn_count, t.source_format]
            for t in project.transcripts()]
    if rows:
        click.echo("")
        print_table(["transcript", "case", "words", "turns", "format"], rows)
    click.echo(f"\nTry: qcode -p {project.path} codebook show | cases | search \"phrase\"")


@cli.command()
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
@click.pass_context
def backup(ctx: click.Context, dest: Path, force: bool) -> None:
    """Copy the project safely (SQLite online backup), even while others work in it."""
    open_project(ctx).backup(dest, force)
    click.echo(f"Backed up to {dest}")


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check the project: database integrity, text hashes, spans inside their text."""
    project = open_project(ctx)
    problems = project.check()
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found in {project.path}")
    summary = project.summary()
    click.echo(f"ok: {project.path} is sound ({summary['transcripts']} transcripts, "
               f"{summary['codings']} codings checked)")


# -- transcripts ------------------------------------------------------------------------


def _speaker_pattern(ctx: click.Context, param: click.Parameter, value: str | None):
    from qcode.core.importers.speakers import SpeakerPatternError, compile_speaker_pattern

    try:
        return compile_speaker_pattern(value) if value is not None else None
    except SpeakerPatternError as exc:
        raise click.ClickException(str(exc)) from None


speaker_pattern_option = click.option(
    "--speaker-pattern", callback=_speaker_pattern, metavar="REGEX",
    help="Your own speaker layout: a regular expression matched at line starts, with a "
    "named group 'speaker' (and optionally 'time'), e.g. '(?P<speaker>[A-Z]+) -'.")


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case", help="Case (participant) these transcripts belong to.")
@click.option("--attributes", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of participants: a 'case' column, an optional 'file' column, "
              "and attribute columns.")
@click.option("--anonymise", is_flag=True,
              help="Replace identifiers before the text enters the project (needs --key).")
@speaker_pattern_option
@key_options
@click.option("--store-unreviewed", is_flag=True,
              help="With --non-interactive: store transcripts with undecided candidates "
              "anyway (recorded in the project) instead of holding them back.")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], case: str | None,
            attributes: Path | None, anonymise: bool, key_path: Path | None,
            identifiers: Path | None, non_interactive: bool, report: Path | None,
            decisions: Path | None, force: bool, encrypt_key: bool, review: str,
            interviewers: tuple[str, ...], store_unreviewed: bool,
            speaker_pattern) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt) into the project."""
    from qcode.core.participants import read_participants
    from qcode.core.pipeline import requires_anonymisation, run_import

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
        if requires_anonymisation(project):
            raise click.ClickException(f"{project.path} requires anonymisation: import "
                                       "with --anonymise --key KEYFILE")
    with click.progressbar(length=len(files), label="Importing", file=sys.stderr) as bar:
        outcome = run_import(project, files, case, participants, anonymisation,
                             on_file=lambda _: bar.update(1),
                             speaker_pattern=speaker_pattern)
    summarise_import(outcome, key_path, report_file)
    if outcome.failed:
        raise click.ClickException(
            f"{len(outcome.failed)} of {len(files)} file(s) not imported")


def summarise_import(outcome, key_path: Path | None, report) -> None:
    """What happened to each file, what was replaced by category (counts, never
    values), what was held back and how to finish, and where the key is."""
    from qcode.cli_anonymise import say_review, say_transcripts

    for path, warning in outcome.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for warning in outcome.checks:
        click.echo(f"warning: {warning}", err=True)
    say_transcripts(outcome)
    for path, problem in outcome.failed:
        click.echo(f"error: {path}: {problem}", err=True)
    if not outcome.imported:
        click.echo("nothing imported")
    say_review(outcome, key_path, report)
    if not outcome.anonymised and outcome.imported:
        click.echo("warning: the text was NOT anonymised: real names in it are now in "
                   "the project; use --anonymise --key KEYFILE for real interviews",
                   err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the anonymised transcripts (plain text, UTF-8).")
@speaker_pattern_option
@key_options
def anonymise(files: tuple[Path, ...], out_dir: Path, key_path: Path | None,
              identifiers: Path | None, non_interactive: bool, report: Path | None,
              decisions: Path | None, force: bool, encrypt_key: bool, review: str,
              interviewers: tuple[str, ...], speaker_pattern) -> None:
    """Anonymise transcripts file to file, for teams that keep raw data elsewhere."""
    from qcode.core.ingest import ImportReport, parse_files

    outcome = ImportReport()
    items = parse_files(files, outcome, speaker_pattern=speaker_pattern)
    # No project here, so the key is not bound to one: any key works.
    key, passphrase = open_key(key_path, encrypt_key)
    items = anonymise_batch(items, [None] * len(items), key, identifiers, non_interactive,
                            review_report(report, key_path, passphrase, force=force),
                            decisions, key_path, review, interviewers=interviewers)
    save_key(key, key_path, passphrase)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, parsed in items:
        target = out_dir / f"{parsed.name}.txt"
        try:
            outputs.write(target, parsed.text, key=key_path, force=force)
        except outputs.OutputError as exc:
            outcome.failed.append((path, f"{exc}; not written"))
            continue
        click.echo(f"anonymised {path.name} -> {target}")
    for path, warning in outcome.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for path, problem in outcome.failed:
        click.echo(f"error: {path}: {problem}", err=True)
    if outcome.failed:
        raise click.ClickException(f"{len(outcome.failed)} of {len(files)} file(s) failed")


@cli.command()
@click.argument("args", nargs=-1, metavar="[TRANSCRIPT] [VALUE]")
@click.option("--all", "everywhere", is_flag=True,
              help="Every transcript, not one: give no TRANSCRIPT.")
@click.option("--value", "value_option", metavar="VALUE",
              help="The value; '-' reads it from standard input.")
@click.option("--value-file", type=click.File("r", encoding="utf-8"),
              help="Read the value from the first line of this file.")
@click.option("--key", "key_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The project's key file.")
@click.option("--category", default="person", show_default=True,
              type=LazyChoice(anonymiser_categories), help="What the value is.")
@click.option("--pseudonym", help="Replacement to use (default: the key's, or a new one).")
@click.option("--yes", is_flag=True, help="Do not ask before changing (with --all).")
@click.pass_context
def redact(ctx: click.Context, args: tuple[str, ...], everywhere: bool,
           value_option: str | None, value_file, key_path: Path, category: str,
           pseudonym: str | None, yes: bool) -> None:
    """Replace an identifier found after coding began, in one transcript's text
    (TRANSCRIPT) or in every transcript (--all), and in every other place the project
    holds text: names of transcripts, source files, cases, attributes, codes and
    coders, code guidance, memos and the event log. Codings are re-anchored; earlier
    actions whose undo data held the value can no longer be undone. Give the value on
    standard input or with --value-file: an argument is seen by every local user."""
    from qcode.core.anonymise.redact import apply_sweep, check_value, sweep

    if len(args) > (1 if everywhere else 2) or not (everywhere or args):
        raise click.UsageError("give TRANSCRIPT [VALUE], or --all [VALUE]")
    transcript = None if everywhere else args[0]
    given = next(iter(args[0 if everywhere else 1:]), None)
    project = open_project(ctx)
    ids = None if everywhere else [project.transcript_id(transcript)]
    value = check_value(value_to_redact(given, value_option, value_file))
    if everywhere and not yes and not can_ask():
        raise click.ClickException("redact --all changes the whole project: run it in a "
                                   "terminal to see what it finds and confirm, or give --yes")
    key, passphrase = open_key(key_path, False)
    bind_key(key, key_path, project)
    found = sweep(project, value, category, pseudonym, key, ids)
    if not found.count:
        where = "anywhere in the project" if everywhere else \
            f"in transcript {transcript} or anywhere else in the project"
        raise click.ClickException(f"the value does not occur {where}; nothing changed")
    click.echo(f"found {found.count} occurrence(s):")
    for hit in found.hits:
        click.echo(f"  {hit.count:>4}  {hit.where}")
    if everywhere and not yes:
        click.confirm(f"Replace all {found.count} with {found.pseudonym}?", abort=True)
    save_key(key, key_path, passphrase)
    record_key(key, project)
    apply_sweep(project, found)
    lost = sum(1 for *_, reason in found.events if reason)
    click.echo(f"replaced {found.count} occurrence(s) with {found.pseudonym}; codings "
               "re-anchored" + (f"; {lost} earlier action(s) can no longer be undone"
                                if lost else ""))
    scrub_or_fail(project)


def value_to_redact(argument: str | None, option: str | None, file) -> str:
    """The value from exactly one source: standard input (also when nothing is given
    and it is not a terminal), a file, an argument (with a warning), or a prompt that
    does not echo it."""
    sources = [s for s in (argument, option, file) if s is not None]
    if len(sources) > 1:
        raise click.UsageError("give the value one way: VALUE, --value or --value-file")
    if file is not None:
        return file.readline().rstrip("\r\n")
    given = argument if argument is not None else option
    if given == "-" or (given is None and not can_ask()):
        return sys.stdin.readline().rstrip("\r\n")
    if given is None:
        return click.prompt("Value to redact (not shown)", hide_input=True)
    click.echo("warning: a value given as an argument is visible to other users in the "
               "process list and stays in your shell history; use --value - or "
               "--value-file next time", err=True)
    return given


def scrub_or_fail(project: Project) -> None:
    if not project.scrub():
        raise click.ClickException(
            f"another program has {project.path} open, so the old text is still in "
            f"{project.path}-wal: close every qcode on this project, then run "
            "'qcode scrub'")
    click.echo("old text scrubbed from the project file and its WAL")


def can_ask() -> bool:
    """Whether a person is at the keyboard to answer a question."""
    return sys.stdin.isatty()


def two_coders(project: Project, coders: str | None) -> tuple[str, str]:
    """The --coders A,B pair (names matched as the reports match them), or the project's
    two coders when there are just two."""
    from qcode.core.reports.selection import matching_name
    from qcode.core.store import CONSENSUS

    if coders:
        known = project.coders()
        pair = [matching_name(known, typed) or typed
                for typed in (c.strip() for c in coders.split(",")) if typed]
    else:
        pair = [c for c in project.coders() if c != CONSENSUS]
    if len(pair) != 2:
        raise click.UsageError(
            "name the two coders to compare with --coders A,B (coders in the project: "
            f"{', '.join(project.coders()) or 'none'})")
    return pair[0], pair[1]


@cli.command()
@click.option("--coders", help="The two coders to compare, as A,B.")
@click.option("--codes", help="Only these codes (comma separated names).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def disagreements(ctx: click.Context, coders: str | None, codes: str | None,
                  as_json: bool) -> None:
    """List each place where two coders differ, per code, with its text."""
    import textwrap

    from qcode.core.agreement.disagreements import places_in

    project = open_project(ctx)
    first, second = two_coders(project, coders)
    code_ids = code_ids_named(project, codes) if codes else None
    try:
        places = places_in(project, first, second, code_ids)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json([{"transcript": p["transcript"], "code": p["code"],
                    "start": p["place"].start, "end": p["place"].end,
                    "kind": p["place"].kind, first: p["place"].first,
                    second: p["place"].second, "text": p["text"],
                    "resolution": p["resolution"]} for p in places])
        return
    if not places:
        click.echo(f"{first} and {second} do not differ anywhere in the selection.")
        return
    width = shutil_width()
    current = None
    for place in places:
        if place["code"] != current:
            current = place["code"]
            click.echo(click.style(f"\n{current}", bold=True))
        where = place["place"]
        kind = where.kind.replace("the first coder", first).replace("the second coder", second)
        done = f"  [resolved: {place['resolution']}]" if place["resolution"] else ""
        click.echo(f"  {place['transcript']} [{where.start}, {where.end}): {kind}{done}")
        excerpt = " ".join(place["text"].split())
        click.echo(textwrap.fill(excerpt, width=width, initial_indent="    ",
                                 subsequent_indent="    ", max_lines=3, placeholder=" …"))
    resolved = sum(1 for p in places if p["resolution"])
    click.echo(f"\n{len(places)} places where {first} and {second} differ; "
               f"{resolved} resolved.")


def names_in(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@cli.command()
@click.option("--coders", help="Coders to compare, as A,B[,C] (default: all but consensus).")
@click.option("--transcripts", help="Only these transcripts (comma separated).")
@click.option("--codes", help="Only these codes (comma separated names).")
@click.option("--theme", help="Only this theme and the codes under it.")
@click.option("--unit", type=click.Choice(["character", "word", "sentence", "turn"]),
              help="Also report agreement on these given units.")
@click.option("--per-transcript", is_flag=True,
              help="Also per code per transcript, with NVivo-style figures.")
@click.option("--threshold", default=0.9, show_default=True,
              help="Overlap a MAXQDA-style segment match needs.")
@click.option("--resamples", default=200, show_default=True,
              help="Bootstrap resamples for alpha's interval (0: none).")
@click.option("--seed", default=1, show_default=True, help="Seed of the bootstrap.")
@click.option("--format", "form", default="table", show_default=True,
              type=click.Choice(["table", "md", "csv", "json", "html"]))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.pass_context
def agree(ctx: click.Context, coders, transcripts, codes, theme, unit, per_transcript,
          threshold, resamples, seed, form, out, force) -> None:
    """Inter-coder agreement per code, per theme and overall."""
    from qcode.core.agreement.render import render
    from qcode.core.agreement.report import build, select
    from qcode.core.reports.selection import ReportError

    if out is not None:
        outputs.check(out, ctx.find_root().obj, force=force)
    project = open_project(ctx)
    if codes and theme:
        raise click.UsageError("give --codes or --theme, not both")
    if not 0 < threshold <= 1:
        raise click.UsageError("--threshold is a share between 0 and 1, e.g. 0.9")
    try:
        selection = select(project, names_in(coders), names_in(transcripts),
                           names_in(codes), theme, unit, maxqda_threshold=threshold,
                           resamples=max(0, resamples), seed=seed)
        report = build(project, selection, per_transcript)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    text = render(report, form, width=min(shutil_width(), 120))
    if out:
        outputs.write(out, text, ctx.find_root().obj, force=force)
        click.echo(f"wrote the agreement report to {out}")
    else:
        click.echo(text, nl=False)


def code_ids_named(project: Project, names: str) -> list[int]:
    codes = {c["name"].casefold(): c["id"] for c in project.codes()}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    missing = [n for n in wanted if n.casefold() not in codes]
    if missing:
        raise click.ClickException(f"no code named {', '.join(repr(m) for m in missing)}")
    return [codes[n.casefold()] for n in wanted]


@cli.command()
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def merge(ctx: click.Context, other: Path) -> None:
    """Bring in another copy of the project (e.g. a coder's blind copy)."""
    report = open_project(ctx).merge(other)
    added = ", ".join(f"{report[k]} {k}" for k in (
        "transcripts", "codes", "codings", "coders", "cases", "memos"))
    click.echo(f"merged {other}: added {added}")
    for conflict in report["conflicts"]:
        click.echo(f"conflict: {conflict}", err=True)


@cli.command()
@click.pass_context
def scrub(ctx: click.Context) -> None:
    """Make removed transcripts unrecoverable and empty the WAL into the project file,
    leaving no removed text behind."""
    project = open_project(ctx)
    final = project.forget_removed()
    if final:
        click.echo(f"{final} removed transcript(s) are gone for good: their undo data "
                   "left the event log")
    scrub_or_fail(project)


@cli.command(name="verify-anonymised")
@click.option("--key", "key_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The key whose real values are sought.")
@click.option("--identifiers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An identifier list whose values are sought too (CSV or YAML).")
@click.argument("exports", nargs=-1, type=click.Path(exists=True, dir_okay=False,
                                                     path_type=Path))
@click.pass_context
def verify_anonymised(ctx: click.Context, key_path: Path, identifiers: Path | None,
                      exports: tuple[Path, ...]) -> None:
    """Search the project (its tables, search index, file and WAL) and any exports for
    every real value in the key and the identifier list."""
    project_path = ctx.find_root().obj
    from qcode.core.anonymise.identifiers import read_identifiers
    from qcode.core.anonymise.verify import SEARCHED, sought_values, verify_files

    key, _ = open_key(key_path, False)
    listed = read_identifiers(identifiers) if identifiers else []
    # Exports can be checked on their own, away from the project they came from.
    here = [project_path, Path(f"{project_path}-wal")]
    files = [*(here if project_path.exists() or not exports else []), *exports]
    found = verify_files(key, files, listed)
    hits = [h for h in found if h.certain]
    for hit in hits:
        click.echo(f"{hit.where()}: '{hit.value}' in …{hit.context}…")
    searched = ", ".join(str(f) for f in files if f.exists())
    doubtful = [h for h in found if not h.certain]
    if doubtful:
        click.echo(f"{len(doubtful)} use(s) of common words that are also listed names "
                   "(sentence-initial, judged the ordinary word in review, or words of a "
                   "name found apart in the search index); check by eye that they are "
                   "not the name:", err=True)
        for hit in doubtful:
            click.echo(f"  {hit.where()}: …{hit.context}…", err=True)
    if hits:
        raise click.ClickException(f"{len(hits)} real value(s) found in {searched}")
    whose = "the key's" if not listed else "the key's and the list's"
    click.echo(f"ok: none of {whose} {len(sought_values(key, listed))} real values is in "
               f"{searched} "
               f"(searched: {SEARCHED})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def transcripts(ctx: click.Context, as_json: bool) -> None:
    """List transcripts with their case, words and turns."""
    rows = open_project(ctx).transcripts()
    if as_json:
        emit_json([{"name": t.name, "guid": t.guid, "case": t.case, "words": t.word_count,
                    "turns": t.turn_count, "format": t.source_format,
                    "source_file": t.source_file, "imported": t.imported} for t in rows])
    elif not rows:
        click.echo("No transcripts yet: add some with 'qcode import FILES'.")
    else:
        print_table(["transcript", "case", "words", "turns", "format"],
                    [[t.name, t.case, f"{t.word_count:,}", t.turn_count, t.source_format]
                     for t in rows])


@cli.group(name="transcript")
def transcript_group() -> None:
    """Work with one transcript."""


@transcript_group.command(name="remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask before removing.")
@click.option("--coder", envvar="QCODE_CODER",
              help="Whose action it is, to undo in 'qcode code' (default: your coder name).")
@click.pass_context
def transcript_remove(ctx: click.Context, name: str, yes: bool, coder: str | None) -> None:
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
        raise click.ClickException(f"no transcript named '{name}' in {project.path}" + (
            f" (did you mean '{fits}'? give its full name)" if fits else ""))
    try:
        coder = coder or read_settings().coder
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if not coder:
        raise click.ClickException("say whose action this is, to undo it later: --coder "
                                   "NAME (or set QCODE_CODER)")
    codings = len(project.codings(row.id))
    what = (f"transcript {row.name} ({row.word_count:,} words, {row.turn_count} turns, "
            f"{codings} codings{f', case {row.case}' if row.case else ''})")
    if not yes:
        if not can_ask():
            raise click.ClickException(f"removing {what} needs confirmation: run it in a "
                                       "terminal, or give --yes")
        click.confirm(f"Remove {what}?", abort=True)
    gone = project.remove_transcript(row.id, actor=coder)
    click.echo(f"removed {what}, {gone['resolutions']} resolutions and {gone['memos']} "
               "memos")
    if gone["case"]:
        click.echo(gone["case"])
    click.echo(f"undo: u in 'qcode code --coder {coder}', until 'qcode scrub' makes the "
               "removal final")


@cli.command()
@click.argument("transcript")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx: click.Context, transcript: str, as_json: bool) -> None:
    """Show a transcript turn by turn, with speakers."""
    import textwrap

    project = open_project(ctx)
    transcript_id = project.transcript_id(transcript)
    text = project.transcript_text(transcript_id)
    turns = project.turns(transcript_id)
    if as_json:
        emit_json([{**t, "text": text[t["start"]:t["end"]]} for t in turns])
        return
    width = min(shutil_width(), 100)
    for t in turns:
        stamp = f" [{clock(t['begin_time'])}]" if t["begin_time"] is not None else ""
        click.echo(click.style(f"{t['turn']:>4}  {t['speaker'] or '—'}{stamp}", bold=True))
        for paragraph in text[t["start"]:t["end"]].split("\n"):
            click.echo(textwrap.fill(paragraph, width=width, initial_indent="      ",
                                     subsequent_indent="      ") or "")
        click.echo("")


def shutil_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@cli.command()
@click.argument("phrase")
@click.option("--limit", default=50, show_default=True, help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def search(ctx: click.Context, phrase: str, limit: int, as_json: bool) -> None:
    """Full-text search for a phrase across all transcripts."""
    hits = open_project(ctx).search(phrase, limit=limit)
    if as_json:
        emit_json([{"transcript": h.transcript, "turn": h.turn, "speaker": h.speaker,
                    "start": h.start, "end": h.end,
                    "snippet": h.snippet.replace("\x02", "").replace("\x03", "")}
                   for h in hits])
        return
    if not hits:
        click.echo(f"No transcript contains \"{phrase}\".")
        return
    for h in hits:
        snippet = " ".join(h.snippet.split())
        parts = snippet.replace("\x03", "\x02").split("\x02")
        shown = "".join(click.style(p, bold=True) if i % 2 else p
                        for i, p in enumerate(parts))
        click.echo(f"{h.transcript}  turn {h.turn}  {h.speaker or '—'}: {shown}")
    more = " (there may be more: raise --limit)" if len(hits) == limit else ""
    click.echo(f"{len(hits)} hit(s){more}")


# -- cases ------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def cases(ctx: click.Context, as_json: bool) -> None:
    """List cases (participants) with their attributes and transcripts."""
    project = open_project(ctx)
    rows = project.cases()
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No cases yet: 'qcode case set P01 role=...' or import with --case.")
        return
    names = project.attribute_names()
    print_table(["case", *names, "transcripts"],
                [[r["case"], *[r["attributes"].get(n, "") for n in names],
                  ", ".join(r["transcripts"])] for r in rows])


@cli.group()
def case() -> None:
    """Work with one case."""


@case.command(name="set")
@click.argument("name")
@click.argument("assignments", nargs=-1, required=True)
@click.pass_context
def case_set(ctx: click.Context, name: str, assignments: tuple[str, ...]) -> None:
    """Set attributes: qcode case set P01 role="Detective Sergeant" region=Southeast.
    An empty value (region=) removes the attribute."""
    values = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="assignments")
        values[key.strip()] = value.strip()
    open_project(ctx).set_attributes(name, values)
    click.echo(f"case {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


# -- codebook ---------------------------------------------------------------------------


@cli.group()
def codebook() -> None:
    """Load and show the project's codebook."""


@codebook.command(name="load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--under", help="Load the codebook as a theme of this name.")
@click.pass_context
def codebook_load(ctx: click.Context, file: Path, under: str | None) -> None:
    """Load a YAML codebook into the project (codes matched by GUID, then path). A
    shipped codebook loads by its name: asw-study, beyond-the-gaze,
    exploitation-indicators, texas-police."""
    from qcode.core import codebook as codebooks

    book = codebooks.load(file)
    counts = open_project(ctx).load_codebook(book, under=under)
    click.echo(f"Loaded '{book.name}' from {file}: {counts['added']} added, "
               f"{counts['updated']} updated, {counts['unchanged']} unchanged")
    for warning in counts["keys_dropped"]:
        click.echo(f"warning: {file}: {warning}", err=True)


@codebook.command(name="show")
@click.option("--full", is_flag=True, help="Show definitions and guidance too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def codebook_show(ctx: click.Context, full: bool, as_json: bool) -> None:
    """Show the theme tree with keys and counts of codings."""
    import textwrap

    codes = open_project(ctx).codes()
    if as_json:
        emit_json(codes)
        return
    if not codes:
        click.echo("The codebook is empty: 'qcode codebook load asw-study'.")
        return
    for code in codes:
        indent = "  " * code["depth"]
        key = f" [{code['key']}]" if code["key"] else ""
        count = f"  ({code['codings']})" if code["codings"] else ""
        click.echo(f"{indent}{code['name']}{key}{count}")
        if full:
            for label, field in (("definition", "definition"), ("use when", "when_to_use"),
                                 ("not when", "when_not_to_use"), ("example", "example")):
                if code[field]:
                    click.echo(textwrap.fill(
                        f"{label}: {code[field]}", width=min(shutil_width(), 100),
                        initial_indent=indent + "    ", subsequent_indent=indent + "      "))


@codebook.command(name="export")
@click.option("--format", "form", type=click.Choice(["qdc", "yaml", "csv", "md", "html"]),
              help="qdc (REFI-QDA, for NVivo, ATLAS.ti, MAXQDA, QualCoder), yaml, csv, "
              "md or html (for a paper's appendix); default: from --out's extension.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: print).")
@click.option("--counts", is_flag=True,
              help="Add each code's number of codings and one example quote (md, html, csv).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.pass_context
def codebook_export(ctx: click.Context, form: str | None, out: Path | None,
                    counts: bool, force: bool) -> None:
    """Export the project's codebook for other tools or for a paper."""
    from qcode.core.exchange import codebook_formats as formats

    if out is not None:
        if not out.parent.is_dir():
            raise click.ClickException(f"{out}: no folder {out.parent} to write it in")
        outputs.check(out, ctx.find_root().obj, force=force)

    form = form or formats.format_for(out)
    if form is None:
        raise click.UsageError("give --format (qdc, yaml, csv, md, html) or an --out file "
                               "with one of those extensions")
    project = open_project(ctx)
    book = formats.project_codebook(project)
    text = formats.export(book, form, formats.usage(project) if counts else None)
    if out is None:
        click.echo(text, nl=False)
        return
    outputs.write(out, text, ctx.find_root().obj, force=force)
    click.echo(f"Exported {len(book)} codes of '{book.name}' to {out} ({form})")


@codebook.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--under", help="Import the codebook as a theme of this name.")
@click.pass_context
def codebook_import(ctx: click.Context, file: Path, under: str | None) -> None:
    """Import a codebook (.qdc, .yaml, .csv, or the codebook of a .qdpx or .qde project)
    into a new or existing project: codes matched by GUID, then by path; nothing is
    deleted, so no coding is lost."""
    import sqlite3

    from qcode.core.exchange.codebook_formats import names_its_codebook, read_codebook
    from qcode.core.store import Project

    book, warnings = read_codebook(file)
    if not book.codes:
        raise click.ClickException(f"{file}: the codebook has no codes")
    path = ctx.find_root().obj
    project = Project.open(path) if path.exists() else Project.create(path)
    ctx.call_on_close(project.close)
    if not names_its_codebook(file):
        book.name = project.meta("codebook_name") or book.name
    try:
        counts = project.load_codebook(book, under=under)
    except sqlite3.IntegrityError as exc:
        # A code matched by GUID moved or renamed onto a name its new siblings use.
        raise click.ClickException(
            f"{file}: not imported: a code would share its name with another code under "
            f"the same parent ({exc}); rename one of them and import again") from None
    for warning in warnings + counts["keys_dropped"]:
        click.echo(f"warning: {file}: {warning}", err=True)
    kept = len(project.codes()) - counts["added"] - counts["updated"] - counts["unchanged"]
    click.echo(f"Imported '{book.name}' from {file} into {path}: {counts['added']} added, "
               f"{counts['updated']} updated, {counts['unchanged']} unchanged"
               + (f"; {kept} other code(s) of the project kept" if kept > 0 else ""))


def main() -> None:
    cli(prog_name="qcode")


if __name__ == "__main__":
    main()
