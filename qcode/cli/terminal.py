"""What a command needs of the person at the terminal: a question (`prompt`), a yes or
no (`confirm`), their editor (`edit`) and a progress bar (`progress`). Questions and
their answers go to standard error when `err`, so that what a command prints on
standard output stays what it was asked for. Callers make question texts terminal-safe
(cli/common.py's `ask` and `confirm`)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from qcode.cli.commandline import Abort, BadParameter, Choice, CommandError, echo

# typing.TYPE_CHECKING, without loading typing to start every command
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from qcode.cli.commandline import ParamType


def prompt(text: str, default: str | None = None, type: ParamType | None = None,
           hide_input: bool = False, confirmation_prompt: bool = False,
           show_choices: bool = True, err: bool = False):
    """Ask until the answer is one `type` takes (an empty answer is `default`, when
    there is one); a hidden answer is asked twice with `confirmation_prompt`."""
    shown = text
    if isinstance(type, Choice) and show_choices:
        shown += f" ({', '.join(type.choices)})"
    if default is not None:
        shown += f" [{default}]"
    while True:
        answer = _read(f"{shown}: ", hide_input, err)
        if not answer and default is not None:
            answer = default
        if not answer:
            continue
        if type is not None:
            try:
                answer = type.convert(answer, "", None)
            except BadParameter as exc:
                echo(f"Error: {exc.message.removeprefix('Invalid value: ')}", err=err)
                continue
        if confirmation_prompt and _read("Repeat for confirmation: ", hide_input,
                                         err) != answer:
            echo("Error: The two entered values do not match.", err=err)
            continue
        return answer


def confirm(text: str, default: bool = False, abort: bool = False,
            err: bool = False) -> bool:
    """Yes or no; with `abort`, a no stops the command ("Aborted!", exit 1)."""
    while True:
        answer = _read(f"{text} [{'Y/n' if default else 'y/N'}]: ", False,
                       err).strip().lower()
        if answer in ("y", "yes", "n", "no", ""):
            break
        echo("Error: invalid input", err=err)
    yes = default if not answer else answer in ("y", "yes")
    if abort and not yes:
        raise Abort()
    return yes


def _read(shown: str, hidden: bool, err: bool) -> str:
    """One line typed by the person; the end of input stops the command."""
    echo(shown, err=err, nl=False)
    try:
        if hidden and sys.stdin.isatty():
            import getpass

            return getpass.getpass("")
        line = sys.stdin.readline()
    except KeyboardInterrupt:
        echo("", err=err)  # "Aborted!" on a line of its own, not after the ^C
        raise Abort() from None
    if not line:
        echo("", err=err)
        raise Abort()
    return line.rstrip("\r\n")


def edit(text: str, extension: str = ".txt") -> str | None:
    """`text` opened in the person's editor ($VISUAL, $EDITOR, else vi); what they
    saved, or None if they closed it without saving."""
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    handle, name = tempfile.mkstemp(suffix=extension)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        before = os.stat(name).st_mtime_ns
        try:
            done = subprocess.run([*shlex.split(editor), name])
        except OSError as exc:
            raise CommandError(f"{editor}: cannot start the editor ({exc.strerror})") from None
        if done.returncode != 0:
            raise CommandError(f"{editor}: the editor stopped with an error "
                               f"({done.returncode})")
        if os.stat(name).st_mtime_ns == before:
            return None
        with open(name, encoding="utf-8") as file:
            return file.read()
    finally:
        os.unlink(name)


class Progress:
    """A bar on standard error, redrawn in place; where standard error is no terminal,
    the label alone, once. Either is first shown when a step is done: questions asked
    before (an import's review) are not written on the bar's line, and a command
    stopped before its first step ("Aborted!", a refusal) says only that."""

    def __init__(self, length: int, label: str):
        self.length, self.label, self.done = length, label, 0
        self.drawn = sys.stderr is not None and sys.stderr.isatty()
        self.shown = False

    def update(self, steps: int) -> None:
        self.done += steps
        if self.drawn:
            filled = round(36 * self.done / self.length) if self.length else 36
            sys.stderr.write(f"\r{self.label}  [{'#' * filled}{'-' * (36 - filled)}]  "
                             f"{self.done}/{self.length}")
            sys.stderr.flush()
        elif not self.shown:
            echo(self.label, err=True)
        self.shown = True


@contextmanager
def progress(length: int, label: str) -> Iterator[Progress]:
    bar = Progress(length, label)
    try:
        yield bar
    finally:
        if bar.drawn and bar.shown:  # the next line starts below the bar
            echo("", err=True)
