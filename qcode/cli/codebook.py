"""Commands about the codebook: load, show, export, import."""

from __future__ import annotations

from pathlib import Path

from qcode.cli import commandline as cl

from qcode.core import outputs
from qcode.cli.group import cli
from qcode.cli.common import (acting_coder, emit_json, open_project, say, say_undo,
                              shutil_width)


@cli.group()
def codebook() -> None:
    """Load and show the project's codebook."""


coder_option = cl.option(
    "--coder", envvar="QCODE_CODER",
    help="Whose action the load is, to undo in 'qcode code' (default: your coder name).")




@codebook.command(name="load")
@cl.argument("file", type=cl.Path(dir_okay=False, path_type=Path))
@cl.option("--under", help="Load the codebook as a theme of this name.")
@coder_option
@cl.pass_context
def codebook_load(ctx: cl.Context, file: Path, under: str | None,
                  coder: str | None) -> None:
    """Load a YAML codebook into the project (codes matched by GUID, then path). A
    shipped codebook loads by its name: asw-study, beyond-the-gaze,
    exploitation-indicators, texas-police."""
    from qcode.core import codebook as codebooks

    refuse_other_tools_codebook(file)
    book = codebooks.load(file)
    coder = acting_coder(coder)
    counts = open_project(ctx).load_codebook(book, under=under, actor=coder)
    say(f"Loaded '{book.name}' from {file}: {counts['added']} added, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged")
    for warning in counts["keys_dropped"]:
        say(f"warning: {file}: {warning}", err=True)
    say_undo(coder, "this load")


def refuse_other_tools_codebook(file: Path) -> None:
    """`load` reads qcode's YAML; a file from another tool (or a CSV) belongs to
    `codebook import`, which says so better than a YAML parser would."""
    from qcode.core.exchange.codebook_formats import IMPORT_SUFFIXES

    suffix = file.suffix.lower()
    if suffix in IMPORT_SUFFIXES and suffix not in (".yaml", ".yml"):
        raise cl.CommandError(
            f"{file}: 'codebook load' reads a YAML codebook; for a {suffix} file use "
            f"'qcode codebook import {file}'")


CODER_HELP = ("Count this coder's codings, or 'all' to pool every coder's (default: as the "
              "reports: the agreed version once places are resolved, else the consensus, "
              "else every coder, pooled).")


@codebook.command(name="show")
@cl.option("--full", is_flag=True, help="Show definitions and guidance too.")
@cl.option("--coder", help=CODER_HELP)
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def codebook_show(ctx: cl.Context, full: bool, coder: str | None, as_json: bool) -> None:
    """Show the theme tree with keys and counts of coded segments."""
    import textwrap

    project = open_project(ctx)
    codes = project.codes()
    if not codes:
        if as_json:
            emit_json(codes)
        else:
            say("The codebook is empty: 'qcode codebook load asw-study'.")
        return
    # Nothing coded yet: no counts to explain (and no need to read the codings).
    used = _usage(project, coder) if any(c.codings for c in codes) or coder else None
    if as_json:
        emit_json([{**_shown(code), "segments": used.get(code.guid).codings if used else 0}
                   for code in codes])
        return
    if used is not None:
        say(f"Counts: {used.note}")
    for code in codes:
        indent = "  " * code.depth
        key = f" [{code.key}]" if code.key else ""
        segments = used.get(code.guid).codings if used else 0
        count = f"  ({segments})" if segments else ""
        category = "" if code.codable else " (category: not applied to text)"
        say(f"{indent}{code.name}{category}{key}{count}")
        if full:
            for label, field in (("definition", "definition"), ("use when", "when_to_use"),
                                 ("not when", "when_not_to_use"), ("example", "example")):
                if getattr(code, field):
                    say(textwrap.fill(
                        f"{label}: {getattr(code, field)}", width=min(shutil_width(), 100),
                        initial_indent=indent + "    ", subsequent_indent=indent + "      "))


def _shown(code) -> dict:
    """A code as `codebook show --json` has always written it (these keys, this order)."""
    return {key: getattr(code, key) for key in (
        "id", "guid", "parent_id", "name", "definition", "when_to_use", "when_not_to_use",
        "example", "colour", "key", "sort_order", "codings", "codable", "depth")}


@codebook.command(name="export")
@cl.option("--format", "form", type=cl.Choice(["qdc", "yaml", "csv", "md", "html",
                                               "xlsx"]),
           help="qdc (REFI-QDA, for NVivo, ATLAS.ti, MAXQDA, QualCoder), yaml, csv, "
           "md or html (for a paper's appendix), xlsx (Excel); default: from --out's "
           "extension.")
@cl.option("--out", type=cl.Path(dir_okay=False, path_type=Path),
           help="File to write (default: print).")
@cl.option("--counts", is_flag=True,
           help="Add each code's number of coded segments and one example quote (md, "
           "html, csv), from the codings the reports use.")
@cl.option("--coder", help=CODER_HELP + " With --counts.")
@cl.option("--force", is_flag=True, help="Replace --out if it exists.")
@cl.pass_context
def codebook_export(ctx: cl.Context, form: str | None, out: Path | None,
                    counts: bool, coder: str | None, force: bool) -> None:
    """Export the project's codebook for other tools or for a paper."""
    from qcode.core.exchange import codebook_formats as formats

    if out is not None:
        if not out.parent.is_dir():
            raise cl.CommandError(f"{out}: no folder {out.parent} to write it in")
        outputs.check(out, ctx.find_root().obj, force=force)

    form = form or formats.format_for(out)
    if form is None:
        raise cl.UsageError("give --format (qdc, yaml, csv, md, html, xlsx) or an --out "
                            "file with one of those extensions")
    if form == "xlsx" and out is None:
        raise cl.CommandError("an Excel workbook goes to a file: give --out FILE.xlsx")
    project = open_project(ctx)
    book = formats.project_codebook(project)
    if coder and not counts:
        raise cl.UsageError("--coder chooses whose codings --counts counts; give --counts")
    used = _usage(project, coder) if counts else None
    text = formats.export(book, form, used)
    if out is None:
        say(text, nl=False)
    else:
        outputs.write(out, text, ctx.find_root().obj, force=force)
        say(f"Exported {len(book)} codes of '{book.name}' to {out} ({form})")
    if used is not None and form == "csv":
        # A CSV has no place for a sentence; Markdown and HTML carry it in the file.
        say(f"Counts and quotes: {used.note}", err=True)


def _usage(project, coder: str | None):
    """Counts and quotes by the reports' rule; a mistaken --coder is one line."""
    from qcode.core.exchange import codebook_formats as formats
    from qcode.core.reports.selection import ReportError

    try:
        return formats.usage(project, coder)
    except ReportError as exc:
        raise cl.CommandError(str(exc)) from None


@codebook.command(name="import")
@cl.argument("file", type=cl.Path(dir_okay=False, path_type=Path))
@cl.option("--under", help="Import the codebook as a theme of this name.")
@coder_option
@cl.pass_context
def codebook_import(ctx: cl.Context, file: Path, under: str | None,
                    coder: str | None) -> None:
    """Import a codebook (.qdc, .yaml, .csv, or the codebook of a .qdpx or .qde project)
    into a new or existing project: codes matched by GUID, then by path; nothing is
    deleted, so no coding is lost."""
    import sqlite3

    from qcode.core.exchange.codebook_formats import names_its_codebook, read_codebook
    from qcode.core.store import Project

    coder = acting_coder(coder)
    book, warnings = read_codebook(file)
    if not book.codes:
        raise cl.CommandError(f"{file}: the codebook has no codes")
    path = ctx.find_root().obj
    project = Project.open(path) if path.exists() else Project.create(path)
    ctx.call_on_close(project.close)
    if not names_its_codebook(file):
        book.name = project.meta("codebook_name") or book.name
    try:
        counts = project.load_codebook(book, under=under, actor=coder)
    except sqlite3.IntegrityError as exc:
        # A code matched by GUID moved or renamed onto a name its new siblings use.
        raise cl.CommandError(
            f"{file}: not imported: a code would share its name with another code under "
            f"the same parent ({exc}); rename one of them and import again") from None
    for warning in warnings + counts["keys_dropped"]:
        say(f"warning: {file}: {warning}", err=True)
    kept = len(project.codes()) - counts["added"] - counts["updated"] - counts["unchanged"]
    say(f"Imported '{book.name}' from {file} into {path}: {counts['added']} added, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged"
        + (f"; {kept} other code(s) of the project kept" if kept > 0 else ""))
    say_undo(coder, "this load")
