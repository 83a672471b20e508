"""The workbook writer: typed cells, a header that stays in view, a Provenance sheet,
and text that is never a formula."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from qcode.core.reports.workbook import PROVENANCE, Sheet, made_at, workbook
from qcode.core.text import csv_cell, formula_like

HOSTILE = ['=HYPERLINK("http://e.test","x")', "+1", "-2+3", "@SUM(A1)", "'=1+1"]


def opened(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_cells_keep_their_types_and_the_header_stays_in_view():
    data = workbook([Sheet("Table", ["code", "segments", "share"],
                           [["Threats", 4, 0.25], ["Debt", 0, None]])],
                    [("Report", "frequencies")], made_at("2026-01-02T03:04:05Z"))
    book = opened(data)
    assert book.sheetnames == ["Table", PROVENANCE]
    sheet = book["Table"]
    assert [c.value for c in sheet[1]] == ["code", "segments", "share"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [(c.value, c.data_type) for c in sheet[2]] == [("Threats", "s"), (4, "n"),
                                                           (0.25, "n")]
    assert sheet["C3"].value is None
    assert sheet.column_dimensions["A"].width >= len("Threats")
    assert book.properties.creator == "qcode"
    assert book.properties.created == datetime(2026, 1, 2, 3, 4, 5)


def test_the_provenance_sheet_holds_every_line():
    made = [("Report", "quotes"), ("Made again by", "qcode -p p.qcode quotes Harm")]
    sheet = opened(workbook([Sheet("Quotes", ["quote"], [])], made))[PROVENANCE]
    assert [tuple(r) for r in sheet.iter_rows(values_only=True)] == made
    assert sheet.freeze_panes is None


def test_formula_looking_text_is_text_never_a_formula():
    data = workbook([Sheet("Table", HOSTILE, [HOSTILE])], [("Note", HOSTILE[0])])
    book = opened(data)
    for row in (1, 2):
        cells = book["Table"][row]
        assert [c.value for c in cells] == HOSTILE
        assert {c.data_type for c in cells} == {"s"}
        assert all(c.quotePrefix for c in cells)
    assert book[PROVENANCE]["B1"].data_type == "s"
    # No formula anywhere in the file's XML, whatever a reader makes of the cells.
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                       for n in archive.namelist())


def test_control_characters_are_dropped_and_long_text_wraps():
    long = "word " * 40
    sheet = opened(workbook([Sheet("T", ["text"], [["a\x01b"], [long]])], []))["T"]
    assert sheet["A2"].value == "ab"
    assert sheet["A3"].alignment.wrap_text
    assert sheet.column_dimensions["A"].width <= 62


def test_formula_like_is_the_csv_guard():
    for text in HOSTILE:
        assert formula_like(text) and csv_cell(text) == "'" + text
    assert not formula_like("Threats") and not formula_like(3)
