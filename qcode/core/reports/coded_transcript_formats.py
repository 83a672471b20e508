"""A coded transcript as a page or a document a reader opens without qcode.

HTML: each turn a row of a CSS grid, its text on the left with every coded passage
marked and numbered where it opens, and on the right, beside it, a margin listing
those numbers with their codes and coders, and the memos on codings that open there.
Word (python-docx 1.2 or later): the text with each coded passage highlighted and
carrying a Word comment that names its code (the comment's author is its coders), a
memo on a coding as a comment of its own; Word shows comments in its right margin.
Both begin with the transcript's own memos and end with the provenance."""

from __future__ import annotations

from qcode.core.reports.coded_transcript import Block, CodedTranscript
from qcode.core.reports.page import STYLE, made_from, page
from qcode.core.reports.quotes_formats import word_bytes, word_document
from qcode.core.text import e, xml_safe

FORMATS = ("html", "docx")
MARGIN_STYLE = """\
.turn { display: grid; grid-template-columns: minmax(0, 3fr) minmax(11em, 1fr);
        gap: 0 1.5em; border-top: 1px solid #eee; padding: 0.3em 0; }
.turn p { margin: 0.2em 0; }
.speaker { font-weight: bold; }
mark { background: #fff1a6; }
sup.n { font-size: 0.7em; color: #555; }
aside.margin { font-size: 0.85em; color: #333; border-left: 2px solid #ccc;
               padding-left: 0.6em; }
aside.margin ol { margin: 0.2em 0; padding-left: 1.8em; }
p.memo, li.memo { font-style: italic; }
@media print { .turn { break-inside: avoid-page; } }
"""


def title(coded: CodedTranscript) -> str:
    return f"Coded transcript: {coded.name}"


def summary(coded: CodedTranscript) -> list[str]:
    count = len(coded.passages)
    lines = [(f"Case {coded.case}. " if coded.case else "")
             + f"{count} coded passage{'' if count == 1 else 's'}, numbered in the text "
             "and named in the margin.", coded.provenance.coder_note]
    if coded.empty:
        lines.insert(0, "No passage of this transcript is coded by the chosen coders.")
    return lines


def to_html(coded: CodedTranscript) -> str:
    body = [f"<h1>{e(title(coded))}</h1>",
            *[f'<p class="lead">{e(line)}</p>' for line in summary(coded)]]
    if coded.memos:
        body += ["<h2>Memos</h2>", *[f'<p class="memo"><b>On {e(n.about)}:</b> '
                                     f"{_lines(n.text)}</p>" for n in coded.memos]]
    body += ["<h2>Transcript</h2>", *[_turn(block) for block in coded.blocks],
             made_from(coded.provenance)]
    return page(title(coded), body, STYLE + MARGIN_STYLE)


def _lines(text: str) -> str:
    return "<br>".join(e(line) for line in text.split("\n"))


def _turn(block: Block) -> str:
    opened = {p.number for p in block.opened}
    text = []
    for piece in block.pieces:
        first = [n for n in piece.passages if n in opened]
        opened -= set(first)
        marks = "".join(f'<sup class="n">{n}</sup>' for n in first)
        words = _lines(piece.text)
        text.append(f'{marks}<mark data-passages="{" ".join(map(str, piece.passages))}">'
                    f"{words}</mark>" if piece.passages else words)
    speaker = f'<span class="speaker">{e(block.speaker)}:</span> ' if block.speaker else ""
    margin = [f'<li value="{p.number}">{e(p.code)} <span class="count">'
              f'({e(", ".join(p.coders))})</span></li>' for p in block.opened]
    notes = [f'<p class="memo"><b>Memo on {e(n.about)}:</b> {_lines(n.text)}</p>'
             for n in block.notes]
    aside = (f"<ol>{''.join(margin)}</ol>" if margin else "") + "".join(notes)
    return (f'<div class="turn"><div class="text"><p>{speaker}{"".join(text)}</p></div>'
            f'<aside class="margin">{aside}</aside></div>')


def to_docx(coded: CodedTranscript) -> bytes:
    from docx.enum.text import WD_COLOR_INDEX

    document = word_document(title(coded), coded.provenance)
    for line in summary(coded):
        document.add_paragraph(xml_safe(line))
    if coded.memos:
        document.add_heading("Memos", level=1)
        for note in coded.memos:
            paragraph = document.add_paragraph()
            paragraph.add_run(xml_safe(f"On {note.about}: ")).bold = True
            paragraph.add_run(xml_safe(note.text)).italic = True
    document.add_heading("Transcript", level=1)
    comments = NumberedComments(document, coded.provenance.made)
    runs: dict[int, list] = {}          # passage number -> the runs of its text
    for block in coded.blocks:
        paragraph = document.add_paragraph()
        first = paragraph.add_run(xml_safe(f"{block.speaker}: ") if block.speaker else "")
        first.bold = True
        for piece in block.pieces:
            run = paragraph.add_run(xml_safe(piece.text))
            if piece.passages:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            for number in piece.passages:
                runs.setdefault(number, []).append(run)
        for passage in block.opened:
            # A passage with no text of its own (inside a speaker's label) is
            # anchored to the label, so its code is still beside its turn.
            runs.setdefault(passage.number, [first])
        for note in block.notes:
            comments.add(paragraph.runs, f"Memo on {note.about}: {note.text}", "memo")
    # Once every turn is written: a passage may run on into the turns after it.
    for passage in coded.passages:
        comments.add(runs[passage.number], passage.code,
                     ", ".join(passage.coders) or "qcode")
    return word_bytes(document, coded.provenance)


class NumberedComments:
    """Word comments numbered here, in one pass. python-docx's add_comment finds each
    new comment's number by reading every comment before it, so a transcript's
    comments cost time growing with their square (41.8 s for 4,841); here each is
    anchored by the documented Run.mark_comment_range and its w:comment written into
    the comments part as python-docx writes it, with the next number kept."""

    def __init__(self, document, made: str):
        from docx.opc.constants import RELATIONSHIP_TYPE

        document.comments  # noqa: B018 (makes the comments part when there is none)
        self.element = document.part.part_related_by(RELATIONSHIP_TYPE.COMMENTS).element
        self.date = made  # the report's time: the same project makes the same file
        self.next_id = 1 + max((int(i) for i in self.element.xpath("./w:comment/@w:id")),
                               default=-1)

    def add(self, runs: list, text: str, author: str) -> None:
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        comment = OxmlElement("w:comment", {qn("w:id"): str(self.next_id),
                                            qn("w:author"): xml_safe(author),
                                            qn("w:initials"): "", qn("w:date"): self.date})
        for number, line in enumerate(xml_safe(text).split("\n")):
            paragraph = _child(comment, "w:p")
            _child(_child(paragraph, "w:pPr"), "w:pStyle").set(qn("w:val"), "CommentText")
            if number == 0:  # Word's mark of where the comment's text begins
                reference = _child(paragraph, "w:r")
                _child(_child(reference, "w:rPr"), "w:rStyle").set(qn("w:val"),
                                                                   "CommentReference")
                _child(reference, "w:annotationRef")
            words = _child(_child(paragraph, "w:r"), "w:t")
            words.text = line
            words.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        self.element.append(comment)
        runs[0].mark_comment_range(runs[-1], self.next_id)
        self.next_id += 1


def _child(parent, tag: str):
    from docx.oxml.parser import OxmlElement

    child = OxmlElement(tag)
    parent.append(child)
    return child


def render(coded: CodedTranscript, form: str) -> str | bytes:
    return {"html": to_html, "docx": to_docx}[form](coded)
