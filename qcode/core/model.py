"""The things a project holds, as every room of qcode passes them around: importers
make Transcripts, the anonymiser rewrites them, the store keeps them and gives them
back, and the exchange with other tools reads and writes the same records.

Positions are half-open spans [start, end) of Unicode code points over a transcript's
text, which is LF-only with no BOM and never changes once stored (its SHA-256 is kept
and checked). GUIDs are upper case without braces inside qcode.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def text_hash(text: str) -> str:
    import hashlib  # loads OpenSSL: only when a text is stored or checked, not to start

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Turn:
    """One speaker's turn. `start`/`end` delimit the utterance (not the label) in the
    transcript text; `label_start` is where the speaker label begins, if the text has one.
    Times are seconds from the start of the recording, when the source carried them."""

    speaker: str | None
    start: int
    end: int
    label_start: int | None = None
    begin_time: float | None = None
    end_time: float | None = None


@dataclass
class Transcript:
    """An interview's text and turns: as an importer read it, as the anonymiser left
    it, as the project keeps it, and as it travels to and from other tools.

    `turns` is None only for a text from another tool that did not say where turns
    are: they are then found from the speaker labels in the text."""

    name: str
    source_format: str
    text: str
    turns: list[Turn] | None = None
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)  # for the researcher, at import
    guid: str | None = None
    source_file: str = ""
    imported: str | None = None

    @property
    def sha256(self) -> str:
        return text_hash(self.text)

    @property
    def word_count(self) -> int:
        """Words said, not counting speaker labels."""
        if not self.turns:
            return len(self.text.split())
        return sum(len(self.text[t.start:t.end].split()) for t in self.turns)


@dataclass
class Coder:
    guid: str
    name: str
    created: str | None = None


@dataclass
class Case:
    """A participant, with attributes (name -> (value, type); type is qcode's: text,
    integer or float) and the GUIDs of their transcripts."""

    guid: str
    name: str
    attributes: dict[str, tuple[str, str]] = field(default_factory=dict)
    transcripts: list[str] = field(default_factory=list)


@dataclass(slots=True)  # a project holds hundreds of thousands
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
    """How one place where two coders differed was resolved into the consensus."""

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
