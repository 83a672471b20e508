"""The progress bar of qcode/cli/terminal.py as a person meets it: nothing of it shows
before its first step, so a command stopped before then (^C or end of input at an
import's review question, a refusal) ends with its one line and no more."""

from __future__ import annotations

import io

import pytest

from qcode.cli import terminal


class Screen(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("stream", [Screen, Pipe])
def test_a_bar_stopped_before_its_first_step_leaves_nothing(monkeypatch, stream):
    """At a terminal, ^C at the review question printed a blank line before
    "Aborted!"; piped, a refusal came after a lone "Importing"."""
    err = stream()
    monkeypatch.setattr("sys.stderr", err)
    with pytest.raises(KeyboardInterrupt):
        with terminal.progress(3, "Importing"):
            raise KeyboardInterrupt
    assert err.getvalue() == ""


def test_a_bar_at_a_terminal_is_redrawn_and_ends_its_line(monkeypatch):
    err = Screen()
    monkeypatch.setattr("sys.stderr", err)
    with terminal.progress(2, "Importing") as bar:
        bar.update(1)
        bar.update(1)
    assert err.getvalue().endswith("2/2\n") and err.getvalue().count("\r") == 2


def test_piped_the_label_is_said_once(monkeypatch):
    err = Pipe()
    monkeypatch.setattr("sys.stderr", err)
    with terminal.progress(2, "Importing") as bar:
        bar.update(1)
        bar.update(1)
    assert err.getvalue() == "Importing\n"
