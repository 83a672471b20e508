"""Memos on the project, a transcript, a case, a code or a coding, and the reflexive
journal: `qcode memo add|list|show|edit|remove` and `qcode journal add|list|export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.cli import commandline as cl

from qcode.cli.common import acting_coder, emit_json, open_project, print_table, say

if TYPE_CHECKING:
    from qcode.core.store import Project
    from qcode.core.store.memos import MemoRow

by_option = cl.option("--by", envvar="QCODE_CODER",
                      help="Who writes it (default: your coder name).")
json_option = cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
text_option = cl.option("--text", help="The memo's text (default: $EDITOR in a "
                        "terminal, else read from stdin).")
link_options = [
    cl.option("--link-code", "link_codes", multiple=True, metavar="CODE",
              help="Link a code (repeatable)."),
    cl.option("--link-transcript", "link_transcripts", multiple=True, metavar="NAME",
              help="Link a transcript (repeatable)."),
    cl.option("--link-passage", "link_passages", multiple=True,
              metavar="NAME:START-END", help="Link a passage of a transcript, by "
              "character positions (repeatable)."),
]


def _with_links(command):
    for option in reversed(link_options):
        command = option(command)
    return command


def _text(given: str | None, start: str = "") -> str:
    """--text, else what the researcher writes in $EDITOR when a terminal is attached,
    else stdin."""
    if given is not None:
        return given
    if _at_a_terminal():
        from qcode.cli.terminal import edit

        return edit(start, extension=".md") or ""
    return sys.stdin.read()


def _at_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _links(project: Project, codes, transcripts, passages) -> list:
    from qcode.core.store.memos import Link

    links = [Link("code", project.code_id_named(name)) for name in codes]
    links += [Link("transcript", project.transcript_id(name)) for name in transcripts]
    for passage in passages:
        name, _, span = passage.rpartition(":")
        start, _, end = span.partition("-")
        if not (name and start.isdigit() and end.isdigit()):
            raise cl.CommandError(f"--link-passage {passage}: give NAME:START-END, "
                                  "e.g. P01:120-240")
        links.append(Link("transcript", project.transcript_id(name), int(start),
                          int(end)))
    return links


def _json(memo: MemoRow) -> dict:
    return {"ref": memo.ref, "kind": memo.kind, "about": memo.about,
            "author": memo.author, "created": memo.created, "modified": memo.modified,
            "name": memo.name, "text": memo.text, "links": memo.links,
            # The passage shown with it, in positions: the words are for people.
            "place": dict(zip(("transcript_id", "start", "end"), memo.place))
            if memo.place else None}


def _table(memos: list[MemoRow]) -> None:
    from qcode.core.text import trim_words

    print_table(["ref", "kind", "about", "author", "written", "memo"],
                [[m.ref, m.kind, _cut(m.about, 30), m.author or "",
                  (m.created or "")[:10], trim_words(m.text, 40)] for m in memos])


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _show(memo: MemoRow) -> None:
    say(f"memo {memo.ref}: {memo.kind}, about {memo.about}")
    say(f"by {memo.author or 'no one named'}, written {memo.created}"
        + (f", edited {memo.modified}" if memo.modified not in (None, memo.created)
           else ""))
    if memo.name:
        say(f"title: {memo.name}")
    if memo.links:
        say(f"linked: {'; '.join(memo.links)}")
    say("")
    say(memo.text)


@cl.group()
def memo() -> None:
    """Memos on the project, a transcript, a case, a code or a coding: write, list,
    show, edit and remove them."""


@memo.command()
@text_option
@cl.option("--transcript", help="The memo is about this transcript.")
@cl.option("--case", help="The memo is about this case (participant).")
@cl.option("--code", help="The memo is about this code.")
@cl.option("--coding", type=int, help="The memo is this coding's (by its id).")
@cl.option("--name", default="", help="A title for the memo.")
@_with_links
@by_option
@cl.pass_context
def add(ctx: cl.Context, text: str | None, transcript: str | None, case: str | None,
        code: str | None, coding: int | None, name: str, link_codes, link_transcripts,
        link_passages, by: str | None) -> None:
    """Write a memo; about the whole project unless --transcript, --case, --code or
    --coding says what it is about."""
    targets = [t for t in (transcript, case, code) if t is not None] + (
        [coding] if coding is not None else [])
    if len(targets) > 1:
        raise cl.CommandError("a memo is about one thing: give one of --transcript, "
                              "--case, --code and --coding")
    project = open_project(ctx)
    about = (("transcript", project.transcript_id(transcript)) if transcript else
             ("case", project.case_id(case)) if case else
             ("code", project.code_id_named(code)) if code else
             ("coding", coding) if coding is not None else None)
    links = _links(project, link_codes, link_transcripts, link_passages)
    project.coder = acting_coder(by)
    ref = project.add_memo(_text(text), about, name=name, links=links)
    say(f"wrote memo {ref} on {project.memo_row(ref).about}")


@memo.command(name="list")
@cl.option("--kind", type=cl.Choice(("project", "transcript", "case", "code",
                                     "coding", "journal")),
           help="Only memos of this kind.")
@cl.option("--author", help="Only memos written by this researcher.")
@cl.option("--code", help="Only memos about or linked to this code.")
@cl.option("--transcript", help="Only memos about, linked to or coded in this "
           "transcript.")
@cl.option("--search", help="Only memos holding this text (ignoring case).")
@json_option
@cl.pass_context
def list_memos(ctx: cl.Context, kind: str | None, author: str | None, code: str | None,
               transcript: str | None, search: str | None, as_json: bool) -> None:
    """Every memo, oldest first, with what it is about and who wrote it."""
    project = open_project(ctx)
    memos = project.memo_rows(
        kind=kind, author=author,
        code_id=project.code_id_named(code) if code else None,
        transcript_id=project.transcript_id(transcript) if transcript else None,
        search=search)
    if as_json:
        emit_json([_json(m) for m in memos])
    elif memos:
        _table(memos)
    else:
        say("no memos" + (" fit" if any((kind, author, code, transcript, search)) else ""))


@memo.command()
@cl.argument("ref")
@json_option
@cl.pass_context
def show(ctx: cl.Context, ref: str, as_json: bool) -> None:
    """One memo whole: REF is its number, or coding:ID for a coding's memo."""
    memo_row = open_project(ctx).memo_row(ref)
    if as_json:
        emit_json(_json(memo_row))
    else:
        _show(memo_row)


@memo.command()
@cl.argument("ref")
@text_option
@_with_links
@by_option
@cl.pass_context
def edit(ctx: cl.Context, ref: str, text: str | None, link_codes, link_transcripts,
         link_passages, by: str | None) -> None:
    """New text for a memo (REF as in 'memo list'); given links replace its links."""
    project = open_project(ctx)
    current = project.memo_row(ref)
    links = _links(project, link_codes, link_transcripts, link_passages)
    project.coder = acting_coder(by)
    project.edit_memo(ref, _text(text, current.text),
                      links if (link_codes or link_transcripts or link_passages) else None)
    say(f"edited memo {ref}")


@memo.command()
@cl.argument("ref")
@by_option
@cl.pass_context
def remove(ctx: cl.Context, ref: str, by: str | None) -> None:
    """Remove a memo (undo: u in 'qcode code')."""
    project = open_project(ctx)
    about = project.memo_row(ref).about
    project.coder = acting_coder(by)
    project.remove_memo(ref)
    say(f"removed memo {ref} on {about}")


@cl.group()
def journal() -> None:
    """The reflexive journal: dated entries per researcher, linked to codes and
    passages if you like, exported for an appendix or an audit trail."""


@journal.command(name="add")
@text_option
@_with_links
@by_option
@cl.pass_context
def journal_add(ctx: cl.Context, text: str | None, link_codes, link_transcripts,
                link_passages, by: str | None) -> None:
    """Write a journal entry, dated now, as you (or --by)."""
    project = open_project(ctx)
    links = _links(project, link_codes, link_transcripts, link_passages)
    author = acting_coder(by)
    ref = project.add_memo(_text(text), journal=True, links=links, author=author)
    say(f"wrote journal entry {ref} by {author}")


@journal.command(name="list")
@cl.option("--by", "author", help="Only this researcher's entries.")
@json_option
@cl.pass_context
def journal_list(ctx: cl.Context, author: str | None, as_json: bool) -> None:
    """The journal's entries, oldest first."""
    entries = open_project(ctx).memo_rows(kind="journal", author=author)
    if as_json:
        emit_json([_json(m) for m in entries])
    elif entries:
        _table(entries)
    else:
        say("no journal entries" + (f" by {author}" if author else ""))


@journal.command(name="export")
@cl.option("--out", required=True, type=cl.Path(dir_okay=False, path_type=Path),
           help="The file to write (.md, .html or .docx).")
@cl.option("--format", "form", type=cl.Choice(("md", "html", "docx")),
           help="md, html or docx (default: from --out).")
@cl.option("--by", "author", help="Only this researcher's entries.")
@cl.option("--force", is_flag=True, help="Replace --out if it exists.")
@cl.pass_context
def journal_export(ctx: cl.Context, out: Path, form: str | None, author: str | None,
                   force: bool) -> None:
    """The journal as Markdown, a web page or a Word document, with its provenance."""
    from qcode.core import outputs
    from qcode.core.reports.journal import journal_export as make
    from qcode.core.reports.journal import render

    suffixes = {".md": "md", ".html": "html", ".htm": "html", ".docx": "docx"}
    form = form or suffixes.get(out.suffix.lower())
    if form is None:
        raise cl.CommandError(f"cannot tell the format from '{out.name}': give "
                              "--format (md, html, docx) or an --out file ending "
                              "in .md, .html or .docx")
    outputs.check(out, Path(ctx.find_root().obj), force=force)
    made = make(open_project(ctx), author)
    made.provenance = made.provenance.written(form, out.name)
    outputs.write(out, render(made, form), Path(ctx.find_root().obj), force=force)
    say(f"wrote {len(made.entries)} journal entries to {out}")
