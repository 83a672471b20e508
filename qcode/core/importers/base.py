"""What every importer produces, and the decoding and normalising they share.

A transcript's text is fixed at import: every later position (a turn, a coding) is a
half-open span of code points over exactly this text. So normalisation happens here,
once: LF line ends, no BOM.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from qcode.core.errors import QcodeError
from qcode.core.model import Turn


class ImportProblem(QcodeError):
    """A user-facing problem with one input file. The message is one sentence, without
    the file name (the caller prefixes it)."""


def normalise(text: str) -> str:
    """LF line ends, no BOM. Nothing else: the researcher's text is kept as it came."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode transcript bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252
    as a stated fallback. Returns (text, encoding, warnings)."""
    if not data.strip():
        raise ImportProblem("the file is empty")
    # A BOM says nothing of what follows it: the text behind one is checked as well.
    if data.startswith(b"\xef\xbb\xbf"):
        return refuse_binary(_strict(data[3:], "utf-8", "UTF-8")), "utf-8-sig", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return refuse_binary(_strict(data, "utf-16", "UTF-16")), "utf-16", []
    if b"\x00" in data:
        raise ImportProblem("this is a binary file, not a text transcript")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    text = _strict(data, "cp1252", "UTF-8 or Windows-1252 (cp1252)")
    if _looks_binary(text):
        raise ImportProblem("this is a binary file, not a text transcript")
    return text, "cp1252", ["not valid UTF-8; read as Windows-1252 (cp1252)"]


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            f"cannot decode the bytes as {label} (bad byte at offset {exc.start})"
        ) from None


def binary_problem(text: str) -> str | None:
    """Why `text` is binary rather than a transcript, or None. A NUL is never text
    (coding, agreement and the HTML report all fail on one); other control characters
    may be (an escape sequence is shown visibly, never obeyed). Every way into a
    project asks this: the importers, another tool's project, the store itself."""
    nul = text.find("\x00")
    if nul >= 0:
        return f"this is binary, not a text transcript (a NUL character at position {nul})"
    return None


def refuse_binary(text: str) -> str:
    problem = binary_problem(text)
    if problem is not None:
        raise ImportProblem(problem)
    return text


def _looks_binary(text: str) -> bool:
    """Any byte reads as Windows-1252, so what fell back to it is binary when control
    characters are more than one in twenty."""
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls > 0.05 * min(len(text), 4096)


def read_text_file(path: Path) -> tuple[str, str, list[str]]:
    """Read, decode and normalise a text-based transcript file."""
    text, encoding, warnings = decode(path.read_bytes())
    text = normalise(text)
    if not text.strip():
        raise ImportProblem("the file is empty")
    return text, encoding, warnings


def rebuild(blocks: Iterable[tuple[str | None, str, float | None, float | None]]
            ) -> tuple[str, list[Turn]]:
    """Text and turns for a format with no plain text to keep (Word, captions): each
    (speaker, utterance, begin_time, end_time) is written as `Speaker: utterance`, or
    the utterance alone when nobody is named, with a blank line between turns."""
    parts: list[str] = []
    turns: list[Turn] = []
    at = 0
    for speaker, utterance, begin_time, end_time in blocks:
        if parts:
            parts.append("\n\n")
            at += 2
        label_start = None
        if speaker is not None:
            label = f"{speaker}: " if utterance else f"{speaker}:"
            parts.append(label)
            label_start, at = at, at + len(label)
        parts.append(utterance)
        turns.append(Turn(speaker, at, at + len(utterance), label_start, begin_time, end_time))
        at += len(utterance)
    return "".join(parts), turns
