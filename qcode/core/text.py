"""User text made safe for every format qcode writes: HTML and SVG, Markdown, CSV
cells a spreadsheet opens, Word's XML, Graphviz DOT and Mermaid. Code names, memos,
attributes and quotes are data, never markup or formulas (DESIGN.md, invariant 5).

Every writer escapes here, and nowhere else:

    e(text)              HTML or SVG character data or attribute value
    html_paragraphs(t)   HTML paragraphs at blank lines, line breaks kept
    md_escape(text)      literal Markdown: no emphasis, links, HTML, headings, lists
    csv_cell(value)      a cell a spreadsheet shows as text, never runs as a formula
    csv_row(values)      csv_cell for every cell of a row
    csv_text(cell)       a cell read back: the guard csv_cell added taken off
    formula_like(text)   whether a spreadsheet would read the text as a formula
                         (a workbook writes such a cell as text, quote-prefixed)
    xml_safe(text)       without the characters XML 1.0 cannot hold (Word's XML)
    dot_string(text)     the inside of a quoted Graphviz DOT string, on one line
    mermaid_label(text)  a quoted Mermaid label, syntax written as entity codes
    one_line(text)       white space folded, for a comment line of DOT or Mermaid
    terminal_safe(text)  what a terminal shows and never obeys: controls and escape
                         sequences written out visibly (\\x1b, \\u202e)

and shortened for a reader: trim_words(text, limit) cuts at a word and marks the cut.
"""

from __future__ import annotations

import re

# Characters XML 1.0 cannot hold (and HTML does not allow): a transcript may carry one,
# but it shows nothing a reader could see.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What a spreadsheet reads as the start of a formula (OWASP's list, tab and CR too).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
MD_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
MERMAID_SPECIAL = re.compile(r"[^\w ,.'()/-]")
# What a terminal acts on instead of showing: C0 controls but newline, tab and the CR of
# a CRLF line end (ESC opens CSI, OSC and DCS sequences that set the title or the
# clipboard, or wipe the screen; a lone CR writes over what a line said), DEL, C1
# controls (0x9b alone is a CSI to some terminals) and the bidi overrides and isolates
# that make a line read otherwise than its characters run.
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
QUOTE_LENGTH = 200


def xml_safe(text: str) -> str:
    return XML_UNSAFE.sub("", text)


def e(text: str) -> str:
    """User text as HTML or SVG (XML) character data or attribute value."""
    # Imported here: html loads html.entities, a large table that every command (which
    # loads this module for terminal_safe) would otherwise pay for at start-up.
    import html

    return html.escape(xml_safe(text), quote=True)


def html_paragraphs(text: str) -> str:
    """Escaped user text: paragraphs at blank lines, line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + "<br>\n".join(e(line) for line in p.split("\n")) + "</p>"
                   for p in paragraphs)


def md_escape(text: str) -> str:
    """User text as literal Markdown: no emphasis, links, HTML, headings or lists."""
    lines = []
    for line in text.split("\n"):
        line = MD_SPECIAL.sub(r"\\\1", line.strip())
        line = MD_LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1)
                                 else f"{m.group(2)}\\{m.group(3)}", line)
        lines.append(line)
    return "\n".join(lines)


def formula_like(value) -> bool:
    """Whether a spreadsheet would take this cell for a formula: text opening with
    = + - @ (or a tab or CR), once any apostrophes before them are read."""
    return isinstance(value, str) and value.lstrip("'").startswith(FORMULA_START)


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as the text it is: text opening with = + - @
    (a formula, which could run) gets a leading apostrophe, which spreadsheets read as
    "this is text" and do not show. So does text whose leading apostrophes come before
    such a character, so that csv_text gives back exactly what was written. Numbers are
    left as they are."""
    return "'" + value if formula_like(value) else value


def csv_text(cell: str) -> str:
    """A cell of a CSV file read back: the apostrophe csv_cell (or a researcher in a
    spreadsheet) put before a formula character is taken off; other text is as is."""
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_START):
        return cell[1:]
    return cell


def csv_row(values) -> list:
    return [csv_cell(v) for v in values]


def one_line(text: str) -> str:
    return " ".join(text.split())


def terminal_safe(text: str, *, in_json: bool = False) -> str:
    """User text for a terminal: each character a terminal would obey is written out
    instead (ESC as \\x1b, BEL as \\x07, a bidi override as \\u202e), so an escape
    sequence shows as the characters it is made of and does nothing. Newlines (CRLF
    too) and tabs stay, so lines stay: only the columns after such a character move.

    `in_json`: `text` is JSON (json.dumps has already written C0 controls as \\u001b);
    the rest are written \\u0080 alike, which JSON reads back as the same character."""
    def visible(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\u{code:04x}" if in_json or code > 0xFF else f"\\x{code:02x}"

    return TERMINAL_UNSAFE.sub(visible, text)


def dot_string(text: str) -> str:
    return one_line(text).replace("\\", "\\\\").replace('"', '\\"')


def mermaid_label(text: str) -> str:
    return MERMAID_SPECIAL.sub(lambda m: f"#{ord(m.group())};", one_line(text))


def trim_words(text: str, limit: int = QUOTE_LENGTH) -> str:
    """The text on one line, cut at a word boundary to at most `limit` characters."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit + 1].rsplit(" ", 1)[0] if " " in words[:limit + 1] else ""
    return (cut or words[:limit]).rstrip(" ,;:.-–—") + "…"
