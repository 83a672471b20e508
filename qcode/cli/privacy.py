"""Commands that keep real names out: anonymise files, redact a late find, verify
that no real value is left."""

from __future__ import annotations

import sys
from pathlib import Path

from qcode.cli import commandline as cl

from qcode.cli.anonymise import (anonymise_batch, bind_key, key_options, open_key,
                                 record_key, review_report, save_key)
from qcode.core import outputs
from qcode.cli.group import cli
from qcode.cli.common import (LazyChoice, anonymiser_categories, ask, can_ask, confirm, open_project,
                              say, scrub_or_fail, speaker_pattern_option)


@cli.command()
@cl.argument("files", nargs=-1, required=True,
             type=cl.Path(dir_okay=False, path_type=Path))
@cl.option("--out", "out_dir", required=True,
           type=cl.Path(file_okay=False, path_type=Path),
           help="Folder for the anonymised transcripts (plain text, UTF-8).")
@speaker_pattern_option
@key_options
def anonymise(files: tuple[Path, ...], out_dir: Path, key_path: Path | None,
              identifiers: Path | None, non_interactive: bool, report: Path | None,
              decisions: Path | None, force: bool, encrypt_key: bool, review: str,
              interviewers: tuple[str, ...], speaker_pattern) -> None:
    """Anonymise transcripts file to file, for teams that keep raw data elsewhere."""
    from qcode.core.ingest import ImportReport, parse_files

    outcome = ImportReport()
    items = parse_files(files, outcome, speaker_pattern=speaker_pattern)
    # No project here, so the key is not bound to one: any key works.
    key, passphrase = open_key(key_path, encrypt_key)
    items = anonymise_batch(items, [None] * len(items), key, identifiers, non_interactive,
                            review_report(report, key_path, passphrase, force=force),
                            decisions, key_path, review, interviewers=interviewers)
    save_key(key, key_path, passphrase)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, parsed in items:
        target = out_dir / f"{parsed.name}.txt"
        try:
            outputs.write(target, parsed.text, key=key_path, force=force)
        except outputs.OutputError as exc:
            outcome.failed.append((path, f"{exc}; not written"))
            continue
        say(f"anonymised {path.name} -> {target}")
    for path, warning in outcome.warnings:
        say(f"warning: {path}: {warning}", err=True)
    for path, problem in outcome.failed:
        say(f"error: {path}: {problem}", err=True)
    if outcome.failed:
        raise cl.CommandError(f"{len(outcome.failed)} of {len(files)} file(s) failed")


@cli.command()
@cl.argument("args", nargs=-1, metavar="[TRANSCRIPT] [VALUE]")
@cl.option("--all", "everywhere", is_flag=True,
           help="Every transcript, not one: give no TRANSCRIPT.")
@cl.option("--value", "value_option", metavar="VALUE",
           help="The value; '-' reads it from standard input.")
@cl.option("--value-file", type=cl.File("r", encoding="utf-8"),
           help="Read the value from the first line of this file.")
@cl.option("--key", "key_path", required=True,
           type=cl.Path(dir_okay=False, path_type=Path), help="The project's key file.")
@cl.option("--category", default="person", show_default=True,
           type=LazyChoice(anonymiser_categories), help="What the value is.")
@cl.option("--pseudonym", help="Replacement to use (default: the key's, or a new one).")
@cl.option("--yes", is_flag=True, help="Do not ask before changing (with --all).")
@cl.pass_context
def redact(ctx: cl.Context, args: tuple[str, ...], everywhere: bool,
           value_option: str | None, value_file, key_path: Path, category: str,
           pseudonym: str | None, yes: bool) -> None:
    """Replace an identifier found after coding began, in one transcript's text
    (TRANSCRIPT) or in every transcript (--all), and in every other place the project
    holds text: names of transcripts, source files, cases, attributes, codes and
    coders, code guidance, memos and the event log. Codings are re-anchored; earlier
    actions whose undo data held the value can no longer be undone. Give the value on
    standard input or with --value-file: an argument is seen by every local user."""
    from qcode.core.anonymise.redact import apply_sweep, check_value, sweep

    if len(args) > (1 if everywhere else 2) or not (everywhere or args):
        raise cl.UsageError("give TRANSCRIPT [VALUE], or --all [VALUE]")
    transcript = None if everywhere else args[0]
    given = next(iter(args[0 if everywhere else 1:]), None)
    project = open_project(ctx)
    ids = None if everywhere else [project.transcript_id(transcript)]
    value = check_value(value_to_redact(given, value_option, value_file))
    if everywhere and not yes and not can_ask():
        raise cl.CommandError("redact --all changes the whole project: run it in a "
                              "terminal to see what it finds and confirm, or give --yes")
    key, passphrase = open_key(key_path, False)
    bind_key(key, key_path, project)
    found = sweep(project, value, category, pseudonym, key, ids)
    if not found.count:
        where = "anywhere in the project" if everywhere else \
            f"in transcript {transcript} or anywhere else in the project"
        raise cl.CommandError(f"the value does not occur {where}; nothing changed")
    say(f"found {found.count} occurrence(s):")
    for hit in found.hits:
        say(f"  {hit.count:>4}  {hit.where}")
    if everywhere and not yes:
        confirm(f"Replace all {found.count} with {found.pseudonym}?", abort=True)
    save_key(key, key_path, passphrase)
    record_key(key, project)
    apply_sweep(project, found)
    lost = sum(1 for *_, reason in found.events if reason)
    say(f"replaced {found.count} occurrence(s) with {found.pseudonym}; codings "
        "re-anchored" + (f"; {lost} earlier action(s) can no longer be undone"
                         if lost else ""))
    scrub_or_fail(project)


def value_to_redact(argument: str | None, option: str | None, file) -> str:
    """The value from exactly one source: standard input (also when nothing is given
    and it is not a terminal), a file, an argument (with a warning), or a prompt that
    does not echo it."""
    sources = [s for s in (argument, option, file) if s is not None]
    if len(sources) > 1:
        raise cl.UsageError("give the value one way: VALUE, --value or --value-file")
    if file is not None:
        return file.readline().rstrip("\r\n")
    given = argument if argument is not None else option
    if given == "-" or (given is None and not can_ask()):
        return sys.stdin.readline().rstrip("\r\n")
    if given is None:
        return ask("Value to redact (not shown)", hide_input=True)
    say("warning: a value given as an argument is visible to other users in the "
        "process list and stays in your shell history; use --value - or "
        "--value-file next time", err=True)
    return given


@cli.command(name="verify-anonymised")
@cl.option("--key", "key_path", required=True,
           type=cl.Path(exists=True, dir_okay=False, path_type=Path),
           help="The key whose real values are sought.")
@cl.option("--identifiers", type=cl.Path(exists=True, dir_okay=False, path_type=Path),
           help="An identifier list whose values are sought too (CSV or YAML).")
@cl.argument("exports", nargs=-1, type=cl.Path(exists=True, dir_okay=False,
                                               path_type=Path))
@cl.pass_context
def verify_anonymised(ctx: cl.Context, key_path: Path, identifiers: Path | None,
                      exports: tuple[Path, ...]) -> None:
    """Search the project (its tables, search index, file and WAL) and any exports for
    every real value in the key and the identifier list."""
    project_path = ctx.find_root().obj
    from qcode.core.anonymise.identifiers import read_identifiers
    from qcode.core.anonymise.verify import SEARCHED, sought_values, verify_files

    key, _ = open_key(key_path, False)
    listed = read_identifiers(identifiers) if identifiers else []
    # Exports can be checked on their own, away from the project they came from.
    here = [project_path, Path(f"{project_path}-wal")]
    files = [*(here if project_path.exists() or not exports else []), *exports]
    found = verify_files(key, files, listed)
    hits = [h for h in found if h.certain]
    for hit in hits:
        say(f"{hit.where()}: '{hit.value}' in …{hit.context}…")
    searched = ", ".join(str(f) for f in files if f.exists())
    doubtful = [h for h in found if not h.certain]
    if doubtful:
        say(f"{len(doubtful)} use(s) of common words that are also listed names "
            "(sentence-initial, judged the ordinary word in review, or words of a "
            "name found apart in the search index); check by eye that they are "
            "not the name:", err=True)
        for hit in doubtful:
            say(f"  {hit.where()}: …{hit.context}…", err=True)
    if hits:
        raise cl.CommandError(f"{len(hits)} real value(s) found in {searched}")
    whose = "the key's" if not listed else "the key's and the list's"
    say(f"ok: none of {whose} {len(sought_values(key, listed))} real values is in "
        f"{searched} "
        f"(searched: {SEARCHED})")
