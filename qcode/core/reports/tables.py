"""Frequency tables and co-occurrence matrices as text: a terminal table that fits
its width, Markdown, CSV (one header row, so spreadsheets read it; the provenance
goes beside it) and JSON (with a "provenance" key); and as an Excel workbook (the
CSV's columns, typed, and a Provenance sheet)."""

from __future__ import annotations

import csv
import io
import json
import textwrap

from qcode.core.reports.cooccurrence import MEANING, Matrix
from qcode.core.reports.frequencies import ROLL_UP, Cell, FrequencyTable
from qcode.core.reports.provenance import Provenance
from qcode.core.reports.workbook import Sheet, made_at, workbook
from qcode.core.text import csv_row, md_escape

FORMATS = ("table", "md", "csv", "json", "xlsx")
HEADER_WIDTH = 12     # a group's name in a terminal column header
MOST_PAIRS = 40       # pairs listed under a terminal co-occurrence table


def cut(text: str, size: int) -> str:
    """On one line, cut with … to `size`; leading spaces (an indent) are kept."""
    indent = text[:len(text) - len(text.lstrip(" "))]
    text = indent + " ".join(text.split())
    return text if len(text) <= size else text[:max(1, size - 1)] + "…"


def wrapped(lines: list[str], width: int) -> list[str]:
    return [part for line in lines
            for part in textwrap.wrap(line, width=width, subsequent_indent="  ") or [""]]


def _cell(cell: Cell) -> str:
    return f"{cell.segments} ({cell.cases})"


def _lines(headers: list[list[str]], rows: list[list[str]], width: int) -> list[str]:
    """Columns after the first are right-aligned; the first takes the room left,
    down to 20 characters, its texts cut with … to fit."""
    every = headers + rows
    widths = [max(len(r[i]) for r in every) for i in range(len(every[0]))]
    spare = width - sum(widths[1:]) - 2 * (len(widths) - 1)
    widths[0] = max(20, min(widths[0], spare))
    rule = ["-" * w for w in widths]
    out = []
    for values in [*headers, rule, *rows]:
        out.append("  ".join(cut(v, w).ljust(w) if i == 0 else v.rjust(w)
                             for i, (v, w) in enumerate(zip(values, widths))).rstrip())
    return out


# -- frequencies -------------------------------------------------------------------------


def _frequency_title(table: FrequencyTable) -> str:
    by = f" by {table.by}" if table.by else ""
    return (f"Frequencies{by}: coded segments (cases) per code; a theme counts the "
            "codes under it")


def frequencies_text(table: FrequencyTable, form: str, width: int = 80) -> str | bytes:
    """The table as `form` (bytes for xlsx); `width` is the terminal table's (the
    others have none)."""
    if form == "table":
        return _frequency_table(table, width)
    renderers = {"md": _frequency_md, "csv": _frequency_csv, "json": _frequency_json,
                 "xlsx": _frequency_xlsx}
    return renderers[form](table)


def _frequency_table(table: FrequencyTable, width: int) -> str:
    made = table.provenance
    out = wrapped([_frequency_title(table), made.coder_note], width)
    if table.empty:
        out.append("The selection is empty: no coded segments.")
    names = _headers(table, width)
    groups = [[n, f"n={size}", *[_cell(row.cells[at]) for row in table.rows]]
              for at, (n, size) in enumerate(zip(names, table.sizes))]
    total = ["total", f"n={table.cases}", *[_cell(row.total) for row in table.rows]]
    labels = ["  " * row.code.depth + row.code.name for row in table.rows]
    # Groups that do not fit beside one another go in a further table below, each
    # with the codes again, so no line is wider than the terminal.
    for block in _blocks([*groups, total], width):
        headers = [["Code", *[c[0] for c in block]], ["", *[c[1] for c in block]]]
        rows = [[label, *[c[2 + i] for c in block]] for i, label in enumerate(labels)]
        out += ["", *_lines(headers, rows, width)]
    legend = [f"{short} = {full}" for short, full in zip(names, table.columns)
              if short != full]
    if legend:
        out += ["", *wrapped(legend, width)]
    out += ["", *wrapped(["n: cases in the group; a transcript without a case counts as "
                          "one. " + ROLL_UP, made.footer()], width)]
    return "\n".join(out) + "\n"


def _headers(table: FrequencyTable, width: int) -> list[str]:
    """Each group's column header: its name (cut at HEADER_WIDTH); where the groups do
    not fit the width so, names cut to the width of their numbers when that keeps them
    apart, else a letter for each (A, B, ... AA), explained in a legend."""
    def widths(names: list[str]) -> list[int]:
        return [max(len(name), len(f"n={size}"), *[len(_cell(row.cells[at]))
                                                     for row in table.rows])
                for at, (name, size) in enumerate(zip(names, table.sizes))]

    total = max(len(f"n={table.cases}"), *[len(_cell(r.total)) for r in table.rows], 5)
    names = [cut(c, HEADER_WIDTH) for c in table.columns]
    if _fits(widths(names), total, width):
        return names
    room = widths([""] * len(names))
    names = [cut(c, w) for c, w in zip(table.columns, room)]
    # A name cut to a letter or two says too little to stand for its group.
    if len(set(names)) == len(names) and all(
            n == full or len(n) > 3 for n, full in zip(names, table.columns)):
        return names
    return [_letters(i) for i in range(len(table.columns))]


def _fits(widths: list[int], total: int, width: int) -> bool:
    return 20 + sum(w + 2 for w in widths) + total + 2 <= width


def _letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: spreadsheet column names, for groups' keys."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _blocks(columns: list[list[str]], width: int) -> list[list[list[str]]]:
    """The columns (the total last) in runs that each fit beside a 20-character code
    column."""
    blocks: list[list[list[str]]] = [[]]
    used = 20
    for column in columns:
        size = max(len(v) for v in column) + 2
        if blocks[-1] and used + size > width:
            blocks.append([])
            used = 20
        blocks[-1].append(column)
        used += size
    return blocks


def _frequency_md(table: FrequencyTable) -> str:
    out = [f"# {md_escape(_frequency_title(table))}", "", md_escape(table.provenance.
                                                                    coder_note), ""]
    if table.empty:
        out += ["The selection is empty: no coded segments.", ""]
    headers = ["Code", *[f"{md_escape(c)} (n={n})" for c, n in zip(table.columns,
                                                                      table.sizes)],
               f"Total (n={table.cases})"]
    out += ["| " + " | ".join(headers) + " |", "|---" + "|---:" * (len(headers) - 1) + "|"]
    for row in table.rows:
        name = "\u00a0\u00a0" * row.code.depth + md_escape(row.code.name)
        if row.code.depth == 0:
            name = f"**{name}**"
        out.append("| " + " | ".join([name, *[_cell(c) for c in row.cells],
                                      _cell(row.total)]) + " |")
    out += ["", "n: cases in the group. " + md_escape(ROLL_UP)]
    return "\n".join(out + ["", *made_from_md(table.provenance)]) + "\n"


def _frequency_rows(table: FrequencyTable) -> tuple[list[str], list[list]]:
    """One header row; a group's number of cases (its n) is in the header of its
    cases column ("Police cases (n=2)"), the project's in that of the total's."""
    groups = [part for c, n in zip(table.columns, table.sizes)
              for part in (f"{c} segments", f"{c} cases (n={n})")]
    header = ["code", "name", "depth", *groups, "segments", f"cases (n={table.cases})"]
    rows = [[line.code.label, line.code.name, line.code.depth,
             *[v for c in line.cells for v in (c.segments, c.cases)],
             line.total.segments, line.total.cases] for line in table.rows]
    return header, rows


def _frequency_csv(table: FrequencyTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    header, rows = _frequency_rows(table)
    writer.writerows(csv_row(row) for row in [header, *rows])
    return out.getvalue()


def _frequency_xlsx(table: FrequencyTable) -> bytes:
    header, rows = _frequency_rows(table)
    notes = [table.provenance.coder_note, "n: cases in the group. " + ROLL_UP]
    return _workbook([Sheet("Frequencies", header, rows)], table.provenance, notes)


def _workbook(sheets: list[Sheet], made: Provenance, notes: list[str]) -> bytes:
    """The sheets and a Provenance sheet: the Made-from lines, then the notes."""
    return workbook(sheets, [*made.items(), *[("Note", n) for n in notes]],
                    made_at(made.made))


def _frequency_json(table: FrequencyTable) -> str:
    return json.dumps({
        "by": table.by,
        "groups": [{"value": c, "cases": n} for c, n in zip(table.columns, table.sizes)],
        "cases": table.cases,
        "empty": table.empty,
        "themes": ROLL_UP,
        "codes": [{"code": row.code.label, "name": row.code.name, "depth": row.code.depth,
                   "groups": {c: {"segments": cell.segments, "cases": cell.cases}
                              for c, cell in zip(table.columns, row.cells)},
                   "segments": row.total.segments, "cases": row.total.cases}
                  for row in table.rows],
        "provenance": table.provenance.as_dict(),
    }, indent=2, ensure_ascii=False) + "\n"


# -- co-occurrence -----------------------------------------------------------------------


def _matrix_title(matrix: Matrix) -> str:
    return {"overlap": "Co-occurrence within overlapping passages",
            "turn": "Co-occurrence within turns",
            "transcript": "Co-occurrence within transcripts"}[matrix.within]


def _matrix_notes(matrix: Matrix) -> list[str]:
    notes = [MEANING[matrix.within] + ".", matrix.provenance.coder_note]
    if matrix.left_out:
        notes.append(f"{matrix.left_out} less used codes are left out (--top).")
    if matrix.outside_turns:
        notes.append(f"{matrix.outside_turns} segments lie outside every turn (e.g. in a "
                     "transcript's header) and are not counted.")
    return notes


def cooccurrence_text(matrix: Matrix, form: str, width: int = 80) -> str | bytes:
    """The matrix as `form` (bytes for xlsx); `width` is the terminal table's (the
    others have none)."""
    if form == "table":
        return _matrix_table(matrix, width)
    return {"md": _matrix_md, "csv": _matrix_csv, "json": _matrix_json,
            "xlsx": _matrix_xlsx}[form](matrix)


def _matrix_table(matrix: Matrix, width: int) -> str:
    out = [_matrix_title(matrix), *wrapped(_matrix_notes(matrix), width), ""]
    if matrix.empty:
        out += ["The selection is empty: no coded segments.", "",
                *wrapped([matrix.provenance.footer()], width)]
        return "\n".join(out) + "\n"
    numbered = [f"{i}. {c.name}" for i, c in enumerate(matrix.codes, 1)]
    cells = max(len(str(n)) for row in matrix.counts for n in row) + 1
    if 20 + len(matrix.codes) * (cells + 2) <= width:
        headers = [["Code", *[str(i) for i in range(1, len(matrix.codes) + 1)]]]
        rows = [[name, *[str(n) if n else "." for n in row]]
                for name, row in zip(numbered, matrix.counts)]
        out += _lines(headers, rows, width) + [""]
    else:
        out += wrapped([f"The matrix of {len(matrix.codes)} codes is too wide for "
                        f"{width} columns: --format csv or md gives it whole; --top or "
                        "--theme narrows it."], width) + [""]
    pairs = matrix.pairs()
    if pairs:
        half = max(12, (width - 20) // 2)
        rows = [[str(n), f"{j:.2f}", cut(a.name, half), cut(b.name, half)]
                for a, b, n, j in pairs[:MOST_PAIRS]]
        out += ["Pairs of codes, most often together first"]
        out += _pair_lines(rows, half)
        if len(pairs) > MOST_PAIRS:
            out.append(f"… and {len(pairs) - MOST_PAIRS} more pairs (--format csv)")
    else:
        out.append("No two codes occur together.")
    out += ["", *wrapped([matrix.provenance.footer()], width)]
    return "\n".join(out) + "\n"


def _pair_lines(rows: list[list[str]], half: int) -> list[str]:
    widths = [5, 7, max(len(r[2]) for r in rows), max(len(r[3]) for r in rows)]
    head = ["count", "Jaccard", "code", "code"]
    return ["  ".join(v.rjust(w) if i < 2 else v.ljust(w)
                      for i, (v, w) in enumerate(zip(r, widths))).rstrip()
            for r in [head, ["-" * w for w in widths], *rows]]


def _matrix_md(matrix: Matrix) -> str:
    out = [f"# {_matrix_title(matrix)}", "", *[md_escape(n) + "  " for n in
                                                _matrix_notes(matrix)], ""]
    if matrix.empty:
        out += ["The selection is empty: no coded segments.", ""]
    else:
        numbers = [str(i) for i in range(1, len(matrix.codes) + 1)]
        out += ["| Code | " + " | ".join(numbers) + " |",
                "|---" + "|---:" * len(numbers) + "|"]
        for i, (code, row) in enumerate(zip(matrix.codes, matrix.counts), 1):
            out.append(f"| {i}. {md_escape(code.name)} | "
                       + " | ".join(str(n) for n in row) + " |")
        out += ["", "| Code | Code | Count | Jaccard |", "|---|---|---:|---:|"]
        out += [f"| {md_escape(a.name)} | {md_escape(b.name)} | {n} | {j:.2f} |"
                for a, b, n, j in matrix.pairs()]
        out.append("")
    return "\n".join(out + made_from_md(matrix.provenance)) + "\n"


def _matrix_csv(matrix: Matrix) -> str:
    """The counts as a square matrix, then a blank row and the Jaccard coefficients as
    a second square matrix: each block opens with a row naming its measure."""
    out = io.StringIO()
    writer = csv.writer(out)
    labels = [c.label for c in matrix.codes]
    writer.writerow(csv_row([f"count ({matrix.unit})", *labels]))
    for label, counts in zip(labels, matrix.counts):
        writer.writerow(csv_row([label, *counts]))
    writer.writerow([])
    writer.writerow(csv_row(["Jaccard", *labels]))
    for label, shares in zip(labels, matrix.jaccard):
        writer.writerow(csv_row([label, *[round(v, 6) for v in shares]]))
    return out.getvalue()


def _matrix_xlsx(matrix: Matrix) -> bytes:
    """The counts, the Jaccard coefficients and the pairs, a sheet each."""
    labels = [c.label for c in matrix.codes]
    sheets = [
        Sheet("Counts", [f"count ({matrix.unit})", *labels],
              [[label, *counts] for label, counts in zip(labels, matrix.counts)]),
        Sheet("Jaccard", ["Jaccard", *labels],
              [[label, *shares] for label, shares in zip(labels, matrix.jaccard)]),
        Sheet("Pairs", ["code", "code", f"count ({matrix.unit})", "Jaccard"],
              [[a.label, b.label, n, j] for a, b, n, j in matrix.pairs()]),
    ]
    return _workbook(sheets, matrix.provenance, _matrix_notes(matrix))


def _matrix_json(matrix: Matrix) -> str:
    return json.dumps({
        "within": matrix.within, "unit": matrix.unit, "meaning": MEANING[matrix.within],
        "codes": [c.label for c in matrix.codes], "counts": matrix.counts,
        "jaccard": matrix.jaccard, "left_out": matrix.left_out,
        "outside_turns": matrix.outside_turns, "empty": matrix.empty,
        "provenance": matrix.provenance.as_dict(),
    }, indent=2, ensure_ascii=False) + "\n"


def made_from_md(made) -> list[str]:
    return ["## Made from", "", *[f"- **{label}:** {md_escape(value)}"
                                  for label, value in made.items()]]
