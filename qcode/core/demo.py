"""The bundled demo project: fictional interviews, anonymised on the way in with a bundled
identifier list, the shipped codebooks, and the codings of two fictional coders."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from qcode.core import codebook as codebooks
from qcode.core.anonymise.identifiers import read_identifiers
from qcode.core.anonymise.key import Key, bind_to_project, save_key
from qcode.core.anonymise import lexicon
from qcode.core.anonymise.review import Decision, ReviewGroup, Scan, accept_listed
from qcode.core.ingest import ImportReport
from qcode.core.participants import read_participants
from qcode.core.pipeline import Anonymisation, require_anonymisation, run_import
from qcode.core.store import Project, ProjectError

DEMO_MATERIAL = Path(__file__).resolve().parent.parent / "demo_material"
DEMO_CODEBOOKS = (
    ("asw-study", None),
    ("exploitation-indicators", "Exploitation indicators"),
)
TRANSCRIPT_SUFFIXES = {".txt", ".md", ".docx", ".vtt", ".srt"}
DEMO_CODINGS = DEMO_MATERIAL / "demo-codings.csv"
CODINGS_COLUMNS = ("transcript", "coder", "code", "quote")
PATH_SEPARATOR = " > "


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


def build_demo(path: Path, codings: Path = DEMO_CODINGS) -> DemoBuild:
    """Create the demo project at `path` (which must not exist yet), coded as listed in
    `codings`. Its key is written beside it as `<name>.key.json`, as a researcher's
    would be: outside the project."""
    key_path = path.with_name(path.stem + ".key.json")
    project = Project.create(path)
    try:
        # Real interviews may follow the demo into this project: it requires
        # anonymisation, as a researcher's should.
        require_anonymisation(project)
        # A new key for a new project, bound to it (a key left by an earlier demo
        # belongs to that project; the demo's material is fictional, so it is replaced).
        key = Key()
        bind_to_project(key, key_path, project)

        def save() -> None:
            save_key(key, key_path)
            project.record_key(key.key_id)

        reviewer = DemoReviewer()
        report = run_import(project, demo_transcripts(),
                            participants=read_participants(DEMO_MATERIAL / "participants.csv"),
                            anonymisation=Anonymisation(
                                key, reviewer, demo_identifiers(),
                                save_key=save))
        if report.failed or report.held:
            raise ProjectError(f"the demo material did not import: {report.failed} "
                               f"{report.held}")
        for filename, under in DEMO_CODEBOOKS:
            book = codebooks.load(codebooks.shipped()[filename])
            project.load_codebook(book, under=under)
        load_demo_codings(project, codings)
    except BaseException:
        project.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    return DemoBuild(project, report, key_path, reviewer.unlisted)


class DemoReviewer:
    """The bundled list is the truth about the demo's fictional text: a listed name
    that is also a common word ("Will", "Rose") is the name wherever it is capitalised
    (the texts avoid the capitalised ordinary word), a word proposed as a misspelling
    of a listed name ("Kirstey") is that name unless it is an ordinary word, and any
    other unlisted candidate is no name (every name in the fiction is listed). The
    speakers' roles are listed too."""

    unlisted = 0

    def decide(self, scan: Scan, groups: list[ReviewGroup], key: Key
               ) -> dict[str, Decision]:
        listed = accept_listed(scan) | {g.key: Decision("accept", g.category)
                                        for g in groups if _misspelt_name(g)}
        self.unlisted = sum(g.key not in listed for g in groups)
        return {g.key: listed.get(g.key, Decision("reject", g.category)) for g in groups}

    def interviewers(self, transcript: str, labels: list[str]) -> list[str] | None:
        return None


def _misspelt_name(group: ReviewGroup) -> bool:
    return all(f.variant_of is not None and not lexicon.is_ordinary(f.text)
               for _, f in group.occurrences)


def code_paths(project: Project) -> dict[str, int]:
    """Each code's id by its path of names, joined with " > "."""
    paths = codebooks.code_paths(project.codes(), PATH_SEPARATOR)
    return {path: code_id for code_id, path in paths.items()}


def read_demo_codings(path: Path = DEMO_CODINGS) -> list[dict[str, str]]:
    """The demo's codings as rows of transcript, coder, code (its path) and quote (an
    exact excerpt of the anonymised transcript text)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in CODINGS_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ProjectError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return [{c: row.get(c) or "" for c in CODINGS_COLUMNS} for row in reader]


def load_demo_codings(project: Project, path: Path = DEMO_CODINGS) -> int:
    """Add the codings listed in `path`, each found by its quote in the stored text.
    The material is ours, so a row that cannot be placed exactly as written is a bug
    in it: it fails the build rather than being dropped (or silently joined with
    another row, which add_coding would do to overlapping spans). Returns the count."""
    transcripts = {t.name: t.id for t in project.transcripts()}
    codes = code_paths(project)
    texts: dict[int, str] = {}
    placed: dict[tuple[int, str, int], list[tuple[int, int, int]]] = {}
    rows = read_demo_codings(path)
    with project.transaction():
        for number, row in enumerate(rows, start=1):
            where = (f"{path.name} row {number} ({row['transcript']}, {row['coder']}, "
                     f"{row['code']})")
            transcript_id = transcripts.get(row["transcript"])
            if transcript_id is None:
                raise ProjectError(f"{where}: no transcript of that name in the demo")
            code_id = codes.get(row["code"])
            if code_id is None:
                raise ProjectError(f"{where}: no code with that path in the codebooks")
            if not row["coder"].strip():
                raise ProjectError(f"{where}: no coder named")
            if transcript_id not in texts:
                texts[transcript_id] = project.transcript_text(transcript_id)
            text, quote = texts[transcript_id], row["quote"]
            if not quote or quote not in text:
                raise ProjectError(f"{where}: quote not found in the stored (anonymised) "
                                   f"text: {quote[:80]!r}")
            start = text.index(quote)
            end = start + len(quote)
            if text.find(quote, start + 1) != -1:
                raise ProjectError(f"{where}: quote occurs more than once; lengthen it")
            key = (transcript_id, row["coder"], code_id)
            for other, other_start, other_end in placed.get(key, []):
                if start <= other_end and other_start <= end:
                    raise ProjectError(f"{where}: overlaps or touches row {other} of the "
                                       "same coder and code, so the two would be joined")
            placed.setdefault(key, []).append((number, start, end))
            project.add_coding(transcript_id, code_id, row["coder"], start, end)
    return len(rows)
