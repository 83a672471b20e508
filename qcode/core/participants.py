"""Participant attributes from a CSV file: one row per case.

Columns: `case` (required), an optional `file` naming the transcript file that belongs
to the case, optional `speaker` and `interviewer` columns giving the speaker labels of
the participant and of the interviewer in that file (several interviewers separated by
";"), and any number of attribute columns (role, region, group, ...). Speaker labels
are evidence of roles for the anonymiser, never attributes: they may be real names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.errors import QcodeError


class ParticipantsError(QcodeError):
    """A problem in the attributes file; the message names the file and line."""


@dataclass
class Participant:
    case: str
    file: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    speaker: str | None = None
    interviewers: tuple[str, ...] = ()


def read_participants(path: str | Path) -> list[Participant]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParticipantsError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ParticipantsError(f"{path}: not a UTF-8 text file") from None
    reader = csv.DictReader(text.splitlines())
    try:
        return _participants(path, reader)
    except csv.Error as exc:  # a NUL, a cell past the csv module's limit
        raise ParticipantsError(f"{path}:{reader.line_num}: invalid CSV: {exc}") from None


def _participants(path: Path, reader: csv.DictReader) -> list[Participant]:
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if "case" not in columns:
        raise ParticipantsError(f"{path}:1: no 'case' column (columns: {', '.join(columns)})")
    if len(set(columns)) != len(columns):
        raise ParticipantsError(f"{path}:1: a column name appears twice")
    if any(not c for c in columns):
        raise ParticipantsError(f"{path}:1: a column has no name")
    participants: list[Participant] = []
    seen_files: dict[str, int] = {}
    for row in reader:
        line = reader.line_num  # counts physical lines, so quoted line breaks are fine
        if None in row:  # DictReader files surplus cells under the key None
            raise ParticipantsError(f"{path}:{line}: the row has more cells than columns")
        row = {k.strip(): (v or "").strip() for k, v in row.items()}
        case = row.pop("case")
        if not case:
            raise ParticipantsError(f"{path}:{line}: the 'case' cell is empty")
        file = row.pop("file", "") or None
        if file is not None:
            if file in seen_files:
                raise ParticipantsError(
                    f"{path}:{line}: file '{file}' is already given to a case at line "
                    f"{seen_files[file]}")
            seen_files[file] = line
        speaker = row.pop("speaker", "") or None
        interviewers = tuple(n.strip() for n in row.pop("interviewer", "").split(";")
                             if n.strip())
        participants.append(Participant(case, file, {k: v for k, v in row.items() if v},
                                        speaker, interviewers))
    return participants
