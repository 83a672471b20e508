"""Where two coders differ on one code, and how a place of difference is resolved into
a consensus. Pure functions over half-open spans [start, end) in code points."""

from __future__ import annotations

from dataclasses import dataclass, field

from qcode.core.agreement.units import Span, merged
from qcode.core.passages import passage

CHOICES = ("first", "second", "union", "intersection", "neither")


@dataclass
class Place:
    """A stretch of text where the two coders' codings of one code overlap or lie
    alone, and do not coincide. `first` and `second` are each coder's spans in it."""

    start: int
    end: int
    first: list[Span] = field(default_factory=list)
    second: list[Span] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if not self.first:
            return "only the second coder coded"
        if not self.second:
            return "only the first coder coded"
        return "boundaries differ"


def compare(first: list[Span], second: list[Span]) -> tuple[list[Span], list[Place]]:
    """Split two coders' spans of one code into the spans they share exactly and the
    places where they differ. A place is a connected stretch of the union of both
    coders' spans; it is agreed when both coded exactly the same spans there."""
    first, second = merged(first), merged(second)
    tagged = sorted([(s, e, 0) for s, e in first] + [(s, e, 1) for s, e in second])
    agreed: list[Span] = []
    places: list[Place] = []
    current: Place | None = None
    for start, end, who in tagged:
        if current is None or start > current.end:
            if current is not None:
                _close(current, agreed, places)
            current = Place(start, end)
        current.end = max(current.end, end)
        (current.first if who == 0 else current.second).append((start, end))
    if current is not None:
        _close(current, agreed, places)
    return agreed, places


def _close(place: Place, agreed: list[Span], places: list[Place]) -> None:
    if place.first == place.second:
        agreed.extend(place.first)
    else:
        places.append(place)


def resolve(place: Place, choice: str) -> list[Span]:
    """The consensus spans for a place: one coder's, the union or intersection, or
    none (neither coder's coding is kept)."""
    if choice == "neither":
        return []
    if choice == "first":
        return list(place.first)
    if choice == "second":
        return list(place.second)
    if choice == "union":
        return merged(place.first + place.second)
    if choice == "intersection":
        out = []
        for a_start, a_end in place.first:
            for b_start, b_end in place.second:
                start, end = max(a_start, b_start), min(a_end, b_end)
                if start < end:
                    out.append((start, end))
        return merged(out)
    raise ValueError(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")


def places_in(project, first: str, second: str, code_ids: list[int] | None = None,
              transcript_ids: list[int] | None = None) -> list[dict]:
    """Every place where coders `first` and `second` differ, per transcript and code, in
    transcript and text order, with its text, where it is in words (turn and first
    words) and how it was resolved (if it was)."""
    known = set(project.coders())
    for coder in (first, second):
        if coder not in known:
            raise ValueError(f"no coder named '{coder}' (coders: {', '.join(sorted(known))})")
    spans = project.coded_spans([first, second], code_ids, transcript_ids)
    names = {t.id: t.name for t in project.transcripts()}
    codes = {c.id: c.name for c in project.codes()}
    resolved = project.resolutions((first, second))
    texts: dict[int, str] = {}
    turns: dict[int, list] = {}
    out = []
    for transcript_id, code_id in sorted({(t, c) for _, t, c in spans},
                                         key=lambda k: (names[k[0]], k[1])):
        _, places = compare(spans.get((first, transcript_id, code_id), []),
                            spans.get((second, transcript_id, code_id), []))
        if places and transcript_id not in texts:
            texts[transcript_id] = project.transcript_text(transcript_id)
            turns[transcript_id] = project.turns(transcript_id)
        for place in places:
            out.append({
                "transcript_id": transcript_id, "transcript": names[transcript_id],
                "code_id": code_id, "code": codes[code_id], "place": place,
                "text": texts[transcript_id][place.start:place.end],
                "where": passage(texts[transcript_id], turns[transcript_id], place.start,
                                 place.end),
                "resolution": resolved.get((transcript_id, code_id, place.start, place.end)),
            })
    return out
