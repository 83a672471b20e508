"""The bundled demo project: fictional interviews, anonymised on the way in with a bundled
identifier list, and the shipped codebooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qcode.core import codebook as codebooks
from qcode.core.anonymise.identifiers import read_identifiers
from qcode.core.anonymise.key import load_key, save_key
from qcode.core.anonymise.review import Anonymiser, Decision
from qcode.core.ingest import (ImportReport, cases_for, explicit_cases, parse_files,
                               store_parsed)
from qcode.core.participants import read_participants
from qcode.core.store import Project, ProjectError

DEMO_MATERIAL = Path(__file__).resolve().parent.parent / "demo_material"
SHIPPED_CODEBOOKS = Path(__file__).resolve().parent.parent.parent / "codebooks"
DEMO_CODEBOOKS = (
    ("asw-study.yaml", None),
    ("exploitation-indicators.yaml", "Exploitation indicators"),
)
TRANSCRIPT_SUFFIXES = {".txt", ".md", ".docx", ".vtt", ".srt"}


@dataclass
class DemoBuild:
    project: Project
    report: ImportReport
    key_path: Path
    unresolved: int


def demo_transcripts() -> list[Path]:
    return sorted(
        p for p in DEMO_MATERIAL.iterdir()
        if p.suffix in TRANSCRIPT_SUFFIXES and p.name.startswith("demo-")
    )


def demo_identifiers() -> list:
    """The bundled identifier lists, one per group of interviews."""
    listed = []
    for path in sorted(DEMO_MATERIAL.glob("identifiers-*.csv")):
        listed.extend(read_identifiers(path))
    return listed


def build_demo(path: Path) -> DemoBuild:
    """Create the demo project at `path` (which must not exist yet). Its key is written
    beside it as `<name>.key.json`, as a researcher's would be: outside the project."""
    if not SHIPPED_CODEBOOKS.is_dir():
        raise ProjectError(
            f"the shipped codebooks are missing ({SHIPPED_CODEBOOKS}); "
            "install qcode from its source folder with 'pip install -e .'"
        )
    key_path = path.with_name(path.stem + ".key.json")
    project = Project.create(path)
    try:
        report = ImportReport()
        participants = read_participants(DEMO_MATERIAL / "participants.csv")
        items = parse_files(demo_transcripts(), report)
        given = explicit_cases(items, None, participants)
        key = load_key(key_path)
        anonymiser = Anonymiser(demo_identifiers(), key)
        scan = anonymiser.scan([parsed for _, parsed in items], given)
        # The bundled list is the truth about the demo's fictional text: a listed name
        # that is also a common word ("Will", "Rose") is the name wherever it is
        # capitalised (the texts avoid the capitalised ordinary word), so it is replaced.
        decisions = {g.key: Decision("accept", g.category, g.suggestion)
                     for g in scan.groups if g.listed}
        items = [(p, a) for (p, _), a in zip(items, anonymiser.apply(scan, decisions))]
        report.warnings += [(DEMO_MATERIAL, warning) for warning in scan.warnings]
        save_key(key, key_path)
        store_parsed(project, items, cases_for(items, given), report, participants)
        for filename, under in DEMO_CODEBOOKS:
            book = codebooks.load(SHIPPED_CODEBOOKS / filename)
            project.load_codebook(book, under=under)
    except BaseException:
        project.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    return DemoBuild(project, report, key_path, len(scan.groups) - len(decisions))
