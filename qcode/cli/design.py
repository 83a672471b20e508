"""Commands about who codes what: assigning transcripts to coders (the double-coded
subsample), marking transcripts coded, and where each coder stands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import asdict

from qcode.cli import commandline as cl

from qcode.cli.common import acting_coder, emit_json, open_project, print_table, say
from qcode.cli.group import cli

if TYPE_CHECKING:
    from qcode.core.model import CodingStatus
    from qcode.core.store import Project


def coder_named(project: Project, typed: str) -> str:
    """The coder as the reports match names; a name new to the project is said."""
    from qcode.core.reports.selection import matching_name

    known = project.coders()
    name = matching_name(known, typed)
    if name is None:
        name = typed.strip()
        if not name:
            raise cl.UsageError("give the coder's name")
        say(f"{name} is a new coder in this project (coders so far: "
            f"{', '.join(known) or 'none'})")
    return name


def transcript_ids(project: Project, names: tuple[str, ...]) -> list[int]:
    return [project.transcript_id(name) for name in names]


by_option = cl.option("--by", envvar="QCODE_CODER",
                      help="Who assigns, to undo it in 'qcode code' (default: your "
                           "coder name).")


@cli.command()
@cl.argument("coder")
@cl.argument("transcripts", nargs=-1, required=True)
@by_option
@cl.pass_context
def assign(ctx: cl.Context, coder: str, transcripts: tuple[str, ...], by: str | None
           ) -> None:
    """Assign transcripts to a coder, e.g. the double-coded subsample."""
    project = open_project(ctx)
    project.coder = acting_coder(by)
    coder = coder_named(project, coder)
    changed = project.assign(coder, transcript_ids(project, transcripts))
    say(f"assigned {', '.join(changed)} to {coder}" if changed
        else f"nothing changed: already assigned to {coder}")


@cli.command()
@cl.argument("coder")
@cl.argument("transcripts", nargs=-1, required=True)
@by_option
@cl.pass_context
def unassign(ctx: cl.Context, coder: str, transcripts: tuple[str, ...], by: str | None
             ) -> None:
    """Take transcripts back from a coder (their codings and marks stay)."""
    project = open_project(ctx)
    project.coder = acting_coder(by)
    coder = coder_named(project, coder)
    changed = project.assign(coder, transcript_ids(project, transcripts), assigned=False)
    say(f"took {', '.join(changed)} back from {coder}" if changed
        else f"nothing changed: none of them was assigned to {coder}")


@cli.command()
@cl.argument("transcripts", nargs=-1, required=True)
@cl.option("--coder", envvar="QCODE_CODER", required=True,
           help="The coder who coded them (or set QCODE_CODER).")
@cl.option("--not-coded", is_flag=True, help="Take the mark away again.")
@cl.pass_context
def mark(ctx: cl.Context, transcripts: tuple[str, ...], coder: str, not_coded: bool
         ) -> None:
    """Mark transcripts as coded by a coder: agreement compares coders on the
    transcripts each of them marked coded (also the key C in 'qcode code')."""
    project = open_project(ctx)
    coder = coder_named(project, coder)
    changed = project.mark_coded(coder, transcript_ids(project, transcripts),
                                 coded=not not_coded)
    state = "not coded" if not_coded else "coded"
    say(f"{coder} marked {', '.join(changed)} {state}" if changed
        else f"nothing changed: already marked {state} by {coder}")


@cli.command()
@cl.option("--coder", help="Only this coder, transcript by transcript.")
@cl.option("--transcripts", "by_transcript", is_flag=True,
           help="Per transcript: which coders it is assigned to, marked it coded and "
                "coded in it.")
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def status(ctx: cl.Context, coder: str | None, by_transcript: bool,
           as_json: bool) -> None:
    """Who codes what: per coder, the transcripts assigned, marked coded and with
    codings."""
    from qcode.core.reports.selection import matching_name

    if coder is not None and by_transcript:
        raise cl.UsageError("give --coder or --transcripts, not both")
    project = open_project(ctx)
    rows = project.coding_status()
    if by_transcript:
        found = transcript_rows(rows, [t.name for t in project.transcripts()])
        if as_json:
            emit_json(found)
        else:
            print_table(["Transcript", "assigned to", "marked coded by", "coded by"],
                        [[r["transcript"], *(", ".join(r[k]) for k in
                                             ("assigned", "marked", "coded"))]
                         for r in found])
        return
    if coder is not None:
        name = matching_name(project.coders(), coder)
        if name is None:
            raise cl.CommandError(f"no coder named {coder!r} (coders: "
                                  f"{', '.join(project.coders()) or 'none'})")
        rows = [r for r in rows if r.coder == name]
    if as_json:
        emit_json([asdict(r) for r in rows])
        return
    if not rows:
        say("nothing assigned, marked or coded yet")
        return
    if coder is not None:
        print_table(["Transcript", "assigned", "marked coded", "codings"], [
            [r.transcript, "yes" if r.assigned else "", r.marked_coded or "",
             r.codings] for r in rows])
        return
    print_table(["Coder", "assigned", "marked coded", "with codings",
                 "assigned, not marked"], summary_rows(rows))


def transcript_rows(rows: list[CodingStatus], transcripts: list[str]) -> list[dict]:
    """Per transcript (every one, in the project's order), the coders it is assigned
    to, who marked it coded and who coded in it."""
    out = {name: {"transcript": name, "assigned": [], "marked": [], "coded": []}
           for name in transcripts}
    for row in rows:
        entry = out[row.transcript]
        for key, present in (("assigned", row.assigned), ("marked", row.marked_coded),
                             ("coded", row.codings)):
            if present:
                entry[key].append(row.coder)
    return list(out.values())


def summary_rows(rows: list[CodingStatus]) -> list[list]:
    by_coder: dict[str, list[CodingStatus]] = {}
    for row in rows:
        by_coder.setdefault(row.coder, []).append(row)
    return [[name, sum(r.assigned for r in own),
             sum(bool(r.marked_coded) for r in own), sum(bool(r.codings) for r in own),
             sum(r.assigned and not r.marked_coded for r in own)]
            for name, own in by_coder.items()]
