"""The bundled demo project: fictional interviews and the shipped codebooks."""

from __future__ import annotations

from pathlib import Path

from qcode.core import codebook as codebooks
from qcode.core.ingest import ImportReport, import_files
from qcode.core.participants import read_participants
from qcode.core.store import Project, ProjectError

DEMO_MATERIAL = Path(__file__).resolve().parent.parent / "demo_material"
SHIPPED_CODEBOOKS = Path(__file__).resolve().parent.parent.parent / "codebooks"
DEMO_CODEBOOKS = (
    ("asw-study.yaml", None),
    ("exploitation-indicators.yaml", "Exploitation indicators"),
)
TRANSCRIPT_SUFFIXES = {".txt", ".md", ".docx", ".vtt", ".srt"}


def demo_transcripts() -> list[Path]:
    return sorted(
        p for p in DEMO_MATERIAL.iterdir()
        if p.suffix in TRANSCRIPT_SUFFIXES and p.name.startswith("demo-")
    )


def build_demo(path: Path) -> tuple[Project, ImportReport]:
    """Create the demo project at `path` (which must not exist yet)."""
    if not SHIPPED_CODEBOOKS.is_dir():
        raise ProjectError(
            f"the shipped codebooks are missing ({SHIPPED_CODEBOOKS}); "
            "install qcode from its source folder with 'pip install -e .'"
        )
    project = Project.create(path)
    try:
        participants = read_participants(DEMO_MATERIAL / "participants.csv")
        report = import_files(project, demo_transcripts(), participants=participants)
        for filename, under in DEMO_CODEBOOKS:
            book = codebooks.load(SHIPPED_CODEBOOKS / filename)
            project.load_codebook(book, under=under)
    except BaseException:
        project.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    return project, report
