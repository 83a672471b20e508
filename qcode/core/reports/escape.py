"""User text made safe for each format a report is written in: HTML and SVG text,
Word's XML, and spreadsheet cells. Names, attributes and quotes are data, never markup
or formulas."""

from __future__ import annotations

import html
import re

# Characters XML 1.0 cannot hold (and HTML does not allow): a transcript may carry one,
# but it shows nothing a reader could see.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What a spreadsheet reads as the start of a formula (OWASP's list, tab and CR too).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(text: str) -> str:
    return XML_UNSAFE.sub("", text)


def e(text: str) -> str:
    """User text as HTML or SVG (XML) character data or attribute value."""
    return html.escape(xml_safe(text), quote=True)


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as the text it is: text opening with = + - @
    (a formula, which could run) gets a leading apostrophe, which spreadsheets read as
    "this is text" and do not show. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values) -> list:
    return [csv_cell(v) for v in values]
