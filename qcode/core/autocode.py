"""Auto-coding: every place a phrase, a regular expression or a phrase as transcribed
variously (fuzzy) occurs, proposed as codings for the researcher to review; the ones
accepted are stored as the reviewer's codings, marked auto-coded, in one undoable action.

How each kind of pattern is found:
- a phrase: the search index picks the turns holding its words, then a plain,
  linear-time expression finds each place (case and the space between words ignored);
- a regular expression: Python's `re` cannot be interrupted, and whether a pattern
  backtracks without end cannot be told reliably from its text, so the `regex` module
  runs it, whose matching takes a timeout: the whole search gets REGEX_SECONDS, then
  stops with a sentence and nothing proposed (in-process, so no worker to start and no
  open database handed across a fork);
- fuzzy: rapidfuzz's partial_ratio over each sentence of each turn, and the alignment
  of the best-scoring sentences (at most one hit per sentence), widened to whole words.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from qcode.core.errors import QcodeError
from qcode.core.roles import is_interviewer
from qcode.core.spans import SENTENCE_END, sentence_at

MODES = ("phrase", "regex", "fuzzy")
UNITS = ("match", "sentence", "turn")
REGEX_SECONDS = 10.0
# partial_ratio is 100 x (1 - the share of letters to add or remove) for the best-
# aligned piece of a sentence, compared in lower case with punctuation as spaces. At 85
# one slip in about seven letters passes ("organisation"/"organization" 92, "judgement"/
# "judgment" 88, "Home Office"/"home ofice" 91), two in a short phrase do not
# ("home office"/"home ofice" "horn office" 82): --min-score lowers it for noisier text.
FUZZY_CUTOFF = 85.0
FUZZY_SHORTEST = 4  # letters: below this, partial_ratio finds the phrase nearly anywhere
# "Speaker 1", "Unknown": labels that say nothing of the speaker's role (qcode gives
# them when nothing said who interviews).
NEUTRAL_LABEL = re.compile(r"(?i:speaker|unknown|unidentified)(?: ?\d+)?")
WORD_CHARACTER = re.compile(r"\w")
NOT_WORD = re.compile(r"[^\w\s]")


class AutocodeError(QcodeError):
    """A search that cannot be run or found nothing; the message says why."""


@dataclass
class Search:
    pattern: str | None  # None: every turn of `speaker` (speaker as a code)
    mode: str = "phrase"
    unit: str = "match"
    speaker: str | None = None  # "participant", "interviewer" or a speaker label
    within: tuple[int, str] | None = None  # (code id, name): only inside its codings
    transcript_ids: list[int] | None = None
    coder: str | None = None  # whose codings --within reads
    min_score: float = FUZZY_CUTOFF


@dataclass
class Proposal:
    """A place to code: [start, end) in its transcript (the unit around the hit), the
    hit itself, and the turn it is in."""

    transcript_id: int
    transcript: str
    turn: int
    speaker: str | None
    start: int
    end: int
    hit_start: int
    hit_end: int
    text: str  # what would be coded
    score: float = 100.0
    turn_start: int = field(default=0, repr=False)
    turn_text: str = field(default="", repr=False)

    def widened(self, unit: str) -> Proposal:
        """The same hit proposed as its sentence or its whole turn."""
        start, end = _unit_span(self.turn_text, self.turn_start, self.hit_start,
                                self.hit_end, unit)
        return Proposal(self.transcript_id, self.transcript, self.turn, self.speaker,
                        start, end, self.hit_start, self.hit_end,
                        self.turn_text[start - self.turn_start:end - self.turn_start],
                        self.score, self.turn_start, self.turn_text)

    def as_dict(self) -> dict:
        return {"transcript": self.transcript, "turn": self.turn, "speaker": self.speaker,
                "start": self.start, "end": self.end, "text": self.text,
                "score": round(self.score, 1)}


@dataclass
class Found:
    proposals: list[Proposal]
    notes: list[str]  # what was decided on the way, for the researcher


Progress = Callable[[int, int], None]


def find(project, search: Search, progress: Progress | None = None) -> Found:
    """Every place the search finds, as proposals in transcript and text order.
    Nothing is written."""
    _check(search)
    turns = _turns(project, search)
    notes: list[str] = []
    turns = _by_speaker(project, search, turns, notes)
    matcher = _matcher(search)
    proposals: list[Proposal] = []
    seen: set[tuple[int, int, int]] = set()
    for done, turn in enumerate(turns, start=1):
        for hit_start, hit_end, score in matcher(turn.text):
            start, end = _unit_span(turn.text, turn.start, turn.start + hit_start,
                                    turn.start + hit_end, search.unit)
            if (turn.transcript_id, start, end) in seen:
                continue  # two hits in one sentence or turn: one proposal
            seen.add((turn.transcript_id, start, end))
            proposals.append(Proposal(
                turn.transcript_id, turn.transcript, turn.turn, turn.speaker, start, end,
                turn.start + hit_start, turn.start + hit_end,
                turn.text[start - turn.start:end - turn.start], score, turn.start,
                turn.text))
        if progress is not None and (done % 500 == 0 or done == len(turns)):
            progress(done, len(turns))
    if search.within is not None:
        proposals = _within(project, search, proposals)
    if not proposals:
        what = ("no turn" if search.pattern is None
                else f"nothing matches {search.pattern!r}")
        raise AutocodeError(f"{what} ({_described(search)}); nothing was coded")
    return Found(proposals, notes)


def accept(project, code: tuple[int, str], coder: str, proposals: list[Proposal],
           pattern: str):
    """Store the accepted proposals as `coder`'s codings of the code, marked
    auto-coded: one action, one undo."""
    from qcode.core.store.base import ProjectError

    if not proposals:
        raise AutocodeError("no hit was accepted; nothing was coded")
    try:
        return project.add_autocodings(
            code[0], coder, [(p.transcript_id, p.start, p.end) for p in proposals],
            f"auto-coded {len(proposals)} hit(s) of {pattern!r} as {code[1]}")
    except ProjectError as exc:
        raise AutocodeError(str(exc)) from None


def code_to_apply(project, name: str) -> tuple[int, str]:
    """The code named (ignoring case), or its path "Theme > Code" when names repeat;
    a category cannot be applied to text."""
    from qcode.core.codebook import code_paths

    codes = project.codes()
    paths = code_paths(codes)
    typed = " > ".join(part.strip() for part in name.split(">")).casefold()
    found = [c for c in codes if typed in (c.name.casefold(), paths[c.id].casefold())]
    if not found:
        raise AutocodeError(f"no code named {name!r}; add it to the codebook first")
    if len(found) > 1:
        raise AutocodeError(f"{len(found)} codes are named {name!r} ("
                            + ", ".join(paths[c.id] for c in found)
                            + "): give the path, e.g. 'Theme > Code'")
    code = found[0]
    if not code.codable:
        raise AutocodeError(f"{code.name} is a category: it groups codes and cannot be "
                            "applied to text; name one of the codes under it")
    return code.id, code.name


def _check(search: Search) -> None:
    if search.mode not in MODES:
        raise AutocodeError(f"unknown kind of pattern {search.mode!r}; use "
                            + ", ".join(MODES))
    if search.unit not in UNITS:
        raise AutocodeError(f"unknown unit {search.unit!r}; use " + ", ".join(UNITS))
    if search.pattern is None:
        if search.speaker is None:
            raise AutocodeError("give a pattern to look for, or --speaker alone to code "
                                "every turn of a speaker")
        if search.unit != "turn":
            raise AutocodeError("every turn of a speaker is coded whole: use --unit turn "
                                "(or give a pattern)")
    elif not search.pattern.strip():
        raise AutocodeError("the pattern is empty: give a phrase or an expression to "
                            "look for")
    letters = len(WORD_CHARACTER.findall(search.pattern or ""))
    if search.mode == "fuzzy" and search.pattern is not None and letters < FUZZY_SHORTEST:
        raise AutocodeError(f"a fuzzy phrase needs {FUZZY_SHORTEST} letters or more: a "
                            "shorter one resembles nearly any text")
    if search.speaker is not None and not search.speaker.strip():
        raise AutocodeError("the speaker is empty: give participant, interviewer or a "
                            "speaker label")


def _turns(project, search: Search) -> list:
    """The turns worth reading: for a phrase, those the search index says hold its
    words (the index ignores punctuation and accents, so it can only over-select)."""
    if (search.mode == "phrase" and search.pattern is not None
            and WORD_CHARACTER.search(search.pattern)):
        return project.spoken_turns(search.transcript_ids, words=search.pattern)
    return project.spoken_turns(search.transcript_ids)


def _by_speaker(project, search: Search, turns: list, notes: list[str]) -> list:
    wanted = search.speaker
    if wanted is None:
        return turns
    role = wanted.strip().casefold()
    if role == "interviewer":
        return [t for t in turns if is_interviewer(t.speaker)]
    if role == "participant":
        unknown = sorted({t.speaker or "(no label)" for t in turns
                          if not _participant(t.speaker) and not is_interviewer(t.speaker)})
        if unknown:
            notes.append("left out the turns of speakers whose role their label does not "
                         f"say ({', '.join(unknown[:5])}"
                         + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
                         + "): name one with --speaker LABEL")
        return [t for t in turns if _participant(t.speaker)]
    labels = project.speakers(search.transcript_ids)
    from qcode.core.reports.selection import matching_name

    label = matching_name(labels, wanted.strip())
    if label is None:
        raise AutocodeError(f"no speaker labelled {wanted!r} in these transcripts "
                            f"(speakers: {', '.join(labels[:10]) or 'none'}"
                            + (", ..." if len(labels) > 10 else "")
                            + "); or use participant or interviewer")
    return [t for t in turns if t.speaker == label]


def _participant(label: str | None) -> bool:
    """A turn of the participant's side: labelled, not the interviewer's, and not a
    neutral label that hides who speaks."""
    return bool(label) and not is_interviewer(label) and NEUTRAL_LABEL.fullmatch(
        label.strip()) is None


def _matcher(search: Search) -> Callable[[str], list[tuple[int, int, float]]]:
    if search.pattern is None:
        return lambda text: [(0, len(text), 100.0)] if text.strip() else []
    if search.mode == "regex":
        return _regex_matcher(search.pattern)
    if search.mode == "fuzzy":
        return _fuzzy_matcher(search.pattern, search.min_score)
    words = search.pattern.split()
    # Not inside a longer word: "police" is not a hit in "policeman".
    expression = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)",
                            re.IGNORECASE)
    return lambda text: [(m.start(), m.end(), 100.0) for m in expression.finditer(text)]


def _regex_matcher(pattern: str):
    import regex

    try:
        expression = regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
    except regex.error as exc:
        raise AutocodeError(f"{pattern!r} is not a valid regular expression ({exc}); "
                            "nothing was coded") from None
    budget = REGEX_SECONDS
    deadline = time.monotonic() + budget

    def matches(text: str) -> list[tuple[int, int, float]]:
        try:
            return [(m.start(), m.end(), 100.0) for m in expression.finditer(
                text, timeout=max(deadline - time.monotonic(), 0.001))
                if m.end() > m.start()]
        except TimeoutError:
            raise AutocodeError(
                f"the expression {pattern!r} took more than {budget:g} s and was stopped "
                "(a repeat inside a repeat, such as (a|aa)+, can try without end); "
                "nothing was coded") from None

    return matches


def _fuzzy_matcher(phrase: str, cutoff: float):
    from rapidfuzz import fuzz

    wanted = _folded(phrase)

    def matches(text: str) -> list[tuple[int, int, float]]:
        lowered = _folded(text)
        # A sentence scores no more than its whole turn: most turns are passed over here.
        if fuzz.partial_ratio(wanted, lowered, score_cutoff=cutoff) < cutoff:
            return []
        out = []
        for start, end in _sentences(text):
            found = fuzz.partial_ratio_alignment(wanted, lowered[start:end],
                                                 score_cutoff=cutoff)
            if found is not None:
                out.append((*_whole_words(text, start + found.dest_start,
                                          start + found.dest_end), found.score))
        return out

    return matches


def _folded(text: str) -> str:
    """Lower case, punctuation as spaces ("Home-Office" as "home office"), keeping
    every position (a letter whose lower case is longer stays as it is)."""
    lowered = text.lower()
    return NOT_WORD.sub(" ", lowered if len(lowered) == len(text) else text)


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for match in SENTENCE_END.finditer(text):
        if match.end() > start:
            out.append((start, match.end()))
        start = match.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """An alignment may start or end inside a word, or on a space: whole words."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def _unit_span(turn_text: str, turn_start: int, hit_start: int, hit_end: int,
               unit: str) -> tuple[int, int]:
    """The hit, its sentence (the sentences it spans), or its turn, in the transcript."""
    if unit == "turn":
        return turn_start, turn_start + len(turn_text)
    if unit == "sentence":
        # sentence_at with no turns keeps to the line; the turn's text is given alone.
        first = sentence_at(turn_text, (), hit_start - turn_start)
        last = sentence_at(turn_text, (), max(hit_end - 1, hit_start) - turn_start)
        return turn_start + first[0], turn_start + max(last[1], hit_end - turn_start)
    return hit_start, hit_end


def _within(project, search: Search, proposals: list[Proposal]) -> list[Proposal]:
    """Only hits inside the coder's codings of the --within code."""
    code_id, name = search.within
    spans = project.coded_spans([search.coder], [code_id], search.transcript_ids)
    if not spans:
        raise AutocodeError(f"{search.coder} has coded nothing as {name}, so nothing is "
                            f"inside it; nothing was coded")
    return [p for p in proposals if any(
        s <= p.hit_start and p.hit_end <= e
        for s, e in spans.get((search.coder, p.transcript_id, code_id), []))]


def _described(search: Search) -> str:
    kinds = {"phrase": "as a phrase", "regex": "as a regular expression",
             "fuzzy": f"fuzzy, score {search.min_score:g} or more"}
    parts = [] if search.pattern is None else [kinds[search.mode]]
    if search.speaker:
        parts.append(f"in turns of {search.speaker}")
    if search.within:
        parts.append(f"inside {search.within[1]}")
    return ", ".join(parts) or "every turn"
