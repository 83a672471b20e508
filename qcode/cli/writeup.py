"""The write-up commands: `qcode quotes`, `qcode report ...` and `qcode
export-transcript`. Thin: open the project, call one function of qcode.core.reports,
print or write what it made.

A file is written as every output is (qcode.core.outputs): under a temporary name
and renamed, never over the project or a key, over an existing file only with --force.
A CSV gets its provenance beside it (FILE.provenance.json), since a comment line would
break spreadsheets (an Excel workbook holds it in a sheet); a file of another format
takes away a provenance file left beside it by an earlier CSV of that name, which
would no longer describe it. The command recorded in a report's provenance names the
format and file written, so it makes the same file again."""

from __future__ import annotations

import contextlib

import dataclasses
import json
import shutil
from pathlib import Path

from qcode.cli import commandline as cl

from qcode.cli.common import open_project, say, warn_unreviewed
from qcode.core import outputs

SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
            ".docx": "docx", ".csv": "csv", ".json": "json", ".txt": "table",
            ".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot",
            ".svg": "svg", ".xlsx": "xlsx"}
TEXT = ".txt"            # plain text: holds any format but a Word document or workbook
FILES_ONLY = {"docx": "a Word document", "xlsx": "an Excel workbook"}
TABLE_FORMATS = ("table", "md", "csv", "json", "xlsx")
QUOTE_FORMATS = ("md", "html", "docx", "csv", "xlsx")
NETWORK_FORMATS = ("mermaid", "dot", "svg")
TRANSCRIPT_FORMATS = ("html", "docx")
PROVENANCE_SUFFIX = ".provenance.json"
EMPTY = "The selection is empty: no coded segments."


def _width() -> int:
    return min(shutil.get_terminal_size((80, 24)).columns, 120)


def _format(form: str | None, out: Path | None, allowed: tuple[str, ...],
            default: str) -> str:
    """The --format given, else the one --out's extension names, else `default`. A
    format the extension contradicts (--format json --out f.csv) is refused: the file
    would say one thing and hold another."""
    suffix = out.suffix.lower() if out is not None else ""
    named = SUFFIXES.get(suffix)
    if form:
        as_text = suffix == TEXT and form not in FILES_ONLY
        if named is not None and named != form and not as_text:
            ending = sorted(k for k, v in SUFFIXES.items() if v == form)[0]
            raise cl.CommandError(f"--format {form} does not fit '{out.name}', whose "
                                  f"extension says {named}: write it to a file ending "
                                  f"in {ending}, or leave out --format")
        return form
    if out is None:
        return default
    if named not in allowed:
        raise cl.CommandError(f"cannot tell the format from '{out.name}': give --format "
                              f"({', '.join(allowed)}) or an --out file ending in one "
                              "of those")
    return named


def _check(ctx: cl.Context, form: str, out: Path | None, force: bool) -> None:
    """Before any work: a file can be written at `out`, and replacing one is asked for;
    a format that means nothing in a terminal (Word, Excel) has an --out."""
    if out is None:
        if form in FILES_ONLY:
            ending = sorted(k for k, v in SUFFIXES.items() if v == form)[0]
            raise cl.CommandError(f"{FILES_ONLY[form]} goes to a file: give --out "
                                  f"FILE{ending}")
        return
    if not out.parent.is_dir():
        raise cl.CommandError(f"{out}: cannot write: there is no folder "
                              f"{out.parent}")
    outputs.check(out, Path(ctx.find_root().obj), force=force)


def _written(report, form: str, out: Path | None):
    """The report with the format and file in the command its provenance records."""
    return dataclasses.replace(report, provenance=report.provenance.written(
        form, out.name if out is not None else None))


def _write(out: Path, content: str | bytes, provenance: dict | None = None) -> None:
    """`content` to `out` (and `provenance` beside it), each written aside first and
    then renamed into place; without provenance, a provenance file beside `out` (of
    an earlier CSV of that name) is removed."""
    beside = out.with_name(out.name + PROVENANCE_SUFFIX)
    files = [(out, content)]
    if provenance is not None:
        files.insert(0, (beside, json.dumps(provenance, indent=2, ensure_ascii=False)
                         + "\n"))
    for target, data in files:
        outputs.write(target, data, force=True)  # checked by _check before the work
    if provenance is None:
        beside.unlink(missing_ok=True)


def _emit(text: str | bytes, form: str, out: Path | None, made, what: str,
          empty: str | None) -> None:
    """Print the report, or write it to `out`; a CSV's provenance goes beside it. An
    empty selection is said where the output itself cannot say it: after a file is
    written, and on stderr beside a printed CSV."""
    if out is None:
        say(text, nl=False, json=form == "json")
        if form == "csv":
            if empty:
                say(empty, err=True)
            say(made.footer(), err=True)
        return
    _write(out, text, made.as_dict() if form == "csv" else None)
    beside = f" (provenance in {out.name}{PROVENANCE_SUFFIX})" if form == "csv" else ""
    say(f"wrote {what} to {out}{beside}")
    if empty:
        say(empty)


coder_option = cl.option(
    "--coder", help="Use this coder's codings, or 'all' to pool every coder's (default: "
    "the consensus when it has codings, else every coder, pooled).")
out_option = cl.option("--out", type=cl.Path(dir_okay=False, path_type=Path),
                       help="Write to this file (default: print).")
force_option = cl.option("--force", is_flag=True, help="Replace --out if it exists.")


@cl.command()
@cl.argument("selector", metavar="CODE|THEME")
@coder_option
@cl.option("--by", help="Group the quotes by a case attribute (or 'transcript', "
           "'case').")
@cl.option("--attribution", help="Attribution template of case attributes in braces, "
           "and {case}, {transcript}, {speaker} (default: \"{role}, {region}\").")
@cl.option("--max-words", type=cl.IntRange(min=0), default=120, show_default=True,
           help="Cut a quote after this many words (0: whole segments).")
@cl.option("--format", "form", type=cl.Choice(QUOTE_FORMATS),
           help="md, html, docx, csv or xlsx (default: from --out, else md).")
@cl.option("--memos", is_flag=True, help="Put the memos on each quote's codings "
           "under it.")
@out_option
@force_option
@cl.pass_context
def quotes(ctx: cl.Context, selector: str, coder: str | None, by: str | None,
           attribution: str | None, max_words: int, form: str | None, memos: bool,
           out: Path | None, force: bool) -> None:
    """Every coded segment of a code, or of a theme and the codes under it, with its
    attribution line ("Detective Sergeant, Southeast"), for a write-up."""
    from qcode.core.reports.quotes import quotes as make
    from qcode.core.reports.quotes_formats import render

    form = _format(form, out, QUOTE_FORMATS, "md")
    _check(ctx, form, out, force)
    report = _written(make(open_project(ctx), selector, coder=coder, by=by,
                           attribution=attribution, max_words=max_words, memos=memos),
                      form, out)
    empty = "The selection is empty: no segment is coded with it." if report.empty \
        else None
    _emit(render(report, form), form, out, report.provenance,
          f"{report.count} quote{'' if report.count == 1 else 's'}", empty)


@cl.group()
def report() -> None:
    """Tables and figures for a write-up: frequencies, co-occurrence, the thematic
    network, and a whole HTML report."""


@report.command()
@cl.option("--by", help="Compare the values of this case attribute, or each "
           "'transcript' or 'case'.")
@coder_option
@cl.option("--format", "form", type=cl.Choice(TABLE_FORMATS),
           help="table, md, csv, json or xlsx (default: from --out, else table).")
@out_option
@force_option
@cl.pass_context
def frequencies(ctx: cl.Context, by: str | None, coder: str | None, form: str | None,
                out: Path | None, force: bool) -> None:
    """Coded segments and cases per code (themes include the codes under them), per
    participant group."""
    from qcode.core.reports.frequencies import frequencies as make
    from qcode.core.reports.tables import frequencies_text

    form = _format(form, out, TABLE_FORMATS, "table")
    _check(ctx, form, out, force)
    table = _written(make(open_project(ctx), by=by, coder=coder), form, out)
    _emit(frequencies_text(table, form, _width()), form, out, table.provenance,
          f"frequencies of {len(table.rows)} code{'' if len(table.rows) == 1 else 's'}",
          EMPTY if table.empty else None)


@report.command()
@cl.option("--within", type=cl.Choice(["overlap", "turn", "transcript"]),
           default="overlap", show_default=True,
           help="Codes co-occur in overlapping passages, in one turn, or in one "
           "transcript.")
@coder_option
@cl.option("--theme", help="Only the codes under this theme.")
@cl.option("--top", type=cl.IntRange(min=1), help="Only the N codes with most "
           "segments.")
@cl.option("--format", "form", type=cl.Choice(TABLE_FORMATS),
           help="table, md, csv, json or xlsx (default: from --out, else table).")
@out_option
@force_option
@cl.pass_context
def cooccurrence(ctx: cl.Context, within: str, coder: str | None, theme: str | None,
                 top: int | None, form: str | None, out: Path | None,
                 force: bool) -> None:
    """A code-by-code matrix of co-occurrence counts and Jaccard coefficients."""
    from qcode.core.reports.cooccurrence import cooccurrence as make
    from qcode.core.reports.tables import cooccurrence_text

    form = _format(form, out, TABLE_FORMATS, "table")
    _check(ctx, form, out, force)
    matrix = _written(make(open_project(ctx), within=within, coder=coder, theme=theme, top=top),
                      form, out)
    _emit(cooccurrence_text(matrix, form, _width()), form, out, matrix.provenance,
          f"a {len(matrix.codes)} x {len(matrix.codes)} co-occurrence matrix",
          EMPTY if matrix.empty else None)


@report.command()
@cl.option("--format", "form", type=cl.Choice(NETWORK_FORMATS),
           help="mermaid, dot (Graphviz) or svg (default: from --out, else mermaid).")
@coder_option
@cl.option("--theme", help="Only this theme's network.")
@out_option
@force_option
@cl.pass_context
def network(ctx: cl.Context, form: str | None, coder: str | None, theme: str | None,
            out: Path | None, force: bool) -> None:
    """The codebook as a thematic network (global, organising and basic themes), with
    segments and cases on each theme."""
    from qcode.core.reports.network import network as make
    from qcode.core.reports.network import to_dot, to_mermaid, to_svg

    form = _format(form, out, NETWORK_FORMATS, "mermaid")
    _check(ctx, form, out, force)
    net = _written(make(open_project(ctx), coder=coder, theme=theme), form, out)
    text = {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg}[form](net)
    codes = sum(1 for _ in net.nodes())
    _emit(text, form, out, net.provenance, f"the thematic network of {codes} "
          f"code{'' if codes == 1 else 's'} ({form})", EMPTY if net.empty else None)


@report.command(name="html")
@cl.argument("folder", metavar="DIR", type=cl.Path(file_okay=False, path_type=Path))
@coder_option
@cl.option("--by", help="Compare the values of this case attribute (default: "
           "'group', when cases have it).")
@cl.option("--memos", is_flag=True, help="Add a section of the project's memos.")
@cl.option("--force", is_flag=True, help="Replace DIR/index.html if it exists.")
@cl.pass_context
def html(ctx: cl.Context, folder: Path, coder: str | None, by: str | None,
         memos: bool, force: bool) -> None:
    """One self-contained HTML report (DIR/index.html) that opens with no network."""
    from qcode.core.reports.html_report import html_report

    index = folder / "index.html"
    if folder.is_dir():
        _check(ctx, "html", index, force)
    project = open_project(ctx)
    made = html_report(project, coder=coder, by=by,
                       folder=folder.name or str(folder), memos=memos)
    new = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise cl.CommandError(f"{folder}: cannot make the folder: "
                              f"{exc.strerror or exc}") from None
    try:
        _write(index, made.html)
    except BaseException:
        if new:  # a full disk: the folder this command made goes too
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    say(f"wrote the report to {index}")
    warn_unreviewed(project.stored_unreviewed())
    if made.empty:
        say(EMPTY)


@cl.command(name="export-transcript")
@cl.argument("name", metavar="NAME")
@cl.option("--format", "form", type=cl.Choice(TRANSCRIPT_FORMATS),
           help="html or docx (default: from --out).")
@coder_option
@cl.option("--out", type=cl.Path(dir_okay=False, path_type=Path),
           help="Write to this file (.html or .docx).")
@force_option
@cl.pass_context
def export_transcript(ctx: cl.Context, name: str, form: str | None, coder: str | None,
                      out: Path | None, force: bool) -> None:
    """One transcript with its codes beside the text and its memos, as a web page or a
    Word document for a reader without qcode."""
    from qcode.core.reports.coded_transcript import coded_transcript
    from qcode.core.reports.coded_transcript_formats import render

    if out is None:
        raise cl.CommandError("a coded transcript goes to a file: give --out "
                              "FILE.html or FILE.docx")
    form = _format(form, out, TRANSCRIPT_FORMATS, "html")
    _check(ctx, form, out, force)
    coded = coded_transcript(open_project(ctx), name, coder=coder)
    coded = dataclasses.replace(coded, provenance=coded.provenance.written(form, out.name))
    count = len(coded.passages)
    _emit(render(coded, form), form, out, coded.provenance,
          f"'{coded.name}' with {count} coded passage{'' if count == 1 else 's'}",
          "No passage of it is coded by the chosen coders." if coded.empty else None)
