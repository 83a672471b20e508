"""Exchange commands: the whole project out to other tools. Thin: open the project,
take a snapshot, write it, say what was written."""

from __future__ import annotations

from pathlib import Path

import click

from qcode.core.store import Project

PROJECT_FORMATS = ("qdpx",)


def refuse_other_formats(out: Path, form: str | None) -> None:
    """A clear refusal unless the format asked for (--format, else OUT's extension) is
    one a whole project is exported to."""
    from qcode.core.exchange.codebook_formats import SUFFIXES

    given = (form or out.suffix.lstrip(".")).lower()
    if given in PROJECT_FORMATS:
        return
    codebook_format = SUFFIXES.get(f".{given}")
    if codebook_format:
        raise click.ClickException(
            f"{out}: qcode export writes a whole project as .qdpx; for the codebook alone "
            f"use 'qcode codebook export --format {codebook_format} --out FILE'")
    what = f"the format '{form}'" if form else (
        f"the extension '{out.suffix}'" if out.suffix else "a file without an extension")
    raise click.ClickException(
        f"{out}: cannot export to {what}; qcode export writes .qdpx (a REFI-QDA project), "
        "and 'qcode codebook export' writes the codebook as qdc, yaml, csv, md or html")


@click.command(name="export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "form", metavar="qdpx",
              help="qdpx (REFI-QDA project, for NVivo, ATLAS.ti, MAXQDA and QualCoder); "
              "default: from OUT's extension.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.pass_context
def export(ctx: click.Context, out: Path, form: str | None, force: bool) -> None:
    """Export the whole project (transcripts, codebook, codings, coders, cases and
    memos) to OUT.qdpx, a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA and QualCoder."""
    from qcode.core.exchange.project_snapshot import snapshot
    from qcode.core.exchange.qdpx_write import counts, write_qdpx

    refuse_other_formats(out, form)
    if out.exists() and not force:
        raise click.ClickException(f"{out} already exists; give --force to replace it")
    path = ctx.find_root().obj
    project = Project.open(path)
    ctx.call_on_close(project.close)
    exchange = snapshot(project)
    if not exchange.transcripts:
        raise click.ClickException(f"{path} has no transcripts, so there is nothing to "
                                   "export; add some with 'qcode import FILES'")
    write_qdpx(exchange, out)
    held = counts(exchange)
    click.echo(f"Exported {path} to {out}: " + ", ".join(
        f"{number:,} {kind if number != 1 else kind[:-1]}" for kind, number in held.items()))
