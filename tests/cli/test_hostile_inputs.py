"""Hostile and damaged inputs (issue 17): binary text refused on every way in, stored
text checked before it is used, JSON and HTML outputs that stay valid, leftovers of
killed writes cleaned, full disks and read-only copies told in words, batches that go
on past one bad file, and foreign SQLite files left alone."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from qcode.core.importers.base import ImportProblem, decode
from qcode.core.importers.word import parse_docx_bytes
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project, ProjectError
from tests.cli.test_pipeline import everywhere, leaks
from tests.conftest import cli_result, copy_demo

BODY = "INTERVIEWER: How was it?\n\nP01: It was fine.\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    cli_result(["init"])
    return tmp_path


# -- (a) binary text is refused on every way in ----------------------------------------

@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf" + b"INTERVIEWER: hi\x00\x00\x00 there\n",
    b"\xff\xfe" + "P01: hi\x00 there\n".encode("utf-16-le"),
    b"\xef\xbb\xbf" + bytes(range(256)),
])
def test_a_bom_does_not_let_binary_in(data: bytes):
    with pytest.raises(ImportProblem, match="binary|decode"):
        decode(data)


def test_import_of_a_bom_and_nuls_is_refused_and_check_stays_clean(folder: Path):
    (folder / "nul.txt").write_bytes(b"\xef\xbb\xbfINTERVIEWER: hi \x00 there\n")
    result = cli_result(["import", "nul.txt"], ok=False)
    assert "NUL" in result.output
    assert "ok:" in cli_result(["check"]).output


def test_a_word_document_with_a_nul_is_refused(monkeypatch):
    from qcode.core.importers import word

    monkeypatch.setattr(word, "_read", lambda raw: (["P01: hi\x00 there"], [False]))
    with pytest.raises(ImportProblem, match="NUL"):
        parse_docx_bytes(b"PK", "w")


def qdpx_with_source(path: Path, text: str) -> Path:
    qde = ('<?xml version="1.0" encoding="utf-8"?>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
           '<Sources><TextSource guid="A0000000-0000-4000-8000-000000000001" name="bin"'
           ' plainTextPath="internal://bin.txt"/>'
           '<TextSource guid="A0000000-0000-4000-8000-000000000002" name="good">'
           f'<PlainTextContent>{BODY}</PlainTextContent></TextSource></Sources></Project>')
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("project.qde", qde)
        out.writestr("sources/bin.txt", text.encode("utf-8"))
    return path


def test_import_project_refuses_a_binary_source_and_keeps_the_rest(folder: Path):
    qdpx_with_source(folder / "p.qdpx", "P01: Siobhan\x00\x00 there\n")
    result = cli_result(["import-project", "p.qdpx"])
    assert "source 'bin'" in result.output and "NUL" in result.output
    with Project.open(folder / "project.qcode") as project:
        assert [t.name for t in project.transcripts()] == ["good"]
    assert "ok:" in cli_result(["check"]).output
    # Refused whole: nothing of the binary source is kept anywhere, or exported.
    assert leaks(everywhere(folder), ["Siobhan"]) == {}


def test_the_store_refuses_a_nul_whatever_the_way_in(project: Project):
    parsed = Transcript("t", "txt", "P01: a\x00b\n", [Turn("P01", 5, 8)])
    with pytest.raises(ProjectError, match="NUL"):
        project.add_transcript(parsed, "t.txt")
    assert project.transcripts() == []


def test_check_reports_a_stored_nul(project: Project):
    project.add_transcript(Transcript("t", "txt", BODY, [Turn("P01", 30, 42)]), "t.txt")
    # What an older qcode let in: written behind the store's back.
    project.conn.execute("UPDATE transcripts SET text = ?", ("P01: a\x00b\n",))
    assert any("transcript t: " in p and "NUL" in p for p in project.check())


# -- (b) a stored text whose bytes changed is not used ---------------------------------

def test_a_flipped_byte_is_refused_by_show_export_and_quotes(folder: Path):
    (folder / "p01.txt").write_text(BODY, encoding="utf-8")
    cli_result(["import", "p01.txt"])
    with Project.open(folder / "project.qcode") as project:
        code = project.add_code("Fine")
        project.add_coding(1, code, "ana", 30, 42)
        # A byte flipped on disk: the text changes, its stored hash does not.
        project.conn.execute("UPDATE transcripts SET text = replace(text, 'fine', 'fime')")
    for args in (["show", "p01"], ["export", "out.qdpx"], ["quotes", "Fine"]):
        result = cli_result(args, ok=False, one_line=True)
        assert "transcript 'p01'" in result.output and "qcode check" in result.output
    assert not (folder / "out.qdpx").exists()
    assert "SHA-256" in cli_result(["check"], ok=False).output


def test_a_sound_text_is_hashed_once_per_open_project(project: Project, monkeypatch):
    from qcode.core.store import transcripts

    project.add_transcript(Transcript("t", "txt", BODY, [Turn("P01", 30, 42)]), "t.txt")
    hashed = []
    monkeypatch.setattr(transcripts, "text_hash",
                        lambda text: hashed.append(text) or Transcript("", "", text).sha256)
    for _ in range(3):
        assert project.transcript_text(1) == BODY
        project.excerpts([(1, 0, 5)])
    assert len(hashed) == 1


# -- (c) JSON that is JSON, HTML that fetches nothing ----------------------------------

def test_show_json_never_prints_infinity(folder: Path):
    # A speaker's clock of four hundred digits reads as infinity seconds.
    with Project.open(folder / "project.qcode") as project:
        project.add_transcript(Transcript("t", "txt", BODY, [
            Turn("INTERVIEWER", 13, 24, 0, float("inf"), None),
            Turn("P01", 31, 43, 26, 3.5, float("-inf"))]), "t.txt")
    output = cli_result(["show", "t", "--json"]).output
    turns = json.loads(output, parse_constant=lambda name: pytest.fail(name))
    assert [(t["begin_time"], t["end_time"]) for t in turns] == [(None, None), (3.5, None)]
    assert "INTERVIEWER" in cli_result(["show", "t"]).output


def test_every_html_page_carries_the_content_security_policy(tmp_path: Path):
    from tests.cli.test_agree import project_with

    project = project_with(tmp_path, 200, ["Scale"], {"ana": [(0, 30, "Scale")],
                                                       "ben": [(0, 25, "Scale")]})
    path = str(project.path)
    project.close()
    for name, args in (("agree.html", ["agree", "--resamples", "0", "--format", "html",
                                       "--out", tmp_path / "agree.html"]),
                       ("report/index.html", ["report", "html", tmp_path / "report"])):
        cli_result(["-p", path, *args])
        page = (tmp_path / name).read_text(encoding="utf-8")
        assert "Content-Security-Policy" in page and "default-src 'none'" in page, name


# -- (d) a killed write's leftovers are cleaned ----------------------------------------

def test_a_killed_exports_part_file_is_removed_by_the_next_write(tmp_path: Path):
    import os
    import subprocess
    import sys

    from qcode.core import outputs

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    target = tmp_path / "out.qdpx"
    stale = tmp_path / f".out.qdpx.{dead}.part"
    writing = tmp_path / f".out.qdpx.{os.getppid()}.part"  # a live process, still writing
    other = tmp_path / f".other.qdpx.{dead}.part"
    for path in (stale, writing, other):
        path.write_bytes(b"half")
    outputs.write(target, "whole")
    assert target.read_text() == "whole"
    assert not stale.exists() and writing.exists() and other.exists()


# -- (e) full disks and read-only copies -----------------------------------------------

def made_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("project.qcode"))


@pytest.mark.parametrize("option", [[], ["--require-anonymisation"]])
def test_init_on_a_full_disk_leaves_nothing_and_can_be_run_again(tmp_path: Path,
                                                                 monkeypatch, option):
    import sqlite3

    from qcode.core import pipeline

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(pipeline if option else Project,
                        "require_anonymisation" if option else "_migrate", full)
    result = cli_result(["init", *option], ok=False, one_line=True)
    assert "disk is full" in result.output and "nothing was left behind" in result.output
    assert made_files(tmp_path) == []
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    cli_result(["init", *option])


def test_a_backup_that_cannot_be_written_names_the_destination(folder: Path,
                                                                monkeypatch):
    import sqlite3

    real = sqlite3.connect

    def read_only_target(path, *args, **kwargs):  # a destination that takes no writes
        if str(path).endswith(".part"):
            return real(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only_target)
    result = cli_result(["backup", "copy.qcode"], ok=False, one_line=True)
    assert result.output.startswith("Error: copy.qcode: cannot write the backup")
    assert "project.qcode" not in result.output
    assert sorted(p.name for p in folder.iterdir() if "copy" in p.name) == []


def test_a_read_only_project_is_read_and_every_write_refused_in_words(folder: Path,
                                                                      monkeypatch):
    import os

    from qcode.core.store import project as store_project

    (folder / "p01.txt").write_text(BODY, encoding="utf-8")
    cli_result(["import", "p01.txt"])
    before = (folder / "project.qcode").read_bytes()
    real = os.access
    monkeypatch.setattr(store_project.os, "access",
                        lambda path, mode: mode != os.W_OK and real(path, mode))
    assert "p01" in cli_result(["transcripts"]).output
    assert "It was fine." in cli_result(["show", "p01"]).output
    checked = cli_result(["check"]).output
    assert "ok:" in checked and "search index was not checked" in checked
    cli_result(["export", "out.qdpx"])
    result = cli_result(["case", "set", "p01", "role=x"], ok=False, one_line=True)
    assert "the project is read-only here: " in result.output
    assert (folder / "project.qcode").read_bytes() == before
    assert made_files(folder) == ["project.qcode"]


# -- (g) a foreign file with qcode's mark ----------------------------------------------

def test_a_foreign_file_with_qcodes_application_id_is_left_alone(tmp_path: Path):
    import sqlite3

    from qcode.core.store import APPLICATION_ID

    path = tmp_path / "foreign.qcode"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.execute("CREATE TABLE ledger (amount)")
    conn.execute("INSERT INTO ledger VALUES (42)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    result = cli_result(["-p", path, "transcripts"], ok=False, one_line=True)
    assert "not a qcode project's tables" in result.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.qcode"]


# -- (f) one bad file in a batch -------------------------------------------------------

def test_a_batch_goes_on_past_an_unreadable_file_and_a_folder(folder: Path, monkeypatch):
    (folder / "good.txt").write_text(BODY, encoding="utf-8")
    (folder / "locked.txt").write_text(BODY.replace("fine", "good"), encoding="utf-8")
    (folder / "folder.txt").mkdir()
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:  # what chmod 000 does (root reads anything)
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = cli_result(["import", "good.txt", "folder.txt", "locked.txt", "gone.txt"],
                        ok=False)
    assert "imported good.txt" in result.output
    for line in ("folder.txt: not a file", "locked.txt: cannot read it (Permission denied)",
                 "gone.txt: no such file", "3 of 4 file(s) not imported"):
        assert line in result.output
    with Project.open(folder / "project.qcode") as project:
        assert [t.name for t in project.transcripts()] == ["good"]


# -- (i) a Word document is checked before python-docx opens it ------------------------

BOMB_BYTES = 200 * 1024 * 1024  # of one repeated character: some 200 kB packed


def word_document(body: str) -> bytes:
    import docx

    document = docx.Document()
    for line in body.splitlines():
        document.add_paragraph(line)
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return docx_bomb_bytes()


def docx_bomb_bytes() -> bytes:
    """A sound .docx whose document.xml is swapped for 200 MB of one character, written
    a megabyte at a time so that the test itself never holds it (also used by
    benchmarks/bench_hostile.py)."""
    sound = zipfile.ZipFile(io.BytesIO(word_document(BODY)))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for entry in sound.infolist():
            if entry.filename != "word/document.xml":
                out.writestr(entry, sound.read(entry))
        with out.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                      b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            for _ in range(BOMB_BYTES >> 20):
                xml.write(b"A" * (1 << 20))
            xml.write(b"</w:t></w:r></w:p></w:body></w:document>")
    assert len(data.getvalue()) < 1024 * 1024
    return data.getvalue()


def qdpx_with_docx(path: Path, documents: dict[str, bytes]) -> Path:
    sources = "".join(
        f'<TextSource guid="B0000000-0000-4000-8000-00000000000{i}" name="{name}"'
        f' richTextPath="internal://{name}.docx"/>' for i, name in enumerate(documents))
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("project.qde", '<?xml version="1.0" encoding="utf-8"?>'
                     '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
                     f"<Sources>{sources}</Sources></Project>")
        for name, data in documents.items():
            out.writestr(f"sources/{name}.docx", data)
    return path


def bounded(run):
    """`run()`'s output, checked to take under 5 s and 300 MB of Python memory."""
    import resource
    import time
    import tracemalloc

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    tracemalloc.start()
    started = time.monotonic()
    try:
        output = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 300 * 1024 * 1024
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300 * 1024
    return output


def transcript_names(folder: Path) -> list[str]:
    with Project.open(folder / "project.qcode") as project:
        return [t.name for t in project.transcripts()]


def test_a_word_bomb_is_refused_in_bounded_time_and_memory(folder: Path, docx_bomb):
    (folder / "bomb.docx").write_bytes(docx_bomb)
    result = bounded(lambda: cli_result(["import", "bomb.docx"], ok=False))
    # The batch's own lines around it, and one line for the file.
    [line] = [line for line in result.output.splitlines() if "bomb.docx" in line]
    assert "word/document.xml" in line and "zip bomb" in line
    assert transcript_names(folder) == []


def test_a_word_bomb_inside_a_qdpx_refuses_the_project(folder: Path, docx_bomb):
    qdpx_with_docx(folder / "p.qdpx", {"good": word_document(BODY), "bomb": docx_bomb})
    result = bounded(lambda: cli_result(["import-project", "p.qdpx"], ok=False,
                                        one_line=True))
    assert "p.qdpx" in result.output and "sources/bomb.docx" in result.output
    assert "word/document.xml" in result.output
    assert transcript_names(folder) == []


def test_documents_inside_a_qdpx_count_against_its_budget(tmp_path: Path):
    from qcode.core.exchange.safe_xml import ExchangeError, ProjectArchive, check_document

    document = word_document(BODY)
    size = check_document(document, "")
    path = qdpx_with_docx(tmp_path / "p.qdpx", {"one": document, "two": document})
    # Room for both packed files and one document's parts, not for the second's.
    room = 2 * len(document) + size + size // 2
    with ProjectArchive(path, budget=room) as archive:
        archive.read_document(archive.find("one.docx"), room)
        with pytest.raises(ExchangeError, match=r"sources/two\.docx.*possible zip bomb"):
            archive.read_document(archive.find("two.docx"), room)


def test_a_word_documents_text_is_bounded(monkeypatch):
    from qcode.core.importers import word

    monkeypatch.setattr(word, "MAX_SOURCE_BYTES", 20)
    with pytest.raises(ImportProblem, match="more than the 20 one transcript may have"):
        parse_docx_bytes(word_document(BODY), "w")


def test_a_sound_word_document_still_imports_alone_and_inside_a_qdpx(folder: Path):
    (folder / "p01.docx").write_bytes(word_document(BODY))
    cli_result(["import", "p01.docx"])
    qdpx_with_docx(folder / "p.qdpx", {"p02": word_document(BODY)})
    cli_result(["import-project", "p.qdpx"])
    assert sorted(transcript_names(folder)) == ["p01", "p02"]


def test_the_demo_still_builds(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli_result(["demo"])


# -- (j) crafted inputs that once gave a traceback -------------------------------------

def qdpx_selection(path: Path, start: str, extras: str | None = None) -> Path:
    """A .qdpx of one source and one coding starting at `start`, with `extras` as its
    qcode.json when given."""
    qde = ('<?xml version="1.0" encoding="utf-8"?>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
           '<Code guid="C0000000-0000-4000-8000-000000000001" name="c" isCodable="true"/>'
           '</Codes></CodeBook><Sources>'
           '<TextSource guid="A0000000-0000-4000-8000-000000000002" name="good">'
           f'<PlainTextContent>{BODY}</PlainTextContent>'
           '<PlainTextSelection guid="D0000000-0000-4000-8000-000000000003"'
           f' startPosition="{start}" endPosition="5">'
           '<Coding guid="E0000000-0000-4000-8000-000000000004">'
           '<CodeRef targetGUID="C0000000-0000-4000-8000-000000000001"/></Coding>'
           '</PlainTextSelection></TextSource></Sources></Project>')
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("project.qde", qde)
        if extras is not None:
            out.writestr("qcode.json", extras)
    return path


def deep_json(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("start", ["²", "١", "٣٣"])
def test_a_position_in_other_digits_is_not_a_position(folder: Path, start: str):
    # "²".isdigit() is true but int("²") fails; int("٣") is 3, which no file means.
    qdpx_selection(folder / "p.qdpx", start)
    result = cli_result(["import-project", "p.qdpx"], ok=False, one_line=True)
    assert "p.qdpx" in result.output and "position" in result.output
    assert transcript_names(folder) == []


@pytest.mark.parametrize("extras", [deep_json(),
                                    '{"format": "qcode-extras", "version": 1, "turns": '
                                    + deep_json() + "}"])
def test_a_deeply_nested_qcode_json_is_ignored_with_a_warning(folder: Path, extras: str):
    qdpx_selection(folder / "p.qdpx", "0", extras)
    result = cli_result(["import-project", "p.qdpx"])
    assert "qcode.json is not valid JSON; ignored" in result.output
    assert transcript_names(folder) == ["good"]


@pytest.mark.parametrize("text", [deep_json(), '{"format": "qcode-key", "entries": '
                                  + deep_json() + "}"])
def test_a_deeply_nested_key_file_is_refused_in_one_line(tmp_path: Path, text: str):
    from qcode.core.anonymise.key import KeyFileError, is_encrypted, load_key

    (tmp_path / "k.json").write_text(text)
    assert not is_encrypted(tmp_path / "k.json")
    with pytest.raises(KeyFileError, match=r"k\.json: not a qcode key file"):
        load_key(tmp_path / "k.json")


def test_verify_anonymised_reads_past_deep_json_in_a_column(project: Project):
    from qcode.core.anonymise.verify import _row_texts

    text = "[" * 5000 + '"Zo\\u00eb"' + "]" * 5000
    assert list(_row_texts(text)) == [("", text)]


@pytest.fixture(scope="module")
def encrypted_key(tmp_path_factory) -> dict:
    """An encrypted key file's fields, made once: encrypting runs scrypt (0.1 s of CPU)
    and each test below only damages one field of a copy."""
    from qcode.core.anonymise.key import Key, save_key

    path = tmp_path_factory.mktemp("key") / "k.json"
    save_key(Key(), path, "a long passphrase")
    return json.loads(path.read_text())


@pytest.mark.parametrize("field, value, problem", [
    ("kdf", "argon2id", "key derivation other than"),
    ("n", 2**60, "scrypt settings"), ("n", 1e300, "scrypt settings"),
    ("n", 2**15 + 1, "scrypt settings"), ("r", 2**30, "scrypt settings"),
    ("p", 2**30, "scrypt settings"), ("n", True, "scrypt settings"),
    ("salt", "", "scrypt settings"), ("salt", "AAAA", "scrypt settings"),
    ("salt", "not base64!", "damaged"), ("salt", None, "damaged"),
    ("token", ["x"], "damaged"), ("token", "é", "damaged"), ("n", "²", "damaged"),
])
def test_tampered_key_encryption_is_refused_at_once(tmp_path: Path, encrypted_key: dict,
                                                    field, value, problem):
    import time

    from qcode.core.anonymise.key import KeyFileError, load_key

    data = dict(encrypted_key)
    data[field] = value
    (tmp_path / "k.json").write_text(json.dumps(data))
    started = time.monotonic()
    with pytest.raises(KeyFileError, match=problem):
        load_key(tmp_path / "k.json", "a long passphrase")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("name, text", [
    ("deep.yaml", "name: x\ncodes: " + "[" * 5000 + "]" * 5000 + "\n"),
    ("deep2.yaml", "name: x\ncodes:\n" + "- " * 3000 + "x\n"),
    ("deep.csv", "path\n" + " / ".join(["a"] * 5000) + "\n"),
    ("nul.yaml", "name: x\ncodes:\n  - name: a\x00b\n"),
    ("nul.csv", "path,definition\na,b\x00c\n"),
])
def test_deep_and_nul_codebooks_are_refused_whole(folder: Path, name: str, text: str):
    (folder / name).write_text(text, encoding="utf-8")
    result = cli_result(["codebook", "import", name], ok=False, one_line=True)
    assert name in result.output
    assert "ok:" in cli_result(["check"]).output
    with Project.open(folder / "project.qcode") as project:
        assert project.codes() == []


# -- (k) out of disk: told in words, nothing half-made left, the project intact -------

def qcode_with_file_limit(folder: Path, kilobytes: int, *args: str):
    """`qcode ARGS` in a child process that may write no file past `kilobytes`
    (RLIMIT_FSIZE: Python ignores SIGXFSZ, so a write past it fails with EFBIG, as a
    full disk fails one with ENOSPC)."""
    import os
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (kilobytes * 1024, kilobytes * 1024))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("QCODE_PROJECT", None)
    return subprocess.run([sys.executable, "-m", "qcode", *args], cwd=folder, env=env,
                          capture_output=True, text=True, preexec_fn=limit, timeout=120)


def long_transcript(words: int = 100_000) -> str:
    import random

    rng = random.Random(17)
    said = " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9)))
                    for _ in range(words))
    return f"INTERVIEWER: How was it?\n\nP01: {said}\n"


def refused_for_the_disk(result, name: str) -> str:
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert line.startswith(f"Error: {name}"), line
    assert any(words in line for words in ("disk is full", "File too large",
                                           "disk I/O error")), line
    return line


def test_an_import_that_fills_the_disk_is_told_and_saves_nothing(folder: Path):
    (folder / "long.txt").write_text(long_transcript(), encoding="utf-8")
    before = (folder / "project.qcode").read_bytes()
    result = qcode_with_file_limit(folder, 400, "import", "long.txt")
    refused_for_the_disk(result, "project.qcode: cannot write to the project")
    assert "ok:" in cli_result(["check"]).output
    assert transcript_names(folder) == []
    assert (folder / "project.qcode").read_bytes() == before


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_template: Path) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    return copy_demo(demo_template, folder).parent


@pytest.mark.parametrize("args, written", [
    (["export", "out.qdpx"], "out.qdpx"),
    (["report", "html", "report"], "report"),
    (["backup", "copy.qcode"], "copy.qcode"),
])
def test_an_output_that_fills_the_disk_is_told_and_leaves_nothing(demo: Path, args,
                                                                  written: str):
    # Room for the project's shared-memory index (32 kB), not for the output.
    names = sorted(p.name for p in demo.iterdir())
    project = (demo / "demo.qcode").read_bytes()
    result = qcode_with_file_limit(demo, 40, "-p", "demo.qcode", *args)
    refused_for_the_disk(result, written.split("/")[0])
    assert sorted(p.name for p in demo.iterdir()) == names
    assert (demo / "demo.qcode").read_bytes() == project
    assert "ok:" in cli_result(["-p", demo / "demo.qcode", "check"]).output


def test_a_backup_that_fills_the_disk_leaves_no_journal(folder: Path):
    # A project of some 2 MB: the backup's copy gets far enough to start a journal.
    (folder / "long.txt").write_text(long_transcript(), encoding="utf-8")
    cli_result(["import", "long.txt"])
    names = sorted(p.name for p in folder.iterdir())
    result = qcode_with_file_limit(folder, 200, "backup", "copy.qcode")
    refused_for_the_disk(result, "copy.qcode: cannot write the backup")
    assert sorted(p.name for p in folder.iterdir()) == names


def test_a_failed_write_takes_its_sqlite_journal_with_it(tmp_path: Path):
    import errno

    from qcode.core import outputs

    with pytest.raises(outputs.OutputError, match="copy.qcode: cannot write: No space"):
        with outputs.replacing(tmp_path / "copy.qcode") as partial:
            partial.with_name(partial.name + "-journal").write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []


# -- (l) a codebook load is one action, undone whole -----------------------------------

def codes_now(project: Project) -> list[tuple]:
    return project.conn.execute("SELECT * FROM codes ORDER BY id").fetchall()


def test_a_codebook_load_is_undone_and_redone_whole(project: Project):
    from qcode.core.codebook import parse

    project.coder = "ana"
    theme = project.add_code("Theme", definition="old")
    project.add_code("Kept", parent_id=theme)
    before = codes_now(project)
    book = parse("name: S\ncodes:\n  - name: Theme\n    definition: new\n    codes:\n"
                 "      - name: Added\n        codes:\n          - name: Deeper\n"
                 "  - name: Moved in\n")
    counts = project.load_codebook(book)
    assert (counts["added"], counts["updated"]) == (3, 1)
    loaded = codes_now(project)
    assert project.undo().startswith("loaded codebook 'S'")
    assert codes_now(project) == before
    assert project.redo().startswith("loaded codebook 'S'")
    assert codes_now(project) == loaded
    assert project.check() == []


def test_undoing_a_load_whose_new_code_was_used_is_refused(project: Project):
    from qcode.core.codebook import parse

    project.coder = "ana"
    project.add_transcript(Transcript("t", "txt", BODY, [Turn("P01", 30, 42)]), "t.txt")
    project.load_codebook(parse("name: S\ncodes:\n  - name: Fine\n"))
    [code] = project.codes()
    project.coder = "ben"
    project.add_coding(1, code.id, "ben", 30, 42)
    project.coder = "ana"
    with pytest.raises(ProjectError, match="cannot undo 'loaded codebook 'S'.*changed since"):
        project.undo()
    assert [c.name for c in project.codes()] == ["Fine"]


def test_a_deleted_codes_id_is_not_reused_by_a_load(project: Project):
    from qcode.core.codebook import parse

    project.coder = "ana"
    gone = project.add_code("Gone")
    project.delete_code(gone)
    project.load_codebook(parse("name: S\ncodes:\n  - name: New\n"))
    assert project.undo().startswith("loaded codebook")
    assert project.undo().startswith("deleted code Gone")
    assert [c.name for c in project.codes()] == ["Gone"]


def test_codebook_load_names_whose_action_it_is_and_how_to_undo_it(folder: Path):
    (folder / "book.yaml").write_text("name: S\ncodes:\n  - name: A\n", encoding="utf-8")
    result = cli_result(["codebook", "load", "book.yaml", "--coder", "ana"])
    assert "undo: u in 'qcode code --coder ana'" in result.output
    with Project.open(folder / "project.qcode") as project:
        project.coder = "ana"
        assert project.undo().startswith("loaded codebook 'S'")
        assert project.codes() == []
