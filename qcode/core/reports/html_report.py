"""The whole write-up report as one self-contained HTML page: overview, codebook,
frequencies by group (bar charts), co-occurrence (heatmap), the thematic network,
inter-coder agreement, sample quotes per theme, the memos when asked, and what it was
made from.

Every section comes from one reading of the project: the Material and, in the same
read transaction, the texts of the quotes and the codings the agreement compares. So
the sections agree with one another, and one fingerprint covers all their inputs.
Given a Material gathered earlier, those later reads are a reading of their own."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qcode.core.model import ReviewFigures
from qcode.core.reports import svg
from qcode.core.reports.attribution import Attribution, default_template
from qcode.core.reports.codes import CodeRef
from qcode.core.reports.cooccurrence import MEANING, cooccurrence
from qcode.core.reports.frequencies import ROLL_UP, FrequencyTable, frequencies
from qcode.core.reports.groups import grouping
from qcode.core.reports.material import Material, material_of, reading
from qcode.core.reports.network import network, to_svg
from qcode.core.reports.page import made_from, page
from qcode.core.reports.provenance import Provenance, provenance
from qcode.core.reports.quotes import make_quotes
from qcode.core.reports.quotes_formats import blockquote
from qcode.core.reports.selection import ReportError
from qcode.core.text import e, html_paragraphs, trim_words
from qcode.core.wording import plural
from qcode.core.store import CONSENSUS

HEATMAP_CODES = 20
TOP_PAIRS = 15
QUOTES_PER_THEME = 2
QUOTE_WORDS = 60
DEFINITION_LENGTH = 240
DEFAULT_GROUP = "group"


@dataclass(frozen=True)
class HtmlReport:
    html: str
    provenance: Provenance
    empty: bool = False         # no coded segments: the page has no figures


def html_report(source, coder: str | None = None, by: str | None = None,
                folder: str = "DIR", memos: bool = False) -> HtmlReport:
    """The report page. `by`: the attribute whose groups are compared (default: the
    attribute "group" when cases have it); `folder`: the name it is written to, for
    the command that makes it again; `memos`: a section of the project's memos (not
    the journal, which `qcode journal export` writes apart)."""
    with reading(source):
        return _report(material_of(source, coder), by, folder, memos)


def _report(material: Material, by: str | None, folder: str,
            memos: bool = False) -> HtmlReport:
    if by is None:
        by = next((a for a in material.held_attribute_names
                   if a.casefold() == DEFAULT_GROUP), None)
    table = frequencies(material, by=by)
    compared = [c for c in material.counts_by_coder if c != CONSENSUS]
    notes = _memo_rows(material) if memos else []
    made = provenance(material, "html report", ["report", "html", folder,
                                                *(["--by", table.by] if table.by else []),
                                                *(["--memos"] if memos else [])],
                      {"by": table.by, "memos": memos or None},
                      _fingerprint(material, compared, notes))
    name = material.project.meta("codebook_name") or Path(material.project.path).stem
    title = f"Report: {name}"
    sections = [
        ("overview", "Overview", _overview(material, table)),
        ("codebook", "The codebook", _codebook(material, table)),
        ("frequencies", "Frequencies" + (f" by {table.by}" if table.by else ""),
         _frequencies(table)),
        ("cooccurrence", "Co-occurrence", _cooccurrence(material)),
        ("network", "Thematic network", _network(material)),
        ("agreement", "Agreement between coders", _agreement(material, compared)),
        ("quotes", "Sample quotes per theme", _samples(material)),
        *([("memos", "Memos", _memos(notes))] if memos else []),
    ]
    reviewed = material.project.review_figures()
    if reviewed.coders:  # only when a colleague reviewed some coding
        sections.insert(-1, ("review", "Review of the coding", _review(reviewed)))
    body = [f"<h1>{e(title)}</h1>",
            f'<p class="lead">Made {e(made.made)} from {e(made.project_file)}. '
            f"{e(made.coder_note)}</p>",
            "<nav><ol>" + "".join(f'<li><a href="#{key}">{e(heading)}</a></li>'
                                  for key, heading, _ in sections)
            + '<li><a href="#made-from">Made from</a></li></ol></nav>']
    for key, heading, parts in sections:
        body += [f'<section id="{key}"><h2>{e(heading)}</h2>', *parts, "</section>"]
    body.append(made_from(made))
    return HtmlReport(page(title, body), made, not material.segments)


def _table(headers: list[str], rows: list[list[str]], depths: list[int] | None = None
           ) -> str:
    """Headers and cells are escaped here; `depths` indent the first cells of a tree
    of codes (depth 0, a global theme, in bold)."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    out = []
    for i, (first, *rest) in enumerate(rows):
        depth = depths[i] if depths else None
        row_class = ' class="theme"' if depth == 0 else ""
        cell_class = f' class="depth{depth}"' if depth else ""
        out.append(f"<tr{row_class}><td{cell_class}>{e(first)}</td>"
                   + "".join(f"<td>{e(c)}</td>" for c in rest) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(out)}</tbody></table>"


# -- sections ----------------------------------------------------------------------------


def _overview(material: Material, table: FrequencyTable) -> list[str]:
    words = sum(t.words for t in material.transcripts.values())
    coders = material.counts_by_coder
    out = [f"<p>{e(plural(len(material.transcripts), 'transcript'))} "
           f"({e(plural(words, 'word'))}), {e(plural(table.cases, 'case'))}, "
           f"{e(plural(len(material.tree), 'code'))}, "
           f"{e(plural(sum(coders.values()), 'coding'))} by "
           f"{e(plural(len(coders), 'coder'))}; this report uses "
           f"{e(plural(material.codings, 'coding'))}, which make "
           f"{e(plural(len(material.segments), 'coded segment'))}.</p>"]
    if table.by:
        groups = grouping(material, table.by)
        per_group = [[0, 0] for _ in groups.columns]
        for transcript in material.transcripts.values():
            at = groups.column_of[transcript.id]
            per_group[at][0] += 1
            per_group[at][1] += transcript.words
        out.append(f"<h3>Cases by {e(table.by)}</h3>")
        out.append(_table([table.by, "cases", "transcripts", "words"],
                          [[value, str(size), str(n), f"{w:,}"] for value, size, (n, w)
                           in zip(groups.columns, groups.sizes, per_group)]))
    out.append("<h3>Coders</h3>")
    pair = material.choice.pair or ()

    def used(name: str) -> str:
        if name in pair:
            return "where both coders of the agreed version coded"
        if pair and name == CONSENSUS:
            return "at the places resolved"
        return "yes" if name in material.choice.coders else "no"

    out.append(_table(["coder", "codings", "in this report"],
                      [[name, f"{n:,}", used(name)] for name, n in coders.items()])
               if coders else "<p>No one has coded yet.</p>")
    return out


def _codebook(material: Material, table: FrequencyTable) -> list[str]:
    totals = {row.code.id: row.total for row in table.rows}

    def item(code: CodeRef) -> str:
        total = totals[code.id]
        definition = trim_words(code.definition, DEFINITION_LENGTH)
        children = material.tree.children.get(code.id, [])
        inner = "".join(item(c) for c in children)
        return (f"<li><strong>{e(code.name)}</strong> <span class=\"count\">"
                f"({e(plural(total.segments, 'segment'))}, "
                f"{e(plural(total.cases, 'case'))})</span>"
                + (f'<span class="definition">{e(definition)}</span>' if definition else "")
                + (f"<ul>{inner}</ul>" if inner else "") + "</li>")

    return [f'<p class="note">{e(ROLL_UP)}</p>',
            '<ul class="codebook">' + "".join(item(c) for c in material.tree.roots)
            + "</ul>"]


def _frequencies(table: FrequencyTable) -> list[str]:
    if table.empty:
        return ["<p>The selection is empty: no coded segments to count.</p>"]
    series = list(table.columns) or ["all cases"]
    sizes = list(table.sizes) or [table.cases]
    out = ['<p class="note">Bars: the share of each group\'s cases in which the code '
           "occurs (cases with it / cases in the group).</p>"]
    charts: list[tuple[str, list]] = []
    loose = []
    for root_row in table.rows:
        if root_row.code.depth:
            continue
        family = [r for r in table.rows if r.code.path[0] == root_row.code.name]
        if len(family) == 1:
            loose.append(root_row)
        else:
            charts.append((root_row.code.name, family))
    if loose:
        charts.append(("Codes without a theme", loose))
    drawn = []
    for name, family in charts:
        bars = []
        for row in family:
            cells = row.cells or (row.total,)
            bars.append(svg.Bar(row.code.name, row.code.depth,
                                tuple(c.cases / n if n else 0.0
                                      for c, n in zip(cells, sizes)),
                                tuple(f"{c.cases}/{n}" for c, n in zip(cells, sizes)),
                                strong=row.code.depth == 0))
        drawn.append((name, bars))
    left = svg.label_room([bar for _, bars in drawn for bar in bars])
    for name, bars in drawn:
        chart = svg.bars(f"Share of cases with each code, {name}", bars, series,
                         ticks=[(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1)],
                         left=left)
        out.append(f"<figure>{chart}<figcaption>{e(name)}: share of cases in each "
                   "group with the code</figcaption></figure>")
    headers = ["Code", *[f"{c} (n={n})" for c, n in zip(table.columns, table.sizes)],
               f"Total (n={table.cases})"]
    out.append("<h3>Coded segments (cases) per code</h3>")
    out.append(_table(headers, [[r.code.name, *[f"{c.segments} ({c.cases})"
                                                for c in r.cells],
                                 f"{r.total.segments} ({r.total.cases})"]
                                for r in table.rows], [r.code.depth for r in table.rows]))
    return out


def _cooccurrence(material: Material) -> list[str]:
    # The pairs are every code's; the heatmap, to stay readable, the most used codes'.
    whole = cooccurrence(material, within="overlap")
    matrix = whole.narrowed(HEATMAP_CODES)
    if matrix.empty:
        return ["<p>The selection is empty: no coded segments.</p>"]
    out = [f'<p class="note">Within overlapping passages: {e(MEANING["overlap"])}.'
           + (f" The {len(matrix.codes)} codes with most segments are shown; "
              f"{matrix.left_out} others are left out." if matrix.left_out else "")
           + " Made again, also within turns or transcripts, by 'qcode report "
           "cooccurrence'.</p>"]
    chart = svg.heatmap("Co-occurrence of codes", [c.name for c in matrix.codes],
                        matrix.counts, matrix.jaccard)
    out.append(f"<figure>{chart}<figcaption>Cells: number of places where the two "
               "codes overlap, shaded by Jaccard; the diagonal: the code's segments."
               "</figcaption></figure>")
    pairs = whole.pairs()[:TOP_PAIRS]
    if pairs:
        out.append("<h3>Codes most often together</h3>")
        out.append(f'<p class="note">The {len(pairs)} pairs of codes that overlap in '
                   "most places, among all the codes (not only those in the heatmap).</p>")
        out.append(_table(["code", "code", "places", "Jaccard"],
                          [[a.name, b.name, str(n), f"{j:.2f}"] for a, b, n, j in pairs]))
    else:
        out.append("<p>No two codes overlap anywhere.</p>")
    return out


def _network(material: Material) -> list[str]:
    net = network(material)
    return ['<p class="note">Global themes on the left, organising themes, then basic '
            "themes (Attride-Stirling 2001); each with its segments and cases. "
            f"{e(ROLL_UP)} Dashed: never applied.</p>",
            f"<figure>{to_svg(net, standalone=False)}</figure>"]


def _fingerprint(material: Material, compared: list[str], notes: list = ()) -> str:
    """The material's fingerprint with the agreement's inputs added: the names of the
    coders compared and, for those whose codings the material did not read (the
    agreement compares every coder, whatever --coder chose), their codings; and the
    memos shown, when they are."""
    digest = hashlib.sha256(material.fingerprint.encode("ascii"))
    digest.update(("\nagreement\t" + "\t".join(compared)).encode("utf-8"))
    for memo in notes:
        digest.update("\x1f".join(("\nmemo", memo.ref, memo.about, memo.author or "",
                                    memo.modified or "", memo.text)).encode("utf-8"))
    unread = [c for c in compared if c not in material.choice.coders]
    if unread:
        project = material.project
        ids = {name: coder_id for coder_id, name, _ in project.coder_rows()}
        rows = np.array(project.coding_rows([ids[c] for c in unread]),
                        dtype=np.int64).reshape(-1, 5)
        digest.update(rows[np.lexsort(rows.T[::-1])].astype("<i8").tobytes())
    return digest.hexdigest()


def _memo_rows(material: Material) -> list:
    """The memos the section shows: every memo but journal entries, a coding's only
    when it is by one of the coders the report reads."""
    chosen = set(material.choice.coders)
    return [m for m in material.project.memo_rows() if m.kind != "journal"
            and (m.kind != "coding" or m.author in chosen)]


def _memos(notes: list) -> list[str]:
    if not notes:
        return ["<p>The project has no memos yet.</p>"]
    out = []
    for memo in notes:
        said = f"{memo.author or 'unknown author'}, {memo.created or ''}"
        links = f"<br>Linked: {e('; '.join(memo.links))}" if memo.links else ""
        title = f"{memo.name}: " if memo.name else ""
        out.append(f'<article class="memo"><h3>{e(title + memo.about)}</h3>'
                   f'<p class="attribution">{e(said)}{links}</p>'
                   f"{html_paragraphs(memo.text)}</article>")
    return out


def _agreement(material: Material, coders: list[str]) -> list[str]:
    from qcode.core.agreement.render import alpha_figure
    from qcode.core.agreement.report import build, choices_line, select

    if len(coders) < 2:
        return [f"<p>Nothing to compare: agreement needs two coders with codings, and "
                f"the project has {len(coders)}"
                + (f" ({e(', '.join(coders))})" if coders else "") + ".</p>"]
    try:
        report = build(material.project, select(material.project, coders=coders,
                                                resamples=0))
    except ReportError as exc:
        return [f"<p>Nothing to compare: {e(str(exc))}.</p>"]
    o = report.overall
    overall = "undefined" if o.value is None else f"{o.value:.3f}"
    out = [f"<p>Krippendorff's unitized alpha (free segmentation) between "
           f"{e(', '.join(coders))}: overall {e(overall)}, pooled over "
           f"{e(plural(len(report.selection.codes), 'code'))}. No bootstrap interval "
           "here: 'qcode agree' gives intervals, agreement on given units and the "
           "compatibility views.</p>",
           '<p class="note">Agreement compares every coder\'s own codings (the '
           f"{CONSENSUS} coder's left out), whichever codings the other sections use "
           "(--coder): it is a figure about the coders, not about one version of the "
           "coding. Their codings are in the report's fingerprint.</p>",
           f'<p class="note">{e(choices_line(report.selection))}</p>']
    figure = alpha_figure(report)
    if figure:
        out.append(figure)
    if report.themes:
        out.append(_table(["theme (pooled)", "alpha_u"],
                          [[path, "undefined" if a.value is None else f"{a.value:.3f}"]
                           for path, a in report.themes]))
    warned = sum(1 for r in report.codes if r.warnings)
    if warned:
        out.append(f'<p class="note">{e(plural(warned, "code"))} with warnings (few '
                   "segments, undefined values): see 'qcode agree'.</p>")
    return out


def _review(figures: ReviewFigures) -> list[str]:
    from qcode.core.review_report import methods_sentence

    keys = ["codings", "reviewed", "agreed", "questioned", "kept", "changed", "removed",
            "open"]
    return [*(f"<p>{e(methods_sentence(coder, counts, figures.reviewers))}</p>"
              for coder, counts in figures.coders.items()),
            _table(["coder reviewed", *keys],
                   [[coder, *(f"{getattr(counts, k):,}" for k in keys)]
                    for coder, counts in figures.coders.items()]),
            '<p class="note">A coding removed after review still counts among its '
            "coder's codings; 'open' are questions no one has decided yet "
            "('qcode review list --open').</p>"]


def _samples(material: Material) -> list[str]:
    """Up to QUOTES_PER_THEME quotes for each theme whose codes have no codes of their
    own (and for each code without a theme): from different codes and different cases
    where there are, so the sample shows the theme's range."""
    tree = material.tree
    themes = [c for c in tree.codes if tree.children.get(c.id) and not any(
        tree.children.get(k.id) for k in tree.children[c.id])]
    themes += [c for c in tree.roots if not tree.children.get(c.id)]
    themes.sort(key=lambda c: tree.codes.index(c))
    by_code: dict[int, list] = {}
    for segment in material.segments:
        by_code.setdefault(segment.code_id, []).append(segment)
    picked: list[tuple[CodeRef, list]] = []
    for theme in themes:
        codes = sorted((c for c in tree.below(theme.id) if c.id in by_code),
                       key=lambda c: -len(by_code[c.id]))
        chosen, cases = [], set()
        for fresh_only in (True, False):
            for code in codes:
                if len(chosen) == QUOTES_PER_THEME:
                    break
                if any(s.code_id == code.id for s in chosen) and fresh_only:
                    continue
                for segment in by_code[code.id]:
                    unit = material.unit_of(segment.transcript_id)
                    if segment not in chosen and (unit not in cases or not fresh_only):
                        chosen.append(segment)
                        cases.add(unit)
                        break
        if chosen:
            picked.append((theme, chosen))
    if not picked:
        return ["<p>The selection is empty: no coded segments to quote.</p>"]
    line = Attribution(default_template(material.held_attribute_names),
                       material.attribute_names)
    every = [s for _, chosen in picked for s in chosen]
    made = iter(make_quotes(material, every, line, QUOTE_WORDS))
    out = [f'<p class="note">Attributed as "{e(line.template)}"; cut after '
           f"{QUOTE_WORDS} words. Every quote of a code or theme: 'qcode quotes'.</p>"]
    for theme, chosen in picked:
        out.append(f"<h3>{e(' / '.join(theme.path))}</h3>")
        for segment in chosen:
            quote = next(made)
            code = tree.by_id[segment.code_id]
            out.append(blockquote(quote) + '<p class="attribution">'
                       f'— {e(quote.attribution)} '
                       f'<span class="count">({e(code.name)})</span></p>')
    return out
