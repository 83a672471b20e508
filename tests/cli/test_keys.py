"""A key knows its project, and bad key, identifier and decision files are refused with
one line, nothing written."""

from __future__ import annotations

import io
import json
import os
import stat
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from qcode.core.anonymise.key import Key, KeyFileError, load_key, save_key
from qcode.core.store import Project

from tests.cli.test_anonymise_leaks import whole_word

INTERVIEW = ("Interviewer: How did it start?\n\n"
             "P01: Kirsty Blackwood rang me from Leeds.\n")
OTHER = "Interviewer: And then?\n\nP02: Morag Quill came round.\n"
IDENTIFIERS = "value,category,pseudonym\nKirsty Blackwood,person,\nLeeds,place,\n"
OTHER_IDS = "value,category,pseudonym\nMorag Quill,person,\n"
PASSPHRASE = "correct horse battery"


@pytest.fixture
def files(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("QCODE_KEY_PASSPHRASE", raising=False)
    (tmp_path / "p01.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "p02.txt").write_text(OTHER, encoding="utf-8")
    (tmp_path / "ids.csv").write_text(IDENTIFIERS, encoding="utf-8")
    (tmp_path / "other-ids.csv").write_text(OTHER_IDS, encoding="utf-8")
    return tmp_path


def anonymised_import(run, project: str, file: str, key: str, ids: str = "ids.csv",
                      ok: bool = True, *extra: str):
    result = run("--project", project, "import", file, "--anonymise", "--key", key,
                 "--identifiers", ids, "--non-interactive", *extra, ok=ok)
    if not ok:  # one line, after the label of the reading progress bar
        assert [line for line in result.output.splitlines()
                if line != "Reading"] == [result.output.splitlines()[-1]], result.output
    return result


def transcripts(path: Path) -> list[str]:
    with Project.open(path) as project:
        return [t.name for t in project.transcripts()]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# -- 1. a key knows its project -------------------------------------------------------

def test_a_new_key_for_a_new_project_binds_both(run, files: Path):
    run("init")
    result = anonymised_import(run, "project.qcode", "p01.txt", "k.json")
    assert "note:" not in result.output
    key = json.loads((files / "k.json").read_text())
    with Project.open(files / "project.qcode") as project:
        assert key["project"] == project.guid
        assert project.key_id() == key["key_id"]
    # The same key again: no note, no refusal, numbering goes on.
    run("import", "p02.txt", "--anonymise", "--key", "k.json", "--identifiers",
        "other-ids.csv", "--non-interactive")
    assert "[Person 2] came round" in Project.open(files / "project.qcode").transcript_text(
        2)


def test_another_projects_key_is_refused_naming_both(run, files: Path):
    run("init")
    anonymised_import(run, "project.qcode", "p01.txt", "k.json")
    run("--project", "second.qcode", "init")
    before = snapshot(files)
    result = anonymised_import(run, "second.qcode", "p02.txt", "k.json", "other-ids.csv",
                               False)
    assert "k.json is the key of another project" in result.output
    assert "second.qcode" in result.output
    assert transcripts(files / "second.qcode") == []
    assert (files / "k.json").read_bytes() == before["k.json"]


def test_a_missing_key_for_a_project_with_pseudonyms_is_refused(run, files: Path):
    run("init")
    anonymised_import(run, "project.qcode", "p01.txt", "k.json")
    key_id = json.loads((files / "k.json").read_text())["key_id"]
    (files / "k.json").unlink()
    result = anonymised_import(run, "project.qcode", "p02.txt", "k.json", "other-ids.csv",
                               False)
    assert f"pseudonyms came from key {key_id}; give that key file" in result.output
    assert not (files / "k.json").exists()
    assert transcripts(files / "project.qcode") == ["p01"]


def test_a_project_from_before_key_ids_is_read_for_pseudonyms(run, files: Path):
    """A project that records no key but holds '[Person 1]' came from some key."""
    run("init")
    (files / "done.txt").write_text("P01: [Person 1] rang me.\n", encoding="utf-8")
    run("import", "done.txt")
    result = anonymised_import(run, "project.qcode", "p01.txt", "new.json", ok=False)
    assert "already holds pseudonyms from a key it did not record" in result.output
    assert not (files / "new.json").exists()


def test_a_key_that_named_no_project_is_bound_with_a_note(run, files: Path):
    legacy = {"format": "qcode-key", "version": 1, "counters": {"person": 1},
              "entries": [{"value": "Kirsty Blackwood", "category": "person",
                           "pseudonym": "[Person 1]"}]}
    (files / "old.json").write_text(json.dumps(legacy))
    run("init")
    result = anonymised_import(run, "project.qcode", "p02.txt", "old.json", "other-ids.csv")
    assert "old.json named no project; it is now bound to project.qcode" in result.output
    key = json.loads((files / "old.json").read_text())
    with Project.open(files / "project.qcode") as project:
        assert key["project"] == project.guid and project.key_id() == key["key_id"]
        # The old numbering goes on: Morag is not a second [Person 1].
        assert "[Person 2] came round" in project.transcript_text(1)


def test_anonymise_file_to_file_takes_any_key(run, files: Path):
    run("init")
    anonymised_import(run, "project.qcode", "p01.txt", "k.json")  # bound
    run("anonymise", "p02.txt", "--out", "out", "--key", "k.json", "--identifiers",
        "other-ids.csv", "--non-interactive")
    run("anonymise", "p02.txt", "--out", "out2", "--key", "fresh.json", "--identifiers",
        "other-ids.csv", "--non-interactive")
    assert "[Person 2]" in (files / "out" / "p02.txt").read_text()
    assert json.loads((files / "fresh.json").read_text())["project"] is None


def test_redact_refuses_another_projects_key(run, files: Path):
    run("init")
    anonymised_import(run, "project.qcode", "p01.txt", "k.json")
    run("--project", "second.qcode", "init")
    run("--project", "second.qcode", "import", "p02.txt")
    result = run("--project", "second.qcode", "redact", "p02", "--value", "-", "--key",
                 "k.json", input="Quill\n", ok=False, one_line=True)
    assert "k.json is the key of another project" in result.output
    assert "Morag Quill" in Project.open(files / "second.qcode").transcript_text(1)


def qdpx_with_docx_source(path: Path, text_lines: list[str]) -> Path:
    import docx

    document = docx.Document()
    for line in text_lines:
        document.add_paragraph(line)
    data = io.BytesIO()
    document.save(data)
    guid = "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="docx only">
  <Sources><TextSource guid="{guid}" name="p03.docx" richTextPath="internal://{guid}.docx"/>
  </Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{guid}.docx", data.getvalue())
    return path


def test_import_project_binds_and_refuses_like_import(run, files: Path):
    qdpx_with_docx_source(files / "in.qdpx", ["Interviewer: Who?",
                                               "P03: Kirsty Blackwood, from Leeds."])
    run("--project", "new.qcode", "import-project", "in.qdpx", "--anonymise", "--key",
        "k.json", "--identifiers", "ids.csv", "--non-interactive")
    key = json.loads((files / "k.json").read_text())
    with Project.open(files / "new.qcode") as project:
        assert key["project"] == project.guid and project.key_id() == key["key_id"]
    run("--project", "other.qcode", "init")
    result = run("--project", "other.qcode", "import-project", "in.qdpx", "--anonymise",
                 "--key", "k.json", "--identifiers", "ids.csv", "--non-interactive",
                 ok=False, one_line=True)
    assert "k.json is the key of another project" in result.output


# -- 5. nothing raw touches the disk ---------------------------------------------------

def test_a_docx_source_is_never_written_to_the_temporary_folder(run, files: Path,
                                                                monkeypatch):
    temporary = files / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    seen: list[Path] = []
    real_write = Path.write_bytes

    def watched(self, data):  # every file written while the import runs
        seen.append(self)
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", watched)
    qdpx_with_docx_source(files / "in.qdpx", ["Interviewer: Who?",
                                               "P03: Kirsty Blackwood, from Leeds."])
    run("--project", "new.qcode", "import-project", "in.qdpx", "--anonymise", "--key",
        "k.json", "--identifiers", "ids.csv", "--non-interactive")
    assert list(temporary.rglob("*")) == []
    assert not [p for p in seen if p.suffix == ".docx"]
    run("--project", "new.qcode", "export", "out.qdpx")
    for name in ("new.qcode", "new.qcode-wal", "out.qdpx"):
        if (files / name).exists():
            data = (files / name).read_bytes()
            if name.endswith("qdpx"):
                with zipfile.ZipFile(files / name) as archive:
                    data = b"".join(archive.read(n) for n in archive.namelist())
            assert whole_word("Blackwood", data, False) == [], name
    with Project.open(files / "new.qcode") as project:
        logged = json.dumps(project.events(1000))
    assert "Blackwood" not in logged


# -- 2. bad input: one line, nothing written -------------------------------------------

def test_a_key_in_a_missing_folder_is_refused_before_any_work(run, files: Path):
    run("init")
    result = anonymised_import(run, "project.qcode", "p01.txt", "nowhere/k.json", ok=False)
    assert "there is no folder nowhere to keep the key in; create it first" in result.output
    assert not (files / "nowhere").exists()
    assert transcripts(files / "project.qcode") == []


def test_a_wrong_passphrase_is_refused(run, files: Path, monkeypatch):
    save_key(Key(), files / "k.json", PASSPHRASE)
    run("init")
    before = snapshot(files)
    monkeypatch.setenv("QCODE_KEY_PASSPHRASE", "wrong")
    result = anonymised_import(run, "project.qcode", "p01.txt", "k.json", ok=False)
    assert "wrong passphrase" in result.output
    assert snapshot(files) == before


@pytest.fixture(scope="module")
def encrypted_key(tmp_path_factory) -> dict:
    """An encrypted key file's fields, made once: encrypting runs scrypt (0.1 s of CPU)
    and each test below only damages a copy."""
    path = tmp_path_factory.mktemp("key") / "k.json"
    save_key(Key(), path, PASSPHRASE)
    return json.loads(path.read_text())


@pytest.mark.parametrize("n", [3, 2**40, 2**13, "many"])
def test_damaged_scrypt_settings_are_refused_at_once(run, files: Path, monkeypatch,
                                                     encrypted_key: dict, n):
    data = dict(encrypted_key)
    data["n"] = n
    (files / "k.json").write_text(json.dumps(data))
    run("init")
    monkeypatch.setenv("QCODE_KEY_PASSPHRASE", PASSPHRASE)
    started = time.monotonic()
    result = anonymised_import(run, "project.qcode", "p01.txt", "k.json", ok=False)
    assert time.monotonic() - started < 5
    assert "the encrypted key file is damaged" in result.output
    assert transcripts(files / "project.qcode") == []


@pytest.mark.parametrize("row, problem", [(",person,", "the value is empty"),
                                          ("K,person,", "is a single character")])
def test_an_empty_or_one_letter_identifier_is_refused(run, files: Path, row, problem):
    (files / "ids.csv").write_text(IDENTIFIERS + row + "\n", encoding="utf-8")
    run("init")
    result = anonymised_import(run, "project.qcode", "p01.txt", "k.json", ok=False)
    assert "ids.csv:4: " in result.output and problem in result.output
    assert not (files / "k.json").exists()
    assert transcripts(files / "project.qcode") == []


def test_one_letter_in_yaml_is_refused_too(files: Path):
    from qcode.core.anonymise.identifiers import IdentifiersError, read_identifiers

    (files / "ids.yaml").write_text("- value: J\n  category: person\n")
    with pytest.raises(IdentifiersError, match="single character"):
        read_identifiers(files / "ids.yaml")


def test_decisions_for_values_not_in_the_batch_are_counted_not_shown(run, files: Path):
    run("init")
    (files / "d.csv").write_text("decision,value,category\naccept,Zebedee Quartermain,"
                                 "person\nreject,Ottoline Brace,person\n")
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--decisions", "d.csv", ok=False)
    assert ("d.csv: 2 decisions for values that are not among the candidates"
            in result.output)
    assert "Zebedee" not in result.output and "Ottoline" not in result.output
    assert not (files / "k.json").exists()
    assert transcripts(files / "project.qcode") == []


# -- 3. protected files ---------------------------------------------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_project_file_and_its_wal_are_for_the_owner_only(run, files: Path):
    os.umask(0o022)
    run("init")
    with Project.open(files / "project.qcode") as project:
        project.coder_id("ana")  # something in the WAL
        made = [p for p in files.glob("project.qcode*")]
        assert {p.name for p in made} >= {"project.qcode", "project.qcode-wal"}
        assert {p.name: mode(p) for p in made} == {p.name: 0o600 for p in made}


def test_the_review_report_has_the_keys_protection(run, files: Path, monkeypatch):
    from qcode.core.anonymise.key import decrypt, encrypt

    monkeypatch.setenv("QCODE_KEY_PASSPHRASE", PASSPHRASE)
    (files / "p01.txt").write_text(INTERVIEW + "\nP01: Then Rosalind Featherstonehaugh "
                                   "came.\n", encoding="utf-8")
    run("anonymise", "p01.txt", "--out", "out", "--key", "k.json", "--identifiers",
        "ids.csv", "--non-interactive", "--encrypt-key")
    report = files / "k-review.csv"
    assert mode(report) == 0o600
    assert b"Featherstonehaugh" not in report.read_bytes()
    sealed = json.loads(report.read_bytes())
    assert sealed["format"] == "qcode-review-encrypted"
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        decrypt(sealed, "wrong", report, "review file")
    # The researcher fills it in (accepting every candidate) and seals it again.
    lines = decrypt(sealed, PASSPHRASE, report, "review file").decode().splitlines()
    assert "Featherstonehaugh" in "\n".join(lines)
    filled = "\n".join([lines[0]] + ["accept" + line for line in lines[1:]]) + "\n"
    (files / "d.json").write_text(json.dumps(encrypt(filled.encode(), PASSPHRASE,
                                                     "qcode-review-encrypted")))
    run("init")
    anonymised_import(run, "project.qcode", "p01.txt", "k.json", "ids.csv", True,
                      "--decisions", "d.json")
    data = b"".join(p.read_bytes() for p in files.glob("project.qcode*"))
    assert whole_word("Featherstonehaugh", data, False) == []
    with Project.open(files / "project.qcode") as project:
        assert "Then [Person 2] came." in project.transcript_text(1)


def test_a_sealed_review_file_needs_the_passphrase(run, files: Path):
    from qcode.core.anonymise.key import encrypt

    (files / "d.json").write_text(json.dumps(encrypt(b"decision,value\n", PASSPHRASE,
                                                     "qcode-review-encrypted")))
    run("init")
    result = anonymised_import(run, "project.qcode", "p01.txt", "k.json", "ids.csv", False,
                               "--decisions", "d.json")
    assert "d.json is encrypted; set QCODE_KEY_PASSPHRASE" in result.output


def test_an_encrypted_key_loads_after_binding(files: Path):
    key = Key()
    key.project = "GUID"
    save_key(key, files / "k.json", PASSPHRASE)
    assert load_key(files / "k.json", PASSPHRASE) == key
