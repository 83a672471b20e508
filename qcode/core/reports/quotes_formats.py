"""Quotes as a document: Markdown, HTML, CSV and Excel (one row per quote) and Word
(.docx, through python-docx): headings per theme, code and group, each quote as an indented
italic block with its attribution line under it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from qcode.core.reports.page import made_from, page
from qcode.core.reports.provenance import Provenance
from qcode.core.reports.quotes import QuoteGroup, QuoteReport
from qcode.core.reports.tables import made_from_md
from qcode.core.reports.workbook import Sheet, made_at, workbook
from qcode.core.text import csv_row, e, md_escape, xml_safe

FORMATS = ("md", "html", "docx", "csv", "xlsx")
QUOTE_STYLE = "Quote"


def title(report: QuoteReport) -> str:
    return f"Quotes: {report.selected.name}"


def summary(report: QuoteReport) -> list[str]:
    """The lines under the title: what was selected and how it was attributed."""
    cases = len({(q.case or q.transcript) for g in report.groups for q in g.quotes})
    what = (f"{report.selected.label}: the theme and the {report.codes - 1} codes under it"
            if report.codes > 1 else report.selected.label)
    lines = [f"{report.count} segment{'' if report.count == 1 else 's'} from {cases} "
             f"case{'' if cases == 1 else 's'}, coded with {what}.",
             report.provenance.coder_note,
             f"Attribution: {report.template}" + (f"; grouped by {report.by}"
                                                   if report.by else "")
             + (f"; quotes cut after {report.max_words} words (…)"
                if report.max_words else "")]
    if report.empty:
        lines.insert(0, "The selection is empty: no segment is coded with it.")
    return lines


def headings(report: QuoteReport):
    """(level, text) headings to write before each group, then the group: each theme
    under the selected code once, before its first code, then the code, then the
    group's value; level 1 is the one under the document's title."""
    above = len(report.selected.path)
    shown: tuple[str, ...] = ()
    for group in report.groups:
        path = group.code.path[above:]
        if not path and report.codes > 1:
            # The selected theme's own codings, apart from its codes' under theirs.
            path = (f"{group.code.name} (coded with the theme itself)",)
        common = 0
        while common < min(len(shown), len(path)) and shown[common] == path[common]:
            common += 1
        out = [(level + 1, name) for level, name in enumerate(path) if level >= common]
        if group.value is not None:
            out.append((len(path) + 1, group.value))
        shown = path
        yield out, group


def to_markdown(report: QuoteReport) -> str:
    out = [f"# {md_escape(title(report))}", "", *[md_escape(s) + "  " for s in
                                                   summary(report)], ""]
    for heads, group in headings(report):
        for level, text in heads:
            out += [f"{'#' * min(level + 1, 6)} {md_escape(text)}", ""]
        for quote in group.quotes:
            for line in quote.lines:
                out += [f"> {md_escape(line)}", ">"]
            out += [f"> — {md_escape(quote.attribution)}", ""]
            out += [f"*Memo ({md_escape(coder)}):* {md_escape(memo)}  " for coder, memo
                    in quote.memos] + ([""] if quote.memos else [])
    return "\n".join(out + made_from_md(report.provenance)) + "\n"


def to_html(report: QuoteReport) -> str:
    body = [f"<h1>{e(title(report))}</h1>",
            *[f'<p class="lead">{e(line)}</p>' for line in summary(report)]]
    body += quote_blocks(report, top=2)
    body.append(made_from(report.provenance))
    return page(title(report), body)


def quote_blocks(report: QuoteReport, top: int) -> list[str]:
    """The groups as HTML, headings from level `top` down."""
    out = []
    for heads, group in headings(report):
        for level, text in heads:
            tag = f"h{min(level + top - 1, 6)}"
            out.append(f"<{tag}>{e(text)}</{tag}>")
        out += [blockquote(q) + f'<p class="attribution">— {e(q.attribution)}</p>'
                + "".join(f'<p class="memo"><em>Memo ({e(coder)}):</em> {e(memo)}</p>'
                          for coder, memo in q.memos)
                for q in group.quotes]
    return out


def blockquote(quote) -> str:
    """A quote as an HTML block quote, a paragraph per turn it covers."""
    return "<blockquote>" + "".join(f"<p>{e(line)}</p>" for line in quote.lines) + \
        "</blockquote>"


def _rows(report: QuoteReport) -> tuple[list[str], list[list]]:
    """One row per quote, under one header row."""
    header = ["theme", "code", *([report.by] if report.by else []), "quote",
              "attribution", "transcript", "case", "speaker", "turn", "start", "end",
              "coders", "shortened", *(["memos"] if report.memos else [])]
    rows = [[" / ".join(group.code.path[:-1]), group.code.name,
             *([group.value] if report.by else []), q.text, q.attribution, q.transcript,
             q.case or "", q.speaker or "", q.turn or "", q.start, q.end,
             "; ".join(q.coders), "yes" if q.shortened else "no",
             *(["\n\n".join(f"{coder}: {memo}" for coder, memo in q.memos)]
               if report.memos else [])]
            for group in report.groups for q in group.quotes]
    return header, rows


def to_csv(report: QuoteReport) -> str:
    out = io.StringIO()
    header, rows = _rows(report)
    csv.writer(out).writerows(csv_row(row) for row in [header, *rows])
    return out.getvalue()


def to_xlsx(report: QuoteReport) -> bytes:
    """The CSV's rows as a sheet, numbers as numbers; the summary lines and the
    provenance in the Provenance sheet."""
    header, rows = _rows(report)
    rows = [[None if v == "" else v for v in row] for row in rows]
    made = report.provenance
    return workbook([Sheet("Quotes", header, rows)],
                    [*made.items(), *[("Note", line) for line in summary(report)]],
                    made_at(made.made))


def to_docx(report: QuoteReport) -> bytes:
    """A Word document ready to paste from, on A4: each quote in Word's "Quote" style
    and kept on the page of its attribution; the provenance is its last section and
    its properties name qcode, so it travels with the file."""
    from docx.shared import Cm, Pt

    document = word_document(title(report), report.provenance)
    for line in summary(report):
        document.add_paragraph(xml_safe(line))
    for heads, group in headings(report):
        for level, text in heads:
            document.add_heading(xml_safe(text), level=min(level, 9))
        for quote in group.quotes:
            _quote(document, group, quote, Cm, Pt)
    return word_bytes(document, report.provenance)


def word_document(heading: str, made: Provenance):
    """A new A4 Word document titled `heading`, its properties naming qcode and the
    report's provenance."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    properties = document.core_properties
    properties.title = xml_safe(heading)
    properties.author = properties.last_modified_by = "qcode"
    properties.created = properties.modified = datetime.strptime(
        made.made, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    properties.comments = xml_safe(made.footer())
    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    document.add_heading(xml_safe(heading), level=0)
    return document


def word_bytes(document, made: Provenance) -> bytes:
    """The document with its "Made from" section last, as .docx bytes."""
    document.add_heading("Made from", level=1)
    for label, value in made.items():
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(xml_safe(value))
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _quote(document, group: QuoteGroup, quote, Cm, Pt) -> None:
    # Word's own style for quotations, when the template has it, so a document's
    # styles restyle every quote at once; else italic, as the style would be.
    style = QUOTE_STYLE if QUOTE_STYLE in {s.name for s in document.styles} else None
    for text in quote.lines:
        block = document.add_paragraph(style=style)
        layout = block.paragraph_format
        layout.left_indent = layout.right_indent = Cm(1.25)
        layout.space_before, layout.space_after = Pt(0), Pt(2)
        layout.keep_with_next = layout.keep_together = True
        run = block.add_run(xml_safe(text))
        if style is None:
            run.italic = True
    line = document.add_paragraph(xml_safe(f"— {quote.attribution}"))
    line.paragraph_format.left_indent = Cm(1.25)
    line.paragraph_format.space_after = Pt(10)
    for coder, memo in quote.memos:
        note = document.add_paragraph()
        note.paragraph_format.left_indent = Cm(1.25)
        note.add_run(xml_safe(f"Memo ({coder}): ")).italic = True
        note.add_run(xml_safe(memo))


def render(report: QuoteReport, form: str) -> str | bytes:
    return {"md": to_markdown, "html": to_html, "csv": to_csv, "docx": to_docx,
            "xlsx": to_xlsx}[form](report)
