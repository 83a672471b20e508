"""Transcript importers: one parser per file format, chosen by the file's suffix."""

from __future__ import annotations

import re
from pathlib import Path

from qcode.core.importers.base import ImportProblem
from qcode.core.model import Transcript
from qcode.core.importers.captions import parse_captions
from qcode.core.importers.plain import parse_plain
from qcode.core.importers.speakers import unattributed_warning
from qcode.core.importers.word import parse_docx

_PARSERS = {".txt": parse_plain, ".md": parse_plain, ".docx": parse_docx,
            ".vtt": parse_captions, ".srt": parse_captions}
SUPPORTED_FORMATS = tuple(_PARSERS)

__all__ = ["SUPPORTED_FORMATS", "ImportProblem", "parse_file"]


def parse_file(path: Path, speaker_pattern: re.Pattern | None = None) -> Transcript:
    """The transcript in `path`, read by its suffix's parser; `speaker_pattern` (from
    speakers.compile_speaker_pattern) replaces the layouts qcode knows."""
    path = Path(path)
    suffix = path.suffix.lower()
    parser = _PARSERS.get(suffix)
    if parser is None:
        raise ImportProblem(
            f"unsupported format {suffix or '(the name has no suffix)'}; "
            f"supported formats: {', '.join(sorted(SUPPORTED_FORMATS))}")
    parsed = parser(path, speaker_pattern)
    without = sum(len(parsed.text[t.start:t.end].split())
                  for t in parsed.turns if t.speaker is None)
    parsed.warnings.extend(unattributed_warning(without, parsed.word_count))
    return parsed
