"""WebVTT (.vtt) and SubRip (.srt) captions.

Cues are read strictly enough to catch broken timing, since times are kept with each
turn. The speaker comes from `<v Name>` voice tags, else from a `Name:` prefix (or the
researcher's --speaker-pattern), else from a broadcast `>>` speaker change (a new,
unknown speaker); a cue with none of these continues the previous speaker, as voice
tags are usually written only where the speaker changes. Captions cut speech into short
cues, so consecutive cues of one speaker are merged into one turn, and the text is
rebuilt as `Speaker: utterance` blocks.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from qcode.core.importers.base import ImportProblem, read_text_file, rebuild
from qcode.core.model import Transcript
from qcode.core.importers.speakers import (LABEL, speaker_names, unknown_note,
                                           unknown_speaker)

_STAMP = {
    "vtt": re.compile(r"(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})"),
    "srt": re.compile(r"(?:(\d+):)?([0-5]\d):([0-5]\d)[,.](\d{1,3})"),
}
_TIMING = re.compile(r"[ \t]*(\S+?)[ \t]*-->[ \t]*(\S+)(?:[ \t]+.*)?")
_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t]|$)")
_VTT_SKIPPED = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>\n]*))?>")
_TAG = re.compile(r"<[^>\n]*>")

# (speaker from a voice tag, text, start, end)
Segment = tuple[str | None, str, float, float]


def parse_captions(path: Path, speaker_pattern: re.Pattern | None = None
                   ) -> Transcript:
    text, encoding, warnings = read_text_file(path)
    kind = path.suffix.lower()[1:]
    blocks = _blocks(text.split("\n"))
    if kind == "vtt":
        if not _VTT_HEADER.match(blocks[0][0][1]):
            raise ImportProblem("not a WebVTT file (the first line must be WEBVTT)")
        if any("-->" in line for _, line in blocks[0]):
            raise ImportProblem("the WEBVTT header needs a blank line before the first cue")
        blocks = [b for b in blocks[1:] if not _VTT_SKIPPED.match(b[0][1])]
    segments = [s for block in blocks for s in _cue(block, _STAMP[kind])]
    if not segments:
        raise ImportProblem("the file has no caption text")
    named, unknown = _named(_split_at_changes(segments), speaker_pattern)
    text, turns = rebuild(_merged(named))
    return Transcript(name=path.stem, source_format=kind, text=text, turns=turns,
                      encoding=encoding, warnings=warnings + unknown_note(unknown))


def _blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its 1-based number."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cue(block: list[tuple[int, str]], stamp: re.Pattern) -> list[Segment]:
    """One segment per voice in the cue (usually one); none if the cue holds no text."""
    at = 0 if "-->" in block[0][1] else 1  # an identifier may come first
    if at >= len(block) or "-->" not in block[at][1]:
        number, line = block[0]
        raise ImportProblem(f"no cue timing (start --> end) at line {number}: {line!r}")
    number, line = block[at]
    timing = _TIMING.fullmatch(line)
    start = _seconds(timing[1], stamp) if timing else None
    end = _seconds(timing[2], stamp) if timing else None
    if start is None or end is None:
        raise ImportProblem(f"broken cue timing at line {number}: {line.strip()!r}")
    if end < start:
        raise ImportProblem(f"cue ends before it starts at line {number}")
    payload = "\n".join(text for _, text in block[at + 1:])
    voices = list(_VOICE.finditer(payload))
    pieces = [(None, payload[:voices[0].start() if voices else len(payload)])]
    pieces += [((v[1] or "").strip() or None, payload[v.end():following.start()])
               for v, following in zip(voices, voices[1:])]
    if voices:
        pieces.append(((voices[-1][1] or "").strip() or None, payload[voices[-1].end():]))
    return [(voice, cleaned, start, end) for voice, raw in pieces
            if (cleaned := _clean(raw))]


def _seconds(stamp_text: str, stamp: re.Pattern) -> float | None:
    match = stamp.fullmatch(stamp_text)
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            + int(fraction) / 10 ** len(fraction))


def _clean(raw: str) -> str:
    """Cue text without markup, entities resolved, wrapped lines joined by one space."""
    return " ".join(html.unescape(_TAG.sub("", raw)).split())


# A broadcast speaker change; `>>>` marks a new story, and so a new speaker too.
_CHANGE = re.compile(r"(?:^|\s)>>>?(?=\s|$)")

# (speaker from a voice tag, text, start, end, whether a `>>` change begins it)
Piece = tuple[str | None, str, float, float, bool]


def _split_at_changes(segments: list[Segment]) -> list[Piece]:
    """Untagged cue text cut at each `>>` speaker change, which may fall mid-cue."""
    pieces: list[Piece] = []
    for voice, text, start, end in segments:
        marks = [] if voice else list(_CHANGE.finditer(text))
        if not marks or marks[0].start() > 0:
            pieces.append((voice, text[:marks[0].start() if marks else None].strip(),
                           start, end, False))
        for mark, following in zip(marks, marks[1:] + [None]):
            piece = text[mark.end():following.start() if following else None].strip()
            pieces.append((None, piece, start, end, True))
    return pieces


def _named(pieces: list[Piece], pattern: re.Pattern | None
           ) -> tuple[list[Segment], int]:
    """Speakers for pieces without a voice tag: a `Name:` prefix (or the researcher's
    pattern), else an unknown speaker after a `>>` change, else the previous speaker.
    Cues are too short for a sentence with a colon to be likely, so a name need not
    repeat. Returns the segments and how many changes named nobody."""
    prefixes = [None if voice else (pattern or LABEL).match(text)
                for voice, text, _, _, _ in pieces]
    group = "speaker" if pattern else "name"
    speakers = speaker_names((m[group].strip() for m in prefixes if m and m[group]),
                             lenient=True)
    named: list[Segment] = []
    current, unknown = None, 0
    for (voice, text, start, end, change), prefix in zip(pieces, prefixes):
        if voice is None and prefix and (prefix[group] or "").strip() in speakers:
            voice, text = prefix[group].strip(), text[prefix.end():].strip()
        elif voice is None and change:
            unknown += 1
            voice = unknown_speaker(unknown)
        elif voice is None:
            voice = current
        current = voice
        named.append((voice, text, start, end))
    return named, unknown


def _merged(segments: list[Segment]) -> list[tuple[str | None, str, float, float]]:
    turns: list[tuple[str | None, list[str], float, float]] = []
    for speaker, text, start, end in segments:
        if turns and turns[-1][0] == speaker:
            turns[-1] = (speaker, turns[-1][1], turns[-1][2], end)
        else:
            turns.append((speaker, [], start, end))
        if text:  # a cue of just "Name:" adds a speaker but no words
            turns[-1][1].append(text)
    return [(speaker, " ".join(texts), start, end) for speaker, texts, start, end in turns]
