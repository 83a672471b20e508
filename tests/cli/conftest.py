"""Fixtures of the command-line tier."""

from __future__ import annotations

import pytest


@pytest.fixture
def at_keyboard(monkeypatch):
    """A person at the keyboard answers the review's questions: the test's `input`
    stands in for their typing (CliRunner's input is no terminal)."""
    monkeypatch.setattr("qcode.cli.anonymise.can_ask", lambda: True)
