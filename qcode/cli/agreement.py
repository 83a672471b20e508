"""Commands about coders agreeing: the agreement report and the places they differ."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qcode.cli import commandline as cl

from qcode.core import outputs
from qcode.cli.group import cli
from qcode.cli.common import Strong, emit_json, names_in, open_project, say, shutil_width
from qcode.core.text import terminal_safe

if TYPE_CHECKING:
    from qcode.core.store import Project


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
        raise cl.UsageError(
            "name the two coders to compare with --coders A,B (coders in the project: "
            f"{', '.join(project.coders()) or 'none'})")
    return pair[0], pair[1]


@cli.command()
@cl.option("--coders", help="The two coders to compare, as A,B.")
@cl.option("--codes", help="Only these codes (comma separated names).")
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def disagreements(ctx: cl.Context, coders: str | None, codes: str | None,
                  as_json: bool) -> None:
    """List each place where two coders differ, per code, with its text."""
    import textwrap

    from qcode.core.agreement.disagreements import places_in

    project = open_project(ctx)
    first, second = two_coders(project, coders)
    code_ids = code_ids_named(project, codes) if codes else None
    try:
        places = places_in(project, first, second, code_ids)
    except ValueError as exc:
        raise cl.CommandError(str(exc)) from None
    if as_json:
        emit_json([{"transcript": p["transcript"], "code": p["code"],
                    "start": p["place"].start, "end": p["place"].end,
                    "where": p["where"], "kind": p["place"].kind, first: p["place"].first,
                    second: p["place"].second, "text": p["text"],
                    "resolution": p["resolution"]} for p in places])
        return
    if not places:
        say(f"{first} and {second} do not differ anywhere in the selection.")
        return
    width = shutil_width()
    current = None
    for place in places:
        if place["code"] != current:
            current = place["code"]
            say("\n", Strong(current))
        where = place["place"]
        kind = where.kind.replace("the first coder", first).replace("the second coder", second)
        done = f"  [resolved: {place['resolution']}]" if place["resolution"] else ""
        say(f"  {place['transcript']}, {place['where']}: {kind}{done}")
        excerpt = " ".join(place["text"].split())
        say(textwrap.fill(terminal_safe(excerpt), width=width, initial_indent="    ",
                          subsequent_indent="    ", max_lines=3, placeholder=" …"))
    resolved = sum(1 for p in places if p["resolution"])
    say(f"\n{len(places)} places where {first} and {second} differ; "
        f"{resolved} resolved.")


@cli.command()
@cl.option("--coders", help="Coders to compare, as A,B[,C] (default: all but consensus).")
@cl.option("--transcripts", help="Only these transcripts (comma separated).")
@cl.option("--codes", help="Only these codes (comma separated names).")
@cl.option("--theme", help="Only this theme and the codes under it.")
@cl.option("--unit", type=cl.Choice(["character", "word", "sentence", "turn"]),
           help="Also report agreement on these given units.")
@cl.option("--per-transcript", is_flag=True,
           help="Also per code per transcript, with NVivo-style figures.")
@cl.option("--threshold", default=0.9, show_default=True,
           help="Overlap a MAXQDA-style segment match needs.")
@cl.option("--resamples", default=200, show_default=True,
           help="Bootstrap resamples for alpha's interval (0: none).")
@cl.option("--seed", default=1, show_default=True, help="Seed of the bootstrap.")
@cl.option("--statistic", "statistics", multiple=True,
           type=cl.Choice(["cu-alpha", "weighted-kappa", "conger", "ac2",
                           "alpha-distance"]),
           help="Also per theme, its codes as exclusive categories (repeatable); "
                "all but cu-alpha need --unit.")
@cl.option("--weights", help="Weights for weighted-kappa, conger and ac2: linear "
           "(default), quadratic, identity, or a CSV file of agreement weights.")
@cl.option("--distance", type=cl.Path(dir_okay=False, path_type=Path),
           help="A CSV file of distances between a theme's codes, for alpha-distance.")
@cl.option("--continuum", type=cl.Choice(["per-transcript", "joined"]),
           default="per-transcript", show_default=True,
           help="Unitized alpha over each transcript apart (gaps end at its "
                "boundary) or over the transcripts joined into one text.")
@cl.option("--whitespace", type=cl.Choice(["ignore", "count"]), default="ignore",
           show_default=True, help="Whether --unit character counts white space.")
@cl.option("--include-uncoded", is_flag=True,
           help="Compare every transcript, a coder absent from one counting as "
                "having coded nothing (default: only transcripts every coder "
                "marked coded, or, unmarked, coded something in).")
@cl.option("--autocoded", type=cl.Choice(["include", "exclude"]), default="include",
           show_default=True,
           help="Whether codings made by 'qcode autocode' (accepted search hits) count; "
                "the report's choices line says which.")
@cl.option("--format", "form", type=cl.Choice(["table", "md", "csv", "json", "html",
                                               "xlsx"]),
           help="table, md, csv, json, html or xlsx (default: xlsx for an --out "
           "ending in .xlsx, else table).")
@cl.option("--full", is_flag=True,
           help="The table with D_o, D_e, themes and the MAXQDA-style view.")
@cl.option("--out", type=cl.Path(dir_okay=False, path_type=Path),
           help="Write the report to this file.")
@cl.option("--force", is_flag=True, help="Replace --out if it exists.")
@cl.pass_context
def agree(ctx: cl.Context, coders, transcripts, codes, theme, unit, per_transcript,
          threshold, resamples, seed, statistics, weights, distance, continuum,
          whitespace, include_uncoded, autocoded, form, full, out, force) -> None:
    """Inter-coder agreement per code, per theme and overall."""
    from qcode.core.agreement.render import render
    from qcode.core.agreement.report import build, select
    from qcode.core.reports.selection import ReportError

    # A workbook is a zip: text under its name would not open.
    workbook_file = out is not None and out.suffix.lower() == ".xlsx"
    if form is None:
        form = "xlsx" if workbook_file else "table"
    elif workbook_file != (form == "xlsx") and out is not None:
        raise cl.CommandError(f"--format {form} does not fit '{out.name}': an Excel "
                              "workbook is --format xlsx in a file ending in .xlsx")
    if out is not None:
        outputs.check(out, ctx.find_root().obj, force=force)
    elif form == "xlsx":
        raise cl.CommandError("an Excel workbook goes to a file: give --out FILE.xlsx")
    project = open_project(ctx)
    if codes and theme:
        raise cl.UsageError("give --codes or --theme, not both")
    if not 0 < threshold <= 1:
        raise cl.UsageError("--threshold is a share between 0 and 1, e.g. 0.9")
    domain_options = domain_statistics(statistics, weights, distance, unit)
    try:
        selection = select(project, names_in(coders), names_in(transcripts),
                           names_in(codes), theme, unit, maxqda_threshold=threshold,
                           resamples=max(0, resamples), seed=seed, continuum=continuum,
                           whitespace=whitespace, include_uncoded=include_uncoded,
                           autocoded=autocoded, **domain_options)
        report = build(project, selection, per_transcript)
    except ReportError as exc:
        raise cl.CommandError(str(exc)) from None
    text = render(report, form, width=min(shutil_width(), 120), full=full)
    if out:
        outputs.write(out, text, ctx.find_root().obj, force=force)
        say(f"wrote the agreement report to {out}")
    else:
        say(text, nl=False, json=form == "json")


def domain_statistics(statistics: tuple[str, ...], weights: str | None,
                      distance: Path | None, unit: str | None) -> dict:
    """Check --statistic, --weights and --distance together; read the files."""
    given = [s for s in statistics if s != "cu-alpha"]
    if given and not unit:
        raise cl.UsageError(f"--statistic {given[0]} compares given units: add --unit "
                            "word, sentence or turn")
    weighted = {"weighted-kappa", "conger", "ac2"} & set(statistics)
    if weights is not None and not weighted:
        raise cl.UsageError("--weights is used only by --statistic weighted-kappa, "
                            "conger or ac2")
    if ("alpha-distance" in statistics) != (distance is not None):
        raise cl.UsageError("--statistic alpha-distance and --distance FILE go together")
    options: dict = {"statistics": tuple(dict.fromkeys(statistics))}
    if weights is not None:
        options["weights"] = (weights if weights in ("linear", "quadratic", "identity")
                              else matrix_file(Path(weights), "weights"))
    if distance is not None:
        options["distance"] = matrix_file(distance, "distance")
    return options


def matrix_file(path: Path, what: str) -> tuple[list[str], object]:
    """A weights or distance CSV file, read and checked; its problems in one line."""
    from qcode.core.agreement import weighted
    from qcode.core.agreement.coefficients import AgreementDataError

    if not path.is_file():
        hint = "; use linear, quadratic, identity or a CSV file" if what == "weights" else ""
        raise cl.UsageError(f"--{what}: no file {path}{hint}")
    try:
        names, matrix = weighted.parse_matrix(path.read_text(encoding="utf-8"), what)
        if what == "weights":
            weighted.weight_matrix(matrix, names)
        else:
            weighted.distance_matrix(matrix, names)
    except (AgreementDataError, UnicodeDecodeError) as error:
        raise cl.CommandError(f"{path}: {error}") from None
    return names, matrix


def code_ids_named(project: Project, names: str) -> list[int]:
    codes = {c.name.casefold(): c.id for c in project.codes()}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    missing = [n for n in wanted if n.casefold() not in codes]
    if missing:
        raise cl.CommandError(f"no code named {', '.join(repr(m) for m in missing)}")
    return [codes[n.casefold()] for n in wanted]
