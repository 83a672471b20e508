"""The `qcode` command group: the project option, the commands loaded only when
named, and the one place where an error a user can cause becomes one line (made
terminal-safe there)."""

from __future__ import annotations

import importlib

from qcode.cli import commandline as cl

from qcode import __version__
from qcode.core.errors import QcodeError


DEFAULT_PROJECT = "project.qcode"
FULL_DISK = ("database or disk is full", "disk I/O error")


# Every command, with the module that defines it, loaded only when the command is named:
# `qcode search` loads its own module and the store, nothing else. The
# first sentence of each one's help is kept here so that `qcode --help` lists them
# without loading any (tests/cli/test_startup.py checks it against the command's own).
LAZY_COMMANDS = {
    "agree": ("qcode.cli.agreement", "agree",
              "Inter-coder agreement per code, per theme and overall."),
    "anonymise": ("qcode.cli.privacy", "anonymise",
                  "Anonymise transcripts file to file, for teams that keep raw data "
                  "elsewhere."),
    "assign": ("qcode.cli.design", "assign",
               "Assign transcripts to a coder, e.g. the double-coded subsample."),
    "autocode": ("qcode.cli.autocode", "autocode",
                 "Code every place a phrase (or --regex, --fuzzy) occurs, after reviewing "
                 "each hit in context; or every turn of a speaker, as a code of its own."),
    "backup": ("qcode.cli.project", "backup",
               "Copy the project safely (SQLite online backup), even while others work "
               "in it."),
    "case": ("qcode.cli.transcripts", "case", "Work with one case."),
    "cases": ("qcode.cli.transcripts", "cases",
              "List cases (participants) with their attributes and transcripts."),
    "check": ("qcode.cli.project", "check",
              "Check the project: database integrity, text hashes, spans inside their "
              "text."),
    "code": ("qcode.cli.project", "code",
             "Open the project in the coding screen (the terminal UI)."),
    "codebook": ("qcode.cli.codebook", "codebook", "Load and show the project's codebook."),
    "demo": ("qcode.cli.project", "demo",
             "Build the demo project (demo.qcode) from bundled fictional interviews and "
             "open it in the coding screen."),
    "disagreements": ("qcode.cli.agreement", "disagreements",
                      "List each place where two coders differ, per code, with its text."),
    "export": ("qcode.cli.exchange", "export",
               "Export the whole project (transcripts, codebook, codings, coders, cases "
               "and memos) to OUT.qdpx, a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA "
               "and QualCoder."),
    "export-transcript": ("qcode.cli.writeup", "export_transcript",
                          "One transcript with its codes beside the text and its memos, "
                          "as a web page or a Word document for a reader without qcode."),
    "import": ("qcode.cli.transcripts", "import_",
               "Import transcripts (.txt .md .docx .vtt .srt) into the project."),
    "import-project": ("qcode.cli.exchange", "import_project",
                       "Import a REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, "
                       "QualCoder or qcode): codebook, transcripts, codings with their "
                       "coders, cases with attributes and memos."),
    "init": ("qcode.cli.project", "init", "Create a new, empty project file."),
    "journal": ("qcode.cli.memos", "journal",
                "The reflexive journal: dated entries per researcher, linked to codes and "
                "passages if you like, exported for an appendix or an audit trail."),
    "mark": ("qcode.cli.design", "mark",
             "Mark transcripts as coded by a coder: agreement compares coders on the "
             "transcripts each of them marked coded (also the key C in 'qcode code')."),
    "memo": ("qcode.cli.memos", "memo",
             "Memos on the project, a transcript, a case, a code or a coding: write, "
             "list, show, edit and remove them."),
    "merge": ("qcode.cli.project", "merge",
              "Bring in another copy of the project (e.g. a coder's blind copy)."),
    "quotes": ("qcode.cli.writeup", "quotes",
               "Every coded segment of a code, or of a theme and the codes under it, with "
               "its attribution line (\"Detective Sergeant, Southeast\"), for a write-up."),
    "redact": ("qcode.cli.privacy", "redact",
               "Replace an identifier found after coding began, in one transcript's text "
               "(TRANSCRIPT) or in every transcript (--all), and in every other place the "
               "project holds text: names of transcripts, source files, cases, "
               "attributes, codes and coders, code guidance, memos and the event log."),
    "report": ("qcode.cli.writeup", "report",
               "Tables and figures for a write-up: frequencies, co-occurrence, the "
               "thematic network, and a whole HTML report."),
    "review": ("qcode.cli.review", "review",
               "A colleague's review of a coder's codings: figures and open questions."),
    "review-file": ("qcode.cli.review_file", "review_file",
                    "The review file an anonymising import writes (beside the key, or "
                    "--report)."),
    "scrub": ("qcode.cli.project", "scrub",
              "Make removed transcripts unrecoverable and empty the WAL into the project "
              "file, leaving no removed text behind."),
    "search": ("qcode.cli.search", "search",
               "Full-text search for a phrase across all transcripts."),
    "show": ("qcode.cli.transcripts", "show",
             "Show a transcript turn by turn, with speakers."),
    "status": ("qcode.cli.design", "status",
               "Who codes what: per coder, the transcripts assigned, marked coded and with "
               "codings."),
    "transcript": ("qcode.cli.transcripts", "transcript_group", "Work with one transcript."),
    "transcripts": ("qcode.cli.transcripts", "transcripts",
                    "List transcripts with their case, words and turns."),
    "unassign": ("qcode.cli.design", "unassign",
                 "Take transcripts back from a coder (their codings and marks stay)."),
    "verify-anonymised": ("qcode.cli.privacy", "verify_anonymised",
                          "Search the project (its tables, search index, file and WAL) and "
                          "any exports for every real value in the key and the identifier "
                          "list."),
}


class QcodeGroup(cl.Group):
    """Turns the errors a user can cause into one clear line and a non-zero exit, and
    loads each command's module (LAZY_COMMANDS) when the command is named."""

    def list_commands(self) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, name: str) -> cl.Command | None:
        if name in self.commands or name not in LAZY_COMMANDS:
            return self.commands.get(name)
        module, attribute, _ = LAZY_COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def listed(self, name: str) -> str:
        """A lazy command not loaded yet is listed with its help from LAZY_COMMANDS."""
        if name in self.commands:
            return super().listed(name)
        return LAZY_COMMANDS[name][2]

    def run_command(self, ctx: cl.Context, command: cl.Command, args: list[str]) -> None:
        try:
            self.run_as_one_line(ctx, command, args)
        except cl.CommandError as exc:
            # Errors name files, codes and transcripts: shown, never obeyed by the terminal.
            # (Imported here: `qcode --help` does not need its patterns compiled.)
            from qcode.core.text import terminal_safe

            exc.message = terminal_safe(exc.message)
            raise

    def run_as_one_line(self, ctx: cl.Context, command: cl.Command, args: list[str]):
        import sqlite3  # loaded with the store by every command that opens a project

        try:
            return super().run_command(ctx, command, args)
        except sqlite3.DatabaseError as exc:
            project = ctx.find_root().obj or DEFAULT_PROJECT
            if str(exc) in FULL_DISK:  # SQLite's words for ENOSPC, and EFBIG or EIO
                raise cl.CommandError(
                    f"{project}: cannot write to the project: the disk is full or "
                    f"refused the write ({exc}); the change under way was not saved"
                ) from None
            raise cl.CommandError(f"{project}: database error: {exc}") from None
        except QcodeError as exc:  # every error a user can cause derives from it
            raise cl.CommandError(str(exc)) from None


def _path(value: str):
    """The project's path, as a pathlib.Path, loaded only when a command runs: the
    help and the version need no paths."""
    from pathlib import Path

    return Path(value)


def _show_version(ctx: cl.Context, param: cl.Parameter, asked: bool) -> None:
    if asked:
        from qcode.cli.common import say

        say(f"qcode, version {__version__}")
        ctx.exit(0)


@cl.group(cls=QcodeGroup, invoke_without_command=True)
@cl.option(
    "--project", "-p", type=cl.Path(dir_okay=False, path_type=_path),
    envvar="QCODE_PROJECT", default=DEFAULT_PROJECT, show_default=True,
    help="Project file (or set QCODE_PROJECT).",
)
@cl.option("--version", is_flag=True, callback=_show_version,
           help="Show the version and exit.")
@cl.pass_context
def cli(ctx: cl.Context, project, version: bool) -> None:
    """qcode: keyboard-first qualitative coding of interview transcripts."""
    ctx.obj = project
    if ctx.invoked_subcommand is None:
        say_what_to_run(ctx, project)


def say_what_to_run(ctx: cl.Context, project) -> None:
    """No command given (`qcode --project P` alone): the commands, and the one that
    opens the project, rather than a bare "Missing command."."""
    from qcode.cli.common import say

    say(ctx.get_help())
    say("")
    say(f"no command given: 'qcode --project {project} code' opens the coding screen")
    ctx.exit(2)
