"""The anonymisation review as a screen: every uncertain value of a batch in one table,
its keyword-in-context lines beside it, decided with a key each. The same decisions as
the CLI's questions, but the researcher sees the whole list and can go back."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qcode.core.anonymise.identifiers import CATEGORIES
from qcode.core.anonymise.key import Key
from qcode.core.anonymise.review import Decision, ReviewGroup, Scan
from qcode.tui.screens.forms import Choose
from qcode.tui.terminal import TERMINAL_SAFE
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.widgets.table import Table

COLUMNS = (("decision", "Decision"), ("value", "Value"), ("category", "Category"),
           ("seen", "Seen"), ("pseudonym", "Pseudonym"))


class ReviewScreen(Screen[dict[str, Decision] | None]):
    """Dismisses with a decision for every group (keyed by group.key), or None when the
    researcher stops: then nothing is imported or written."""

    BINDINGS = [
        Binding("a", "accept", "Accept", id="review.accept"),
        Binding("r", "reject", "Reject", id="review.reject"),
        Binding("m", "map", "Map to pseudonym", id="review.map"),
        Binding("c", "category", "Category", id="review.category"),
        Binding("A", "accept_all", "Accept undecided", id="review.accept_all"),
        Binding("R", "reject_all", "Reject undecided", id="review.reject_all"),
        Binding("ctrl+s", "finish", "Finish", id="review.finish"),
        Binding("escape,q", "cancel", "Stop", id="review.cancel"),
    ]

    DEFAULT_CSS = """
    ReviewScreen #review-progress { height: 1; padding: 0 1; }
    ReviewScreen #review-groups { height: 2fr; }
    ReviewScreen #review-context { height: 1fr; padding: 0 1;
        border-top: solid $primary-background; overflow-y: auto; }
    """

    def __init__(self, scan: Scan, groups: list[ReviewGroup], key: Key):
        super().__init__()
        self.scan, self.groups, self.key = scan, list(groups), key
        self.decisions: dict[str, Decision] = {}
        # A category changed before the group is decided is kept for its decision.
        self.categories = {g.key: g.category for g in self.groups}

    def compose(self) -> ComposeResult:
        yield Static(id="review-progress")
        yield Table(cursor_type="row", zebra_stripes=True, id="review-groups")
        yield Static(id="review-context")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column, label in COLUMNS:
            table.add_column(label, key=column)
        for group in self.groups:
            table.add_row(*self.cells(group), key=group.key)
        table.focus()
        self.show_progress()
        self.show_context()

    # -- what is shown ----------------------------------------------------------------

    def cells(self, group: ReviewGroup) -> list[Text]:
        decision = self.decisions.get(group.key)
        if decision is None:
            verdict = Text("?", style="dim")
        elif decision.action == "accept":
            verdict = Text("accept", style="green")
        else:
            verdict = Text("reject", style="red")
        return [verdict, Text(group.value), Text(self.categories[group.key]),
                Text(str(len(group.occurrences))), self.pseudonym_cell(group, decision)]

    def pseudonym_cell(self, group: ReviewGroup, decision: Decision | None) -> Text:
        if decision is not None and decision.action == "reject":
            return Text("kept as is", style="dim")
        pseudonym = decision.pseudonym if decision is not None else group.suggestion
        if pseudonym:
            return Text(pseudonym, style="" if decision else "dim")
        label = CATEGORIES[self.categories[group.key]]
        return Text(f"new [{label} N]", style="dim")

    def refresh_row(self, group: ReviewGroup) -> None:
        table = self.query_one(DataTable)
        for (column, _), cell in zip(COLUMNS, self.cells(group)):
            table.update_cell(group.key, column, cell)

    def show_progress(self) -> None:
        decided = len(self.decisions)
        text = Text(f"{decided} of {len(self.groups)} decided", style="bold")
        text.append("  ·  Enter: next undecided, then finish", style="dim")
        self.query_one("#review-progress", Static).update(text)

    def show_context(self) -> None:
        context = self.query_one("#review-context", Static)
        group = self.current()
        if group is None:
            context.update("")
            return
        text = Text(group.value, style="bold")
        text.append(f"  {self.categories[group.key]} · {group.reason} · "
                    f"{len(group.occurrences)} occurrence(s)", style="dim")
        if group.suggestion:
            text.append(f" · suggested: {group.suggestion}", style="dim")
        marks = {f"[{finding.text}]" for _, finding in group.occurrences}
        for line in group.contexts(self.scan.batch):
            line_text = Text("\n" + line)
            line_text.highlight_words(marks, style="bold reverse")
            text.append_text(line_text)
        context.update(text)

    def current(self) -> ReviewGroup | None:
        table = self.query_one(DataTable)
        if not self.groups or table.cursor_row is None:
            return None
        return self.groups[min(table.cursor_row, len(self.groups) - 1)]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_context()

    # -- deciding ---------------------------------------------------------------------

    def decide(self, group: ReviewGroup, action: str, pseudonym: str | None = None,
               advance: bool = True) -> None:
        self.decisions[group.key] = Decision(action, self.categories[group.key], pseudonym)
        self.refresh_row(group)
        self.show_progress()
        if advance:
            self.next_undecided()

    def next_undecided(self) -> bool:
        """Move to the next undecided group after the cursor (wrapping round); False
        when every group is decided."""
        table = self.query_one(DataTable)
        start = table.cursor_row or 0
        count = len(self.groups)
        for step in range(1, count + 1):
            row = (start + step) % count
            if self.groups[row].key not in self.decisions:
                table.move_cursor(row=row)
                return True
        return False

    def action_accept(self) -> None:
        if (group := self.current()) is not None:
            self.decide(group, "accept", group.suggestion)

    def action_reject(self) -> None:
        if (group := self.current()) is not None:
            self.decide(group, "reject")

    def action_accept_all(self) -> None:
        for group in self.groups:
            if group.key not in self.decisions:
                self.decide(group, "accept", group.suggestion, advance=False)

    def action_reject_all(self) -> None:
        """For a long tail of ordinary capitalised words (GitHub, Paris): decide the
        names first, then let the rest stay as they are."""
        for group in self.groups:
            if group.key not in self.decisions:
                self.decide(group, "reject", None, advance=False)

    def action_map(self) -> None:
        group = self.current()
        if group is None:
            return
        existing = self.key.pseudonyms()
        if not existing:
            self.notify("The key has no pseudonyms yet.", severity="warning")
            return

        def chosen(pseudonym: str | None) -> None:
            if pseudonym is not None:
                self.decide(group, "accept", pseudonym)

        self.app.push_screen(Choose(f"Map “{group.value}” to an existing pseudonym",
                                    [(p, Text(p)) for p in existing]), chosen)

    def action_category(self) -> None:
        group = self.current()
        if group is None:
            return

        def chosen(category: str | None) -> None:
            if category is None:
                return
            self.categories[group.key] = category
            decision = self.decisions.get(group.key)
            if decision is not None:
                decision.category = category
            self.refresh_row(group)
            self.show_context()

        self.app.push_screen(Choose(f"Category of “{group.value}”",
                                    [(c, Text(c)) for c in CATEGORIES]), chosen)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if not self.next_undecided():
            self.action_finish()

    def action_finish(self) -> None:
        undecided = len(self.groups) - len(self.decisions)
        if undecided:
            self.notify(f"{undecided} still undecided: decide them, or press A to accept "
                        "them all.", severity="warning")
            if self.current() is None or self.current().key in self.decisions:
                self.next_undecided()
            return
        self.dismiss(dict(self.decisions))

    def action_cancel(self) -> None:
        if not self.decisions:
            self.dismiss(None)
            return

        def chosen(answer: str | None) -> None:
            if answer == "stop":
                self.dismiss(None)

        self.app.push_screen(Choose(
            f"Stop the review? The {len(self.decisions)} decision(s) made are lost and "
            "nothing is imported or written.",
            [("keep", "Keep reviewing"), ("stop", "Stop: import nothing")]), chosen)


class ReviewApp(App[dict[str, Decision] | None]):
    """The review screen on its own, for the CLI: exits with the decisions, or None."""

    CSS_PATH = str(Path(__file__).resolve().parents[1] / "app.tcss")
    TITLE = "qcode: anonymisation review"

    def __init__(self, scan: Scan, groups: list[ReviewGroup], key: Key):
        super().__init__()
        self.review = ReviewScreen(scan, groups, key)

    def on_mount(self) -> None:
        self.push_screen(self.review, self.exit)

    def get_line_filters(self):
        """Textual's, with user text made terminal-safe on every line drawn."""
        return [TERMINAL_SAFE, *super().get_line_filters()]
