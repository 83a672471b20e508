"""Word (.docx) transcripts, in either of two layouts, told apart by which one explains
more turns:

- labelled paragraphs (`Interviewer: ...`), as in plain text, with continuation
  paragraphs;
- Otter.ai and Microsoft Teams exports, where a paragraph such as `Jane Smith  0:03`
  (or `Jane Smith` then `0:03`) heads each turn. A bare `0:03` is a turn whose speaker
  the export did not identify.

A Word file has no plain text to stay faithful to, so the text is rebuilt as
`Speaker: utterance` blocks.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from qcode.core.importers.base import ImportProblem, ParsedTranscript, rebuild
from qcode.core.importers.plain import LABEL, clock_seconds, label_time, speaker_names

_NAME = r"[^\W\d_][\w ,.'’-]{0,39}?"  # commas for Teams' "Smith, Jane"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_NAME_AND_TIME = re.compile(rf"(?P<name>{_NAME})\s+(?P<time>{_TIME})")
_NAME_ONLY = re.compile(_NAME)
_TIME_ONLY = re.compile(_TIME)
_OTTER_FOOTER = re.compile(r"transcribed by https?://otter\.ai\S*", re.IGNORECASE)

# (speaker, paragraphs, begin_time)
Block = tuple[str | None, list[str], float | None]


def parse_docx(path: Path) -> ParsedTranscript:
    # Read first, so that only a failure to read the file is an OSError for the caller.
    return parse_docx_bytes(path.read_bytes(), path.stem)


def parse_docx_bytes(raw: bytes, name: str) -> ParsedTranscript:
    """A Word document held in memory: a source inside another tool's project is read
    without its (not yet anonymised) text ever touching the disk."""
    paragraphs, bold = _read(raw)
    if not any(paragraphs):
        raise ImportProblem("the document has no text")
    stamped, labelled = _timestamped(paragraphs, bold), _labelled(paragraphs)
    blocks = stamped if _heads(stamped) > _heads(labelled) else labelled
    text, turns = rebuild((speaker, "\n".join(paras), begin, None)
                          for speaker, paras, begin in blocks
                          if speaker is not None or paras)
    return ParsedTranscript(name=name, source_format="docx", text=text, turns=turns)


def _read(raw: bytes) -> tuple[list[str], list[bool]]:
    """Each paragraph's stripped text, and whether its first run is bold."""
    if not raw:
        raise ImportProblem("the file is empty")
    data = io.BytesIO(raw)
    if not zipfile.is_zipfile(data):
        raise ImportProblem("not a valid .docx file (not a zip archive)")
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


def _heads(blocks: list[Block]) -> int:
    return sum(1 for speaker, _, begin in blocks if speaker is not None or begin is not None)


def _labelled(paragraphs: list[str]) -> list[Block]:
    matches = [LABEL.match(p) for p in paragraphs]
    speakers = speaker_names(m["name"] for m in matches if m)
    blocks: list[Block] = [(None, [], None)]
    for text, match in zip(paragraphs, matches):
        if match and match["name"] in speakers:
            utterance = text[match.end():].strip()
            blocks.append((match["name"], [utterance] if utterance else [],
                           label_time(match)))
        elif text:
            blocks[-1][1].append(text)
    return blocks


def _timestamped(paragraphs: list[str], bold: list[bool]) -> list[Block]:
    # index of the heading paragraph -> (name or None, time); a `0:03` under a `Name`
    # paragraph is part of that heading, so its index goes into `consumed`.
    candidates: dict[int, tuple[str | None, str]] = {}
    consumed: set[int] = set()
    for i, text in enumerate(paragraphs):
        if match := _NAME_AND_TIME.fullmatch(text):
            candidates[i] = (match["name"], match["time"])
        elif _TIME_ONLY.fullmatch(text):
            if i and _NAME_ONLY.fullmatch(paragraphs[i - 1]):
                candidates[i - 1] = (paragraphs[i - 1], text)
                consumed.add(i)
            else:
                candidates[i] = (None, text)
    # A bold name is how Otter marks a speaker; otherwise the name must pass the label
    # rules, so "See you at 10:30" heads no turn.
    known = speaker_names(name for name, _ in candidates.values() if name)
    heads = {}
    for i, (name, time) in candidates.items():
        if name is None or name in known or bold[i]:
            heads[i] = (name, time)
        elif i + 1 in consumed:  # not a speaker after all: keep the time as a bare head
            consumed.discard(i + 1)
            heads[i + 1] = (None, time)

    blocks: list[Block] = [(None, [], None)]
    for i, text in enumerate(paragraphs):
        if i in heads:
            name, time = heads[i]
            blocks.append((name, [], clock_seconds(time)))
        elif i in consumed or not text:
            continue
        elif _OTTER_FOOTER.fullmatch(text):
            blocks.append((None, [text], None))
        else:
            blocks[-1][1].append(text)
    return blocks
