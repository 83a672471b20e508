"""`check` while another program holds the project for writing: busy, not broken, and
a write that cannot get the lock is reported, never lost without a word."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from qcode.cli.project import BUSY_EXIT
from qcode.core.store import Project
from qcode.core.store.journal import ProjectBusy


@pytest.fixture
def held(run, tmp_path: Path):
    """A project, and a second connection holding its write lock (BEGIN IMMEDIATE)."""
    run("init")
    other = sqlite3.connect(tmp_path / "project.qcode", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.close()


def test_check_says_busy_not_broken_while_another_program_writes(run, held):
    result = run("check", "--wait", "0.1", ok=False, one_line=True)
    assert result.exit_code == BUSY_EXIT
    assert "busy: another program is writing" in result.output
    assert "try again" in result.output
    assert "problem" not in result.output and "locked" not in result.output
    held.execute("COMMIT")
    assert "ok:" in run("check", "--wait", "0.1").output


def test_check_still_reports_real_damage_with_exit_1(run, tmp_path: Path):
    run("init")
    with Project.open(tmp_path / "project.qcode") as project:
        project.conn.execute("PRAGMA foreign_keys = OFF")
        project.conn.execute("INSERT INTO codes (guid, name, parent_id) "
                             "VALUES ('G', 'orphan', 999)")
    result = run("check", ok=False)
    assert result.exit_code == 1 and "problem(s) found" in result.output


def test_a_write_that_cannot_get_the_lock_is_retried_then_reported(held, tmp_path: Path):
    with Project.open(tmp_path / "project.qcode") as project:
        project.wait_for_lock(0.1)
        started = time.monotonic()
        with pytest.raises(ProjectBusy, match="busy: another program holds it"):
            project.add_code("Trust")
        # The timeout, twice retried with pauses: bounded, well under the 10 s default.
        assert time.monotonic() - started < 2
        assert not project.conn.in_transaction
        held.execute("COMMIT")
        project.add_code("Trust")
        assert [c.name for c in project.codes()] == ["Trust"]
