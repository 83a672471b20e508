"""The agreement report as text: a table readable at 80 columns, Markdown, CSV, JSON,
and a self-contained HTML page with a chart of alpha per code (the page frame, the
chart and every escape are those of the reports: reports/page.py, reports/svg.py and
core/text.py)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from datetime import datetime

from qcode.core.agreement.report import ACCEPTABLE, GOOD, Report, choices_line, design
from qcode.core.text import csv_row, e, md_escape

FORMATS = ("table", "md", "csv", "json", "html", "xlsx")


def render(report: Report, form: str, width: int = 80, full: bool = False) -> str | bytes:
    """The report as `form` (bytes for xlsx). `full`: the terminal table with every
    view; otherwise the short one (see :func:`to_table`). The other formats always
    hold everything."""
    if form == "table":
        return to_table(report, width) if full else to_short_table(report, width)
    return {"md": to_markdown, "csv": to_csv, "json": to_json, "html": to_html,
            "xlsx": to_xlsx}[form](report)


def _number(value: float | None, places: int = 3) -> str:
    return "undef." if value is None else f"{value:.{places}f}"


def _small(value: float | None) -> str:
    """D_o and D_e are shares of a squared length: often tiny, so 3 significant digits."""
    return "undef." if value is None else f"{value:.3g}"


def _interval(interval) -> str:
    return f"{interval[0]:.3f}–{interval[1]:.3f}" if interval else ""


def _header(report: Report) -> list[str]:
    s = report.selection
    lines = [f"Inter-coder agreement: {', '.join(s.coders)}",
             f"{len(s.transcripts)} transcripts, {len(s.codes)} codes; made {report.made}"]
    lines.append("Free segmentation: Krippendorff's unitized alpha (1995/2004); D_o, D_e:")
    lines.append("observed and expected disagreement"
                 + (f"; 95% interval: {s.resamples} resamples of transcripts, seed "
                    f"{s.seed}" if s.resamples else ""))
    if s.unit:
        lines.append(f"Given units: {s.unit}s; a unit counts as coded when any of it is")
    return lines


def _code_rows(report: Report, short: bool = False) -> list[list[str]]:
    """One row per code; `short` names a code by itself, not by its path of themes
    (the terminal table is narrow; the themes have a table of their own)."""
    rows = []
    for row in report.codes:
        shares = " / ".join(f"{row.shares[c]:.1%}" for c in report.selection.coders)
        rows.append([row.code if short else row.path, _number(row.alpha.value), _small(row.alpha.d_o),
                     _small(row.alpha.d_e), _interval(row.interval),
                     str(sum(row.segments.values())), shares])
    return rows


CODE_COLUMNS = ["Code", "alpha_u", "D_o", "D_e", "95% CI", "segs", "coded share"]


def _given_rows(report: Report, codes: list | None = None) -> tuple[list[str], list[list[str]]]:
    codes = report.codes if codes is None else codes
    names = []
    for row in codes:
        for name in row.given:
            if name not in names:
                names.append(name)
    rows = [[row.path, str(row.units)] + [_number(row.given[n].value if n in row.given
                                                  else None) for n in names]
            for row in codes if row.given]
    return ["Code", "units", *names], rows


def _domain_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """One row per domain (a theme of mutually exclusive codes) with the figures
    --statistic asked for."""
    names = []
    for row in report.domains:
        names += [n for n in row.figures if n not in names]
    rows = [[row.theme, str(len(row.codes)), str(row.units or "")]
            + [_number(row.figures[n].value) if n in row.figures else "" for n in names]
            for row in report.domains]
    return ["Theme (domain)", "codes", "units", *names], rows


def _domain_notes(report: Report) -> list[str]:
    s = report.selection
    lines = ["Domains: a theme's codes as mutually exclusive categories; cu-alpha: do "
             "coders who coded the same stretch choose the same code; |u-alpha: do they "
             "mark the same stretches, whatever the code"]
    if any(n in s.statistics for n in ("weighted-kappa", "conger", "ac2")):
        kind = s.weights if isinstance(s.weights, str) else "from the weights file"
        lines.append(f"Weights: {kind}; a {s.unit} without a code of the theme has no value")
    return (_domains_overall_line(report) + lines
            + [f"- {row.theme}: {w}" for row in report.domains for w in row.warnings])


def _domains_overall_line(report: Report) -> list[str]:
    """The one line for Cu-alpha over every domain, when it was computed."""
    figure = report.domains_overall
    if figure is None:
        return []
    value = (_number(figure.value) if figure.value is not None
             else f"undefined ({figure.undefined})")
    return [f"Cu-alpha over all {len(report.overall_themes)} domains (do coders who coded "
            f"the same stretch choose the same theme): {value}"]


def _fit(headers: list[str], rows: list[list[str]], width: int) -> str:
    """A plain table; the first column is cut (with …) to keep within `width`."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    spare = width - sum(widths[1:]) - 2 * (len(widths) - 1)
    widths[0] = max(12, min(widths[0], spare))

    def cut(text: str, size: int) -> str:
        return text if len(text) <= size else "…" + text[-(size - 1):]

    lines = ["  ".join(cut(v, w).ljust(w) if i == 0 else v.rjust(w)
                       for i, (v, w) in enumerate(zip(values, widths))).rstrip()
             for values in [headers, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def _wrapped(lines: list[str], width: int) -> list[str]:
    """Lines of prose folded to `width`, continuation lines indented."""
    return [part for line in lines
            for part in textwrap.wrap(line, width, subsequent_indent="  ") or [""]]


def _used(report: Report) -> tuple[list, list]:
    """The codes someone applied, and the names of those nobody did."""
    used = [r for r in report.codes if sum(r.segments.values())]
    return used, [r.code for r in report.codes if not sum(r.segments.values())]


def to_short_table(report: Report, width: int = 80) -> str:
    """The default terminal report, within `width` columns: the codes someone used with
    alpha and its interval, the overall alpha, one line for unused codes, the
    warnings; --full shows D_o and D_e, themes and the compatibility views."""
    s = report.selection
    used, unused = _used(report)
    head = [f"Inter-coder agreement: {', '.join(s.coders)}; {len(s.transcripts)} "
            f"transcripts, {len(s.codes)} codes; made {report.made}",
            "Krippendorff's unitized alpha (free segmentation)"
            + (f"; 95% interval from {s.resamples} resamples of transcripts, seed {s.seed}"
               if s.resamples else "")]
    parts = ["\n".join(_wrapped(head, width)), ""]
    rows = [[r.code, _number(r.alpha.value), _interval(r.interval),
             str(sum(r.segments.values())),
             " / ".join(f"{r.shares[c]:.1%}" for c in s.coders)] for r in used]
    parts.append(_fit(["Code", "alpha_u", "95% CI", "segs", "coded share"], rows, width))
    o = report.overall
    lines = [f"Overall (pooled over {len(s.codes)} codes): alpha_u = {_number(o.value)}"
             + (f", 95% CI {_interval(report.overall_interval)}"
                if report.overall_interval else "")]
    parts += ["", "\n".join(_wrapped(lines, width))]
    parts.append(textwrap.fill(choices_line(s), width=width, break_on_hyphens=False))
    if unused:
        parts.append(_one_line(f"Not used by any coder ({len(unused)}): ", unused, width))
    if s.unit:
        headers, rows = _given_rows(report, used)
        parts += ["", f"Given units ({s.unit}s)", _fit(_short_names(headers), rows, width)]
    if report.domains:
        parts += ["", _fit(*_domain_rows(report), width),
                  *[textwrap.fill(line, width, subsequent_indent="  ")
                    for line in _domain_notes(report)]]
    parts += _per_transcript_part(report, width)
    warnings = _grouped_warnings(used, width)
    notes = [f"Note: {n}" for n in report.notes]
    if warnings:
        parts += ["", "Warnings", *warnings]
    parts += ["", *_wrapped(notes + [
        f"Lines: alpha >= {GOOD} firm, >= {ACCEPTABLE} tentative (Krippendorff 2004). "
        "--full: D_o and D_e, themes, the MAXQDA- and NVivo-style views."], width)]
    return "\n".join(parts) + "\n"


def _grouped_warnings(used: list, width: int) -> list[str]:
    """Each warning once, with the codes it is about (as many as fit; --full lists each
    code's own), in the order first met: 39 lines of one warning buried the table."""
    codes_of: dict[str, list[str]] = {}
    for row in used:
        for warning in row.warnings:
            codes_of.setdefault(warning, []).append(row.code)
    lines = []
    for warning, codes in codes_of.items():
        if len(codes) == 1:
            lines += _wrapped([f"- {codes[0]}: {warning}"], width)
        else:
            lines += _wrapped([f"- {len(codes)} codes, {warning}:"], width)
            lines.append(_one_line("  ", codes, width))
    return lines


def _per_transcript_part(report: Report, width: int) -> list[str]:
    if not report.per_transcript:
        return []
    rows = [[e["code"] + " @ " + e["transcript"], _number(e["alpha"].value),
             _number(e.get("nvivo_agreement") and 100 * e["nvivo_agreement"], 1),
             _number(e["nvivo_kappa"].value if "nvivo_kappa" in e else None)]
            for e in report.per_transcript]
    return ["", "Per transcript (NVivo-style character % and kappa: compatibility view)",
            _fit(["Code @ transcript", "alpha_u", "NVivo %", "NVivo kappa"], rows, width)]


def _one_line(lead: str, names: list[str], width: int) -> str:
    """`lead` and as many names as fit in `width` with the count of the rest (--full
    lists them all)."""
    for shown in range(len(names), -1, -1):
        more = len(names) - shown
        line = lead + ", ".join(names[:shown] + ([f"… {more} more (--full)"] if more else []))
        if len(line) <= width:
            return line
    return lead + f"… {len(names)} (--full)"


def _short_names(headers: list[str]) -> list[str]:
    return [h.replace("percent agreement", "% agr").replace("Cohen's kappa", "kappa")
            .replace("Fleiss' kappa", "Fleiss").replace("Scott's pi", "pi")
            .replace("Brennan-Prediger", "BP").replace("Gwet's AC1", "AC1")
            .replace("Krippendorff's alpha", "alpha") for h in headers]


def to_table(report: Report, width: int = 80) -> str:
    parts = ["\n".join(_header(report)), ""]
    parts.append(_fit(CODE_COLUMNS, _code_rows(report, short=True), width))
    if report.themes:
        parts += ["", _fit(["Theme (pooled)", "alpha_u", "D_o", "D_e"], [
            [path, _number(a.value), _small(a.d_o), _small(a.d_e)]
            for path, a in report.themes], width)]
    o = report.overall
    parts += ["", f"Overall (pooled over {len(report.selection.codes)} codes): alpha_u = "
              f"{_number(o.value)}  D_o = {_small(o.d_o)}  D_e = {_small(o.d_e)}"
              + (f"  95% CI {_interval(report.overall_interval)}"
                 if report.overall_interval else "")]
    parts.append(textwrap.fill(choices_line(report.selection), width=width,
                               break_on_hyphens=False))
    if report.selection.unit:
        headers, rows = _given_rows(report)
        parts += ["", f"Given units ({report.selection.unit}s)",
                  _fit(_short_names(headers), rows, width)]
    if report.domains:
        parts += ["", _fit(*_domain_rows(report), width),
                  *[textwrap.fill(line, width, subsequent_indent="  ")
                    for line in _domain_notes(report)]]
    maxqda = [r for r in report.codes if r.maxqda]
    if maxqda:
        parts += ["", f"MAXQDA-style segment agreement (compatibility view; overlap >= "
                      f"{report.selection.maxqda_threshold:.0%})",
                  _fit(["Code", "agree", "segments", "%"], [
                      [r.path, str(r.maxqda["agreements"]), str(r.maxqda["segments"]),
                       _number(r.maxqda["percentage"] and 100 * r.maxqda["percentage"], 1)]
                      for r in maxqda], width)]
    parts += _per_transcript_part(report, width)
    tables = [r for r in report.codes if r.table]
    warnings = [(r.path, w) for r in report.codes for w in r.warnings]
    if warnings:
        parts += ["", "Warnings"] + [f"- {path}: {w}" for path, w in warnings]
    if tables and report.selection.unit:
        parts += ["", "Contingency tables (rows: "
                  f"{report.selection.coders[0]}, columns: {report.selection.coders[1]}; "
                  "coded / not coded)"]
        for r in tables:
            (a, b), (c, d) = r.table
            parts.append(f"- {r.path}: [[{a}, {b}], [{c}, {d}]]")
    parts += [f"Note: {n}" for n in report.notes]
    parts.append(f"Lines: alpha >= {GOOD} firm, >= {ACCEPTABLE} tentative "
                 "(Krippendorff 2004).")
    return "\n".join(parts) + "\n"


def to_markdown(report: Report) -> str:
    def table(headers, rows):
        # The first cell is a code's path (user text); the others are figures.
        return "\n".join(["| " + " | ".join(headers) + " |",
                          "|" + "---|" * len(headers)]
                         + ["| " + " | ".join([md_escape(r[0]), *r[1:]]) + " |"
                            for r in rows])
    parts = ["# Inter-coder agreement", "",
             *[f"{md_escape(line)}  " for line in _header(report)], "",
             table(CODE_COLUMNS, _code_rows(report))]
    o = report.overall
    parts += ["", f"**Overall** alpha_u = {_number(o.value)} (D_o {_small(o.d_o)}, "
              f"D_e {_small(o.d_e)}) {_interval(report.overall_interval)}"]
    parts += ["", md_escape(choices_line(report.selection))]
    if report.selection.unit:
        parts += ["", f"## Given units ({report.selection.unit}s)", "",
                  table(*_given_rows(report))]
    if report.domains:
        parts += ["", "## Domains", "", table(*_domain_rows(report)), "",
                  *[f"{md_escape(line)}  " for line in _domain_notes(report)]]
    warnings = [f"- {md_escape(r.path)}: {md_escape(w)}" for r in report.codes
                for w in r.warnings]
    if warnings:
        parts += ["", "## Warnings", "", *warnings]
    return "\n".join(parts) + "\n"


def _csv_rows(report: Report) -> list[list]:
    """A header row, a row per code, the overall row, then (--statistic) a row per
    domain and one for Cu-alpha over all domains: the CSV's and the sheet's. The
    ``kind`` column tells them apart: code, overall, domain, domains overall."""
    names = sorted({n for r in report.codes for n in r.given})
    coders = report.selection.coders
    domain_names = _domain_statistics(report)
    header = ["kind", "code", "alpha_u", "d_o", "d_e", "ci_low", "ci_high",
              *[f"segments {c}" for c in coders], *[f"share {c}" for c in coders],
              "units", *names, "maxqda_agreements", "maxqda_segments",
              *[f"domain {n}" for n in domain_names], "warnings"]
    rows = [header]
    for r in report.codes:
        rows.append([
            "code", r.path, r.alpha.value, r.alpha.d_o, r.alpha.d_e,
            *(r.interval or ("", "")), *[r.segments[c] for c in coders],
            *[round(r.shares[c], 6) for c in coders], r.units or "",
            *[r.given[n].value if n in r.given else "" for n in names],
            *((r.maxqda["agreements"], r.maxqda["segments"]) if r.maxqda else ("", "")),
            *[""] * len(domain_names), "; ".join(r.warnings)])
    rows.append(["overall", "(overall)", report.overall.value, report.overall.d_o,
                 report.overall.d_e, *(report.overall_interval or ("", ""))])
    rows[-1] += [""] * (len(header) - len(rows[-1]))
    return rows + _domain_csv_rows(report, header, domain_names)


def _domain_csv_rows(report: Report, header: list[str], names: list[str]) -> list[list]:
    """The CSV's rows of kind domain and domains overall, in the CSV's columns."""
    units, first = header.index("units"), len(header) - 1 - len(names)
    rows = []
    for d in report.domains:
        row = ["domain", d.theme] + [""] * (len(header) - 2)
        row[units] = d.units or ""
        row[first:-1] = [d.figures[n].value if n in d.figures else "" for n in names]
        row[-1] = "; ".join(d.warnings)
        rows.append(row)
    if report.domains_overall is not None:
        row = ["domains overall", " + ".join(report.overall_themes)] \
            + [""] * (len(header) - 2)
        row[first + names.index("cu-alpha")] = report.domains_overall.value
        row[-1] = report.domains_overall.undefined or ""
        rows.append(row)
    return rows


def _domain_statistics(report: Report) -> list[str]:
    names: list[str] = []
    for row in report.domains:
        names += [n for n in row.figures if n not in names]
    if report.domains_overall is not None and "cu-alpha" not in names:
        names.append("cu-alpha")
    return names


def to_csv(report: Report) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(csv_row(row) for row in _csv_rows(report))
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The CSV's table as a sheet (an undefined figure an empty cell); the header
    lines, transcripts and notes in the Provenance sheet."""
    from qcode.core.reports.workbook import Sheet, workbook

    header, *rows = _csv_rows(report)
    rows = [[None if v == "" else v for v in row] for row in rows]
    sheets = [Sheet("Agreement", header, rows)]
    if report.domains:
        names = _domain_statistics(report)
        figures = [[d.theme, len(d.codes), d.units or None,
                    *[d.figures[n].value if n in d.figures else None for n in names],
                    "; ".join(d.warnings) or None] for d in report.domains]
        if report.domains_overall is not None:
            figures.append([f"Cu-alpha over all domains ({' + '.join(report.overall_themes)})",
                            None, None, *[report.domains_overall.value if n == "cu-alpha"
                                          else None for n in names],
                            report.domains_overall.undefined])
        sheets.append(Sheet("Domains", ["Theme (domain)", "codes", "units", *names,
                                        "warnings"], figures))
    made = [("Report", "agreement"), *[("Selection", line) for line in _header(report)],
            ("Transcripts", ", ".join(t["name"] for t in report.selection.transcripts)),
            ("Choices", choices_line(report.selection)),
            *[("Note", n) for n in report.notes]]
    when = datetime.strptime(report.made, "%Y-%m-%d %H:%M UTC")
    return workbook(sheets, made, when)


def to_json(report: Report) -> str:
    s = report.selection

    def alpha(a):
        return {"value": a.value, "d_o": a.d_o, "d_e": a.d_e, "undefined": a.undefined}

    return json.dumps({
        "made": report.made, "coders": s.coders, "unit": s.unit,
        "transcripts": [t["name"] for t in s.transcripts], "resamples": s.resamples,
        "seed": s.seed,
        "codes": [{"code": r.path, "unitized_alpha": alpha(r.alpha),
                   "interval": r.interval, "segments": r.segments, "shares": r.shares,
                   "units": r.units or None,
                   "given": {n: {"value": g.value, "undefined": g.undefined}
                             for n, g in r.given.items()},
                   "contingency": r.table, "maxqda": r.maxqda, "warnings": r.warnings}
                  for r in report.codes],
        "themes": [{"theme": path, "unitized_alpha": alpha(a)} for path, a in report.themes],
        "overall": {**alpha(report.overall), "interval": report.overall_interval},
        "per_transcript": [{"code": e["code"], "transcript": e["transcript"],
                            "unitized_alpha": alpha(e["alpha"]),
                            "nvivo_agreement": e.get("nvivo_agreement"),
                            "nvivo_kappa": e["nvivo_kappa"].value if "nvivo_kappa" in e
                            else None} for e in report.per_transcript],
        "notes": report.notes,
        "domains": [{"theme": d.theme, "codes": d.codes, "units": d.units or None,
                     "figures": {n: {"value": f.value, "undefined": f.undefined}
                                 for n, f in d.figures.items()}, "warnings": d.warnings}
                    for d in report.domains],
        "domains_overall": None if report.domains_overall is None else {
            "statistic": "Cu-alpha", "themes": report.overall_themes,
            "value": report.domains_overall.value,
            "undefined": report.domains_overall.undefined},
        "design": design(s),
        "choices": choices_line(s),
    }, indent=2, ensure_ascii=False)


def alpha_figure(report: Report) -> str:
    """Alpha per code as bars, with Krippendorff's lines at 0.667 and 0.800, in a
    <figure>; the agreement page and the write-up report show the same."""
    from qcode.core.reports import svg  # only HTML draws: kept out of the start-up

    shown = [r for r in report.codes if r.alpha.value is not None]
    if not shown:
        return ""
    bars = [svg.Bar(r.code, 0, (max(0.0, r.alpha.value),), (f"{r.alpha.value:.2f}",))
            for r in shown]
    chart = svg.bars("Unitized alpha per code", bars, ["alpha"],
                     ticks=[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)],
                     lines=[(ACCEPTABLE, f"{ACCEPTABLE}"), (GOOD, f"{GOOD:.3f}")])
    return (f"<figure>{chart}<figcaption>Alpha per code (below 0 drawn at 0); lines at "
            f"{ACCEPTABLE} (tentative) and {GOOD:.3f} (firm), after Krippendorff (2004)."
            "</figcaption></figure>")


def to_html(report: Report) -> str:
    from qcode.core.reports.page import page  # it loads provenance; only HTML needs it

    def table(headers, rows):
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>"
                       for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    o = report.overall
    parts = ["<h1>Inter-coder agreement</h1>",
             "".join(f"<p>{e(line)}</p>" for line in _header(report)),
             alpha_figure(report), table(CODE_COLUMNS, _code_rows(report)),
             f"<p><strong>Overall</strong> alpha_u = {_number(o.value)} (D_o "
             f"{_small(o.d_o)}, D_e {_small(o.d_e)}) "
             f"{e(_interval(report.overall_interval))}</p>",
             f"<p class=\"choices\">{e(choices_line(report.selection))}</p>",
             _provenance(report)]
    if report.selection.unit:
        parts += [f"<h2>Given units ({e(report.selection.unit)}s)</h2>",
                  table(*_given_rows(report))]
    if report.domains:
        parts += ["<h2>Domains</h2>", table(*_domain_rows(report)),
                  "".join(f"<p>{e(line)}</p>" for line in _domain_notes(report))]
    warnings = [f"<li>{e(r.path)}: {e(w)}</li>" for r in report.codes for w in r.warnings]
    if warnings:
        parts += ["<h2>Warnings</h2><ul>", *warnings, "</ul>"]
    return page("Inter-coder agreement", parts)


def _provenance(report: Report) -> str:
    """The transcripts compared and left out, in full (the line above may shorten)."""
    rows = [(name, rule) for rule, names in report.selection.compared.items()
            for name in names]
    rows += [(gone["transcript"], f"left out: {gone['why']}")
             for gone in report.selection.left_out]
    items = "".join(f"<li>{e(name)}: {e(why)}</li>" for name, why in rows)
    return f"<details><summary>Transcripts compared</summary><ul>{items}</ul></details>"
