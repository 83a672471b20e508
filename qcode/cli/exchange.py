"""Exchange commands: the whole project out to other tools, and other tools' projects
in. Thin: read or snapshot, write, say what was written."""

from __future__ import annotations

from pathlib import Path

from qcode.cli import commandline as cl

from qcode.cli.anonymise import (anonymisation_with, bind_key, bind_key_to_new,
                                 key_options, kept_for, open_key, refuse_without_anonymise,
                                 say_review, say_transcripts, store_unreviewed_option)
from qcode.cli.common import open_project, say, warn_unreviewed
from qcode.core import outputs
from qcode.core.store import Project
from qcode.core.wording import plural

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
        raise cl.CommandError(
            f"{out}: qcode export writes a whole project as .qdpx; for the codebook alone "
            f"use 'qcode codebook export --format {codebook_format} --out FILE'")
    what = f"the format '{form}'" if form else (
        f"the extension '{out.suffix}'" if out.suffix else "a file without an extension")
    raise cl.CommandError(
        f"{out}: cannot export to {what}; qcode export writes .qdpx (a REFI-QDA project), "
        "and 'qcode codebook export' writes the codebook as qdc, yaml, csv, md or html")


@cl.command(name="export")
@cl.argument("out", type=cl.Path(dir_okay=False, path_type=Path))
@cl.option("--format", "form", metavar="qdpx",
           help="qdpx (REFI-QDA project, for NVivo, ATLAS.ti, MAXQDA and QualCoder); "
           "default: from OUT's extension.")
@cl.option("--for", "dialect", default="standard", show_default=True,
           type=cl.Choice(["standard", "nvivo", "atlasti", "maxqda", "qualcoder"]),
           help="The tool that will read OUT: positions counted as it counts them "
           "(nvivo: UTF-16 code units; the others: code points, as the standard says) "
           "and its texts' line breaks as it wants them (maxqda: CR LF, each one "
           "position; the others: LF); qualcoder: code names unique across the "
           "codebook, each renaming said; see docs/interop.md.")
@cl.option("--force", is_flag=True, help="Replace OUT if it exists.")
@cl.pass_context
def export(ctx: cl.Context, out: Path, form: str | None, dialect: str,
           force: bool) -> None:
    """Export the whole project (transcripts, codebook, codings, coders, cases and
    memos) to OUT.qdpx, a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA and QualCoder."""
    from qcode.core.exchange.project_snapshot import snapshot
    from qcode.core.exchange.qdpx_write import counts, write_qdpx
    from qcode.core.exchange.qualcoder_names import renamed_for_qualcoder

    refuse_other_formats(out, form)
    path = ctx.find_root().obj
    outputs.check(out, path, force=force)  # before the work; write_qdpx writes it so too
    project = open_project(ctx)
    with project.reading():  # one moment: the codings are read as they are written
        exchange = snapshot(project)
        if not exchange.transcripts:
            hint = ("; for the codebook alone use 'qcode codebook export --format qdc "
                    "--out FILE'" if exchange.codebook.codes else "")
            raise cl.CommandError(f"{path} has no transcripts, so there is nothing "
                                  f"to export; add some with 'qcode import FILES'"
                                  f"{hint}")
        write_qdpx(exchange, out, dialect)
    if dialect == "qualcoder":
        for renamed in renamed_for_qualcoder(exchange.codebook.codes):
            say(renamed.said())
    held = counts(exchange)
    say(f"Exported {path} to {out}: " + counted(held))
    warn_unreviewed(project.stored_unreviewed())


@cl.command(name="import-project")
@cl.argument("file", type=cl.Path(dir_okay=False, path_type=Path))
@cl.option("--anonymise", is_flag=True,
           help="Replace identifiers before the text enters the project (needs --key).")
@key_options
@store_unreviewed_option
@cl.pass_context
def import_project(ctx: cl.Context, file: Path, anonymise: bool, key_path: Path | None,
                   identifiers: Path | None, non_interactive: bool, report: Path | None,
                   decisions: Path | None, force: bool, encrypt_key: bool,
                   review: str, interviewers: tuple[str, ...],
                   store_unreviewed: bool) -> None:
    """Import a REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, QualCoder or
    qcode): codebook, transcripts, codings with their coders, cases with attributes and
    memos. Into a new or existing project; matched as 'qcode merge' matches."""
    from qcode.core.exchange.qdpx_read import read_project_file
    from qcode.core.pipeline import import_project as run_project_import

    if not anonymise:
        refuse_without_anonymise(key=key_path, identifiers=identifiers,
                                 non_interactive=non_interactive, report=report,
                                 decisions=decisions, force=force, encrypt_key=encrypt_key,
                                 review=review, interviewer=interviewers,
                                 store_unreviewed=store_unreviewed)
    path = ctx.find_root().obj
    if not path.parent.is_dir():
        raise cl.CommandError(f"{path}: no folder {path.parent} to keep the project in")
    if not anonymise and path.exists():  # refused before the file is read
        from qcode.core.pipeline import refuse_unanonymised

        with Project.open(path) as project:
            refuse_unanonymised(project, None)
    exchange = read_project_file(file)
    anonymisation = report_file = None
    if anonymise:
        # Every file named is read, and refused, before a project is written.
        key, passphrase = open_key(key_path, encrypt_key)
        bind_to_target(key, key_path, path, exchange)
        anonymisation, report_file = anonymisation_with(
            key, key_path, passphrase, identifiers, non_interactive, decisions, review,
            interviewers, store_unreviewed, path, report, force)
    for warning in exchange.warnings:  # before the import, so a failure keeps them
        say(f"warning: {file}: {warning}", err=True)
    said = len(exchange.warnings)
    created = not path.exists()
    project = Project.create(path) if created else Project.open(path)
    try:
        if anonymisation is not None:
            kept_for(anonymisation, key_path, passphrase, project)
        outcome = run_project_import(project, exchange, file.name, anonymisation)
    except BaseException:
        project.close()
        if created:  # nothing half-written: the new project goes with the failure
            for leftover in (path, path.with_name(path.name + "-wal"),
                             path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise
    project.close()
    for warning in exchange.warnings[said:]:  # from anonymising: names made equal
        say(f"warning: {file}: {warning}", err=True)
    for warning in outcome.checks:
        say(f"warning: {warning}", err=True)
    if anonymisation is not None:
        say_transcripts(outcome, "anonymised")
        say_review(outcome, key_path, report_file)
    for conflict in outcome.merged["conflicts"]:
        say(f"conflict: {conflict}", err=True)
    added = {k: outcome.merged[k] for k in ("transcripts", "codes", "codings", "coders",
                                            "cases", "memos")}
    nothing = "nothing new" + ("" if outcome.held else " (all of it was here)")
    say(f"Imported {file} into {path}: "
        + (counted(added) if any(added.values()) else nothing))
    # As `import`: a file whose transcripts were all held back imported none of them.
    if outcome.held and not added["transcripts"]:
        raise cl.CommandError(
            f"{file}: all {len(outcome.held)} transcript(s) held back for review, with "
            "their codings: none imported")


def bind_to_target(key, key_path: Path, path: Path, exchange) -> None:
    """Bind the key to the project as it will be once the file is in: an existing
    project, or a new (or empty) one that takes the file's identity, given one here when
    the file has none, so the key can name it before the project is written."""
    from qcode.core.store import new_guid

    if not path.exists():
        exchange.guid = exchange.guid or new_guid()
        bind_key_to_new(key, key_path, path, exchange.guid)
        return
    with Project.open(path) as project:
        if project.guid_after_import(exchange.guid) == project.guid:
            bind_key(key, key_path, project)
        else:
            bind_key_to_new(key, key_path, path, exchange.guid, project.key_id())


def counted(numbers: dict[str, int]) -> str:
    """"2 transcripts, 1 code, 1,234 codings": what a command wrote or brought in."""
    return ", ".join(plural(number, kind[:-1]) for kind, number in numbers.items())
