"""Where speaker turns begin, in the layouts real transcribers and services write:

- labels: `Interviewer: ...`, `**P05:** ...`, `[00:01:23] Q: ...`, Rev's
  `Jane Doe (00:01:02): ...` (text on the same line or the next), `Jane Doe: (01:02)`;
- stamps: `Jane Doe [00:01:02] ...` and Markdown's `**I [00:01:02]**`;
- Otter.ai and Teams headings: a line `Jane Doe  0:04` (or `Jane Doe` then `0:04`) over
  the utterance; a bare `0:04` is a turn whose speaker the service did not identify;
- Markdown headings: `### Jane Doe` (a time may follow the name);
- bold lines: `**Jane Doe**` alone on its line over the utterance;
- speaker changes: broadcast captions' `>>`, with or without a `NAME:` after it.

Plain text, Markdown and Word paragraphs all go through `find_heads`, so one layout is
read alike in every format. A file is read in one layout: the one whose speakers explain
the most turns, so a sentence that happens to look like another layout ("Note: ...")
does not cut a turn in two. Within a layout, a name must look like one and recur (a role
such as `Interviewer` or `P03` need not), as in `speaker_names`.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from qcode.core.errors import QcodeError

CLOCK = r"\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?"
_NAME = r"[^\W\d_][\w .'’-]{0,39}?"
_LISTED_NAME = r"[^\W\d_][\w ,.'’-]{0,39}?"  # commas for Teams' "Smith, Jane"

# A candidate only: whether it really is a speaker is decided by speaker_names().
LABEL = re.compile(
    rf"""^[ \t]*
    (?:\[(?P<before>{CLOCK})\][ \t]*)?            # [00:01:23] Interviewer:
    (?P<bold>\*\*)?
    (?P<name>{_NAME})
    (?:[ \t]*[(\[](?P<after>{CLOCK})[)\]])?        # Interviewer (00:01:23):
    [ \t]*(?(bold)(?:\*\*:|:\*\*)|:)
    (?:[ \t]*[(\[](?P<later>{CLOCK})[)\]])?        # Interviewer: (00:01:23)
    (?=\s|$)""",
    re.MULTILINE | re.VERBOSE)

# Markdown's bold may close after the name (`**Emma** [0:18]`) or after the time.
_STAMP = re.compile(
    rf"^[ \t]*(?:\*\*)?(?P<name>{_NAME})(?:\*\*)?[ \t]*[(\[](?P<after>{CLOCK})[)\]]"
    rf"(?:\*\*)?(?=[ \t]|$)", re.MULTILINE)
_HEADING = re.compile(
    rf"^[ \t]*(?:\*\*)?(?P<name>{_LISTED_NAME})(?:\*\*)?(?:[ \t]+|[ \t]*\n[ \t]*)"
    rf"(?P<after>{CLOCK})[ \t]*$", re.MULTILINE)
_BARE_TIME = re.compile(rf"^[ \t]*(?P<after>{CLOCK})[ \t]*$", re.MULTILINE)
_OTTER_FOOTER = re.compile(r"^[ \t]*transcribed by https?://otter\.ai\S*[ \t]*$",
                           re.MULTILINE | re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(
    rf"^#{{1,6}}[ \t]+(?P<bold>\*\*)?(?P<name>{_NAME})(?(bold)\*\*)"
    rf"(?:[ \t]+[(\[]?(?P<after>{CLOCK})[)\]]?)?[ \t]*$", re.MULTILINE)
_BOLD_LINE = re.compile(rf"^[ \t]*\*\*(?P<name>{_NAME})\*\*[ \t]*$", re.MULTILINE)
# `>>>` marks a new story in broadcast captions, and so a new speaker too.
CHANGE = re.compile(rf"^[ \t]*>>>?[ \t]*(?:(?P<name>{_NAME})[ \t]*:(?=\s|$))?",
                    re.MULTILINE)

_ROLE = re.compile(
    r"(?i:interviewer|interviewee|participant|respondent|moderator|facilitator|researcher"
    r"|speaker|unknown)(?:[ ]?\d+|[ ][A-Z])?"
    r"|[PIRQAB]\d*")
_PARTICLES = frozenset("al bin da de del della der di du la le ten ter van von".split())
# Metadata keys that head transcripts ("Date: ...") and would otherwise pass for names.
_NOT_SPEAKERS = frozenset(
    "date duration example file keywords length location note notes nb place project ps "
    "recording source study subject summary time title topic transcript".split())


def speaker_names(names: Iterable[str], lenient: bool = False) -> set[str]:
    """Which candidate label names are speakers. A role (Interviewer, P03, R2, the I and
    B of German "I:/B:" transcripts) always is. Any other name must look like one (at
    most four words, later words capitalised, so "The problem is this:" fails) and,
    unless `lenient`, be used at least twice: a sentence that happens to hold a colon
    rarely repeats word for word."""
    counts = Counter(names)
    return {name for name, count in counts.items()
            if _ROLE.fullmatch(name)
            or (_looks_like_name(name) and (lenient or count >= 2))}


def _looks_like_name(name: str) -> bool:
    words = name.replace(",", " ").split()
    if not words or len(words) > 4 or name.casefold() in _NOT_SPEAKERS:
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
    groups = match.re.groupindex
    return clock_seconds(next((match[g] for g in ("before", "after", "later")
                               if g in groups and match[g]), None))


@dataclass
class Head:
    """Where a turn begins: the label runs over [at, end) and the utterance follows it.
    `label_start` is where the speaker's name stands in the text, when it does."""

    speaker: str | None
    at: int
    end: int
    label_start: int | None = None
    time: float | None = None


@dataclass
class Layout:
    name: str
    heads: list[Head]
    notes: list[str]


def find_heads(text: str, pattern: re.Pattern | None = None,
               trusted_lines: frozenset[int] = frozenset()) -> Layout:
    """The turn heads of `text` in its most evident layout, or in the researcher's own
    `pattern`. `trusted_lines`: line numbers (0-based) whose name is known to be a
    speaker's whatever its count (Otter's bold names in Word)."""
    if pattern is not None:
        return Layout("--speaker-pattern", _pattern_heads(text, pattern), [])
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    layouts = [
        Layout("labels", _labels(text), []),
        Layout("Otter.ai headings", _otter(text, line_starts, trusted_lines), []),
        Layout("timestamped names", _named(_STAMP.finditer(text), structural=True), []),
        Layout("Markdown headings", _named(_MARKDOWN_HEADING.finditer(text),
                                           structural=True), []),
        Layout("bold names on their own lines", _named(_BOLD_LINE.finditer(text),
                                                       structural=True), []),
        _changes(text),
    ]
    # A layout other than plain labels counts only when it repeats; the first layout
    # wins ties, so plain labels read as they always have.
    return max((layout for layout in layouts
                if layout is layouts[0] or _named_count(layout) >= 2),
               key=_named_count)


def _labels(text: str) -> list[Head]:
    """`Name:` labels. A label with a time (`Jane Doe (00:01:02):`) is a layout of its
    own: once two such labels pass the rules, a name under a time need not recur."""
    matches = list(LABEL.finditer(text))
    heads = _named(matches)
    stamped = [m for m in matches if label_time(m) is not None]
    return _merge(heads, _named(stamped, structural=True))


def _merge(*groups: list[Head]) -> list[Head]:
    unique = {head.at: head for group in groups for head in group}
    return [unique[at] for at in sorted(unique)]


def _named(candidates: Iterable[re.Match], structural: bool = False,
           accepted: Iterable[int] = ()) -> list[Head]:
    """Heads whose names pass the label rules (or are `accepted` by index). In a
    `structural` layout (a name set apart by a time, a heading or a line of its own),
    once two heads pass, the layout is evident and a name used once counts too."""
    matches = list(candidates)
    speakers = speaker_names(m["name"] for m in matches)
    trusted = set(accepted)
    passing = [i for i, m in enumerate(matches) if m["name"] in speakers or i in trusted]
    if structural and len(passing) >= 2:
        speakers |= speaker_names((m["name"] for m in matches), lenient=True)
        passing = [i for i, m in enumerate(matches)
                   if m["name"] in speakers or i in trusted]
    return [Head(m["name"], m.start(), m.end(), m.start("name"), label_time(matches[i]))
            for i in passing for m in [matches[i]]]


def _otter(text: str, line_starts: list[int], trusted_lines: frozenset[int]) -> list[Head]:
    """Otter.ai and Teams headings: named ones must pass the label rules (or stand on a
    trusted line), so "See you at 10:30" heads no turn; bare times and Otter's footer
    count only among named headings."""
    matches = list(_HEADING.finditer(text))
    trusted = [i for i, m in enumerate(matches)
               if bisect.bisect_right(line_starts, m.start()) - 1 in trusted_lines]
    named = _named(matches, structural=True, accepted=trusted)
    if not named:
        return []
    taken = [(h.at, h.end) for h in named]
    bare = [Head(None, m.start(), m.end(), None, clock_seconds(m["after"]))
            for m in _BARE_TIME.finditer(text)
            if not any(at <= m.start() < end for at, end in taken)]
    footer = [Head(None, m.start(), m.start()) for m in _OTTER_FOOTER.finditer(text)]
    return sorted(named + bare + footer, key=lambda h: h.at)


def _changes(text: str) -> Layout:
    """`>>` speaker changes: a name after the mark is taken at once (the mark is the
    evidence that a speaker begins); otherwise the speaker is unknown, and each such
    turn gets its own neutral number, since one change may or may not bring back an
    earlier voice."""
    matches = list(CHANGE.finditer(text))
    speakers = speaker_names((m["name"] for m in matches if m["name"]), lenient=True)
    heads, unknown = [], 0
    for m in matches:
        if m["name"] in speakers:
            heads.append(Head(m["name"], m.start(), m.end(), m.start("name")))
        else:
            unknown += 1
            end = m.start("name") if m["name"] else m.end()
            heads.append(Head(unknown_speaker(unknown), m.start(), end))
    return Layout("'>>' speaker changes", heads, unknown_note(unknown))


def _named_count(layout: Layout) -> int:
    return sum(h.speaker is not None for h in layout.heads)


def unknown_speaker(number: int) -> str:
    return f"Unknown {number}"


def unknown_note(count: int) -> list[str]:
    if not count:
        return []
    numbers = "Unknown 1" if count == 1 else f"Unknown 1 to Unknown {count}"
    return [f"{count} speaker change(s) marked '>>' name no speaker; those turns are "
            f"labelled {numbers} (one number per change, not per person)"]


def _pattern_heads(text: str, pattern: re.Pattern) -> list[Head]:
    """The researcher's pattern, tried at every line start; every match is a head."""
    heads: list[Head] = []
    at = 0
    while at < len(text):
        match = pattern.match(text, at)
        if match and match.end() > at:
            name = match["speaker"] and match["speaker"].strip()
            time = match.groupdict().get("time")
            heads.append(Head(name or None, at, match.end(),
                              match.start("speaker") + _lead(match["speaker"]) if name
                              else None,
                              clock_seconds(time) if time and re.fullmatch(CLOCK, time)
                              else None))
            at = match.end()
        newline = text.find("\n", at)
        if newline < 0:
            break
        at = newline + 1
    return heads


def _lead(value: str) -> int:
    return len(value) - len(value.lstrip())


def compile_speaker_pattern(regex: str) -> re.Pattern:
    """The researcher's `--speaker-pattern`, checked: it must compile and name the
    speaker in a group called `speaker` (a group `time` is optional)."""
    try:
        pattern = re.compile(regex, re.MULTILINE)
    except re.error as exc:
        raise SpeakerPatternError(f"--speaker-pattern is not a valid regular expression "
                                  f"({exc})") from None
    if "speaker" not in pattern.groupindex:
        raise SpeakerPatternError("--speaker-pattern needs a named group for the speaker, "
                                  "as in (?P<speaker>...)")
    return pattern


class SpeakerPatternError(QcodeError, ValueError):
    """A `--speaker-pattern` that cannot be used; the message is one sentence."""


def unattributed_warning(words_without: int, words: int) -> list[str]:
    """A warning when more than a tenth of the words fall in turns with no speaker:
    the speakers may be named in a layout qcode does not know."""
    if not words or words_without * 10 <= words:
        return []
    return [f"{words_without / words:.0%} of the words ({words_without:,} of {words:,}) "
            f"are in turns with no speaker; if the file names its speakers in a layout "
            f"qcode does not read, give it with --speaker-pattern REGEX (a named group "
            f"'speaker', matched at line starts)"]
