"""What every importer produces, and the decoding and normalising they share.

A transcript's text is fixed at import: every later position (a turn, a coding) is a
half-open span of code points over exactly this text. So normalisation happens here,
once: LF line ends, no BOM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.errors import QcodeError


class ImportProblem(QcodeError):
    """A user-facing problem with one input file. The message is one sentence, without
    the file name (the caller prefixes it)."""


@dataclass
class Turn:
    """One speaker's turn. `start`/`end` delimit the utterance (not the label) in the
    transcript text; `label_start` is where the speaker label begins, if the text has one.
    Times are seconds from the start of the recording, when the source carried them."""

    speaker: str | None
    start: int
    end: int
    label_start: int | None = None
    begin_time: float | None = None
    end_time: float | None = None


@dataclass
class ParsedTranscript:
    name: str
    source_format: str
    text: str
    turns: list[Turn]
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return text_hash(self.text)

    @property
    def word_count(self) -> int:
        """Words said, not counting speaker labels."""
        if not self.turns:
            return len(self.text.split())
        return sum(len(self.text[t.start:t.end].split()) for t in self.turns)


def text_hash(text: str) -> str:
    import hashlib  # loads OpenSSL: only when a text is stored or checked, not to start

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", "UTF-8"), "utf-8-sig", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", "UTF-16"), "utf-16", []
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


def _looks_binary(text: str) -> bool:
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
