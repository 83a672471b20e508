"""Plain text (.txt) and Markdown (.md) transcripts: the text is kept verbatim and a turn
starts at each speaker label (`Interviewer:`, `P03:`, `**Dr. Jane Doe:**`) at the start
of a line, running to the next label.

The label rules live here because the Word and caption importers apply them too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from qcode.core.importers.base import ParsedTranscript, Turn, read_text_file

_CLOCK = r"\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?"

# A candidate only: whether it really is a speaker is decided by speaker_names().
LABEL = re.compile(
    rf"""^[ \t]*
    (?:\[(?P<before>{_CLOCK})\][ \t]*)?            # [00:01:23] Interviewer:
    (?P<bold>\*\*)?
    (?P<name>[^\W\d_][\w .'’-]{{0,39}}?)
    (?:[ \t]*[(\[](?P<after>{_CLOCK})[)\]])?        # Interviewer (00:01:23):
    [ \t]*(?(bold)(?:\*\*:|:\*\*)|:)
    (?=\s|$)""",
    re.MULTILINE | re.VERBOSE)

_ROLE = re.compile(
    r"(?i:interviewer|interviewee|participant|respondent|moderator|facilitator|researcher"
    r"|speaker)(?:[ ]?\d+|[ ][A-Z])?"
    r"|[PIRQA]\d*")
# The interviewer's side among those roles (Interviewer, Researcher 2, Moderator A, and
# the one-letter I and Q of "I:/R:" and "Q:/A:" transcripts): words spoken there are
# the interviewer's, which a quote must not lend to the participant.
_INTERVIEWER = re.compile(r"(?i:interviewer|researcher|moderator|facilitator)"
                          r"(?:[ ]?\d+|[ ][A-Z])?|[IQ]\d*")
_PARTICLES = frozenset("al bin da de del della der di du la le ten ter van von".split())
# Metadata keys that head transcripts ("Date: ...") and would otherwise pass for names.
_NOT_SPEAKERS = frozenset(
    "date duration example file keywords length location note notes nb place project ps "
    "recording source study subject summary time title topic transcript".split())


def speaker_names(names: Iterable[str], lenient: bool = False) -> set[str]:
    """Which candidate label names are speakers. A role (Interviewer, P03, R2) always is.
    Any other name must look like one (at most four words, later words capitalised, so
    "The problem is this:" fails) and, unless `lenient`, be used at least twice: a
    sentence that happens to hold a colon rarely repeats word for word."""
    counts = Counter(names)
    return {name for name, count in counts.items()
            if _ROLE.fullmatch(name)
            or (_looks_like_name(name) and (lenient or count >= 2))}


def is_interviewer(speaker: str | None) -> bool:
    """Whether a turn's speaker label names the interviewer's side of the interview."""
    return bool(speaker) and _INTERVIEWER.fullmatch(speaker.strip()) is not None


def _looks_like_name(name: str) -> bool:
    words = name.split()
    if len(words) > 4 or name.casefold() in _NOT_SPEAKERS:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w in _PARTICLES for w in words[1:])


def clock_seconds(clock: str | None) -> float | None:
    """Seconds in `SS`, `MM:SS` or `HH:MM:SS` (with optional fraction)."""
    if clock is None:
        return None
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def label_time(match: re.Match) -> float | None:
    return clock_seconds(match["before"] or match["after"])


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) narrowed so it neither begins nor ends with whitespace; an empty
    span stays at `start`, right after its label."""
    chunk = text[start:end]
    stripped = chunk.lstrip()
    if stripped:
        start += len(chunk) - len(stripped)
    return start, start + len(stripped.rstrip())


def parse_plain(path: Path) -> ParsedTranscript:
    text, encoding, warnings = read_text_file(path)
    return ParsedTranscript(name=path.stem, source_format=path.suffix.lower()[1:],
                            text=text, turns=turns_in(text), encoding=encoding,
                            warnings=warnings)


def turns_in(text: str) -> list[Turn]:
    """The turns of a text, found from its speaker labels; the text is not changed (so a
    text that came from another tool keeps every position its codings refer to)."""
    candidates = list(LABEL.finditer(text))
    speakers = speaker_names(m["name"] for m in candidates)
    labels = [m for m in candidates if m["name"] in speakers]

    turns = []
    header = strip_span(text, 0, labels[0].start() if labels else len(text))
    if header[0] < header[1]:
        turns.append(Turn(None, *header))
    for label, following in zip(labels, labels[1:] + [None]):
        start, end = strip_span(text, label.end(),
                                following.start() if following else len(text))
        turns.append(Turn(label["name"], start, end, label.start("name"), label_time(label)))
    return turns
