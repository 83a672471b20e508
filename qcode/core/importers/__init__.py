"""Transcript importers: one parser per file format, chosen by the file's suffix."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from qcode.core.importers.base import ImportProblem
from qcode.core.model import Transcript

# Each parser is loaded when a file of its format is read: the store and every command
# import `base` through this package, and must not pay for the speaker layouts and the
# Word reader at start-up.
_PARSERS = {".txt": ("plain", "parse_plain"), ".md": ("plain", "parse_plain"),
            ".docx": ("word", "parse_docx"), ".vtt": ("captions", "parse_captions"),
            ".srt": ("captions", "parse_captions")}
SUPPORTED_FORMATS = tuple(_PARSERS)

__all__ = ["SUPPORTED_FORMATS", "ImportProblem", "parse_file"]


def parse_file(path: Path, speaker_pattern: re.Pattern | None = None) -> Transcript:
    """The transcript in `path`, read by its suffix's parser; `speaker_pattern` (from
    speakers.compile_speaker_pattern) replaces the layouts qcode knows."""
    from qcode.core.importers.speakers import unattributed_warning

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _PARSERS:
        raise ImportProblem(
            f"unsupported format {suffix or '(the name has no suffix)'}; "
            f"supported formats: {', '.join(sorted(SUPPORTED_FORMATS))}")
    module, function = _PARSERS[suffix]
    parser = getattr(importlib.import_module(f"qcode.core.importers.{module}"), function)
    parsed = parser(path, speaker_pattern)
    without = sum(len(parsed.text[t.start:t.end].split())
                  for t in parsed.turns if t.speaker is None)
    parsed.warnings.extend(unattributed_warning(without, parsed.word_count))
    return parsed
