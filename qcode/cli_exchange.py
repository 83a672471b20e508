"""Exchange commands: the whole project out to other tools. Thin: open the project,
take a snapshot, write it, say what was written."""

from __future__ import annotations

from pathlib import Path

import click

from qcode.core.store import Project

PROJECT_FORMATS = ("qdpx",)
CODEBOOK_FORMATS = ("qdc", "yaml", "yml", "csv", "md", "markdown", "html", "htm")


def project_format(out: Path, form: str | None) -> str:
    """The format asked for (--format, else OUT's extension), or a clear refusal."""
    given = (form or out.suffix.lstrip(".")).lower()
    if given in PROJECT_FORMATS:
        return given
    if given in CODEBOOK_FORMATS:
        raise click.ClickException(
            f"{out}: qcode export writes a whole project as .qdpx; for the codebook alone "
            f"as {given} use 'qcode codebook export --format {given} --out FILE'")
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
    memos) to OUT.qdpx, which NVivo, ATLAS.ti, MAXQDA and QualCoder import."""
    from qcode.core.exchange.project_snapshot import snapshot
    from qcode.core.exchange.qdpx_write import counts, write_qdpx

    project_format(out, form)
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
