"""`qcode autocode`: code every place a pattern occurs, after the researcher reviews
the hits (in the terminal UI) or with --accept-all; with no pattern, every turn of a
speaker (a speaker as a code)."""

from __future__ import annotations

import sys

from qcode.cli import commandline as cl

from qcode.cli.common import can_ask, emit_json, names_in, open_project, print_table, say

PREVIEW = 60  # characters of a hit's text in the table


@cl.command()
@cl.argument("pattern", required=False)
@cl.option("--code", "code_name", required=True,
           help="The code to apply (its name, or 'Theme > Code' when names repeat).")
@cl.option("--regex", "mode", flag_value="regex",
           help="PATTERN is a regular expression (case ignored; stopped after 10 s).")
@cl.option("--fuzzy", "mode", flag_value="fuzzy",
           help="PATTERN is a phrase found also as transcribed differently "
                "(\"home-ofice\"), scored 0-100 by rapidfuzz.")
@cl.option("--min-score", type=cl.FloatRange(0, 100), default=85.0,
           show_default=True, help="With --fuzzy: the lowest score proposed.")
@cl.option("--unit", type=cl.Choice(["match", "sentence", "turn"]), default="match",
           show_default=True, help="Code the words matched, their sentence or their turn.")
@cl.option("--speaker", help="Only turns of participant, interviewer (by their label's "
           "role) or a speaker label; without PATTERN, every turn of them.")
@cl.option("--within", "within_name",
           help="Only hits inside your codings of this code.")
@cl.option("--transcripts", help="Only these transcripts (comma-separated names).")
@cl.option("--coder", envvar="QCODE_CODER",
           help="Whose codings these become (default: your coder name).")
@cl.option("--accept-all", is_flag=True,
           help="Code every hit without reviewing them one by one.")
@cl.option("--json", "as_json", is_flag=True, help="List the hits as JSON.")
@cl.pass_context
def autocode(ctx: cl.Context, pattern: str | None, code_name: str, mode: str | None,
             min_score: float, unit: str, speaker: str | None, within_name: str | None,
             transcripts: str | None, coder: str | None, accept_all: bool,
             as_json: bool) -> None:
    """Code every place a phrase (or --regex, --fuzzy) occurs, after reviewing each hit
    in context; or every turn of a speaker, as a code of its own."""
    from qcode.core.autocode import Search, code_to_apply

    project = open_project(ctx)
    code = code_to_apply(project, code_name)
    reviewing = not accept_all and not as_json and can_ask() and sys.stdout.isatty()
    coder = _coder(coder, needed=accept_all or reviewing or within_name is not None)
    search = Search(
        pattern, mode or "phrase", unit, speaker,
        code_to_apply(project, within_name) if within_name else None,
        [project.transcript_id(name) for name in names_in(transcripts) or []] or None,
        coder, min_score)
    if reviewing:
        project.close()
        _review(ctx.find_root().obj, search, code, coder)
        return
    _list_or_accept(project, search, code, coder, accept_all, as_json)


def _coder(given: str | None, needed: bool) -> str | None:
    from qcode.settings import SettingsError, read_settings

    try:
        coder = given or read_settings().coder
    except SettingsError as exc:
        raise cl.CommandError(str(exc)) from None
    if needed and not coder:
        raise cl.CommandError("say whose codings these become: --coder NAME (or set "
                              "QCODE_CODER)")
    return coder


def _list_or_accept(project, search, code, coder, accept_all: bool, as_json: bool) -> None:
    from qcode.core.autocode import accept, find

    found = find(project, search)
    for note in found.notes:
        say(f"note: {note}", err=True)
    if accept_all:
        done = accept(project, code, coder, found.proposals, search.pattern or "turns")
        say(f"coded {done.added} place(s) as {code[1]} for {coder}, marked auto-coded"
            + (f"; {done.already_coded} left out, coded so already" if done.already_coded
               else "")
            + f"; undo: u in 'qcode code --coder {coder}'")
        return
    if as_json:
        emit_json([p.as_dict() for p in found.proposals])
        return
    # Positions are for machines (--json); a researcher reads the turn and the words.
    print_table(["transcript", "turn", "speaker", "text"]
                + (["score"] if search.mode == "fuzzy" else []),
                [[p.transcript, p.turn, p.speaker or "", _preview(p.text)]
                 + ([f"{p.score:.0f}"] if search.mode == "fuzzy" else [])
                 for p in found.proposals])
    say(f"{len(found.proposals)} hit(s); nothing was coded: review them in a terminal, "
        "or code them all with --accept-all", err=True)


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW else flat[:PREVIEW - 1] + "…"


def _review(path, search, code, coder: str) -> None:
    from qcode.settings import SettingsError
    from qcode.tui.app import make_app
    from qcode.tui.screens.autocode import AutocodeScreen

    try:
        app = make_app(path, coder, first_screen=lambda: AutocodeScreen(search, code))
    except SettingsError as exc:
        raise cl.CommandError(str(exc)) from None
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
