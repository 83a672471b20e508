"""qcode's exports opened by pyqdpx, an independent reader. pyqdpx is a test dependency
but imports only on Python 3.12 and later: there it runs in the tests' own Python; on
3.11, set PYQDPX_PYTHON to a 3.12 Python that has pyqdpx, else these tests are skipped.

pyqdpx counts positions in UTF-16 code units, as NVivo does (it puts a zero-width space
after each character beyond U+FFFF and slices). So every coding of an export
`--for nvivo` must be on its text there, and so must every coding of a standard export
(code points) whose transcripts hold no such character; in a standard export with
emoji, pyqdpx misreads what follows an emoji by design (docs/interop.md), which is
checked too, so a change in either reader shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qcode.core.codebook import Code, Codebook
from qcode.core.demo import build_demo
from qcode.core.exchange.project_snapshot import snapshot
from qcode.core.exchange.qdpx_write import write_qdpx
from qcode.core.ingest import import_files
from qcode.core.store import Project
from tests.pyqdpx_reader import PYTHON, selection_guid
from tests.pyqdpx_reader import read_with_pyqdpx as read

# An interview as a Windows tool saves it (CR LF) with emoji and a character beyond
# U+FFFF in the middle of a word's neighbourhood.
INTERVIEW = ("Interviewer: How was the first week? 😀\r\n"
             "P01: The cost 🎉 was too high 𝄞 for us, and the 🚀 launch slipped.\r\n"
             "Interviewer: And then?\r\n"
             "P01: We found 👍 a cheaper supplier in the end.\r\n")


def read_with_pyqdpx(archive: Path) -> dict[str, list[str]]:
    if PYTHON is None:
        pytest.skip(f"pyqdpx does not import on Python {sys.version_info.major}."
                    f"{sys.version_info.minor} and PYQDPX_PYTHON names no Python with it")
    return read(archive)


def expected(project: Project, utf16: bool = True) -> dict[str, list[str]]:
    """Every coding's text by its selection's GUID; with `utf16` False, what a reader
    counting UTF-16 units finds at a standard export's code-point positions: the text
    with a place taken after each character beyond U+FFFF, sliced there."""
    found = {}
    for row in project.transcripts():
        text = project.transcript_text(row.id)
        spaced = "".join(c + ("\u200b" if ord(c) > 0xFFFF else "") for c in text)
        for coding in project.codings(row.id):
            selection = selection_guid(coding.guid)
            start, end = coding.start, coding.end
            found[selection] = [row.name, text[start:end] if utf16
                                else spaced[start:end].replace("\u200b", "")]
    return found


@pytest.fixture
def emoji(tmp_path: Path) -> Project:
    source = tmp_path / "p01.txt"
    source.write_bytes(INTERVIEW.encode("utf-8"))
    with Project.create(tmp_path / "emoji.qcode") as project:
        report = import_files(project, [source])
        assert not report.failed, report.failed
        project.load_codebook(Codebook("study", codes=[Code("Cost"), Code("Change")]))
        codes = {c.name: c.id for c in project.codes()}
        row = project.transcripts()[0]
        text = project.transcript_text(row.id)
        for code, phrase in (("Cost", "The cost 🎉 was too high"),
                             ("Cost", "𝄞 for us"), ("Change", "the 🚀 launch slipped"),
                             ("Change", "a cheaper supplier"), ("Cost", "How was")):
            start = text.index(phrase)
            project.add_coding(row.id, codes[code], "ana", start, start + len(phrase))
        yield project


def test_pyqdpx_finds_every_coding_of_an_export_for_nvivo(emoji: Project, tmp_path: Path):
    out = tmp_path / "nvivo.qdpx"
    write_qdpx(snapshot(emoji), out, "nvivo")
    assert read_with_pyqdpx(out) == expected(emoji)


def test_pyqdpx_reads_a_standard_export_with_emoji_in_utf16(emoji: Project,
                                                            tmp_path: Path):
    out = tmp_path / "standard.qdpx"
    write_qdpx(snapshot(emoji), out)
    found = read_with_pyqdpx(out)
    right = expected(emoji)
    assert len(found) == len(right) == 5
    # Before the first emoji both counts agree; after it pyqdpx is off, as NVivo is.
    assert found[next(k for k, v in right.items() if v[1] == "How was")][1] == "How was"
    assert found == expected(emoji, utf16=False) != right


@pytest.mark.skipif(sys.platform == "win32", reason="the demo's build writes POSIX paths")
def test_pyqdpx_finds_every_coding_of_the_demo(tmp_path: Path):
    built = build_demo(tmp_path / "demo.qcode")
    with built.project as project:
        for dialect in ("standard", "nvivo"):
            out = tmp_path / f"demo-{dialect}.qdpx"
            write_qdpx(snapshot(project), out, dialect)
            assert read_with_pyqdpx(out) == expected(project)
