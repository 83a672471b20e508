from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.store import Project

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
# The tiers, one folder each, each a marker: `pytest -m unit`, `-m "not tui"`.
TIERS = ("unit", "cli", "tui", "compat")


def pytest_xdist_auto_num_workers(config) -> int:
    """Two workers per CPU for `-n auto`: a TUI test spends about half its time asleep
    in Textual's idle waits (every key press and pause sleeps until the app is idle), so
    one worker per CPU leaves the CPUs half used. Workstealing (addopts) keeps the slow
    TUI tests from queueing behind one worker at the end."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # At most 16, to bound memory on a large machine: a worker holds a Python with
    # Textual and the projects of its tests.
    return min(2 * (cpus or 1), 16)


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        tier = Path(item.fspath).parent.name
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo project (and its key beside it), built once per test process: building
    it takes about a second, copying it a millisecond. Tests of the build itself build
    their own."""
    from qcode.core.demo import build_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.qcode"
    build_demo(path).project.close()
    return path


def copy_demo(template: Path, folder: Path) -> Path:
    """folder/demo.qcode: a copy of the demo project, with its key (demo.key.json)."""
    for name in ("demo.qcode", "demo.key.json"):
        shutil.copyfile(template.with_name(name), folder / name)
    return folder / "demo.qcode"


@pytest.fixture
def demo_copy(tmp_path: Path, demo_template: Path) -> Path:
    return copy_demo(demo_template, tmp_path)


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "test.qcode") as p:
        yield p


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def decided(folder: Path, *accepted: str, review: str = "k-review.csv") -> Path:
    """decided.csv beside the review file an anonymising import wrote: each candidate
    accepted whose row names one of `accepted` (all of them when none is named), the
    rest rejected."""
    lines = (folder / review).read_text().splitlines()
    rows = [("accept" if not accepted or any(name in line for name in accepted)
             else "reject") + line for line in lines[1:]]
    return write(folder / "decided.csv", "\n".join([lines[0], *rows]) + "\n")


def cli_result(args, ok: bool = True, one_line: bool = False, **kwargs):
    """Run `qcode ARGS` in process: success, or else a failure a user can read (a
    non-zero exit and no traceback; with `one_line`, a message of one line)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False,
                                **kwargs)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
        assert "Traceback" not in result.output
        if one_line:
            assert len(result.output.strip().splitlines()) == 1, result.output
    return result


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    """`run("import", "p01.txt", ok=False)`: a command in a fresh folder, with no
    project chosen from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    return lambda *args, ok=True, **kwargs: cli_result(args, ok, **kwargs)
