"""One output guard: no command writes over the project, its WAL, or a key, nor over
any existing file without --force; and no half-written file or temporary is left."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from qcode.core import outputs
from qcode.core.anonymise.key import Key, save_key
from qcode.core.store import Project

from tests.cli.test_keys import IDENTIFIERS, INTERVIEW

REAL = "Kirsty Blackwood"


@pytest.fixture
def study(run, tmp_path: Path) -> Path:
    """A project with one anonymised transcript and its key; a second transcript has
    an unresolved candidate (so --non-interactive writes a report)."""
    (tmp_path / "p01.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "p02.txt").write_text(INTERVIEW.replace("start", "end") + "\nP01: "
                                      "Rosalind Featherstonehaugh again.\n",
                                      encoding="utf-8")
    (tmp_path / "ids.csv").write_text(IDENTIFIERS, encoding="utf-8")
    run("init")
    run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers", "ids.csv",
        "--non-interactive")
    return tmp_path


def project_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("project.qcode*")}


def no_leftovers(folder: Path) -> None:
    assert [p.name for p in folder.rglob("*.part")] == []


# -- the privacy hole: the review report ----------------------------------------------

@pytest.mark.parametrize("target", ["project.qcode", "project.qcode-wal", "k.json",
                                    "copy-of-key.json"])
def test_the_review_report_never_replaces_the_project_or_a_key(run, study: Path, target):
    save_key(Key(), study / "copy-of-key.json")  # a key found by its content
    before = {**project_files(study), "k.json": (study / "k.json").read_bytes()}
    result = run("import", "p02.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--report", target, "--force", ok=False)
    assert result.output.splitlines()[-1].startswith(f"Error: {target} is ")
    after = {**project_files(study), "k.json": (study / "k.json").read_bytes()}
    assert after == before
    for data in after.values():
        assert b"Featherstonehaugh" not in data
    no_leftovers(study)


def test_the_review_report_replaces_another_file_only_with_force(run, study: Path):
    (study / "notes.csv").write_text("mine\n")
    args = ("import", "p02.txt", "--anonymise", "--key", "k.json", "--identifiers",
            "ids.csv", "--non-interactive", "--report", "notes.csv")
    result = run(*args, ok=False)
    assert "notes.csv already exists; give --force to replace it" in result.output
    assert (study / "notes.csv").read_text() == "mine\n"
    run(*args, "--force", ok=False)  # p02 is held back: nothing imported
    assert "Featherstonehaugh" in (study / "notes.csv").read_text()
    assert stat.S_IMODE((study / "notes.csv").stat().st_mode) == 0o600


# -- the other outputs ----------------------------------------------------------------

COMMANDS = [
    ("export", "{out}"),
    ("codebook", "export", "--format", "yaml", "--out", "{out}"),
    ("agree", "--out", "{out}"),
    ("report", "frequencies", "--out", "{out}"),
    ("quotes", "some code", "--out", "{out}"),
    ("backup", "{out}"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("target", ["project.qcode", "k.json", "taken.txt"])
def test_every_output_refuses_the_project_a_key_and_an_existing_file(
        run, study: Path, command, target):
    (study / "taken.txt").write_text("mine\n")
    before = {**project_files(study), "k.json": (study / "k.json").read_bytes(),
              "taken.txt": b"mine\n"}
    args = [a.format(out=target) for a in command]
    result = run(*args, ok=False)
    assert target in result.output and "Traceback" not in result.output
    if target != "taken.txt":  # --force is no way round for the project or a key
        run(*args, "--force", ok=False)
    after = {**project_files(study), "k.json": (study / "k.json").read_bytes(),
             "taken.txt": (study / "taken.txt").read_bytes()}
    assert after == before
    no_leftovers(study)


def test_backup_replaces_an_existing_file_with_force(run, study: Path):
    (study / "old.qcode").write_text("old\n")
    run("backup", "old.qcode", "--force")
    with Project.open(study / "old.qcode") as copy:
        assert [t.name for t in copy.transcripts()] == ["p01"]
    assert stat.S_IMODE((study / "old.qcode").stat().st_mode) == 0o600


def test_anonymise_out_leaves_existing_files_without_force(run, study: Path):
    (study / "out").mkdir()
    (study / "out" / "p02.txt").write_text("mine\n")
    args = ("anonymise", "p02.txt", "--out", "out", "--key", "other.json",
            "--identifiers", "ids.csv", "--non-interactive", "--report", "r.csv")
    result = run(*args, ok=False)
    assert "p02.txt already exists; give --force to replace it; not written" in \
        result.output
    assert (study / "out" / "p02.txt").read_text() == "mine\n"
    run(*args[:-2], "--report", "r2.csv", "--force")
    assert "[Person 1]" in (study / "out" / "p02.txt").read_text()


# -- the guard itself -----------------------------------------------------------------

def test_a_failed_write_leaves_neither_target_nor_temporary(tmp_path: Path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with outputs.replacing(target) as partial:
            partial.write_text("half")
            raise RuntimeError("the work failed")
    assert list(tmp_path.iterdir()) == []


def test_the_guard_writes_whole_files_for_the_owner_only(tmp_path: Path):
    target = tmp_path / "out.txt"
    outputs.write(target, "all of it")
    assert target.read_text() == "all of it"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_the_guard_names_the_missing_folder(tmp_path: Path):
    with pytest.raises(outputs.OutputError, match="there is no folder"):
        outputs.write(tmp_path / "missing" / "out.txt", "x")
