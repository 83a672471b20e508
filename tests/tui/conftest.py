"""The project most TUI tests drive: two fictional interviews and a small codebook
(tests/tui_helpers.py build_project), with the settings file kept in the test's folder.
A test file that needs more codings defines its own `path`, which takes precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui_helpers import build_project


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    return build_project(tmp_path / "p.qcode")
