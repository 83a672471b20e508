"""A whole project as it travels between qcode and other tools.

Export goes project -> ExchangeProject -> REFI-QDA `.qdpx`; import goes `.qdpx` ->
ExchangeProject -> project. Keeping one plain model in the middle means the writer and
the reader never touch the database, and a round trip can be checked by comparing two
models: what qcode holds is what the file says.

Positions are half-open spans of Unicode code points over `Transcript.text`, which is
LF-only with no BOM (as in the project). GUIDs are upper case without braces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qcode.core.codebook import Codebook
from qcode.core.importers.base import Turn  # a turn is the importers' Turn

__all__ = ["EXTRAS", "Case", "Coder", "Coding", "ExchangeProject", "Memo", "Resolution",
           "Transcript", "Turn"]

# The archive entry where qcode keeps what REFI-QDA has no place for (turns, file
# details); other tools ignore it.
EXTRAS = "qcode.json"


@dataclass
class Coder:
    guid: str
    name: str
    created: str | None = None


@dataclass
class Transcript:
    guid: str
    name: str
    text: str
    source_file: str = ""
    source_format: str = "txt"
    encoding: str = "utf-8"
    imported: str | None = None
    # None when the file did not say (another tool's export): the importer finds the
    # turns from the speaker labels in the text.
    turns: list[Turn] | None = None


@dataclass
class Case:
    guid: str
    name: str
    # attribute name -> (value, type); type is qcode's: text, integer or float
    attributes: dict[str, tuple[str, str]] = field(default_factory=dict)
    transcripts: list[str] = field(default_factory=list)  # transcript GUIDs


@dataclass
class Coding:
    guid: str
    transcript: str  # transcript GUID
    code: str  # code GUID
    coder: str  # coder GUID
    start: int
    end: int
    memo: str = ""
    created: str | None = None


@dataclass
class Memo:
    """A free-standing memo: on the project (target_type None), a code or a transcript."""
    guid: str
    name: str
    text: str
    target_type: str | None = None  # None, "code" or "transcript"
    target_guid: str | None = None
    coder: str | None = None  # coder GUID
    created: str | None = None


@dataclass
class Resolution:
    """How one place where two coders differed was resolved into the consensus (qcode
    only: other tools have no such record, so it travels in the extras)."""
    guid: str
    transcript: str  # transcript GUID
    code: str  # code GUID
    first_coder: str  # coder names, as the resolutions table keeps them
    second_coder: str
    start: int
    end: int
    choice: str
    resolved_by: str | None = None
    created: str | None = None


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
