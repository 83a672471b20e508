"""Commands about the project file as a whole: create it, build the demo, open the
coding screen, copy, check, merge a coder's copy, scrub."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.cli import commandline as cl

from qcode.cli.group import cli
from qcode.cli.common import (open_project, print_table, say, warn_unreviewed,
                              scrub_or_fail)

# sysexits' EX_TEMPFAIL: `check` could not run now (another program is writing), which a
# script tells from 1, problems found.
BUSY_EXIT = 75

if TYPE_CHECKING:
    from qcode.core.store import Project


@cli.command()
@cl.option("--require-anonymisation", is_flag=True,
           help="Refuse any import without --anonymise (for real interviews).")
@cl.pass_context
def init(ctx: cl.Context, require_anonymisation: bool) -> None:
    """Create a new, empty project file."""
    from qcode.core.pipeline import require_anonymisation as require
    from qcode.core.store import Project

    path = ctx.find_root().obj
    Project.create(path, require if require_anonymisation else None).close()
    say(f"Created project {path}" + (" (imports must be anonymised)"
                                     if require_anonymisation else ""))


@cli.command()
@cl.option("--fresh", is_flag=True, help="Rebuild demo.qcode even if it exists.")
@cl.option("--no-tui", is_flag=True, help="Only build and describe it; do not open it.")
@cl.option("--coder", envvar="QCODE_CODER", help="Your name as a coder.")
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
        say(f"Opened the existing demo project {path} (--fresh rebuilds it).")
    else:
        build = build_demo(path)
        project = build.project
        for file, problem in build.report.failed + build.report.warnings:
            say(f"warning: demo file {file.name}: {problem}", err=True)
        for problem in build.report.checks:
            say(f"warning: demo: {problem}", err=True)
        say(f"Built the demo project {path}: the interviews were anonymised on the "
            f"way in and the project requires anonymisation; the key is in "
            f"{build.key_path} ({build.unresolved} unlisted candidates were taken "
            "as ordinary words: the demo's list names every person in it).")
    with project:
        describe(project)
    if not no_tui and sys.stdin.isatty() and sys.stdout.isatty():
        run_tui(path, coder)


@cli.command()
@cl.option("--coder", envvar="QCODE_CODER",
           help="Your name as a coder (asked once and remembered if not given).")
@cl.option("--transcript", help="Open this transcript straight away.")
@cl.pass_context
def code(ctx: cl.Context, coder: str | None, transcript: str | None) -> None:
    """Open the project in the coding screen (the terminal UI)."""
    open_project(ctx).close()  # a clear error before the screen takes over the terminal
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # Without a terminal the screen would wait for keys that never come.
        raise cl.CommandError("the coding screen needs a terminal: run 'qcode code' in a "
                              "terminal window, not with its input or output redirected")
    run_tui(ctx.find_root().obj, coder, transcript)


def run_tui(path: Path, coder: str | None, transcript: str | None = None) -> None:
    from qcode.settings import SettingsError
    from qcode.tui.app import make_app

    try:
        app = make_app(path, coder, transcript)
    except SettingsError as exc:
        raise cl.CommandError(str(exc)) from None
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


def describe(project: Project) -> None:
    summary = project.summary()
    say(
        f"{summary['transcripts']} transcripts ({summary['words']:,} words, "
        f"{summary['turns']:,} turns), {summary['cases']} cases, {summary['codes']} codes, "
        f"{summary['codings']} codings."
    )
    rows = [[t.name, t.case, t.word_count, t.turn_count, t.source_format]
            for t in project.transcripts()]
    if rows:
        say("")
        print_table(["transcript", "case", "words", "turns", "format"], rows)
    say(f"\nTry: qcode -p {project.path} codebook show | cases | search \"phrase\"")


@cli.command()
@cl.argument("dest", type=cl.Path(dir_okay=False, path_type=Path))
@cl.option("--force", is_flag=True, help="Replace DEST if it exists.")
@cl.pass_context
def backup(ctx: cl.Context, dest: Path, force: bool) -> None:
    """Copy the project safely (SQLite online backup), even while others work in it."""
    import sqlite3

    project = open_project(ctx)
    try:
        project.backup(dest, force)
    except sqlite3.Error as exc:
        # The copy failed writing (a full disk, a read-only folder) and was removed:
        # the destination is at fault, not the project it was read from.
        raise cl.CommandError(f"{dest}: cannot write the backup there ({exc}); "
                              "nothing was written") from None
    say(f"Backed up to {dest}")


@cli.command()
@cl.option("--wait", type=cl.FloatRange(min=0), default=10.0, show_default=True,
           help="Seconds to wait for another program's write to end before "
                "reporting the project busy.")
@cl.pass_context
def check(ctx: cl.Context, wait: float) -> None:
    """Check the project: database integrity, text hashes, spans inside their text.

    Exits 0 when sound, 1 when problems are found, and 75 (EX_TEMPFAIL: try again) when
    another program is writing to the project, which is not a problem in it."""
    from qcode.core.store.journal import ProjectBusy

    project = open_project(ctx)
    project.wait_for_lock(wait)
    try:
        problems = project.check()
    except ProjectBusy as exc:
        say(str(exc), err=True)
        ctx.exit(BUSY_EXIT)
    for problem in problems:
        say(problem)
    if problems:
        raise cl.CommandError(f"{len(problems)} problem(s) found in {project.path}")
    summary = project.summary()
    say(f"ok: {project.path} is sound ({summary['transcripts']} transcripts, "
        f"{summary['codings']} codings checked)")
    if project.read_only_reason is not None:
        say(f"note: the project is read-only here ({project.read_only_reason}), so its "
            "search index was not checked")
    # A choice the researcher made, not a fault: said, not failed.
    warn_unreviewed(project.stored_unreviewed(), listed=True, err=False)


@cli.command()
@cl.argument("other", type=cl.Path(dir_okay=False, path_type=Path))
@cl.pass_context
def merge(ctx: cl.Context, other: Path) -> None:
    """Bring in another copy of the project (e.g. a coder's blind copy)."""
    report = open_project(ctx).merge(other)
    added = ", ".join(f"{report[k]} {k}" for k in (
        "transcripts", "codes", "codings", "coders", "cases", "memos", "marks", "reviews",
        "comments"))
    say(f"merged {other}: added {added}")
    for conflict in report["conflicts"]:
        say(f"conflict: {conflict}", err=True)


@cli.command()
@cl.pass_context
def scrub(ctx: cl.Context) -> None:
    """Make removed transcripts unrecoverable and empty the WAL into the project file,
    leaving no removed text behind."""
    project = open_project(ctx)
    final = project.forget_removed()
    if final:
        say(f"{final} removed transcript(s) are gone for good: their undo data "
            "left the event log")
    scrub_or_fail(project)
