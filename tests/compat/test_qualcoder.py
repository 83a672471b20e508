"""qcode's export through the real QualCoder and back (opt-in): run when the headless
client beside the repository is set up (its README: `bash setup.sh`), else skipped.
QUALCODER_PYTHON names the client's Python when it is not in setup.sh's default place."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.store import Project, new_guid

CLIENT = Path(__file__).resolve().parents[2].parent / "shared" / "clients" / "qualcoder"
PYTHON = Path(os.environ.get("QUALCODER_PYTHON")
              or Path(tempfile.gettempdir()) / ".venv-qualcoder" / "bin" / "python")


def drive(*args: str) -> dict:
    if not (CLIENT / "drive.py").is_file() or not PYTHON.is_file():
        pytest.skip("the QualCoder client is not set up (see its README)")
    done = subprocess.run([str(PYTHON), str(CLIENT / "drive.py"), *args],
                          capture_output=True, text=True, timeout=900)
    report = json.loads(done.stdout)
    assert report["ok"], report.get("error")
    return report


def qcode(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


def what_travels(path: Path) -> tuple:
    """The code tree (paths of names, codable or not), categories, codings (by names,
    coder and place, with memo), memos and case links."""
    with Project.open(path) as project:
        codes = {c.id: c for c in project.codes()}

        def path_of(code) -> tuple[str, ...]:
            up = codes.get(code.parent_id)
            return (*path_of(up), code.name) if up else (code.name,)

        tree = sorted((path_of(c), c.codable) for c in codes.values())
        categories = sorted(c.name for c in codes.values() if not c.codable)
        codings = {(t.name, codes[c.code_id].name, c.coder_name, c.start, c.end,
                    c.memo) for t in project.transcripts()
                   for c in project.codings(t.id)}
        memos = sorted(project.conn.execute("SELECT target_type, text FROM memos"))
        links = sorted((t.case, t.name) for t in project.transcripts() if t.case)
    return tree, categories, codings, memos, links


def test_the_demo_goes_through_qualcoder_and_back(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    qcode("demo", "--no-tui")
    with Project.open(tmp_path / "demo.qcode") as project:
        project.coder = "Coder A"
        themes = [c for c in project.codes() if c.depth == 0 and not c.codings]
        for theme in themes:
            project.edit_code(theme.id, codable=False)
        first = project.transcripts()[0]
        project.set_coding_memo(project.codings(first.id)[0].id, "Check with B.")
        code = next(c for c in project.codes() if c.codable)
        transcript = project.conn.execute("SELECT guid FROM transcripts WHERE id = ?",
                                          (first.id,)).fetchone()[0]
        with project.transaction():
            for target, guid, text in (("code", code.guid, "On the code."),
                                       ("transcript", transcript, "On the text.")):
                project.conn.execute(
                    "INSERT INTO memos (guid, name, text, target_type, target_guid,"
                    " created) VALUES (?, 'memo', ?, ?, ?, '2026-01-02T03:04:05Z')",
                    (new_guid(), text, target, guid))
        codings = len(project.all_codings())
        cases = project.conn.execute(
            "SELECT count(*) FROM transcripts WHERE case_id IS NOT NULL").fetchone()[0]
    qcode("--project", "demo.qcode", "export", "--for", "qualcoder", "demo.qdpx")

    imported = drive("import-qdpx", "demo.qdpx", str(tmp_path / "qc" / "demo"))
    counts, check = imported["counts"], imported["file_check"]
    assert counts["categories"] == len(themes) > 0
    assert counts["code_text_cid_null"] == 0 and counts["code_text"] == codings
    assert check["codings_matched"] == check["matched_with_same_text"] == codings
    assert check["extra_in_qualcoder"] == 0
    # Each link twice: over its text, which QualCoder's views of a case use, and from
    # 0 to 0, the one form its export writes back.
    assert counts["code_text_with_memo"] == 1 and counts["case_text"] == 2 * cases > 0

    drive("export-qdpx", imported["project"], str(tmp_path / "back"))
    qcode("--project", "back.qcode", "import-project", "back/demo.qdpx")
    back, sent = what_travels(tmp_path / "back.qcode"), what_travels(tmp_path / "demo.qcode")
    assert back == sent and len(back[-1]) == cases


def test_codes_named_alike_keep_every_coding_in_qualcoder(tmp_path: Path, monkeypatch):
    from tests.cli.test_exchange_qualcoder_forms import alike_names

    monkeypatch.chdir(tmp_path)
    qcode("--project", "alike.qcode", "import-project", str(alike_names(tmp_path / "in.qdpx")))
    lost = {}
    for tool in ("standard", "qualcoder"):
        qcode("--project", "alike.qcode", "export", "--for", tool, f"{tool}.qdpx")
        counts = drive("import-qdpx", f"{tool}.qdpx", str(tmp_path / tool / "alike"))["counts"]
        assert counts["code_text"] == 4
        lost[tool] = counts["code_text_cid_null"]
    # The standard's names lose the two later codes named Training there; unique ones
    # lose nothing.
    assert lost == {"standard": 2, "qualcoder": 0}
    # Back from QualCoder, each code has its own name again, and says so.
    exported = drive("export-qdpx", str(tmp_path / "qualcoder" / "alike.qda"),
                     str(tmp_path / "back"))
    result = CliRunner().invoke(cli, ["--project", "back.qcode", "import-project",
                                      exported["output"]], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.count(" again: qcode wrote it so for QualCoder") == 4
    assert what_travels(tmp_path / "back.qcode")[:3] == what_travels(
        tmp_path / "alike.qcode")[:3]
