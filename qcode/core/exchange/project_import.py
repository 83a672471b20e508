"""Another tool's project brought into qcode with its text anonymised first.

The reader gives an ExchangeProject whose transcripts still hold what the other tool
held. Anonymisation changes the text, so every position that came with it (turns,
codings) is carried across by the map the anonymiser returns, and the short texts that
came along (memos, case names, attribute values, code names and guidance) lose every
value the key knows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from qcode.core.exchange.project_model import ExchangeProject
from qcode.core.exchange.foreign import tidy, unique_name
from qcode.core.model import ReviewRecord, Transcript


def as_parsed(project: ExchangeProject
              ) -> tuple[list[tuple[Path, Transcript]], list[str | None]]:
    """The transcripts in the importers' shape, with the case each belongs to."""
    case_of = {guid: case.name for case in project.cases for guid in case.transcripts}
    items = []
    for transcript in project.transcripts:
        items.append((Path(transcript.source_file or transcript.name),
                      replace(transcript, turns=list(transcript.turns or []), guid=None)))
    return items, [case_of.get(t.guid) for t in project.transcripts]


def carry_anonymisation(project: ExchangeProject, anonymised: list[Transcript],
                        positions: list, short_text: Callable[[str], str],
                        case_name: Callable[[str], str]) -> None:
    """Put the anonymised texts in place and move every coding with its text.

    A coding's start inside a replaced name moves to the pseudonym's start and its end to
    the pseudonym's end, so a coding that covered a name covers its pseudonym. Two names
    that became one pseudonym ("Notes by [Person 1]") are told apart again, with a
    warning, as qcode needs each name once among its siblings. A case is often named
    after its participant, so `case_name` takes out anything that may be a name."""
    maps = {}
    for transcript, parsed, mapping in zip(project.transcripts, anonymised, positions):
        suffix = Path(transcript.source_file).suffix if transcript.source_file else ""
        renamed = parsed.name != transcript.name
        transcript.text = parsed.text
        transcript.name = parsed.name
        transcript.turns = parsed.turns
        # The file name can carry the name the transcript's name lost.
        transcript.source_file = (parsed.name + suffix if renamed
                                  else short_text(transcript.source_file))
        maps[transcript.guid] = mapping
    for coding in project.codings:
        mapping = maps[coding.transcript]
        coding.start, coding.end = mapping.start(coding.start), mapping.end(coding.end)
        coding.memo = short_text(coding.memo)
    for resolution in project.resolutions:
        mapping = maps[resolution.transcript]
        resolution.start = mapping.start(resolution.start)
        resolution.end = mapping.end(resolution.end)
        resolution.first_coder = short_text(resolution.first_coder)
        resolution.second_coder = short_text(resolution.second_coder)
    for review in project.reviews:
        _carry_review(review, maps[review.transcript], short_text)
    for memo in project.memos:
        memo.name, memo.text = short_text(memo.name), short_text(memo.text)
    for case in project.cases:
        case.name = case_name(case.name)
        case.attributes = {short_text(name): (short_text(value), kind)
                           for name, (value, kind) in case.attributes.items()}
    # Coders are the researchers, but a listed name is listed everywhere.
    for coder in project.coders:
        coder.name = short_text(coder.name)
    for code, _ in project.codebook.walk():
        for field in ("name", "definition", "when_to_use", "when_not_to_use", "example"):
            setattr(code, field, short_text(getattr(code, field)))
    project.warnings += tidy(project.codebook)
    for kind, items in (("transcripts", project.transcripts), ("cases", project.cases),
                        ("coders", project.coders)):
        taken: set[str] = set()
        for item in items:
            name = unique_name(item.name, taken)
            if name != item.name:
                project.warnings.append(f"two {kind} are named '{item.name}' once "
                                        f"anonymised; the later one is '{name}'")
                item.name = name


def _carry_review(review: ReviewRecord, mapping, short_text: Callable[[str], str]) -> None:
    """A review moves with its text; the names and words in it lose what the key
    knows, as a resolution's and a memo's do."""
    review.start, review.end = mapping.start(review.start), mapping.end(review.end)
    review.coder, review.reviewer = short_text(review.coder), short_text(review.reviewer)
    review.decided_by = review.decided_by and short_text(review.decided_by)
    for comment in review.comments:
        comment.author, comment.body = short_text(comment.author), short_text(comment.body)


def hold_back(project: ExchangeProject, transcripts: set[str]) -> None:
    """Transcripts (by GUID) kept out of the import leave with everything on them:
    their codings and resolutions, the memos about them, and the cases that held
    nothing else."""
    if not transcripts:
        return
    project.transcripts = [t for t in project.transcripts if t.guid not in transcripts]
    project.codings = [c for c in project.codings if c.transcript not in transcripts]
    project.resolutions = [r for r in project.resolutions
                           if r.transcript not in transcripts]
    project.reviews = [r for r in project.reviews if r.transcript not in transcripts]
    project.memos = [m for m in project.memos if not (
        m.target_type == "transcript" and m.target_guid in transcripts)]
    cases = []
    for case in project.cases:
        kept = [guid for guid in case.transcripts if guid not in transcripts]
        if kept or not case.transcripts:
            case.transcripts = kept
            cases.append(case)
    project.cases = cases
