"""An open project as an ExchangeProject: everything an export carries, read at one
moment (one read transaction), with a handful of queries whatever the number of
codings. The codings themselves are read a transcript at a time as they are written
(StoredCodings), so a caller that needs that moment to last holds `project.reading()`
around the snapshot and the writing."""

from __future__ import annotations

from pathlib import Path

from qcode.core.exchange.codebook_formats import project_codebook
from qcode.core.exchange.project_model import ExchangeProject, StoredCodings


def snapshot(project) -> ExchangeProject:
    """The whole project in the exchange model, GUIDs as the project holds them."""
    with project.reading():
        transcripts = project.all_transcripts()
        return ExchangeProject(
            name=Path(project.path).stem,
            codebook=_named(project_codebook(project), project.meta("codebook_name")),
            guid=project.meta("project_guid"),
            created=project.meta("created"),
            coders=project.all_coders(),
            transcripts=transcripts,
            cases=project.all_cases(),
            codings=StoredCodings([t.guid for t in transcripts],
                                  project.transcript_codings, project.coding_count()),
            memos=project.all_memos(),
            resolutions=project.all_resolutions(),
            reviews=project.all_reviews(),
        )


def _named(book, name: str | None):
    """The codebook under the name the project gave it, or none: an export's reader
    must not take a file name for the codebook's own name."""
    book.name = name or ""
    return book
