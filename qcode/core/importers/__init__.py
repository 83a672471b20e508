"""Transcript importers: one parser per file format, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from qcode.core.importers.base import ImportProblem, ParsedTranscript, Turn
from qcode.core.importers.captions import parse_captions
from qcode.core.importers.plain import parse_plain
from qcode.core.importers.word import parse_docx

_PARSERS = {".txt": parse_plain, ".md": parse_plain, ".docx": parse_docx,
            ".vtt": parse_captions, ".srt": parse_captions}
SUPPORTED_FORMATS = tuple(_PARSERS)

__all__ = ["SUPPORTED_FORMATS", "ImportProblem", "ParsedTranscript", "Turn", "parse_file"]


def parse_file(path: Path) -> ParsedTranscript:
    path = Path(path)
    suffix = path.suffix.lower()
    parser = _PARSERS.get(suffix)
    if parser is None:
        raise ImportProblem(
            f"unsupported format {suffix or '(the name has no suffix)'}; "
            f"supported formats: {', '.join(sorted(SUPPORTED_FORMATS))}")
    return parser(path)
