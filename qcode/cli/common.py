"""What every command shares: opening the project named by --project, printing
lines, tables and JSON, asking only when a person is there.

Commands print only through `say`, `emit_json`, `print_table`, `ask` and `confirm`:
each makes user text terminal-safe (core/text.py), so a transcript, a file name or a
code name holding an escape sequence shows it as \\x1b... and the terminal never obeys
it. tests/cli/test_terminal_safety.py fails on any other way to print in qcode/cli/."""

from __future__ import annotations

import sys

from qcode.cli import commandline as cl

from qcode.core.text import terminal_safe

# typing.TYPE_CHECKING, without loading typing to start every command
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from qcode.core.store import Project


class LazyChoice(cl.Choice):
    """A choice among names that another module holds, read when the option is used or
    its help shown, so that loading the CLI does not load that module."""

    def __init__(self, names: Callable[[], Iterable[str]]):
        self.names = names

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.names())


def anonymiser_categories() -> Iterable[str]:
    from qcode.core.anonymise.identifiers import CATEGORIES

    return CATEGORIES


def acting_coder(given: str | None) -> str | None:
    """Who a change is recorded for, so that they can undo it in 'qcode code': the name
    given (--coder, --by or QCODE_CODER), else the coder in the settings file."""
    from qcode.settings import SettingsError, read_settings

    try:
        return given or read_settings().coder
    except SettingsError as exc:
        raise cl.CommandError(str(exc)) from None


def say_undo(coder: str | None, done: str) -> None:
    """How to undo what was just done (`done`: "this load"), or, with no coder to
    record it for, that nobody can and how to make the next one undoable."""
    if coder:
        say(f"undo: u in 'qcode code --coder {coder}'")
    else:
        say(f"note: no coder was named, so {done} cannot be undone in 'qcode code'; "
            "give --coder NAME (or set QCODE_CODER) to make the next one undoable",
            err=True)


def warn_unreviewed(names: list[str], listed: bool = False, err: bool = True) -> None:
    """One line when the project holds transcripts stored with names nobody reviewed
    (--store-unreviewed, `Project.stored_unreviewed`): said by whatever takes their text
    out of the project, and by `check` (`listed`: with their names)."""
    if names:
        say(f"warning: {len(names)} transcript(s) still hold names nobody reviewed "
            "(stored with --store-unreviewed)" + (f": {', '.join(names)}" if listed else "")
            + "; fill in the review file written beside the key ('qcode review-file edit "
            "FILE') and give it as --decisions FILE to the next 'qcode import "
            "--anonymise', or replace a name now with 'qcode redact --all'", err=err)


def open_project(ctx: cl.Context) -> Project:
    from qcode.core.store import Project

    project = Project.open(ctx.find_root().obj)
    ctx.call_on_close(project.close)
    return project


class Strong(str):
    """A piece of a line that `say` prints in bold."""


def say(*pieces: str, err: bool = False, nl: bool = True, json: bool = False) -> None:
    """Print one line made of `pieces`, each terminal-safe, Strong ones in bold (styled
    after escaping, so the bold is the only escape sequence that reaches the terminal).
    `json`: the line is JSON text, kept valid JSON."""
    cl.echo("".join(cl.bold(terminal_safe(p)) if isinstance(p, Strong)
                    else terminal_safe(p, in_json=json) for p in pieces),
            err=err, nl=nl)


def ask(text: str, **options):
    """A question (terminal.prompt), made terminal-safe."""
    from qcode.cli.terminal import prompt

    return prompt(terminal_safe(text), **options)


def confirm(text: str, **options) -> bool:
    """A yes or no (terminal.confirm), made terminal-safe."""
    from qcode.cli.terminal import confirm as yes_or_no

    return yes_or_no(terminal_safe(text), **options)


def emit_json(data) -> None:
    import json

    say(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False), json=True)


def print_table(headers: list[str], rows: list[list]) -> None:
    # Escaped before measuring, so an escape written out still lines up its column.
    cells = [[terminal_safe(str(c)) if c is not None else "" for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    say(line(headers))
    say(line(["-" * w for w in widths]))
    for row in cells:
        say(line(row))


def _speaker_pattern(ctx: cl.Context, param: cl.Parameter, value: str | None):
    from qcode.core.importers.speakers import SpeakerPatternError, compile_speaker_pattern

    try:
        return compile_speaker_pattern(value) if value is not None else None
    except SpeakerPatternError as exc:
        raise cl.CommandError(str(exc)) from None


speaker_pattern_option = cl.option(
    "--speaker-pattern", callback=_speaker_pattern, metavar="REGEX",
    help="Your own speaker layout: a regular expression matched at line starts, with a "
    "named group 'speaker' (and optionally 'time'), e.g. '(?P<speaker>[A-Z]+) -'.")


def scrub_or_fail(project: Project) -> None:
    if not project.scrub():
        raise cl.CommandError(
            f"another program has {project.path} open, so the old text is still in "
            f"{project.path}-wal: close every qcode on this project, then run "
            "'qcode scrub'")
    say("old text scrubbed from the project file and its WAL")


def can_ask() -> bool:
    """Whether a person is at the keyboard to answer a question."""
    return sys.stdin.isatty()


def names_in(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def shutil_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
