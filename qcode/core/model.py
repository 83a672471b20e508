"""The things a project holds, as every room of qcode passes them around: importers
make Transcripts, the anonymiser rewrites them, the store keeps them and gives them
back, and the exchange with other tools reads and writes the same records.

Positions are half-open spans [start, end) of Unicode code points over a transcript's
text, which is LF-only with no BOM and never changes once stored (its SHA-256 is kept
and checked). GUIDs are upper case without braces inside qcode.

Store ids and GUIDs: a GUID is a thing's identity everywhere (across projects, in files
other tools read), so the fields every record has (`Coding.code`, `Coding.coder` ...)
hold GUIDs, and an importer or an exchange file can fill them without a project. A
record the store gives back also carries its row ids (`id`, `code_id`,
`transcript_id`, `parent_id`), because every store method that acts on one thing
takes its id: those are None on a record that was never stored, and mean nothing
outside the project they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qcode.core.hashing import text_hash  # apart: the store checks texts without the model


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
    number: int | None = None  # its place in the transcript, from 1, once stored


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
class TranscriptRow:
    """A stored transcript as a list of them shows it: its row id and GUID, name, case
    and counts, without its text."""

    id: int
    guid: str
    name: str
    case: str | None
    source_file: str
    source_format: str
    word_count: int
    turn_count: int
    imported: str


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

    @property
    def values(self) -> dict[str, str]:
        """Each attribute's value, by attribute name."""
        return {name: value for name, (value, _) in self.attributes.items()}


@dataclass
class Code:
    """A code of the project's codebook (a theme, or a code under one). A category
    (`codable` False) groups codes and is never applied to text.

    Not `qcode.core.codebook.Code`, which is a code of a codebook file (a tree with its
    children inside): this is one row of the project, its place given by `parent_id`
    and `sort_order`. From `Project.codes()`, `depth` is its depth in the tree (0 for a
    theme) and `codings` the number of codings it has."""

    guid: str
    name: str
    parent_id: int | None = None
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    colour: str | None = None  # #RRGGBB
    key: str | None = None  # the one-key shortcut while coding
    sort_order: int = 0
    codable: bool = True
    id: int | None = None
    codings: int = 0
    depth: int = 0


@dataclass(slots=True)  # a project holds hundreds of thousands
class Coding:
    """A span of a transcript coded with a code by a coder. From the store it also
    carries its row ids and the coder's name (what every screen and report shows); one
    made but not stored yet has `id` None."""

    guid: str
    transcript: str  # transcript GUID
    code: str  # code GUID
    coder: str  # coder GUID
    start: int
    end: int
    memo: str = ""
    created: str | None = None
    id: int | None = None
    transcript_id: int | None = None
    code_id: int | None = None
    coder_name: str | None = None


@dataclass
class Segment:
    """A coding as a quote shows it: with its text, the transcript's name, the speaker
    of the turn where it starts, and the case with its attribute values."""

    coding: Coding
    transcript: str  # the transcript's name
    text: str
    speaker: str | None = None
    case: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class MemoLink:
    """What a memo points at besides what it is about: a code, a transcript, or a
    passage of one (a transcript with a span)."""

    target_type: str  # "code" or "transcript"
    guid: str
    start: int | None = None
    end: int | None = None


@dataclass
class Memo:
    """A memo: on the project (target_type None), a transcript, a case or a code; or,
    of kind "journal", an entry of its author's reflexive journal. A coding's memo is
    not one of these: it is the coding's own `memo` text (one per coding), so it moves,
    merges and is exported with the coding."""

    guid: str
    name: str
    text: str
    target_type: str | None = None  # None, "code", "transcript" or "case"
    target_guid: str | None = None
    coder: str | None = None  # the author's coder GUID
    created: str | None = None
    kind: str = "memo"  # "memo" or "journal"
    modified: str | None = None
    links: list[MemoLink] = field(default_factory=list)


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


@dataclass
class CodingStatus:
    """Who codes what, for one coder and transcript: assigned to them (qcode assign),
    when they marked it coded (None: not marked) and how many codings they made in it."""

    coder: str  # coder name
    transcript: str  # transcript name
    assigned: bool
    marked_coded: str | None
    codings: int


@dataclass
class ReviewComment:
    """One message in a review's thread: the reviewer's question or the coder's answer."""

    author: str
    body: str
    created: str
    guid: str | None = None  # carried by an export, so a merge adds it once


@dataclass
class ReviewRecord:
    """A review and its thread as an export carries it: transcript, code and coding by
    GUID (the coding's is None once the review removed it)."""

    guid: str
    coding: str | None
    transcript: str
    code: str
    start: int
    end: int
    coder: str
    reviewer: str
    mark: str
    outcome: str | None
    decided_by: str | None
    decided: str | None
    created: str | None
    comments: list[ReviewComment] = field(default_factory=list)


@dataclass
class Review:
    """A reviewer's pass over one coding of another coder: agreed, or a question with
    its thread, and the outcome once decided (kept, changed, removed) and by whom.
    The coding's place is kept with it, so a removed coding can still be named."""

    id: int
    guid: str
    coding_id: int
    transcript_id: int
    code_id: int
    start: int
    end: int
    coder: str  # whose coding is reviewed
    reviewer: str
    mark: str  # "agreed" or "question"
    outcome: str | None = None  # "kept", "changed" or "removed", once decided
    decided_by: str | None = None
    created: str | None = None
    comments: list[ReviewComment] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """A question no one has decided yet."""
        return self.mark == "question" and self.outcome is None


@dataclass
class ReviewCounts:
    """A review's figures for a methods section: a coder's codings (those removed
    after review included), how many were reviewed, agreed, questioned, kept, changed
    and removed, and the questions still open."""

    codings: int = 0
    reviewed: int = 0
    agreed: int = 0
    questioned: int = 0
    kept: int = 0
    changed: int = 0
    removed: int = 0
    open: int = 0


@dataclass
class ReviewFigures:
    coders: dict[str, ReviewCounts]  # per coder reviewed
    total: ReviewCounts
    reviewers: list[str]
