"""A report as an Excel workbook (.xlsx, through openpyxl): one sheet per table, each
with a bold header row that stays in view, numbers as numbers and columns wide enough
to read, and a last sheet, "Provenance", holding what the report was made from (its
"Made from" lines), so the figures travel with their origin.

Every text cell is written as text, never as a formula: openpyxl takes a string that
opens with "=" for a formula, so each string cell is set to text, and one a
spreadsheet would read as a formula (text.formula_like: = + - @) is also marked
quote-prefixed, so that editing it in Excel keeps it text."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from qcode.core.text import formula_like, xml_safe

PROVENANCE = "Provenance"
WIDEST = 60       # characters: a column of long quotes wraps instead
NARROWEST = 6
Value = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    title: str                       # at most 31 characters, none of []:*?/\
    header: list[str]                # none: no header row (the Provenance sheet)
    rows: list[list[Value]]


def workbook(sheets: list[Sheet], made_from: list[tuple[str, str]],
             made: datetime | None = None) -> bytes:
    """The sheets, then the Provenance sheet of (label, value) lines, as .xlsx bytes.
    `made`: when the report was made (UTC), for the file's own properties; they name
    qcode as the author."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in [*sheets, Sheet(PROVENANCE, [], [list(p) for p in made_from])]:
        _fill(book.create_sheet(sheet.title), sheet)
    properties = book.properties
    properties.creator = properties.lastModifiedBy = "qcode"
    if made is not None:
        properties.created = properties.modified = made.replace(tzinfo=None)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def made_at(made: str) -> datetime:
    """A report's time as its provenance writes it (ISO 8601, "Z")."""
    return datetime.strptime(made, "%Y-%m-%dT%H:%M:%SZ")


def _fill(worksheet, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    widths: list[int] = []
    rows = ([sheet.header] if sheet.header else []) + sheet.rows
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values, 1):
            cell = worksheet.cell(r, c)
            _put(cell, value)
            if len(widths) < c:
                widths.append(0)
            widths[c - 1] = max(widths[c - 1], len(str(value or "")))
            if isinstance(value, str) and len(value) > WIDEST:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if sheet.header:
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        worksheet.freeze_panes = "A2"
    else:
        for cell in worksheet["A"]:
            cell.font = Font(bold=True)
    for c, width in enumerate(widths, 1):
        worksheet.column_dimensions[get_column_letter(c)].width = \
            max(NARROWEST, min(width, WIDEST)) + 2


def _put(cell, value: Value) -> None:
    """A number as a number; text as text, whatever it begins with."""
    if value is None or isinstance(value, int | float):
        cell.value = value
    else:
        cell.value = xml_safe(str(value))
        cell.data_type = "s"
        if formula_like(cell.value):
            cell.quotePrefix = True
