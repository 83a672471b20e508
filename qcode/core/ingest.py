"""Import a batch of transcript files: each file is parsed and stored in its own
transaction, so a bad file is reported and skipped while the batch goes on. The steps
of the flow; qcode.core.pipeline conducts them (with anonymisation in between)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.importers import ImportProblem, parse_file
from qcode.core.model import Transcript
from qcode.core.participants import Participant
from qcode.core.store import Project, ProjectError


@dataclass
class ImportReport:
    imported: list[tuple[Path, str, int, int]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)


def parse_files(paths: Iterable[Path], report: ImportReport,
                on_file: Callable[[Path], None] | None = None,
                speaker_pattern: re.Pattern | None = None
                ) -> list[tuple[Path, Transcript]]:
    """Parse each file; failures go into the report and the batch goes on.
    `speaker_pattern`: the researcher's own speaker layout, for every file."""
    parsed = []
    for path in paths:
        path = Path(path)
        try:
            if not path.is_file():
                raise ImportProblem("no such file" if not path.exists() else "not a file")
            transcript = parse_file(path, speaker_pattern)
        except ImportProblem as exc:
            report.failed.append((path, str(exc)))
        except OSError as exc:
            report.failed.append((path, f"cannot read it ({exc.strerror})"))
        else:
            parsed.append((path, transcript))
            report.warnings.extend((path, w) for w in transcript.warnings)
        if on_file is not None:
            on_file(path)
    return parsed


def explicit_cases(items: list[tuple[Path, Transcript]], case: str | None,
                   participants: list[Participant] | None) -> list[str | None]:
    """Each transcript's case as the researcher gave it: `case`, else the participant
    whose `file` names it; None where neither says."""
    case_of_file = {p.file: p.case for p in participants or [] if p.file}
    return [case or case_of_file.get(path.name) for path, _ in items]


def cases_for(items: list[tuple[Path, Transcript]], explicit: list[str | None]
              ) -> list[str]:
    """The case of each transcript: as given, else the transcript's own name (taken
    after anonymisation, so a name in a file name does not come back as a case)."""
    return [case or parsed.name for case, (_, parsed) in zip(explicit, items)]


def store_parsed(project: Project, items: list[tuple[Path, Transcript]],
                 cases: list[str], report: ImportReport,
                 participants: list[Participant] | None = None,
                 on_file: Callable[[Path], None] | None = None) -> None:
    for participant in participants or []:
        project.set_attributes(participant.case, participant.attributes)
    for (path, parsed), case in zip(items, cases):
        twins = [name for name, _ in project.same_text(parsed.sha256)]
        try:
            project.add_transcript(parsed, source_file=_source_name(path, parsed),
                                   case=case)
        except ProjectError as exc:
            report.failed.append((path, str(exc)))
        else:
            report.imported.append((path, parsed.name, parsed.word_count, len(parsed.turns)))
            if twins:  # another file, one text: both kept, as two sources
                report.warnings.append((path, f"same text as transcript '{twins[0]}'; "
                                        "imported as a second transcript"))
        if on_file is not None:
            on_file(path)


def _source_name(path: Path, parsed: Transcript) -> str:
    # After anonymisation the transcript's name may differ from the file's stem; the
    # stored file name must not bring back what the name lost.
    return path.name if parsed.name == path.stem else parsed.name + path.suffix


def import_files(
    project: Project,
    paths: Iterable[Path],
    case: str | None = None,
    participants: list[Participant] | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> ImportReport:
    """A plain import (no anonymisation), through the one import flow so a project
    that requires anonymisation refuses it."""
    from qcode.core.pipeline import run_import  # the pipeline is built on this module

    return run_import(project, paths, case, participants, None, on_file)
