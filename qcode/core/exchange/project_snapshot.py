"""An open project as an ExchangeProject: everything an export carries, read at one
moment (one read transaction), with a handful of queries whatever the number of
codings."""

from __future__ import annotations

from pathlib import Path

from qcode.core.exchange.codebook_formats import project_codebook
from qcode.core.exchange.project_model import (Case, Coder, Coding, ExchangeProject, Memo,
                                               Resolution, Transcript, Turn)


def snapshot(project) -> ExchangeProject:
    """The whole project in the exchange model, GUIDs as the project holds them."""
    with project.reading():
        return ExchangeProject(
            name=Path(project.path).stem,
            codebook=_named(project_codebook(project), project.meta("codebook_name")),
            guid=project.meta("project_guid"),
            created=project.meta("created"),
            coders=[Coder(**row) for row in project.exchange_coders()],
            transcripts=[Transcript(**{**row, "turns": [Turn(*t) for t in row["turns"]]})
                         for row in project.exchange_transcripts()],
            cases=[Case(**row) for row in project.exchange_cases()],
            codings=[Coding(**row) for row in project.exchange_codings()],
            memos=[Memo(**row) for row in project.exchange_memos()],
            resolutions=[Resolution(**row) for row in project.exchange_resolutions()],
        )


def _named(book, name: str | None):
    """The codebook under the name the project gave it, or none: an export's reader
    must not take a file name for the codebook's own name."""
    book.name = name or ""
    return book
