"""A colleague's review of a coder's codings: step through them transcript by
transcript or theme by theme; the reviewer marks each agreed or raises a question with
a comment; the coder answers in the same thread; either records the outcome (kept,
changed, removed), with who decided. Every step is one undoable action."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qcode.core.review_report import ORDERS, ReviewItem, review_items
from qcode.core.store import Project, ProjectError
from qcode.tui.screens.forms import AskLine
from qcode.tui.undo import REVIEW_ACTIONS, take_step
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.widgets.table import Table

EXCERPT_CHARACTERS = 240
DECIDE = "decide: k kept · c changed · x removed · r reply"


def review_choices(project: Project, me: str) -> list[tuple[str, str]]:
    """(coder + newline + reviewer, label): each other coder's codings to review as
    `me`, and each reviewer of `me`'s codings to answer."""
    from qcode.core.store import CONSENSUS

    others = [c for c in project.coders() if c not in (me, CONSENSUS)
              and project.codings_to_review(c)]
    answer = sorted({r.reviewer for r in project.reviews(coder=me)})
    return ([(f"{c}\n{me}", f"{c}'s codings, as reviewer") for c in others]
            + [(f"{me}\n{r}", f"your codings, reviewed by {r}: read and reply")
               for r in answer])


class CodingReviewScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="coding_review.back"),
        Binding("a", "mark('agreed')", "Agree", id="coding_review.agree"),
        Binding("q", "mark('question')", "Question", id="coding_review.question"),
        Binding("r", "answer", "Reply", id="coding_review.answer"),
        # Shown under an undecided review (DECIDE) rather than in the footer, so the
        # footer keeps its keys at 80 columns.
        Binding("k", "decide('kept')", "Kept", show=False, id="coding_review.kept"),
        Binding("c", "decide('changed')", "Changed", show=False, id="coding_review.changed"),
        Binding("x", "decide('removed')", "Removed", show=False,
                id="coding_review.removed"),
        Binding("n", "next_to_do", "Next", id="coding_review.next"),
        Binding("o", "order", "Order", id="coding_review.order"),
        Binding("u,ctrl+z", "undo", "Undo", id="coding_review.undo"),
    ]

    def __init__(self, coder: str, reviewer: str):
        super().__init__()
        self.coder, self.reviewer = coder, reviewer
        self.order = ORDERS[0]
        self.items: list[ReviewItem] = []

    @property
    def answering(self) -> bool:
        """The coder reads the review of their own codings, to answer it."""
        return self.app.coder == self.coder

    def compose(self) -> ComposeResult:
        yield Static(id="review-title")
        yield Table(cursor_type="row", zebra_stripes=True, id="review-codings")
        yield Static(id="review-thread")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self, keep_row: int = 0) -> None:
        self.items = await self.app.db(review_items, self.coder, self.reviewer, self.order)
        table = self.table
        table.clear(columns=True)
        table.add_columns("Review", "Transcript", "Code", "Where")
        for item in self.items:
            table.add_row(Text(self.state(item)), Text(item.transcript), Text(item.code),
                          Text(item.where))
        self.show_title()
        if self.items:
            table.move_cursor(row=min(keep_row, len(self.items) - 1))
            self.show_thread(table.cursor_row)
        table.focus()

    @staticmethod
    def state(item: ReviewItem) -> str:
        review = item.review
        if review is None:
            return "·"
        if review.outcome:
            return f"{review.outcome} ({review.decided_by})"
        return "agreed" if review.mark == "agreed" else "? open"

    def show_title(self) -> None:
        reviewed = sum(1 for i in self.items if i.review)
        open_ = sum(1 for i in self.items if i.review and i.review.open)
        title = Text(f"{self.reviewer} reviews {self.coder}'s codings", style="bold")
        title.append(f" · {reviewed} of {len(self.items)} reviewed · {open_} open · "
                     f"by {self.order}")
        self.query_one("#review-title", Static).update(title)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_thread(event.cursor_row)

    def show_thread(self, row: int) -> None:
        """The coded passage, then the thread under it and the outcome."""
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        excerpt = " ".join(item.excerpt.split())
        if len(excerpt) > EXCERPT_CHARACTERS:
            excerpt = excerpt[:EXCERPT_CHARACTERS] + "…"
        out = Text(f"{item.code}: ", style="bold")
        out.append(f"“{excerpt}”")
        review = item.review
        if review is None:
            out.append("\nnot reviewed yet", style="dim")
        else:
            if review.mark == "agreed":
                out.append(f"\n{review.reviewer} agreed", style="green")
            for comment in review.comments:
                out.append(f"\n{comment.author}: ", style="bold")
                out.append(comment.body)
            if review.outcome:
                out.append(f"\n{review.outcome}, decided by {review.decided_by}",
                           style="bold")
            elif review.mark == "question":
                out.append(f"\n{DECIDE}", style="dim")
        self.query_one("#review-thread", Static).update(out)

    def current(self) -> ReviewItem | None:
        row = self.table.cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    async def write(self, call, *args, done: str) -> None:
        try:
            await self.app.db(call, *args)
        except ProjectError as exc:
            self.notify(str(exc), title="Not done", severity="error")
            return
        item = self.current()
        self.notify(f"{item.transcript}, {item.where}: {done}", timeout=3)
        self.load(self.table.cursor_row)

    @work(group="action", exit_on_error=False)
    async def action_mark(self, mark: str) -> None:
        item = self.current()
        if item is None:
            return
        comment = ""
        if mark == "question":
            comment = await self.app.push_screen_wait(
                AskLine(f"Your question on {self.coder}'s {item.code} ({item.where}):"))
            if comment is None:
                return
        await self.write(Project.mark_coding, item.coding_id, mark, comment,
                         done="agreed" if mark == "agreed" else "question raised")

    @work(group="action", exit_on_error=False)
    async def action_answer(self) -> None:
        item = self.current()
        if item is None or item.review is None:
            self.notify("Nothing to reply to: this coding has no review yet", timeout=3)
            return
        body = await self.app.push_screen_wait(
            AskLine(f"Your reply on {item.code} ({item.where}):"))
        if body is not None:
            await self.write(Project.answer_review, item.review.id, body, done="replied")

    @work(group="action", exit_on_error=False)
    async def action_decide(self, outcome: str) -> None:
        item = self.current()
        if item is None or item.review is None:
            self.notify("Mark or question this coding first", timeout=3)
            return
        await self.write(Project.decide_review, item.review.id, outcome,
                         done=f"{outcome}, decided by {self.app.coder}")

    def action_next_to_do(self) -> None:
        """The next coding not reviewed yet (the reviewer) or with an open question."""
        row = self.table.cursor_row
        order = list(range(row + 1, len(self.items))) + list(range(0, row + 1))
        to_do = (lambda i: i.review is not None and i.review.open) if self.answering \
            else (lambda i: i.review is None or i.review.open)
        following = next((n for n in order if to_do(self.items[n])), None)
        if following is None:
            self.notify("Nothing left to do here", timeout=3)
            return
        self.table.move_cursor(row=following)

    def action_order(self) -> None:
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self.load()

    @work(group="action", exit_on_error=False)
    async def action_undo(self) -> None:
        if await take_step(self, "undo", lambda step: step.action in REVIEW_ACTIONS):
            self.load(self.table.cursor_row)
