"""The write-up commands: `qcode quotes` and `qcode report ...`. Thin: open the
project, call one function of qcode.core.reports, print or write what it made.

A file is written under a temporary name and renamed, so a failure never leaves half
of one; a CSV gets its provenance beside it (FILE.provenance.json), since a comment
line would break spreadsheets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from qcode.core.store import Project

SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
            ".docx": "docx", ".csv": "csv", ".json": "json", ".txt": "table",
            ".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot",
            ".svg": "svg"}
TABLE_FORMATS = ("table", "md", "csv", "json")
QUOTE_FORMATS = ("md", "html", "docx", "csv")
NETWORK_FORMATS = ("mermaid", "dot", "svg")
PROVENANCE_SUFFIX = ".provenance.json"


def _open(ctx: click.Context) -> Project:
    project = Project.open(ctx.find_root().obj)
    ctx.call_on_close(project.close)
    return project


def _width() -> int:
    return min(shutil.get_terminal_size((80, 24)).columns, 120)


def _format(form: str | None, out: Path | None, allowed: tuple[str, ...],
            default: str) -> str:
    """The --format given, else the one --out's extension names, else `default`."""
    if form:
        return form
    if out is None:
        return default
    found = SUFFIXES.get(out.suffix.lower())
    if found not in allowed:
        raise click.UsageError(f"cannot tell the format from '{out.name}': give --format "
                               f"({', '.join(allowed)}) or an --out file ending in one "
                               "of those")
    return found


def _write(out: Path, content: str | bytes, provenance: dict | None = None) -> None:
    """`content` to `out` (and `provenance` beside it), each written aside first and
    then renamed into place."""
    if not out.parent.is_dir():
        raise click.ClickException(f"{out}: cannot write: there is no folder "
                                   f"{out.parent}")
    files = [(out, content)]
    if provenance is not None:
        files.insert(0, (out.with_name(out.name + PROVENANCE_SUFFIX),
                         json.dumps(provenance, indent=2, ensure_ascii=False) + "\n"))
    for target, data in files:
        partial = target.with_name(f".{target.name}.part")
        try:
            if isinstance(data, bytes):
                partial.write_bytes(data)
            else:
                partial.write_text(data, encoding="utf-8", newline="")
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise click.ClickException(
                f"{target}: cannot write: {exc.strerror or exc}") from None


def _emit(text: str, form: str, out: Path | None, made, what: str) -> None:
    """Print the report, or write it to `out`; a CSV's provenance goes beside it."""
    if out is None:
        click.echo(text, nl=False)
        if form == "csv":
            click.echo(made.footer(), err=True)
        return
    _write(out, text, made.as_dict() if form == "csv" else None)
    beside = f" (provenance in {out.name}{PROVENANCE_SUFFIX})" if form == "csv" else ""
    click.echo(f"wrote {what} to {out}{beside}")


coder_option = click.option(
    "--coder", help="Use this coder's codings, or 'all' to pool every coder's (default: "
    "the consensus when it has codings, else every coder, pooled).")
out_option = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                          help="Write to this file (default: print).")


@click.command()
@click.argument("selector", metavar="CODE|THEME")
@coder_option
@click.option("--by", help="Group the quotes by a case attribute (or 'transcript', "
              "'case').")
@click.option("--attribution", help="Attribution template of case attributes in braces, "
              "and {case}, {transcript}, {speaker} (default: \"{role}, {region}\").")
@click.option("--max-words", type=click.IntRange(min=0), default=120, show_default=True,
              help="Cut a quote after this many words (0: whole segments).")
@click.option("--format", "form", type=click.Choice(QUOTE_FORMATS),
              help="md, html, docx or csv (default: from --out, else md).")
@out_option
@click.pass_context
def quotes(ctx: click.Context, selector: str, coder: str | None, by: str | None,
           attribution: str | None, max_words: int, form: str | None,
           out: Path | None) -> None:
    """Every coded segment of a code, or of a theme and the codes under it, with its
    attribution line ("Detective Sergeant, Southeast"), for a write-up."""
    from qcode.core.reports.quotes import quotes as make
    from qcode.core.reports.quotes_formats import render

    form = _format(form, out, QUOTE_FORMATS, "md")
    if form == "docx" and out is None:
        raise click.UsageError("a Word document goes to a file: give --out FILE.docx")
    report = make(_open(ctx), selector, coder=coder, by=by, attribution=attribution,
                  max_words=max_words)
    content = render(report, form)
    if isinstance(content, bytes):
        _write(out, content)
        click.echo(f"wrote {report.count} quotes to {out}")
        return
    _emit(content, form, out, report.provenance, f"{report.count} quotes")


@click.group()
def report() -> None:
    """Tables and figures for a write-up: frequencies, co-occurrence, the thematic
    network, and a whole HTML report."""


@report.command()
@click.option("--by", help="Compare the values of this case attribute, or each "
              "'transcript' or 'case'.")
@coder_option
@click.option("--format", "form", type=click.Choice(TABLE_FORMATS),
              help="table, md, csv or json (default: from --out, else table).")
@out_option
@click.pass_context
def frequencies(ctx: click.Context, by: str | None, coder: str | None, form: str | None,
                out: Path | None) -> None:
    """Coded segments and cases per code (themes include the codes under them), per
    participant group."""
    from qcode.core.reports.frequencies import frequencies as make
    from qcode.core.reports.tables import frequencies_text

    form = _format(form, out, TABLE_FORMATS, "table")
    table = make(_open(ctx), by=by, coder=coder)
    _emit(frequencies_text(table, form, _width()), form, out, table.provenance,
          f"frequencies of {len(table.rows)} codes")


@report.command()
@click.option("--within", type=click.Choice(["overlap", "turn", "transcript"]),
              default="overlap", show_default=True,
              help="Codes co-occur in overlapping passages, in one turn, or in one "
              "transcript.")
@coder_option
@click.option("--theme", help="Only the codes under this theme.")
@click.option("--top", type=click.IntRange(min=1), help="Only the N codes with most "
              "segments.")
@click.option("--format", "form", type=click.Choice(TABLE_FORMATS),
              help="table, md, csv or json (default: from --out, else table).")
@out_option
@click.pass_context
def cooccurrence(ctx: click.Context, within: str, coder: str | None, theme: str | None,
                 top: int | None, form: str | None, out: Path | None) -> None:
    """A code-by-code matrix of co-occurrence counts and Jaccard coefficients."""
    from qcode.core.reports.cooccurrence import cooccurrence as make
    from qcode.core.reports.tables import cooccurrence_text

    form = _format(form, out, TABLE_FORMATS, "table")
    matrix = make(_open(ctx), within=within, coder=coder, theme=theme, top=top)
    _emit(cooccurrence_text(matrix, form, _width()), form, out, matrix.provenance,
          f"a {len(matrix.codes)} x {len(matrix.codes)} co-occurrence matrix")


@report.command()
@click.option("--format", "form", type=click.Choice(NETWORK_FORMATS),
              help="mermaid, dot (Graphviz) or svg (default: from --out, else mermaid).")
@coder_option
@click.option("--theme", help="Only this theme's network.")
@out_option
@click.pass_context
def network(ctx: click.Context, form: str | None, coder: str | None, theme: str | None,
            out: Path | None) -> None:
    """The codebook as a thematic network (global, organising and basic themes), with
    segments and cases on each theme."""
    from qcode.core.reports.network import network as make
    from qcode.core.reports.network import to_dot, to_mermaid, to_svg

    form = _format(form, out, NETWORK_FORMATS, "mermaid")
    net = make(_open(ctx), coder=coder, theme=theme)
    text = {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg}[form](net)
    _emit(text, form, out, net.provenance, f"the thematic network of "
          f"{sum(1 for _ in net.nodes())} codes ({form})")


@report.command(name="html")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@coder_option
@click.option("--by", help="Compare the values of this case attribute (default: "
              "'group', when cases have it).")
@click.pass_context
def html(ctx: click.Context, folder: Path, coder: str | None, by: str | None) -> None:
    """One self-contained HTML report (DIR/index.html) that opens with no network."""
    from qcode.core.reports.html_report import html_report

    made = html_report(_open(ctx), coder=coder, by=by, folder=folder.name or str(folder))
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"{folder}: cannot make the folder: "
                                   f"{exc.strerror or exc}") from None
    _write(folder / "index.html", made.html)
    click.echo(f"wrote the report to {folder / 'index.html'}")
