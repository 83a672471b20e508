"""The reflexive journal for an appendix or an audit trail: each researcher's dated
entries, with what they link, as Markdown, a web page or a Word document."""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from qcode import __version__
from qcode.core.reports.page import made_from, page
from qcode.core.reports.provenance import Provenance
from qcode.core.store.base import now
from qcode.core.text import e, html_paragraphs, md_escape, xml_safe

FORMATS = ("md", "html", "docx")


class JournalProvenance(Provenance):
    """A journal is made from its entries, not from codings: its "Made from" says so."""

    def items(self) -> list[tuple[str, str]]:
        return [(label, self.coder_note if label == "Contents" else value)
                for label, value in super().items() if label != "Coders"]


@dataclass
class JournalExport:
    author: str | None  # None: every researcher's
    entries: list  # MemoRow, oldest first
    provenance: Provenance

    @property
    def title(self) -> str:
        return f"Reflexive journal of {self.author}" if self.author else "Reflexive journal"


def journal_export(project, author: str | None = None) -> JournalExport:
    """The journal's entries (of one author, or all), with the provenance every
    qcode document carries."""
    with project.reading():
        entries = project.memo_rows(kind="journal", author=author)
        summary = project.summary()
    authors = tuple(sorted({m.author or "" for m in entries}))
    words = ["journal", "export", *(["--by", author] if author else [])]
    fingerprint = hashlib.sha256(json.dumps(
        [[m.ref, m.author, m.created, m.modified, m.text, m.links] for m in entries],
        ensure_ascii=False).encode()).hexdigest()
    made = JournalProvenance(
        "reflexive journal", {"by": author}, shlex.join(
            ["qcode", "-p", Path(project.path).name, *words]), Path(project.path).name,
        project.meta("project_guid") or "", project.schema_version,
        summary["transcripts"], summary["cases"], summary["codings"], 0, authors,
        f"{len(entries)} journal entries by {', '.join(authors) or 'no one'}", now(),
        __version__, fingerprint)
    return JournalExport(author, entries, made)


def _heading(entry) -> str:
    edited = f", edited {entry.modified}" if entry.modified not in (None, entry.created) \
        else ""
    return f"{entry.created} · {entry.author}{edited}"


def to_markdown(journal: JournalExport) -> str:
    lines = [f"# {md_escape(journal.title)}", ""]
    for entry in journal.entries:
        lines += [f"## {md_escape(_heading(entry))}", ""]
        if entry.links:
            lines += [f"*Linked: {md_escape('; '.join(entry.links))}*", ""]
        lines += [md_escape(entry.text), ""]
    lines += ["## Made from", ""]
    lines += [f"- **{label}:** {md_escape(value)}" for label, value in
              journal.provenance.items()]
    return "\n".join(lines) + "\n"


def to_html(journal: JournalExport) -> str:
    body = [f"<h1>{e(journal.title)}</h1>"]
    for entry in journal.entries:
        body.append(f"<section><h2>{e(_heading(entry))}</h2>")
        if entry.links:
            body.append(f"<p><em>Linked: {e('; '.join(entry.links))}</em></p>")
        body.append(f"{html_paragraphs(entry.text)}</section>")
    body.append(made_from(journal.provenance))
    return page(journal.title, body)


def to_docx(journal: JournalExport) -> bytes:
    from qcode.core.reports.quotes_formats import word_bytes, word_document

    document = word_document(journal.title, journal.provenance)
    for entry in journal.entries:
        document.add_heading(xml_safe(_heading(entry)), level=1)
        if entry.links:
            document.add_paragraph().add_run(
                xml_safe(f"Linked: {'; '.join(entry.links)}")).italic = True
        for paragraph in entry.text.split("\n\n"):
            document.add_paragraph(xml_safe(paragraph))
    return word_bytes(document, journal.provenance)


def render(journal: JournalExport, form: str) -> str | bytes:
    return {"md": to_markdown, "html": to_html, "docx": to_docx}[form](journal)
