"""Every key of every screen, from the bindings themselves (so remapped keys show)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qcode.settings import settings_path


def binding_rows(app) -> list[tuple[str, str, str, str]]:
    """(screen, keys, action, binding id) for every binding, as currently mapped."""
    from qcode.tui.screens import (autocode, coding, coding_review, disagreements, forms,
                                   memos, picker,
                                   reports, retrieve, search, transcripts)
    from qcode.tui.widgets.codebook_panel import CodebookPanel

    groups = [("Everywhere", type(app)), ("Transcripts", transcripts.TranscriptsScreen),
              ("Coding", coding.CodingScreen), ("Codebook panel", CodebookPanel),
              ("Code picker", picker.CodePicker), ("Retrieve", retrieve.RetrieveScreen),
              ("Search", search.SearchScreen),
              ("Disagreements", disagreements.DisagreementsScreen),
              ("Review of coding", coding_review.CodingReviewScreen),
              ("Reports", reports.ReportsScreen),
              ("Auto-code review", autocode.AutocodeScreen),
              ("Memos and journal", memos.MemoListScreen),
              ("Dialogs", forms.MemoEditor)]
    keymap = getattr(app, "_keymap", {}) or {}
    rows = []
    for title, owner in groups:
        for binding in owner.BINDINGS:
            if not isinstance(binding, Binding):
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            rows.append((title, keys, binding.description, binding.id or ""))
    return rows


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,f1,question_mark,q", "app.pop_screen", "Close",
                        id="help.close")]

    def __init__(self, code_keys: list[tuple[str, str]] = ()):
        super().__init__()
        self.code_keys = list(code_keys)

    def compose(self) -> ComposeResult:
        table = Table(box=None, pad_edge=False, expand=True)
        table.add_column("Where", style="dim")
        table.add_column("Keys", style="bold")
        table.add_column("Does")
        table.add_column("Id (for remapping)", style="dim", overflow="fold")
        for where, keys, does, binding_id in binding_rows(self.app):
            table.add_row(where, keys, does, binding_id)
        for key, name in self.code_keys:
            table.add_row("Code keys", key, Text(f"apply {name}"), "")
        intro = Text.assemble(
            ("qcode keys\n", "bold"),
            "Select with w (word), s (sentence), t (turn), shift+arrows or the mouse; "
            "c codes the selection. Every action is saved at once and can be undone (u). "
            "A code's own key applies it; ' then the key does too when the key is taken. "
            "ctrl+p opens the command palette with the current screen's actions. "
            f"Remap keys in {settings_path()} under [keys], by id.\n")
        with VerticalScroll(classes="dialog tall"):
            yield Static(intro)
            yield Static(table)
