"""A whole project as it travels between qcode and other tools.

Export goes project -> ExchangeProject -> REFI-QDA `.qdpx`; import goes `.qdpx` ->
ExchangeProject -> project. Keeping one plain model in the middle means the writer and
the reader never touch the database, and a round trip can be checked by comparing two
models: what qcode holds is what the file says.

The records are the project's own model (qcode.core.model); this is the whole of
them, with the codebook and what a reader repaired or left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from qcode.core.codebook import Codebook
from qcode.core.model import Case, Coder, Coding, Memo, Resolution, ReviewRecord, Transcript

# The archive entry where qcode keeps what REFI-QDA has no place for (turns, file
# details); other tools ignore it.
EXTRAS = "qcode.json"


class StoredCodings:
    """A project's codings left in the project until they are written: 300,000 of them
    as objects would take some 200 MB, one transcript's take a few hundred kB. Iterated
    or asked for one transcript's, it reads them then (`read` gives a transcript's, by
    its GUID), so an export that must see one moment holds the project's read
    transaction around the snapshot and the writing both (the export command does)."""

    def __init__(self, transcripts: list[str], read: Callable[[str], list[Coding]],
                 count: int):
        self.transcripts = transcripts
        self.read = read
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Coding]:
        for transcript in self.transcripts:
            yield from self.read(transcript)

    def of(self, transcript: str) -> list[Coding]:
        """The codings of one transcript (by GUID), in text order."""
        return self.read(transcript)


@dataclass
class ExchangeProject:
    name: str
    codebook: Codebook
    guid: str | None = None
    created: str | None = None
    coders: list[Coder] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    # A reader's are a list; a snapshot's stay in the project until written.
    codings: list[Coding] | StoredCodings = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)  # qcode's, in qcode.json
    # What a reader repaired or left out, for the user to read.
    warnings: list[str] = field(default_factory=list)
