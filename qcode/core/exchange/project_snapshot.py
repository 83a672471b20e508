"""An open project as an ExchangeProject: everything an export carries, read at one
moment (one read transaction), with a handful of queries whatever the number of
codings."""

from __future__ import annotations

from pathlib import Path

from qcode.core.exchange.codebook_formats import project_codebook
from qcode.core.exchange.project_model import ExchangeProject


def snapshot(project) -> ExchangeProject:
    """The whole project in the exchange model, GUIDs as the project holds them."""
    with project.reading():
        return ExchangeProject(
            name=Path(project.path).stem,
            codebook=_named(project_codebook(project), project.meta("codebook_name")),
            guid=project.meta("project_guid"),
            created=project.meta("created"),
            coders=project.all_coders(),
            transcripts=project.all_transcripts(),
            cases=project.all_cases(),
            codings=project.all_codings(),
            memos=project.all_memos(),
            resolutions=project.all_resolutions(),
        )


def _named(book, name: str | None):
    """The codebook under the name the project gave it, or none: an export's reader
    must not take a file name for the codebook's own name."""
    book.name = name or ""
    return book
