"""The `qcode` command. Each command is thin: open the project, call the core, print."""

from __future__ import annotations

import json
import sqlite3
import sys
import textwrap
from pathlib import Path

import click

from qcode import __version__
from qcode.core import codebook as codebooks
from qcode.core.codebook import CodebookError
from qcode.cli_anonymise import (anonymise_batch, key_options, open_key,
                                  refuse_without_anonymise, save_key)
from qcode.core.anonymise.identifiers import CATEGORIES, IdentifiersError
from qcode.core.ingest import (ImportReport, cases_for, explicit_cases, parse_files,
                               store_parsed)
from qcode.core.participants import ParticipantsError, read_participants
from qcode.core.store import Project, ProjectError

DEFAULT_PROJECT = "project.qcode"


def user_errors() -> tuple[type[Exception], ...]:
    # The anonymiser is imported only when a command needs it: it is what makes
    # start-up slow, and `qcode search` should answer at once.
    from qcode.core.anonymise.key import KeyFileError
    from qcode.core.anonymise.review import DecisionsError

    return (ProjectError, CodebookError, ParticipantsError, IdentifiersError, KeyFileError,
            DecisionsError)


class QcodeGroup(click.Group):
    """Turns the errors a user can cause into one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            project = ctx.params.get("project") or DEFAULT_PROJECT
            raise click.ClickException(f"{project}: database error: {exc}") from None
        except Exception as exc:
            if isinstance(exc, user_errors()):
                raise click.ClickException(str(exc)) from None
            raise


@click.group(cls=QcodeGroup)
@click.option(
    "--project", "-p", type=click.Path(dir_okay=False, path_type=Path),
    envvar="QCODE_PROJECT", default=DEFAULT_PROJECT, show_default=True,
    help="Project file (or set QCODE_PROJECT).",
)
@click.version_option(__version__, prog_name="qcode")
@click.pass_context
def cli(ctx: click.Context, project: Path) -> None:
    """qcode: keyboard-first qualitative coding of interview transcripts."""
    ctx.obj = project


def open_project(ctx: click.Context) -> Project:
    project = Project.open(ctx.find_root().obj)
    ctx.call_on_close(project.close)
    return project


def emit_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(c) if c is not None else "" for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    click.echo(line(headers))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))


# -- project ----------------------------------------------------------------------------


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create a new, empty project file."""
    path = ctx.find_root().obj
    Project.create(path).close()
    click.echo(f"Created project {path}")


@cli.command()
@click.option("--fresh", is_flag=True, help="Rebuild demo.qcode even if it exists.")
@click.option("--no-tui", is_flag=True, help="Only build and describe it; do not open it.")
@click.option("--coder", envvar="QCODE_CODER", help="Your name as a coder.")
def demo(fresh: bool, no_tui: bool, coder: str | None) -> None:
    """Build the demo project (demo.qcode) from bundled fictional interviews and open
    it in the coding screen."""
    from qcode.core.demo import build_demo

    path = Path("demo.qcode")
    if fresh:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"),
                      path.with_name("demo.key.json")):
            stale.unlink(missing_ok=True)
    if path.exists():
        project = Project.open(path)
        click.echo(f"Opened the existing demo project {path} (--fresh rebuilds it).")
    else:
        build = build_demo(path)
        project = build.project
        for file, problem in build.report.failed + build.report.warnings:
            click.echo(f"warning: demo file {file.name}: {problem}", err=True)
        click.echo(f"Built the demo project {path}: the interviews were anonymised on the "
                   f"way in; the key is in {build.key_path} ({build.unresolved} unlisted "
                   "candidates left for review).")
    with project:
        describe(project)
    if not no_tui and sys.stdin.isatty() and sys.stdout.isatty():
        run_tui(path, coder)


@cli.command()
@click.option("--coder", envvar="QCODE_CODER",
              help="Your name as a coder (asked once and remembered if not given).")
@click.option("--transcript", help="Open this transcript straight away.")
@click.pass_context
def code(ctx: click.Context, coder: str | None, transcript: str | None) -> None:
    """Open the project in the coding screen (the terminal UI)."""
    open_project(ctx).close()  # a clear error before the screen takes over the terminal
    run_tui(ctx.find_root().obj, coder, transcript)


def run_tui(path: Path, coder: str | None, transcript: str | None = None) -> None:
    from qcode.settings import SettingsError
    from qcode.tui.app import make_app

    try:
        app = make_app(path, coder, transcript)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


def describe(project: Project) -> None:
    summary = project.summary()
    click.echo(
        f"{summary['transcripts']} transcripts ({summary['words']:,} words, "
        f"{summary['turns']:,} turns), {summary['cases']} cases, {summary['codes']} codes, "
        f"{summary['codings']} codings."
    )
    rows = [[t.name, t.case, t.word_count, t.turn_count, t.source_format]
            for t in project.transcripts()]
    if rows:
        click.echo("")
        print_table(["transcript", "case", "words", "turns", "format"], rows)
    click.echo(f"\nTry: qcode -p {project.path} codebook show | cases | search \"phrase\"")


@cli.command()
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup(ctx: click.Context, dest: Path) -> None:
    """Copy the project safely (SQLite online backup), even while others work in it."""
    open_project(ctx).backup(dest)
    click.echo(f"Backed up to {dest}")


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check the project: database integrity, text hashes, spans inside their text."""
    project = open_project(ctx)
    problems = project.check()
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found in {project.path}")
    summary = project.summary()
    click.echo(f"ok: {project.path} is sound ({summary['transcripts']} transcripts, "
               f"{summary['codings']} codings checked)")


# -- transcripts ------------------------------------------------------------------------


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case", help="Case (participant) these transcripts belong to.")
@click.option("--attributes", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of participants: a 'case' column, an optional 'file' column, "
              "and attribute columns.")
@click.option("--anonymise", is_flag=True,
              help="Replace identifiers before the text enters the project (needs --key).")
@key_options
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], case: str | None,
            attributes: Path | None, anonymise: bool, key_path: Path | None,
            identifiers: Path | None, non_interactive: bool, report: Path | None,
            decisions: Path | None, encrypt_key: bool, review: str) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt) into the project."""
    project = open_project(ctx)
    participants = read_participants(attributes) if attributes else None
    outcome = ImportReport()
    with click.progressbar(files, label="Reading", file=sys.stderr) as bar:
        items = parse_files(bar, outcome)
    given = explicit_cases(items, case, participants)
    if anonymise:
        key, passphrase = open_key(key_path, encrypt_key)
        items = anonymise_batch(items, given, key, identifiers, non_interactive, report,
                                decisions, key_path, review)
        # The key is written before the project: a pseudonym must never be stored
        # without the key that explains it.
        save_key(key, key_path, passphrase)
    else:
        refuse_without_anonymise(key=key_path, identifiers=identifiers,
                                 non_interactive=non_interactive, report=report,
                                 decisions=decisions, encrypt_key=encrypt_key,
                                 review=review)
    with click.progressbar(length=len(items), label="Importing", file=sys.stderr) as bar:
        store_parsed(project, items, cases_for(items, given), outcome, participants,
                     on_file=lambda _: bar.update(1))
    for path, name, words, turns in outcome.imported:
        click.echo(f"imported {path.name} as '{name}': {words:,} words, {turns} turns")
    for path, warning in outcome.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for path, problem in outcome.failed:
        click.echo(f"error: {path}: {problem}", err=True)
    if outcome.failed:
        raise click.ClickException(
            f"{len(outcome.failed)} of {len(files)} file(s) not imported")


@cli.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the anonymised transcripts (plain text, UTF-8).")
@key_options
def anonymise(files: tuple[Path, ...], out_dir: Path, key_path: Path | None,
              identifiers: Path | None, non_interactive: bool, report: Path | None,
              decisions: Path | None, encrypt_key: bool, review: str) -> None:
    """Anonymise transcripts file to file, for teams that keep raw data elsewhere."""
    outcome = ImportReport()
    items = parse_files(files, outcome)
    key, passphrase = open_key(key_path, encrypt_key)
    items = anonymise_batch(items, [None] * len(items), key, identifiers, non_interactive,
                            report, decisions, key_path, review)
    save_key(key, key_path, passphrase)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, parsed in items:
        target = out_dir / f"{parsed.name}.txt"
        if target.exists():
            outcome.failed.append((path, f"{target} already exists; not overwritten"))
            continue
        target.write_text(parsed.text, encoding="utf-8")
        click.echo(f"anonymised {path.name} -> {target}")
    for path, problem in outcome.failed:
        click.echo(f"error: {path}: {problem}", err=True)
    if outcome.failed:
        raise click.ClickException(f"{len(outcome.failed)} of {len(files)} file(s) failed")


@cli.command()
@click.argument("transcript")
@click.argument("value")
@click.option("--key", "key_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The project's key file.")
@click.option("--category", default="person", show_default=True,
              type=click.Choice(list(CATEGORIES)), help="What the value is.")
@click.option("--pseudonym", help="Replacement to use (default: the key's, or a new one).")
@click.pass_context
def redact(ctx: click.Context, transcript: str, value: str, key_path: Path, category: str,
           pseudonym: str | None) -> None:
    """Replace an identifier found after coding began; codings are re-anchored."""
    project = open_project(ctx)
    from qcode.core.anonymise.redact import redact_transcript

    key, passphrase = open_key(key_path, False)
    transcript_id = project.transcript_id(transcript)
    result = redact_transcript(project, transcript_id, value, category, pseudonym, key)
    if result.count == 0:
        raise click.ClickException(f"'{value}' does not occur in transcript {transcript}")
    save_key(key, key_path, passphrase)
    project.rewrite_transcript(
        transcript_id, result.transcript, result.positions,
        f"redacted {result.count} occurrence(s) in {transcript} as {result.pseudonym}",
        transcript=transcript, occurrences=result.count, pseudonym=result.pseudonym)
    click.echo(f"replaced {result.count} occurrence(s) with {result.pseudonym}; "
               "codings re-anchored")
    scrub_or_fail(project)


def scrub_or_fail(project: Project) -> None:
    if not project.scrub():
        raise click.ClickException(
            f"another program has {project.path} open, so the old text is still in "
            f"{project.path}-wal: close every qcode on this project, then run "
            "'qcode scrub'")
    click.echo("old text scrubbed from the project file and its WAL")


def two_coders(project: Project, coders: str | None) -> tuple[str, str]:
    """The --coders A,B pair (names matched as the reports match them), or the project's
    two coders when there are just two."""
    from qcode.core.reports.selection import matching_name
    from qcode.core.store import CONSENSUS

    if coders:
        known = project.coders()
        pair = [matching_name(known, typed) or typed
                for typed in (c.strip() for c in coders.split(",")) if typed]
    else:
        pair = [c for c in project.coders() if c != CONSENSUS]
    if len(pair) != 2:
        raise click.UsageError(
            "name the two coders to compare with --coders A,B (coders in the project: "
            f"{', '.join(project.coders()) or 'none'})")
    return pair[0], pair[1]


@cli.command()
@click.option("--coders", help="The two coders to compare, as A,B.")
@click.option("--codes", help="Only these codes (comma separated names).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def disagreements(ctx: click.Context, coders: str | None, codes: str | None,
                  as_json: bool) -> None:
    """List each place where two coders differ, per code, with its text."""
    from qcode.core.agreement.disagreements import places_in

    project = open_project(ctx)
    first, second = two_coders(project, coders)
    code_ids = code_ids_named(project, codes) if codes else None
    try:
        places = places_in(project, first, second, code_ids)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json([{"transcript": p["transcript"], "code": p["code"],
                    "start": p["place"].start, "end": p["place"].end,
                    "kind": p["place"].kind, first: p["place"].first,
                    second: p["place"].second, "text": p["text"],
                    "resolution": p["resolution"]} for p in places])
        return
    if not places:
        click.echo(f"{first} and {second} do not differ anywhere in the selection.")
        return
    width = shutil_width()
    current = None
    for place in places:
        if place["code"] != current:
            current = place["code"]
            click.echo(click.style(f"\n{current}", bold=True))
        where = place["place"]
        kind = where.kind.replace("the first coder", first).replace("the second coder", second)
        done = f"  [resolved: {place['resolution']}]" if place["resolution"] else ""
        click.echo(f"  {place['transcript']} [{where.start}, {where.end}): {kind}{done}")
        excerpt = " ".join(place["text"].split())
        click.echo(textwrap.fill(excerpt, width=width, initial_indent="    ",
                                 subsequent_indent="    ", max_lines=3, placeholder=" …"))
    resolved = sum(1 for p in places if p["resolution"])
    click.echo(f"\n{len(places)} places where {first} and {second} differ; "
               f"{resolved} resolved.")


def names_in(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@cli.command()
@click.option("--coders", help="Coders to compare, as A,B[,C] (default: all but consensus).")
@click.option("--transcripts", help="Only these transcripts (comma separated).")
@click.option("--codes", help="Only these codes (comma separated names).")
@click.option("--theme", help="Only this theme and the codes under it.")
@click.option("--unit", type=click.Choice(["character", "word", "sentence", "turn"]),
              help="Also report agreement on these given units.")
@click.option("--per-transcript", is_flag=True,
              help="Also per code per transcript, with NVivo-style figures.")
@click.option("--threshold", default=0.9, show_default=True,
              help="Overlap a MAXQDA-style segment match needs.")
@click.option("--resamples", default=200, show_default=True,
              help="Bootstrap resamples for alpha's interval (0: none).")
@click.option("--seed", default=1, show_default=True, help="Seed of the bootstrap.")
@click.option("--format", "form", default="table", show_default=True,
              type=click.Choice(["table", "md", "csv", "json", "html"]))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file.")
@click.pass_context
def agree(ctx: click.Context, coders, transcripts, codes, theme, unit, per_transcript,
          threshold, resamples, seed, form, out) -> None:
    """Inter-coder agreement per code, per theme and overall."""
    from qcode.core.agreement.render import render
    from qcode.core.agreement.report import build, select
    from qcode.core.reports.selection import ReportError

    project = open_project(ctx)
    if codes and theme:
        raise click.UsageError("give --codes or --theme, not both")
    if not 0 < threshold <= 1:
        raise click.UsageError("--threshold is a share between 0 and 1, e.g. 0.9")
    try:
        selection = select(project, names_in(coders), names_in(transcripts),
                           names_in(codes), theme, unit, maxqda_threshold=threshold,
                           resamples=max(0, resamples), seed=seed)
        report = build(project, selection, per_transcript)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    text = render(report, form, width=min(shutil_width(), 120))
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote the agreement report to {out}")
    else:
        click.echo(text, nl=False)


def code_ids_named(project: Project, names: str) -> list[int]:
    codes = {c["name"].casefold(): c["id"] for c in project.codes()}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    missing = [n for n in wanted if n.casefold() not in codes]
    if missing:
        raise click.ClickException(f"no code named {', '.join(repr(m) for m in missing)}")
    return [codes[n.casefold()] for n in wanted]


@cli.command()
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def merge(ctx: click.Context, other: Path) -> None:
    """Bring in another copy of the project (e.g. a coder's blind copy)."""
    report = open_project(ctx).merge(other)
    added = ", ".join(f"{report[k]} {k}" for k in (
        "transcripts", "codes", "codings", "coders", "cases", "memos"))
    click.echo(f"merged {other}: added {added}")
    for conflict in report["conflicts"]:
        click.echo(f"conflict: {conflict}", err=True)


@cli.command()
@click.pass_context
def scrub(ctx: click.Context) -> None:
    """Empty the WAL into the project file, leaving no removed text behind."""
    scrub_or_fail(open_project(ctx))


@cli.command(name="verify-anonymised")
@click.option("--key", "key_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The key whose real values are sought.")
@click.argument("exports", nargs=-1, type=click.Path(exists=True, dir_okay=False,
                                                     path_type=Path))
@click.pass_context
def verify_anonymised(ctx: click.Context, key_path: Path, exports: tuple[Path, ...]) -> None:
    """Search the project file, its WAL and any exports for every real value in the key."""
    project_path = ctx.find_root().obj
    from qcode.core.anonymise.verify import verify_files

    key, _ = open_key(key_path, False)
    # Exports can be checked on their own, away from the project they came from.
    here = [project_path, Path(f"{project_path}-wal")]
    files = [*(here if project_path.exists() or not exports else []), *exports]
    found = verify_files(key, files)
    hits = [h for h in found if h.certain]
    for hit in hits:
        click.echo(f"{hit.file}: byte {hit.offset}: '{hit.value}' in …{hit.context}…")
    searched = ", ".join(str(f) for f in files if f.exists())
    doubtful = [h for h in found if not h.certain]
    if doubtful:
        click.echo(f"{len(doubtful)} use(s) of common words that are also listed names "
                   "(sentence-initial, or judged the ordinary word in review); check by "
                   "eye that they are the ordinary word:", err=True)
        for hit in doubtful:
            click.echo(f"  {hit.file}: byte {hit.offset}: …{hit.context}…", err=True)
    if hits:
        raise click.ClickException(f"{len(hits)} real value(s) found in {searched}")
    click.echo(f"ok: none of the key's {len(key.entries)} real values is in {searched}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def transcripts(ctx: click.Context, as_json: bool) -> None:
    """List transcripts with their case, words and turns."""
    rows = open_project(ctx).transcripts()
    if as_json:
        emit_json([{"name": t.name, "guid": t.guid, "case": t.case, "words": t.word_count,
                    "turns": t.turn_count, "format": t.source_format,
                    "source_file": t.source_file, "imported": t.imported} for t in rows])
    elif not rows:
        click.echo("No transcripts yet: add some with 'qcode import FILES'.")
    else:
        print_table(["transcript", "case", "words", "turns", "format"],
                    [[t.name, t.case, f"{t.word_count:,}", t.turn_count, t.source_format]
                     for t in rows])


@cli.command()
@click.argument("transcript")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx: click.Context, transcript: str, as_json: bool) -> None:
    """Show a transcript turn by turn, with speakers."""
    project = open_project(ctx)
    transcript_id = project.transcript_id(transcript)
    text = project.transcript_text(transcript_id)
    turns = project.turns(transcript_id)
    if as_json:
        emit_json([{**t, "text": text[t["start"]:t["end"]]} for t in turns])
        return
    width = min(shutil_width(), 100)
    for t in turns:
        stamp = f" [{clock(t['begin_time'])}]" if t["begin_time"] is not None else ""
        click.echo(click.style(f"{t['turn']:>4}  {t['speaker'] or '—'}{stamp}", bold=True))
        for paragraph in text[t["start"]:t["end"]].split("\n"):
            click.echo(textwrap.fill(paragraph, width=width, initial_indent="      ",
                                     subsequent_indent="      ") or "")
        click.echo("")


def shutil_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@cli.command()
@click.argument("phrase")
@click.option("--limit", default=50, show_default=True, help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def search(ctx: click.Context, phrase: str, limit: int, as_json: bool) -> None:
    """Full-text search for a phrase across all transcripts."""
    hits = open_project(ctx).search(phrase, limit=limit)
    if as_json:
        emit_json([{"transcript": h.transcript, "turn": h.turn, "speaker": h.speaker,
                    "start": h.start, "end": h.end,
                    "snippet": h.snippet.replace("\x02", "").replace("\x03", "")}
                   for h in hits])
        return
    if not hits:
        click.echo(f"No transcript contains \"{phrase}\".")
        return
    for h in hits:
        snippet = " ".join(h.snippet.split())
        parts = snippet.replace("\x03", "\x02").split("\x02")
        shown = "".join(click.style(p, bold=True) if i % 2 else p
                        for i, p in enumerate(parts))
        click.echo(f"{h.transcript}  turn {h.turn}  {h.speaker or '—'}: {shown}")
    more = " (there may be more: raise --limit)" if len(hits) == limit else ""
    click.echo(f"{len(hits)} hit(s){more}")


# -- cases ------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def cases(ctx: click.Context, as_json: bool) -> None:
    """List cases (participants) with their attributes and transcripts."""
    project = open_project(ctx)
    rows = project.cases()
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No cases yet: 'qcode case set P01 role=...' or import with --case.")
        return
    names = project.attribute_names()
    print_table(["case", *names, "transcripts"],
                [[r["case"], *[r["attributes"].get(n, "") for n in names],
                  ", ".join(r["transcripts"])] for r in rows])


@cli.group()
def case() -> None:
    """Work with one case."""


@case.command(name="set")
@click.argument("name")
@click.argument("assignments", nargs=-1, required=True)
@click.pass_context
def case_set(ctx: click.Context, name: str, assignments: tuple[str, ...]) -> None:
    """Set attributes: qcode case set P01 role="Detective Sergeant" region=Southeast.
    An empty value (region=) removes the attribute."""
    values = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="assignments")
        values[key.strip()] = value.strip()
    open_project(ctx).set_attributes(name, values)
    click.echo(f"case {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


# -- codebook ---------------------------------------------------------------------------


@cli.group()
def codebook() -> None:
    """Load and show the project's codebook."""


@codebook.command(name="load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--under", help="Load the codebook as a theme of this name.")
@click.pass_context
def codebook_load(ctx: click.Context, file: Path, under: str | None) -> None:
    """Load a YAML codebook into the project (codes matched by GUID, then path). A
    shipped codebook loads by its name: asw-study, beyond-the-gaze,
    exploitation-indicators, texas-police."""
    book = codebooks.load(file)
    counts = open_project(ctx).load_codebook(book, under=under)
    click.echo(f"Loaded '{book.name}' from {file}: {counts['added']} added, "
               f"{counts['updated']} updated, {counts['unchanged']} unchanged")
    for warning in counts["keys_dropped"]:
        click.echo(f"warning: {file}: {warning}", err=True)


@codebook.command(name="show")
@click.option("--full", is_flag=True, help="Show definitions and guidance too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def codebook_show(ctx: click.Context, full: bool, as_json: bool) -> None:
    """Show the theme tree with keys and counts of codings."""
    codes = open_project(ctx).codes()
    if as_json:
        emit_json(codes)
        return
    if not codes:
        click.echo("The codebook is empty: 'qcode codebook load asw-study'.")
        return
    for code in codes:
        indent = "  " * code["depth"]
        key = f" [{code['key']}]" if code["key"] else ""
        count = f"  ({code['codings']})" if code["codings"] else ""
        click.echo(f"{indent}{code['name']}{key}{count}")
        if full:
            for label, field in (("definition", "definition"), ("use when", "when_to_use"),
                                 ("not when", "when_not_to_use"), ("example", "example")):
                if code[field]:
                    click.echo(textwrap.fill(
                        f"{label}: {code[field]}", width=min(shutil_width(), 100),
                        initial_indent=indent + "    ", subsequent_indent=indent + "      "))


@codebook.command(name="export")
@click.option("--format", "form", type=click.Choice(["qdc", "yaml", "csv", "md", "html"]),
              help="qdc (REFI-QDA, for NVivo, ATLAS.ti, MAXQDA, QualCoder), yaml, csv, "
              "md or html (for a paper's appendix); default: from --out's extension.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: print).")
@click.option("--counts", is_flag=True,
              help="Add each code's number of codings and one example quote (md, html, csv).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.pass_context
def codebook_export(ctx: click.Context, form: str | None, out: Path | None,
                    counts: bool, force: bool) -> None:
    """Export the project's codebook for other tools or for a paper."""
    from qcode.cli_exchange import refuse_to_overwrite
    from qcode.core.exchange import codebook_formats as formats

    if out is not None:
        refuse_to_overwrite(out, ctx.find_root().obj, force)
        if not out.parent.is_dir():
            raise click.ClickException(f"{out}: no folder {out.parent} to write it in")

    form = form or formats.format_for(out)
    if form is None:
        raise click.UsageError("give --format (qdc, yaml, csv, md, html) or an --out file "
                               "with one of those extensions")
    project = open_project(ctx)
    book = formats.project_codebook(project)
    text = formats.export(book, form, formats.usage(project) if counts else None)
    if out is None:
        click.echo(text, nl=False)
        return
    partial = out.with_name(f".{out.name}.part")
    try:
        # Written aside and then renamed, so a failure never leaves half a file.
        partial.write_text(text, encoding="utf-8", newline="")
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"{out}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"Exported {len(book)} codes of '{book.name}' to {out} ({form})")


@codebook.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--under", help="Import the codebook as a theme of this name.")
@click.pass_context
def codebook_import(ctx: click.Context, file: Path, under: str | None) -> None:
    """Import a codebook (.qdc, .yaml, .csv, or the codebook of a .qdpx or .qde project)
    into a new or existing project: codes matched by GUID, then by path; nothing is
    deleted, so no coding is lost."""
    from qcode.core.exchange.codebook_formats import names_its_codebook, read_codebook

    book, warnings = read_codebook(file)
    if not book.codes:
        raise click.ClickException(f"{file}: the codebook has no codes")
    path = ctx.find_root().obj
    project = Project.open(path) if path.exists() else Project.create(path)
    ctx.call_on_close(project.close)
    if not names_its_codebook(file):
        book.name = project.meta("codebook_name") or book.name
    try:
        counts = project.load_codebook(book, under=under)
    except sqlite3.IntegrityError as exc:
        # A code matched by GUID moved or renamed onto a name its new siblings use.
        raise click.ClickException(
            f"{file}: not imported: a code would share its name with another code under "
            f"the same parent ({exc}); rename one of them and import again") from None
    for warning in warnings + counts["keys_dropped"]:
        click.echo(f"warning: {file}: {warning}", err=True)
    kept = len(project.codes()) - counts["added"] - counts["updated"] - counts["unchanged"]
    click.echo(f"Imported '{book.name}' from {file} into {path}: {counts['added']} added, "
               f"{counts['updated']} updated, {counts['unchanged']} unchanged"
               + (f"; {kept} other code(s) of the project kept" if kept > 0 else ""))


from qcode.cli_exchange import export, import_project  # noqa: E402
from qcode.cli_reports import quotes, report  # noqa: E402  (the write-up commands)

cli.add_command(export)
cli.add_command(import_project)
cli.add_command(quotes)
cli.add_command(report)


def main() -> None:
    cli(prog_name="qcode")


if __name__ == "__main__":
    main()
