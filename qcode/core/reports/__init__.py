"""Write-up reports: quotes with attributions, frequencies by participant group,
co-occurrence, thematic networks, and one self-contained HTML report.

Every function takes an open Project (or a Material, below) and returns a plain,
frozen dataclass; none prints, writes a file or imports the UI, so the command line
and a Textual screen call the same code. Renderers turn a result into text.

Reading the project

    gather(project, coder=None) -> Material
        One reading of the project: codebook (Material.tree, a CodeTree of CodeRef),
        transcripts, cases and attributes, and the chosen coders' codings as coded
        segments (Material.segments). Pass a Material instead of the Project to any
        report below to make several reports from one reading (the few later reads,
        of turns and texts, are then a reading of their own).
    coder: a coder's name (selection.matching_name: ignoring case when unambiguous,
        as everywhere), "consensus", "all", or
        None. None: once places where two coders differ have been resolved, the
        agreed version of those two (see agreed.py: what both coded, each resolved
        place as resolved; Material.choice.pair names them), else the consensus
        coder's codings if any, else the one coder who coded, else every coder
        pooled. "consensus": the agreed version. "all": every coder's own codings
        pooled, the consensus coder's left out. Pooled, one code's overlapping
        segments are joined, so a passage two coders coded alike counts once
        (Material.choice.note says which rule applied, for a report's header).
    CodeTree.find(text) -> CodeRef: a code or theme by name, path ("Theme / Code",
        also " > ") or the end of a path, ignoring case; ReportError with the closest
        codes when unknown or ambiguous.

Reports

    frequencies(project, by=None, coder=None) -> FrequencyTable
        .columns (group values, "(none)" last), .sizes (cases per group), .cases,
        .rows: FrequencyRow(code: CodeRef, cells: tuple[Cell], total: Cell), every
        code in tree order; Cell(segments, cases), themes rolled up (frequencies.
        ROLL_UP: a theme's segments are its own and its codes' added up; cases are
        distinct). `by`: an attribute name (one some transcript's case has),
        "transcript" or "case".
    cooccurrence(project, within="overlap", coder=None, theme=None, top=None) -> Matrix
        .codes, .counts[i][j], .jaccard[i][j], .unit ("places", "turns",
        "transcripts"), .pairs(), .left_out, .outside_turns, .segments,
        .narrowed(n) (the n codes with most segments); MEANING[within] says what a
        count counts.
    network(project, coder=None, theme=None) -> Network
        .roots: Node(code, segments, cases, children); to_mermaid, to_dot, to_svg
        (each with the notes and the Made-from block; drawn with no transcripts).
    quotes(project, selector, coder=None, by=None, attribution=None, max_words=120)
        -> QuoteReport
        .groups: QuoteGroup(code, value, quotes: tuple[Quote]); Quote(text, lines,
        attribution, transcript, case, speaker, turn, start, end, coders, shortened):
        `lines` one per turn (labelled with their speakers when several), `text` them
        joined by " / "; words in the interviewer's turns are attributed to the
        interviewer. `attribution`: a template such as "{role}, {region}" (see
        attribution.py).
    html_report(project, coder=None, by=None) -> HtmlReport(html, provenance, empty)

Every result has .provenance (Provenance): parameters, the command that makes it
again, the project's file name, GUID and schema, counts, coders, date, qcode version
and a SHA-256 fingerprint of the inputs; .footer() is one line, .items() a "Made
from" block, .as_dict() JSON, .written(format, file) the same with the output in its
command. Results with nothing in them say so (.empty).

Renderers: tables.frequencies_text / tables.cooccurrence_text (table, md, csv, json,
xlsx), quotes_formats.render (md, html, csv, docx, xlsx), network.to_mermaid / to_dot
/ to_svg; workbook.workbook (any table and its provenance as .xlsx bytes).

    coded_transcript.coded_transcript(project, name, coder=None) -> CodedTranscript
        one transcript's turns (Block: speaker, pieces, the coded passages that open
        in it, memos on its codings) and its own memos; rendered by
        coded_transcript_formats.render (html, docx).
Errors a researcher can fix raise ReportError (a ProjectError; the agreement report
raises it too), with a sentence.
Every string in a result is plain user text: escape it for whatever reads markup
(rich.markup.escape in a Textual widget; the renderers here escape for their formats).
"""

import sys
from importlib import import_module
from types import ModuleType

from qcode.core.reports.selection import CoderChoice, ReportError

# The rest is imported when first asked for (PEP 562): `qcode agree` needs only the
# errors, the page frame and svg, and importing every report cost it start-up time.
_FROM = {
    "codes": ("CodeRef", "CodeTree"),
    "cooccurrence": ("MEANING", "Matrix", "cooccurrence"),
    "frequencies": ("Cell", "FrequencyRow", "FrequencyTable", "frequencies"),
    "html_report": ("HtmlReport", "html_report"),
    "material": ("Material", "Segment", "gather"),
    "network": ("Network", "Node", "network", "to_dot", "to_mermaid", "to_svg"),
    "provenance": ("Provenance",),
    "quotes": ("Quote", "QuoteGroup", "QuoteReport", "quotes"),
}
_HOME = {name: module for module, names in _FROM.items() for name in names}
# Some submodules share their name with the function they hold (cooccurrence,
# frequencies, html_report, network, quotes). Importing a submodule binds it as an
# attribute of this package; the package's name must stay the function, as it was when
# this file imported everything.
_SHADOWED = {module for module, names in _FROM.items() if module in names}


class _Package(ModuleType):
    def __setattr__(self, name: str, value) -> None:
        if name in _SHADOWED and isinstance(value, ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = [
    "MEANING", "Cell", "CodeRef", "CodeTree", "CoderChoice", "FrequencyRow",
    "FrequencyTable", "HtmlReport", "Material", "Matrix", "Network", "Node",
    "Provenance", "Quote", "QuoteGroup", "QuoteReport", "ReportError", "Segment",
    "cooccurrence", "frequencies", "gather", "html_report", "network", "quotes",
    "to_dot", "to_mermaid", "to_svg",
]
