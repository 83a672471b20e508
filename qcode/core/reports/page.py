"""The frame of every HTML document qcode writes (the write-up report, quotes, the
agreement page, the codebook): one self-contained page, inline style only, nothing
fetched from anywhere (a Content-Security-Policy says so to the browser), laid out for
screen and for print."""

from __future__ import annotations

from qcode.core.reports.provenance import Provenance
from qcode.core.text import e

STYLE = """\
body { font-family: Georgia, "Times New Roman", serif; max-width: 60em; margin: 2em auto;
       padding: 0 1em; line-height: 1.45; color: #111; background: #fff; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.35em; margin-top: 1.8em; border-bottom: 1px solid #bbb; }
h3 { font-size: 1.12em; margin: 1.2em 0 0.4em; }
h4, h5, h6 { font-size: 1em; margin: 1em 0 0.3em; }
p.lead, p.note { color: #444; }
p.note { font-size: 0.9em; }
nav ol { columns: 2; font-size: 0.95em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.15em 0.5em; text-align: right;
         vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td.depth1 { padding-left: 1.5em; } td.depth2 { padding-left: 2.7em; }
td.depth3, td.depth4, td.depth5 { padding-left: 3.9em; }
tr.theme td { font-weight: bold; }
blockquote { margin: 0.8em 0 0.2em 2em; font-style: italic; }
blockquote p { margin: 0; }
p.attribution { margin: 0 0 1em 2em; }
ul.codebook { list-style: none; padding-left: 0; }
ul.codebook ul { list-style: none; padding-left: 1.4em; }
ul.codebook li { margin: 0.25em 0; }
.count { color: #444; font-size: 0.9em; }
.definition { display: block; color: #333; font-size: 0.9em; }
figure { margin: 1em 0; overflow-x: auto; }
figcaption { font-size: 0.9em; color: #444; }
dl.made dt { font-weight: bold; float: left; clear: left; width: 9em; }
dl.made dd { margin: 0 0 0.2em 9.5em; overflow-wrap: anywhere; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2 { break-after: avoid-page; }
  figure, table, blockquote { break-inside: avoid-page; }
  figure { overflow: visible; }
  svg { max-width: 100%; height: auto; }
}
"""


def page(title: str, body: list[str], style: str = STYLE) -> str:
    """The document around `body` (HTML already escaped); `title` is plain text. A
    document of another shape (the codebook) brings its own `style`."""
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>", f"<style>\n{style}</style>", "</head>", "<body>",
        *body, "</body>", "</html>"]) + "\n"


def made_from(made: Provenance, heading: str = "h2") -> str:
    rows = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in
                   made.items())
    return (f'<section id="made-from"><{heading}>Made from</{heading}>'
            f'<dl class="made">{rows}</dl></section>')
