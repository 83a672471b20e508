"""Killing the app mid-session loses nothing it showed as done; two coders in two
processes on one file lose nothing and see no error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from qcode.core.codebook import parse as parse_codebook
from qcode.core.store import Project
from tests.tui_helpers import BOOK, parsed

REPO = Path(__file__).resolve().parents[2]
LONG = "\n\n".join(
    f"{'Interviewer' if n % 2 else 'P01'}: " + " ".join(
        f"word{n}x{i} about training and the victims" for i in range(12))
    for n in range(24)) + "\n"


def long_project(tmp_path: Path) -> Path:
    path = tmp_path / "p.qcode"
    with Project.create(path) as project:
        project.add_transcript(parsed("long", LONG), "long.txt", case="P01")
        project.load_codebook(parse_codebook(BOOK))
    return path


def start_session(path: Path, coder: str, actions: int, offset: int = 0):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.tui_session", str(path), coder, str(actions),
         str(offset)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def shown_in(project: Project, coder: str, done: list[tuple[int, int, int]]) -> list:
    stored = [(c.code_id, c.start, c.end) for c in project.codings(1, [coder])]
    return [d for d in done if not any(
        code == d[0] and start <= d[1] and d[2] <= end for code, start, end in stored)]


def test_sigkill_mid_session_loses_nothing_shown_as_done(tmp_path: Path):
    path = long_project(tmp_path)
    process = start_session(path, "ana", 80)
    done = []
    for line in process.stdout:
        assert not line.startswith("ERROR"), line
        if line.startswith("done"):
            done.append(tuple(int(v) for v in line.split()[1:]))
        if len(done) == 40:  # mid-session: more were on their way
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.stderr.read()[-2000:]
    with Project.open(path) as project:
        assert shown_in(project, "ana", done) == []
        assert len(project.codings(1, ["ana"])) >= 40
        assert project.check() == []


def test_two_coders_in_two_processes_on_one_file(tmp_path: Path):
    path = long_project(tmp_path)
    sessions = {coder: start_session(path, coder, 25, offset)
                for coder, offset in (("ana", 0), ("ben", 1))}
    for coder, process in sessions.items():
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        assert "ERROR" not in out, out
        assert out.strip().endswith("finished")
        sessions[coder] = [tuple(int(v) for v in line.split()[1:])
                           for line in out.splitlines() if line.startswith("done")]
    with Project.open(path) as project:
        for coder, done in sessions.items():
            assert len(done) == 25
            assert shown_in(project, coder, done) == []
            assert len(project.codings(1, [coder])) == 25
        assert project.check() == []
