"""Reports in the terminal: codes by participant group, codes that occur together, and
the quotes of a code with their attributions; from a quote, Enter goes to its place.

Every report is made on the database thread from the same core functions as
`qcode report` and `qcode quotes`, so what the screen shows is what a paper would cite.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from qcode.core.code_search import CodeIndex
from qcode.core.reports import cooccurrence, frequencies, quotes
from qcode.core.reports.codes import CodeTree
from qcode.core.reports.selection import ALL_CODERS, BY_CASE, BY_TRANSCRIPT
from qcode.core.store import Project, ProjectError
from qcode.tui.widgets.footer import KeysFooter
from qcode.core.wording import plural
from qcode.tui.widgets.table import Table

WITHIN = ("overlap", "turn", "transcript")
TABS = ("frequencies", "cooccurrence", "quotes")
QUOTE_WIDTH = 80  # characters of a quote in the table; the whole one shows below it


@dataclass(frozen=True)
class Choices:
    """What the researcher chose on the screen, kept by the app while they go to a
    quote and back, so the next quote is one key away, not a new set of choices."""
    tab: str = TABS[0]
    by: str | None = None
    coder: str | None = None  # None: the reports' default (see qcode quotes)
    within: str = WITHIN[0]
    code_id: int | None = None
    chosen_by: bool = False  # the researcher chose `by` (else the screen's default)


def cut(text: str, width: int = QUOTE_WIDTH) -> str:
    """A quote for one table cell: whole words, with … when there is more."""
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def report_choices(project: Project) -> dict:
    """What the researcher can choose between: attributes, coders and codes."""
    return {"attributes": project.attribute_names(), "coders": project.coders(),
            "codes": project.codes()}


def quotes_of(project: Project, code_id: int, coder: str | None, by: str | None):
    path = CodeTree(project.codes()).by_id[code_id].label
    report = quotes(project, path, coder=coder, by=by)
    names = {t.name: t.id for t in project.transcripts()}
    return report, names


class ReportsScreen(Screen):
    # The tabs show 1, 2 and 3 themselves; the footer keeps its room for the others.
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="reports.back"),
        Binding("1", "show_tab('frequencies')", "Frequencies", show=False,
                id="reports.frequencies"),
        Binding("2", "show_tab('cooccurrence')", "Co-occurrence", show=False,
                id="reports.cooccurrence"),
        Binding("3", "show_tab('quotes')", "Quotes", show=False, id="reports.quotes"),
        Binding("a", "choose_by", "Compare by", id="reports.by"),
        Binding("k", "choose_coder", "Coder", id="reports.coder"),
        Binding("w", "next_within", "Co-occur within", id="reports.within"),
        Binding("p", "choose_code", "Code for quotes", id="reports.code"),
        Binding("enter", "jump", "Go to quote", show=False, id="reports.jump"),
    ]

    def __init__(self, choices: Choices | None = None):
        super().__init__()
        self.choices_made = choices or Choices()
        self.ready = False  # the attributes, coders and codes are known
        self.quote_rows: list = []
        self.pairs: list = []
        self.unit = ""
        self.transcript_ids: dict[str, int] = {}
        self.choices: dict = {"attributes": [], "coders": [], "codes": []}

    def compose(self) -> ComposeResult:
        yield Static(id="reports-title")
        with TabbedContent(id="reports-tabs"):
            with TabPane("1 Frequencies", id="frequencies"):
                yield Table(zebra_stripes=True, cursor_type="row", id="frequency-table")
            with TabPane("2 Co-occurrence", id="cooccurrence"):
                yield Table(zebra_stripes=True, cursor_type="row", id="pair-table")
                yield Static(id="pair-text")
            with TabPane("3 Quotes", id="quotes"):
                yield Table(zebra_stripes=True, cursor_type="row", id="quote-table")
                yield Static(id="quote-text")
        yield Static(id="reports-made")
        yield KeysFooter()

    # The choices live in one frozen record the app keeps (see Choices).
    by = property(lambda self: self.choices_made.by)
    coder = property(lambda self: self.choices_made.coder)
    within = property(lambda self: self.choices_made.within)
    code_id = property(lambda self: self.choices_made.code_id)

    def choose(self, **changes) -> None:
        self.choices_made = replace(self.choices_made, **changes)
        self.app.report_choices = self.choices_made

    def on_mount(self) -> None:
        self.query_one(TabbedContent).active = self.choices_made.tab
        self.start()

    @work(exclusive=True, group="choices", exit_on_error=False)
    async def start(self) -> None:
        self.choices = await self.app.db(report_choices)
        if not self.choices_made.chosen_by:
            # The groups the studies compare (police, platform staff, sex workers).
            found = [a for a in ("group", "role") if a in self.choices["attributes"]]
            self.choose(by=found[0] if found else None)
        self.ready = True
        self.refresh_report()

    # -- choosing ----------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab  # its TabActivated loads the report

    def on_tabbed_content_tab_activated(self) -> None:
        if self.ready:  # before, start() makes the first report
            self.choose(tab=self.tab)
            self.refresh_report()

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active or TABS[0]

    @work(group="choose", exit_on_error=False)
    async def action_choose_by(self) -> None:
        from qcode.tui.screens.forms import Choose

        options = [("", "no groups (totals only)")]
        options += [(a, f"attribute: {a}") for a in self.choices["attributes"]]
        options += [(BY_CASE, "each case"), (BY_TRANSCRIPT, "each transcript")]
        chosen = await self.app.push_screen_wait(Choose("Compare codes by:", options))
        if chosen is not None:
            self.choose(by=chosen or None, chosen_by=True)
            self.refresh_report()

    @work(group="choose", exit_on_error=False)
    async def action_choose_coder(self) -> None:
        from qcode.tui.screens.forms import Choose

        options = [("", "the default (consensus when there is one)"),
                   (ALL_CODERS, "every coder, pooled")]
        options += [(c, c) for c in self.choices["coders"]]
        chosen = await self.app.push_screen_wait(Choose("Codings of:", options))
        if chosen is not None:
            self.choose(coder=chosen or None)
            self.refresh_report()

    def action_next_within(self) -> None:
        self.choose(within=WITHIN[(WITHIN.index(self.within) + 1) % len(WITHIN)])
        if self.tab != "cooccurrence":
            self.query_one(TabbedContent).active = "cooccurrence"
        self.refresh_report()

    @work(group="choose", exit_on_error=False)
    async def action_choose_code(self) -> None:
        from qcode.tui.screens.picker import CodePicker

        if not self.choices["codes"]:
            self.notify("The codebook is empty", severity="warning")
            return
        chosen = await self.app.push_screen_wait(CodePicker(
            CodeIndex(self.choices["codes"]), "Quotes of code or theme", allow_new=False))
        if chosen and "code" in chosen:
            self.choose(code_id=chosen["code"])
            self.query_one(TabbedContent).active = "quotes"
            self.refresh_report()

    # -- showing -----------------------------------------------------------------------

    def refresh_report(self) -> None:
        self.title_line()
        {"frequencies": self.load_frequencies, "cooccurrence": self.load_pairs,
         "quotes": self.load_quotes}[self.tab]()

    def title_line(self, note: str = "") -> None:
        text = Text("Reports", style="bold")
        text.append(f" · {'by ' + self.by if self.by else 'no groups'}"
                    f" · coder {self.coder or 'default'} · co-occurring within {self.within}")
        if note:
            text.append(f" · {note}", style="dim")
        self.query_one("#reports-title", Static).update(text)

    def made(self, provenance, note: str = "") -> None:
        line = Text(provenance.footer(), style="dim")
        if note:
            line = Text(note + "  ", style="italic") + line
        self.query_one("#reports-made", Static).update(line)

    def failed(self, error: Exception, table: DataTable) -> None:
        table.clear(columns=True)
        table.add_column("")
        table.add_row(Text(str(error)))
        self.query_one("#reports-made", Static).update("")
        self.title_line()

    @work(exclusive=True, group="reports", exit_on_error=False)
    async def load_frequencies(self) -> None:
        table = self.query_one("#frequency-table", DataTable)
        self.title_line("counting…")
        try:
            report = await self.app.db(frequencies, self.by, self.coder)
        except ProjectError as exc:
            self.failed(exc, table)
            return
        table.clear(columns=True)
        # The total first and the code fixed at the left: groups can be many, and
        # scrolling right over them keeps each row's code and total in sight.
        table.fixed_columns = 2
        table.add_column("Code")
        table.add_column(Text(f"Total ({report.cases})"))
        for column, size in zip(report.columns, report.sizes):
            table.add_column(Text(f"{column} ({size})"))
        for row in report.rows:
            label = Text("  " * row.code.depth + row.code.name,
                         style="bold" if row.code.depth == 0 else "")
            cells = [self.cell(c) for c in row.cells] if report.columns else []
            table.add_row(label, self.cell(row.total), *cells)
        table.focus()
        self.title_line()
        self.made(report.provenance, "segments (cases) per code; a theme counts the codes "
                  "under it" + ("; nothing is coded yet" if report.empty else ""))

    @staticmethod
    def cell(cell) -> Text:
        return Text(f"{cell.segments} ({cell.cases})" if cell.segments else "·",
                    justify="right")

    @work(exclusive=True, group="reports", exit_on_error=False)
    async def load_pairs(self) -> None:
        table = self.query_one("#pair-table", DataTable)
        self.title_line("counting…")
        try:
            matrix = await self.app.db(cooccurrence, self.within, self.coder)
        except ProjectError as exc:
            self.failed(exc, table)
            return
        table.clear(columns=True)
        # The numbers first, so a narrow terminal cuts a long name, never a number.
        table.add_columns(Text(matrix.unit.capitalize()), "Jaccard", "Code", "Code")
        self.pairs = pairs = matrix.pairs()
        self.unit = matrix.unit
        for first, second, count, jaccard in pairs:
            # Names only, to fit; the paths of the highlighted pair are shown below.
            table.add_row(Text(str(count), justify="right"),
                          Text(f"{jaccard:.2f}", justify="right"),
                          Text(first.name), Text(second.name))
        self.title_line()
        self.made(matrix.provenance, f"{plural(len(pairs), 'pair')} of codes that co-occur"
                  f" (within: {self.within})" + ("" if pairs else ": none"))
        self.show_pair(0)
        table.focus()

    @work(exclusive=True, group="reports", exit_on_error=False)
    async def load_quotes(self) -> None:
        table = self.query_one("#quote-table", DataTable)
        if self.code_id is None:
            table.clear(columns=True)
            table.add_column("")
            table.add_row(Text("Press p to choose a code or theme"))
            self.query_one("#reports-made", Static).update("")
            return
        self.title_line("finding quotes…")
        try:
            report, self.transcript_ids = await self.app.db(
                quotes_of, self.code_id, self.coder, self.by)
        except ProjectError as exc:
            self.failed(exc, table)
            return
        table.clear(columns=True)
        table.add_columns("Code", "Group", "Attribution", "Quote")
        self.quote_rows = []
        for group in report.groups:
            for quote in group.quotes:
                self.quote_rows.append(quote)
                table.add_row(Text(group.code.name), Text(group.value or ""),
                              Text(quote.attribution), Text(cut(quote.text)))
        self.title_line()
        self.made(report.provenance, f"{plural(report.count, 'quote')} of "
                  f"{report.selected.label}")
        self.show_quote(0)
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "quote-table":
            self.show_quote(event.cursor_row)
        elif event.data_table.id == "pair-table":
            self.show_pair(event.cursor_row)

    def show_pair(self, row: int) -> None:
        box = self.query_one("#pair-text", Static)
        if not 0 <= row < len(self.pairs):
            box.update("")
            return
        first, second, count, jaccard = self.pairs[row]
        box.update(Text(f"{first.label}\n{second.label}\n{count} {self.unit} with "
                        f"both; Jaccard {jaccard:.3f}"))

    def show_quote(self, row: int) -> None:
        box = self.query_one("#quote-text", Static)
        if not 0 <= row < len(self.quote_rows):
            box.update("")
            return
        quote = self.quote_rows[row]
        text = Text(f"“{quote.text}”\n")
        text.append(f"— {quote.attribution}", style="italic")
        text.append(f"  ({quote.transcript}, turn {quote.turn or '?'})", style="dim")
        box.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "quote-table":
            self.action_jump()

    def action_jump(self) -> None:
        if self.tab != "quotes":
            return
        row = self.query_one("#quote-table", DataTable).cursor_row
        if 0 <= row < len(self.quote_rows):
            quote = self.quote_rows[row]
            self.app.open_transcript(self.transcript_ids[quote.transcript],
                                     (quote.start, quote.end))
