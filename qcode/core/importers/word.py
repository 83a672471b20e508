"""Word (.docx) transcripts: the paragraphs are read as lines of text by the same
recogniser as plain text (speakers.py), so `Interviewer: ...` paragraphs with
continuation paragraphs, Otter.ai and Microsoft Teams exports (a paragraph such as
`Jane Smith  0:03`, or `Jane Smith` then `0:03`, heads each turn) and the other layouts
read alike in every format. Otter writes a speaker's name in bold, which is evidence
enough that it is one even when used once.

A Word file has no plain text to stay faithful to, so the text is rebuilt as
`Speaker: utterance` blocks.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from qcode.core.exchange.safe_xml import MAX_SOURCE_BYTES, ExchangeError, check_document
from qcode.core.importers.base import ImportProblem, rebuild, refuse_binary
from qcode.core.model import Transcript
from qcode.core.importers.speakers import find_heads


def parse_docx(path: Path, speaker_pattern: re.Pattern | None = None) -> Transcript:
    # Read first, so that only a failure to read the file is an OSError for the caller.
    return parse_docx_bytes(path.read_bytes(), path.stem, speaker_pattern)


def parse_docx_bytes(raw: bytes, name: str, speaker_pattern: re.Pattern | None = None
                     ) -> Transcript:
    """A Word document held in memory: a source inside another tool's project is read
    without its (not yet anonymised) text ever touching the disk."""
    paragraphs, bold = _read(raw)
    if not any(paragraphs):
        raise ImportProblem("the document has no text")
    text = refuse_binary("\n".join(paragraphs))
    size = len(text.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise ImportProblem(f"its text is {size:,} bytes, more than the "
                            f"{MAX_SOURCE_BYTES:,} one transcript may have; refused")
    layout = find_heads(text, speaker_pattern, _bold_lines(paragraphs, bold))
    heads = layout.heads
    blocks = [(None, _lines(text[:heads[0].at if heads else len(text)]), None)]
    blocks += [(head.speaker, _lines(text[head.end:following.at if following else None]),
                head.time) for head, following in zip(heads, heads[1:] + [None])]
    text, turns = rebuild((speaker, "\n".join(lines), begin, None)
                          for speaker, lines, begin in blocks
                          if speaker is not None or lines)
    return Transcript(name=name, source_format="docx", text=text, turns=turns,
                      warnings=layout.notes)


def _bold_lines(paragraphs: list[str], bold: list[bool]) -> frozenset[int]:
    """Line numbers of the bold paragraphs (a paragraph may hold line breaks)."""
    lines, line = set(), 0
    for paragraph, is_bold in zip(paragraphs, bold):
        if is_bold:
            lines.add(line)
        line += paragraph.count("\n") + 1
    return frozenset(lines)


def _lines(chunk: str) -> list[str]:
    return [line.strip() for line in chunk.split("\n") if line.strip()]


def _read(raw: bytes) -> tuple[list[str], list[bool]]:
    """Each paragraph's stripped text, and whether its first run is bold."""
    if not raw:
        raise ImportProblem("the file is empty")
    data = io.BytesIO(raw)
    if not zipfile.is_zipfile(data):
        raise ImportProblem("not a valid .docx file (not a zip archive)")
    # Every part's size is proven before python-docx opens any: it would unpack a bomb
    # whole into memory.
    try:
        check_document(raw, "")
    except ExchangeError as exc:
        raise ImportProblem(str(exc)) from None
    # Imported here, not at the top: python-docx takes a noticeable part of a second to
    # load, which every other command would pay for.
    import docx

    try:
        paragraphs = docx.Document(data).paragraphs
        return ([p.text.strip() for p in paragraphs],
                [bool(p.runs and p.runs[0].bold) for p in paragraphs])
    except Exception:
        # A damaged archive fails deep inside zipfile, lxml or python-docx, each in its
        # own way (KeyError, XMLSyntaxError, OSError, NotImplementedError, ...).
        raise ImportProblem(
            "not a valid .docx file (the archive holds no readable Word document)"
        ) from None
