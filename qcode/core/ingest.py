"""Import a batch of transcript files: each file is parsed and stored in its own
transaction, so a bad file is reported and skipped while the batch goes on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.importers import ImportProblem, parse_file
from qcode.core.participants import Participant
from qcode.core.store import Project, ProjectError


@dataclass
class ImportReport:
    imported: list[tuple[Path, str, int, int]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)


def import_files(
    project: Project,
    paths: Iterable[Path],
    case: str | None = None,
    participants: list[Participant] | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> ImportReport:
    """Import each file. A transcript's case is `case` if given, else the case whose
    `file` column names it in the participants list, else the file's own name.
    Participants' attributes are set on their cases before any file is read."""
    report = ImportReport()
    case_of_file: dict[str, str] = {}
    for participant in participants or []:
        project.set_attributes(participant.case, participant.attributes)
        if participant.file:
            case_of_file[participant.file] = participant.case
    for path in paths:
        path = Path(path)
        try:
            if not path.is_file():
                raise ImportProblem("no such file" if not path.exists() else "not a file")
            parsed = parse_file(path)
            chosen = case or case_of_file.get(path.name) or parsed.name
            project.add_transcript(parsed, source_file=path.name, case=chosen)
        except (ImportProblem, ProjectError) as exc:
            report.failed.append((path, str(exc)))
        except OSError as exc:
            report.failed.append((path, f"cannot read it ({exc.strerror})"))
        else:
            report.imported.append((path, parsed.name, parsed.word_count, len(parsed.turns)))
            report.warnings.extend((path, w) for w in parsed.warnings)
        if on_file is not None:
            on_file(path)
    return report
