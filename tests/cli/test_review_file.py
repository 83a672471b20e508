"""qcode review-file edit: an encrypted review file filled in through the editor, the
plain text only ever in a private temporary copy that is gone afterwards."""

from __future__ import annotations

import json
import shlex
import stat
import sys
from pathlib import Path

import pytest

from qcode.cli.review_file import IN_MEMORY
from qcode.core.anonymise.key import is_encrypted
from qcode.core.anonymise.review import ENCRYPTED_REPORT, read_decisions
from qcode.core.store import Project

from tests.conftest import write
from tests.cli.test_pipeline import everywhere, leaks, setup

PASSPHRASE = "correct horse battery staple"
# The editor: notes where it was given the file and how it was protected, then does
# what EDIT_ACTION says: accept every row about the colleague, write nonsense, or fail.
EDITOR = """
import json, os, stat, sys
path = sys.argv[1]
mode = stat.S_IMODE(os.stat(path).st_mode)
folder = stat.S_IMODE(os.stat(os.path.dirname(os.path.abspath(path))).st_mode)
text = open(path, encoding="utf-8").read()
json.dump({"path": path, "mode": mode, "folder": folder, "plain": "decision," in text},
          open(os.environ["EDIT_LOG"], "w"))
action = os.environ.get("EDIT_ACTION", "accept")
if action == "fail":
    sys.exit(3)
lines = text.splitlines()
if action == "accept":
    rows = [("accept" if "Tobias" in l or "Wrenfield" in l else "reject") + l
            for l in lines[1:]]
else:
    rows = ["maybe" + l for l in lines[1:]]
open(path, "w", encoding="utf-8").write("\\n".join([lines[0]] + rows) + "\\n")
"""


@pytest.fixture
def sealed(run, tmp_path, monkeypatch) -> Path:
    """A project, an encrypted key, and the sealed review file of a held-back import."""
    monkeypatch.setenv("QCODE_KEY_PASSPHRASE", PASSPHRASE)
    script = write(tmp_path / "editor.py", EDITOR)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDIT_LOG", str(tmp_path / "edit.json"))
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--encrypt-key",
                 "--identifiers", "ids.csv", "--non-interactive", "--interviewer", "Okonkwo",
                 ok=False)
    assert "held back 1 transcript(s)" in result.output
    review = tmp_path / "k-review.csv"
    assert is_encrypted(review, ENCRYPTED_REPORT)
    return review


def edited(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "edit.json").read_text())


def test_an_encrypted_review_file_is_filled_in_and_sealed_again(run, tmp_path, sealed):
    result = run("review-file", "edit", "k-review.csv", "--key", "k.json")
    assert "sealed again" in result.output
    seen = edited(tmp_path)
    assert seen["plain"] and seen["mode"] == 0o600 and seen["folder"] == 0o700
    if IN_MEMORY.is_dir():
        assert Path(seen["path"]).is_relative_to(IN_MEMORY)
    assert not Path(seen["path"]).exists() and not Path(seen["path"]).parent.exists()
    assert is_encrypted(sealed, ENCRYPTED_REPORT)
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    assert b"Tobias" not in sealed.read_bytes()
    decisions = read_decisions(sealed, PASSPHRASE)
    assert {d.value for d in decisions.values() if d.action == "accept"} >= {
        "Tobias Wrenfield"}
    # The filled-in file finishes the import, and the colleague is nowhere.
    run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers", "ids.csv",
        "--non-interactive", "--interviewer", "Okonkwo", "--decisions", "k-review.csv")
    with Project.open(tmp_path / "project.qcode") as project:
        assert len(project.transcripts()) == 1
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}


@pytest.mark.parametrize("action, problem", [
    ("fail", "the editor"), ("nonsense", "decision must be accept or reject")])
def test_a_failed_edit_leaves_the_file_as_it_was_and_no_copy(run, tmp_path, sealed,
                                                             monkeypatch, action, problem):
    monkeypatch.setenv("EDIT_ACTION", action)
    before = sealed.read_bytes()
    result = run("review-file", "edit", "k-review.csv", ok=False, one_line=True)
    assert problem in result.output
    assert sealed.read_bytes() == before
    assert not Path(edited(tmp_path)["path"]).parent.exists()


def test_a_wrong_passphrase_is_one_line_and_opens_nothing(run, tmp_path, sealed,
                                                         monkeypatch):
    monkeypatch.setenv("QCODE_KEY_PASSPHRASE", "not it")
    result = run("review-file", "edit", "k-review.csv", ok=False, one_line=True)
    assert "wrong passphrase" in result.output
    assert not (tmp_path / "edit.json").exists()


def test_a_plain_review_file_is_opened_as_it_is(run, tmp_path, monkeypatch):
    script = write(tmp_path / "editor.py", EDITOR)
    monkeypatch.setenv("VISUAL", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    monkeypatch.setenv("EDIT_LOG", str(tmp_path / "edit.json"))
    plain = write(tmp_path / "review.csv", "decision,value,category\n,Tobias,person\n")
    result = run("review-file", "edit", "review.csv")
    assert "not encrypted" in result.output
    assert Path(edited(tmp_path)["path"]).resolve() == plain.resolve()
    assert plain.read_text().splitlines()[1] == "accept,Tobias,person"


def test_a_missing_file_is_one_line(run, tmp_path):
    result = run("review-file", "edit", "nowhere.csv", ok=False, one_line=True)
    assert "nowhere.csv: no such file" in result.output
