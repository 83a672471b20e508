"""The project's codebook out to every format, and back in from those that carry it.

Out: qdc (REFI-QDA), yaml (the codebooks/ format), csv (one row per code), md and html
(documents for a paper's appendix, optionally with counts of codings and a quote).
In: qdc, qdpx and qde (their codebook), yaml, csv.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from qcode.core import codebook as codebooks
from qcode.core.codebook import COLOUR, MAX_DEPTH, Code, Codebook
from qcode.core.exchange.codebook_qdc import read_refi, to_qdc
from qcode.core.exchange.foreign import path_of, tidy
from qcode.core.exchange.safe_xml import ExchangeError, read_bytes
from qcode.core.text import (csv_row, csv_text, e, html_paragraphs, md_escape,
                             trim_words)

EXPORT_FORMATS = ("qdc", "yaml", "csv", "md", "html", "xlsx")
SUFFIXES = {".qdc": "qdc", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".md": "md",
            ".markdown": "md", ".html": "html", ".htm": "html", ".xlsx": "xlsx"}
IMPORT_SUFFIXES = (".qdc", ".qdpx", ".qde", ".yaml", ".yml", ".csv")
CSV_COLUMNS = ("path", "name", "definition", "when_to_use", "when_not_to_use", "example",
               "colour", "key", "guid")
LABELS = (("definition", "Definition"), ("when_to_use", "When to use"),
          ("when_not_to_use", "When not to use"), ("example", "Example"))


@dataclass
class Usage:
    """How a code has been used: its own coded passages, and the first one's text."""
    codings: int
    quote: str = ""


@dataclass
class CodebookUsage:
    """Every code's Usage by GUID, and the sentence saying whose codings they are."""
    codes: dict[str, Usage]
    note: str

    def get(self, guid: str) -> Usage:
        return self.codes.get(guid, Usage(0))


def project_codebook(project) -> Codebook:
    """The project's codes as a Codebook tree."""
    name = project.meta("codebook_name") or Path(project.path).stem
    book = codebooks.from_rows(name, project.codes())
    for code, _ in book.walk():
        # Capitals, as the YAML reader gives them, so an export loads back unchanged.
        code.colour = code.colour.upper() if code.colour else None
    return book


def usage(project, coder: str | None = None) -> CodebookUsage:
    """Per code GUID: its coded segments and the text of its first one (trimmed), from
    the codings the reports use: the same rule and `coder` as `qcode report
    frequencies` (by default the agreed version of two coders once places have been
    resolved; see reports.selection.choose_coders), so an appendix and a results table
    agree. A code's count is of its own segments, without the codes under it."""
    # Imported here: the other formats need none of the reports package (numpy).
    from qcode.core.reports.material import gather

    material = gather(project, coder, need_transcripts=False)
    counts: dict[int, int] = {}
    first: dict[int, tuple[int, int, int]] = {}
    for segment in material.segments:
        counts[segment.code_id] = counts.get(segment.code_id, 0) + 1
        first.setdefault(segment.code_id, (segment.transcript_id, segment.start, segment.end))
    texts: dict[int, str] = {}
    out: dict[str, Usage] = {}
    for code in project.codes():
        quote = ""
        if code.id in first:
            transcript_id, start, end = first[code.id]
            if transcript_id not in texts:
                texts[transcript_id] = project.transcript_text(transcript_id)
            quote = trim_words(texts[transcript_id][start:end])
        out[code.guid] = Usage(counts.get(code.id, 0), quote)
    return CodebookUsage(out, material.choice.note)


def format_for(path: Path | None) -> str | None:
    return SUFFIXES.get(path.suffix.lower()) if path else None


def export(book: Codebook, form: str, counts: CodebookUsage | None = None
           ) -> str | bytes:
    """The codebook in one of EXPORT_FORMATS: text, or bytes for xlsx."""
    if counts is not None and form not in ("csv", "md", "html", "xlsx"):
        raise ExchangeError(f"counts of codings go in csv, md, html or xlsx, not {form}")
    if form == "qdc":
        return to_qdc(book)
    if form == "yaml":
        return codebooks.to_yaml(book)
    if form == "csv":
        return to_csv(book, counts)
    if form == "md":
        return to_markdown(book, counts)
    if form == "html":
        return to_html(book, counts)
    if form == "xlsx":
        return to_xlsx(book, counts)
    raise ExchangeError(f"unknown codebook format '{form}' (use {', '.join(EXPORT_FORMATS)})")


def walk_paths(codes: list[Code], parents: tuple[str, ...] = (), number: str = ""):
    """Every code with its path of names and its outline number (1, 1.2, 1.2.1 ...)."""
    for index, code in enumerate(codes, 1):
        outline = f"{number}.{index}" if number else str(index)
        yield code, parents, outline
        yield from walk_paths(code.codes, (*parents, code.name), outline)


# -- csv ---------------------------------------------------------------------------------


def _rows(book: Codebook, counts: CodebookUsage | None) -> list[list]:
    """A header row and a row per code: the CSV's and the workbook's."""
    extra = ("codings", "quote") if counts is not None else ()
    rows = [[*CSV_COLUMNS, *extra]]
    for code, parents, _ in walk_paths(book.codes):
        row = [path_of(parents, code.name), code.name, code.definition, code.when_to_use,
               code.when_not_to_use, code.example, code.colour or "", code.key or "",
               code.guid or ""]
        if counts is not None:
            used = counts.get(code.guid or "")
            row += [used.codings, used.quote]
        rows.append(row)
    return rows


def to_csv(book: Codebook, counts: CodebookUsage | None = None) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(csv_row(row) for row in _rows(book, counts))
    return out.getvalue()


def to_xlsx(book: Codebook, counts: CodebookUsage | None = None) -> bytes:
    """The CSV's columns as a sheet; the codebook's name and description in the
    Provenance sheet."""
    from qcode import __version__
    from qcode.core.reports.workbook import Sheet, workbook

    header, *rows = _rows(book, counts)
    made = [("Codebook", book.name), ("Description", book.description or ""),
            ("Codes", str(len(rows))), ("Made with", f"qcode {__version__}"),
            *([("Counts and quotes", counts.note)] if counts is not None else [])]
    return workbook([Sheet("Codebook", header, rows)], made)


def read_csv(path: Path) -> tuple[Codebook, list[str]]:
    """A codebook from CSV: a 'path' column (names joined by ' / '), optionally 'name'
    (needed when a name itself holds ' / ') and the fields. Parents may be left out:
    they are made from the path."""
    try:
        text = read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeError(f"{path}: not a UTF-8 text file") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = [c.strip() for c in reader.fieldnames or []]
    except csv.Error as exc:
        raise ExchangeError(f"{path}:1: invalid CSV: {exc}") from None
    if "path" not in columns:
        raise ExchangeError(f"{path}: a codebook CSV needs a 'path' column (found: "
                            f"{', '.join(columns) or 'no header'})")
    reader.fieldnames = columns
    book = Codebook(name=path.stem, source=str(path))
    by_path: dict[tuple[str, ...], Code] = {}
    parts_of: dict[str, tuple[str, ...]] = {}  # a row's path as written -> its parts
    given: set[tuple[str, ...]] = set()

    def node(parts: tuple[str, ...]) -> Code:
        if parts not in by_path:
            code = Code(name=parts[-1])
            (node(parts[:-1]).codes if len(parts) > 1 else book.codes).append(code)
            by_path[parts] = code
        return by_path[parts]

    def split_path(text: str) -> tuple[str, ...]:
        # A parent written on an earlier row is found whole, so its name may itself
        # hold " / "; otherwise the path is cut at each " / ".
        if text in parts_of:
            return parts_of[text]
        return tuple(p.strip() for p in text.split(" / "))

    try:
        for line, row in enumerate(reader, 2):
            if None in row:
                raise ExchangeError(f"{path}:{line}: more cells than columns")
            row = {column: csv_text(cell) if cell else cell for column, cell in row.items()}
            full = (row.get("path") or "").strip()
            name = (row.get("name") or "").strip()
            if not full:
                if any((v or "").strip() for v in row.values()):
                    raise ExchangeError(f"{path}:{line}: the row has no path")
                continue
            if not name:
                parts = split_path(full)
            elif full == name:
                parts = (name,)
            elif full.endswith(" / " + name):
                parts = (*split_path(full[:-len(name) - 3].strip()), name)
            else:
                raise ExchangeError(f"{path}:{line}: the path '{full}' does not end with "
                                    f"the name '{name}'")
            if len(parts) > MAX_DEPTH:
                raise ExchangeError(f"{path}:{line}: the path is more than {MAX_DEPTH} "
                                    "codes deep; the codebook was refused")
            parts_of.setdefault(full, parts)
            if parts in given:
                # A second row for one path: kept as a sibling, which tidy() renames.
                code = Code(name=parts[-1])
                (node(parts[:-1]).codes if len(parts) > 1 else book.codes).append(code)
            else:
                code = node(parts)
                given.add(parts)
            for field in ("definition", "when_to_use", "when_not_to_use", "example"):
                setattr(code, field, row.get(field) or "")
            code.colour = row.get("colour") or None
            code.key = row.get("key") or None
            code.guid = row.get("guid") or None
    except csv.Error as exc:
        raise ExchangeError(f"{path}:{reader.line_num}: invalid CSV: {exc}") from None
    return book, tidy(book)


# -- import ------------------------------------------------------------------------------


def names_its_codebook(path: Path) -> bool:
    """Whether the file gives the codebook a name (YAML does; REFI-QDA and CSV do not,
    so their file name stands in, but should not replace a project's codebook name)."""
    return path.suffix.lower() in (".yaml", ".yml")


def read_codebook(path: Path) -> tuple[Codebook, list[str]]:
    """The codebook in a file of any importable format, with warnings about repairs."""
    suffix = path.suffix.lower()
    if suffix in (".qdc", ".qdpx", ".qde"):
        return read_refi(path)
    if suffix in (".yaml", ".yml"):
        return codebooks.load(path), []
    if suffix == ".csv":
        return read_csv(path)
    raise ExchangeError(f"{path}: cannot tell the format from '{path.suffix}' (use "
                        f"{', '.join(IMPORT_SUFFIXES)})")


# -- markdown ----------------------------------------------------------------------------


def to_markdown(book: Codebook, counts: CodebookUsage | None = None) -> str:
    out = [f"# {md_escape(book.name)}", ""]
    if book.description:
        out += [md_escape(book.description), ""]
    if counts is not None:
        out += [f"*Counts and quotes: {md_escape(counts.note)}*", ""]
    for code, parents, outline in walk_paths(book.codes):
        level = min(len(parents) + 2, 6)
        out += [f"{'#' * level} {outline}. {md_escape(code.name)}", ""]
        for field, label in LABELS:
            value = getattr(code, field)
            if value:
                out += [f"**{label}:** {md_escape(value)}", ""]
        details = []
        if code.colour:
            details.append(f"colour {md_escape(code.colour)}")
        if code.key:
            details.append(f"shortcut key {md_escape(code.key)}")
        if counts is not None:
            used = counts.get(code.guid or "")
            details.append(f"{used.codings} coding{'' if used.codings == 1 else 's'}")
        if details:
            out += ["*" + "; ".join(details) + "*", ""]
        if counts is not None:
            used = counts.get(code.guid or "")
            if used.quote:
                out += [f"> “{md_escape(used.quote)}”", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# -- html --------------------------------------------------------------------------------

STYLE = """\
body { font-family: Georgia, "Times New Roman", serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; line-height: 1.45; color: #111; }
h1 { font-size: 1.6em; }
section.code { margin: 1.2em 0 0 0; }
section.code section.code { margin-left: 1.4em; }
h2, h3, h4, h5, h6 { margin: 0.4em 0; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border: 1px solid #555;
          margin-right: 0.4em; vertical-align: baseline; }
dl { margin: 0.3em 0; }
dt { font-weight: bold; }
dd { margin: 0 0 0.4em 1.4em; }
dd p { margin: 0 0 0.4em 0; }
.meta { color: #555; font-size: 0.9em; margin: 0.2em 0; }
blockquote { margin: 0.4em 0 0.4em 1.4em; font-style: italic; }
@media print { section.code { break-inside: avoid-page; } }
"""


def to_html(book: Codebook, counts: CodebookUsage | None = None) -> str:
    # Imported here: loading or exporting a codebook in another format needs none of
    # the reports package, and importing it costs numpy.
    from qcode.core.reports.page import page

    out = [f"<h1>{e(book.name)}</h1>"]
    if book.description:
        out.append(html_paragraphs(book.description))
    if counts is not None:
        out.append(f'<p class="meta">Counts and quotes: {e(counts.note)}</p>')

    def section(code: Code, depth: int, outline: str) -> None:
        level = min(depth + 2, 6)
        swatch = (f'<span class="swatch" style="background: {code.colour}"></span>'
                  if code.colour and COLOUR.match(code.colour) else "")
        out.append('<section class="code">')
        out.append(f"<h{level}>{swatch}{outline}. {e(code.name)}</h{level}>")
        fields = [(label, getattr(code, field)) for field, label in LABELS
                  if getattr(code, field)]
        if fields:
            out.append("<dl>" + "".join(f"<dt>{label}</dt><dd>{html_paragraphs(v)}</dd>"
                                        for label, v in fields) + "</dl>")
        details = []
        if code.colour:
            details.append(f"colour {e(code.colour)}")
        if code.key:
            details.append(f"shortcut key <kbd>{e(code.key)}</kbd>")
        used = counts.get(code.guid or "") if counts is not None else None
        if used is not None:
            details.append(f"{used.codings} coding{'' if used.codings == 1 else 's'}")
        if details:
            out.append(f'<p class="meta">{"; ".join(details)}</p>')
        if used is not None and used.quote:
            out.append(f"<blockquote>“{e(used.quote)}”</blockquote>")
        for index, child in enumerate(code.codes, 1):
            section(child, depth + 1, f"{outline}.{index}")
        out.append("</section>")

    for index, code in enumerate(book.codes, 1):
        section(code, 0, str(index))
    return page(book.name, out, STYLE)
