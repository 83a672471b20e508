"""A whole project as it travels between qcode and other tools.

Export goes project -> ExchangeProject -> REFI-QDA `.qdpx`; import goes `.qdpx` ->
ExchangeProject -> project. Keeping one plain model in the middle means the writer and
the reader never touch the database, and a round trip can be checked by comparing two
models: what qcode holds is what the file says.

The records are the project's own model (qcode.core.model); this is the whole of
them, with the codebook and what a reader repaired or left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qcode.core.codebook import Codebook
from qcode.core.model import Case, Coder, Coding, Memo, Resolution, Transcript

# The archive entry where qcode keeps what REFI-QDA has no place for (turns, file
# details); other tools ignore it.
EXTRAS = "qcode.json"


@dataclass
class ExchangeProject:
    name: str
    codebook: Codebook
    guid: str | None = None
    created: str | None = None
    coders: list[Coder] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    # What a reader repaired or left out, for the user to read.
    warnings: list[str] = field(default_factory=list)
