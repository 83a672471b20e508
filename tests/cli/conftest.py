"""Fixtures of the command-line tier."""

from __future__ import annotations

import pytest


@pytest.fixture
def at_keyboard(monkeypatch):
    """A person at the keyboard answers the review's questions: the test's `input`
    stands in for their typing (CliRunner's input is no terminal)."""
    monkeypatch.setattr("qcode.cli.anonymise.can_ask", lambda: True)


@pytest.fixture(autouse=True)
def opened_by_pyqdpx(request):
    """Every .qdpx an exchange test writes, opened by pyqdpx too (an independent reader)
    wherever it runs: Python 3.12+, or PYQDPX_PYTHON. A coding it finds elsewhere than
    qcode does fails the test that wrote the archive."""
    exchange = request.module.__name__.rpartition(".")[2].startswith("test_exchange")
    folder = (request.getfixturevalue("tmp_path")
              if exchange and "tmp_path" in request.fixturenames else None)
    yield
    if folder is None:
        return
    from tests.pyqdpx_reader import PYTHON, check_export

    if PYTHON is None:
        return
    for archive in sorted(folder.rglob("*.qdpx")):
        check_export(archive)
