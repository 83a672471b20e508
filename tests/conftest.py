from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.store import Project

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "test.qcode") as p:
        yield p


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
