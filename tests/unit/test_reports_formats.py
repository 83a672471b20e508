"""Reports as documents: every format keeps user text (code names, attributes, quotes)
as text, never markup; the Word document is laid out for a paper."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.dom import minidom

import docx
import pytest

from qcode.core.model import Transcript, Turn
from qcode.core.reports import (cooccurrence, frequencies, html_report, network, quotes,
                                to_dot, to_mermaid, to_svg)
from qcode.core.reports import quotes_formats, tables
from tests.report_helpers import hand_built

CODE = '<script>alert(1)</script> *x* [y](z) | "q" #1 `c` &amp;'
ROLE = "<img src=x onerror=alert(2)> **Sergeant**"
SAID = "<b>bold</b> **strong** [laughs] `code` & \"quoted\" # not a heading"


@pytest.fixture
def hostile(tmp_path: Path):
    with hand_built(tmp_path / "hostile.qcode") as project:
        threats = next(c.id for c in project.codes() if c.name == "Threats")
        project.edit_code(threats, name=CODE)
        project.set_attributes("A", {"role": ROLE})
        text = f"P: {SAID}\n"
        tid = project.add_transcript(Transcript("e1", "txt", text, [
            Turn("P", 3, len(text) - 1, 0)]), "e1.txt", case="A")
        project.add_coding(tid, threats, "ana", 3, len(text) - 1)
        yield project


def test_markdown_escapes_names_attributes_and_quotes(hostile):
    text = quotes_formats.to_markdown(quotes(hostile, "Control"))
    body = re.sub(r"(?m)^>( |$)", "", text.split("## Made from")[0].split("\n", 1)[1])
    assert not re.search(r"(?<!\\)[<>*`\[]", body), body
    assert "\\<script\\>" in text and "\\*\\*Sergeant\\*\\*" in text
    assert "\\[laughs\\]" in text and "\\# not a heading" in text
    table = tables.frequencies_text(frequencies(hostile), "md")
    assert "\\<script\\>" in table and "\\|" in table
    assert re.search(r"(?<!\\)<script", table + tables.cooccurrence_text(
        cooccurrence(hostile), "md")) is None


def test_html_and_svg_escape_everything(hostile):
    for page in (quotes_formats.to_html(quotes(hostile, "Harm")),
                 html_report(hostile).html):
        assert "<script" not in page and "<img" not in page and "<b>" not in page
        assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in quotes_formats.to_html(quotes(hostile, "Harm"))
    svg = to_svg(network(hostile))
    minidom.parseString(svg)      # well-formed XML, so nothing broke out of its element
    assert "<script" not in svg and "&lt;script&gt;" in svg


def test_mermaid_and_dot_labels_cannot_break_out(hostile):
    mermaid = to_mermaid(network(hostile))
    label = next(line for line in mermaid.splitlines() if "alert" in line)
    assert re.fullmatch(r'    n\d+\["[^"]*"\]', label), label
    assert "<script" not in mermaid and "#60;script#62;" in mermaid
    dot = to_dot(network(hostile))
    line = next(line for line in dot.splitlines() if "alert" in line)
    assert '\\"q\\"' in line and re.fullmatch(r'    n\d+ \[label="(\\.|[^"\\])*", penwidth=\d\];',
                                                line), line


def test_csv_and_json_keep_the_text_as_it_is(hostile):
    rows = list(csv.DictReader(io.StringIO(quotes_formats.to_csv(quotes(hostile, "Harm")))))
    said = [r for r in rows if r["transcript"] == "e1"]
    assert said[0]["quote"] == SAID and said[0]["code"] == CODE
    assert said[0]["attribution"] == f"{ROLE}, Southeast"
    data = json.loads(tables.frequencies_text(frequencies(hostile), "json"))
    assert any(c["name"] == CODE for c in data["codes"])


def test_the_word_document_has_headings_block_quotes_and_attributions(tmp_path: Path):
    with hand_built(tmp_path / "h.qcode") as project:
        report = quotes(project, "Harm", by="group")
        path = tmp_path / "quotes.docx"
        path.write_bytes(quotes_formats.to_docx(report))
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith(
        ("Heading", "Title"))]
    assert headings[:5] == [("Title", "Quotes: Harm"), ("Heading 1", "Control"),
                            ("Heading 2", "Threats"), ("Heading 3", "Police"),
                            ("Heading 3", "Sex workers")]
    assert ("Heading 1", "Made from") in headings
    quoted = [p for p in paragraphs if p.style.name == "Quote"]
    assert len(quoted) == report.count == 10
    for block in quoted:
        assert block.paragraph_format.left_indent is not None
        assert block.paragraph_format.keep_with_next      # stays with its attribution
        line = paragraphs[paragraphs.index(block) + 1]
        assert line.text.startswith("— ")
    assert quoted[0].text == report.groups[0].quotes[0].text
    properties = document.core_properties
    assert "fingerprint" in properties.comments
    assert (properties.author, properties.title) == ("qcode", "Quotes: Harm")
    made = report.provenance.made
    assert properties.created.strftime("%Y-%m-%dT%H:%M:%SZ") == made
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (
        21.0, 29.7)


def test_a_themes_own_codings_have_its_heading(tmp_path: Path):
    with hand_built(tmp_path / "h.qcode") as project:
        project.add_coding(project.transcript_id("b1"),
                           next(c.id for c in project.codes() if c.name == "Control"),
                           "ana", 250, 290)
        report = quotes(project, "Control")
        md = quotes_formats.to_markdown(report)
        html = quotes_formats.to_html(report)
        path = tmp_path / "q.docx"
        path.write_bytes(quotes_formats.to_docx(report))
    assert md.index("## Control (coded with the theme itself)") < md.index("b150") \
        < md.index("## Threats")
    assert "<h2>Control (coded with the theme itself)</h2>" in html
    headings = [p.text for p in docx.Document(str(path)).paragraphs
                if p.style.name == "Heading 1"]
    assert headings[:2] == ["Control (coded with the theme itself)", "Threats"]


def test_a_quote_over_several_turns_keeps_its_turns_in_every_format(tmp_path: Path):
    from qcode.core.importers.plain import turns_in

    text = ("Interviewer: What happened?\n\nP01: It was fine, we paid for it.\n\n"
            "Interviewer: And what then?\n\nP01: There was more.\n")
    with hand_built(tmp_path / "h.qcode") as project:
        tid = project.add_transcript(Transcript("t1", "txt", text, turns_in(text)),
                                     "t1.txt", case="A")
        silence = next(c.id for c in project.codes() if c.name == "Silence")
        project.add_coding(tid, silence, "ana", text.index("paid"), text.index("was more"))
        report = quotes(project, "Silence")
    [quote] = report.groups[0].quotes
    assert quote.lines == ("P01: paid for it.", "Interviewer: And what then?",
                           "P01: There")
    assert quote.attribution == "Detective, Southeast"
    md = quotes_formats.to_markdown(report)
    assert ("> P01: paid for it.\n>\n> Interviewer: And what then?\n>\n> P01: There\n>\n"
            "> — Detective, Southeast") in md
    assert ("<blockquote><p>P01: paid for it.</p><p>Interviewer: And what then?</p>"
            "<p>P01: There</p></blockquote>") in quotes_formats.to_html(report)
    [row] = csv.DictReader(io.StringIO(quotes_formats.to_csv(report)))
    assert row["quote"] == "P01: paid for it. / Interviewer: And what then? / P01: There"
    path = tmp_path / "q.docx"
    path.write_bytes(quotes_formats.to_docx(report))
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    at = texts.index("P01: paid for it.")
    assert texts[at:at + 4] == ["P01: paid for it.", "Interviewer: And what then?",
                                "P01: There", "— Detective, Southeast"]


def test_a_bar_chart_has_a_key_for_every_series_inside_it():
    from qcode.core.reports import svg

    series = [f"Group with a long name {i}" for i in range(9)]
    rows = [svg.Bar("Code", 0, tuple(0.5 for _ in series), tuple("1/2" for _ in series))]
    chart = minidom.parseString(svg.bars("Chart", rows, series, standalone=True))
    width = float(chart.documentElement.getAttribute("width"))
    keys = [t for t in chart.getElementsByTagName("text")
            if t.firstChild and t.firstChild.data.startswith("Group with")]
    assert len(keys) == len(series)
    for key in keys:
        right = float(key.getAttribute("x")) + svg.text_width(key.firstChild.data, 12)
        assert right <= width
    first_bar = min(float(r.getAttribute("y")) for r in chart.getElementsByTagName("rect")
                    if r.getAttribute("height") == "10" and r.getAttribute("width") != "10")
    assert max(float(k.getAttribute("y")) for k in keys) < first_bar
