"""Every key of every screen, from the bindings themselves (so remapped keys show)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from qcode.settings import settings_path


def shown_path(path: Path) -> str:
    """A path under the home folder as ~/…: shorter, and the same on every machine."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)


def typed_key(key: str) -> str:
    """One Textual key name as typed: "full_stop" -> ".", "ctrl+z" -> "ctrl+z"."""
    *modifiers, name = key.split("+")
    return "+".join([*modifiers, format_key(name)])


def typed_keys(keys: str) -> str:
    """A binding's comma-separated keys as typed, e.g. "?, f1"."""
    return ", ".join(typed_key(key.strip()) for key in keys.split(","))


def binding_rows(app) -> list[tuple[str, str, str, str]]:
    """(screen, keys, action, binding id) for every binding, as currently mapped."""
    from qcode.tui.screens import (autocode, coding, coding_review, disagreements, forms,
                                   memos, picker, reports, retrieve, search, transcripts,
                                   vim)
    from qcode.tui.widgets.codebook_panel import CodebookPanel

    groups = [("Everywhere", type(app)), ("Transcripts", transcripts.TranscriptsScreen),
              ("Coding", coding.CodingScreen),
              ("Coding, with vim = true in the settings", vim.VimCodingScreen),
              ("Codebook panel", CodebookPanel),
              ("Code picker", picker.CodePicker), ("Retrieve", retrieve.RetrieveScreen),
              ("Search", search.SearchScreen),
              ("Disagreements", disagreements.DisagreementsScreen),
              ("Review of coding", coding_review.CodingReviewScreen),
              ("Reports", reports.ReportsScreen),
              ("Auto-code review", autocode.AutocodeScreen),
              ("Auto-code form", autocode.AutocodeForm),
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
    BINDINGS = [Binding("escape,question_mark,f1,q", "app.pop_screen", "Close",
                        id="help.close")]

    def __init__(self, code_keys: list[tuple[str, str]] = ()):
        super().__init__()
        self.code_keys = list(code_keys)

    def compose(self) -> ComposeResult:
        # One heading and one table per screen, the tables' columns as wide as the
        # widest keys and id of any screen, so they line up; ids are never broken
        # mid-word: at 80 columns only the description wraps.
        groups: dict[str, list[tuple[str, Text | str, str]]] = {}
        for where, keys, does, binding_id in binding_rows(self.app):
            groups.setdefault(where, []).append((typed_keys(keys), does, binding_id))
        if self.code_keys:
            groups["Code keys"] = [(key, Text(f"apply {name}"), "")
                                   for key, name in self.code_keys]
        rows = [row for group in groups.values() for row in group]
        keys_width = max(len(row[0]) for row in rows)
        id_width = max(len(row[2]) for row in rows)
        tables = []
        for where, group in groups.items():
            table = Table(box=None, pad_edge=False, expand=True, show_header=False)
            table.add_column(style="bold", width=keys_width, no_wrap=True)
            table.add_column(ratio=1)
            table.add_column(style="dim", width=id_width, no_wrap=True)
            for row in group:
                table.add_row(*row)
            heading = Text(f"\n{where}", style="bold underline")
            if not tables:
                heading.append(" " * 4 + "(ids, for remapping, on the right)", style="dim")
            tables += [heading, table]
        intro = Text.assemble(
            ("qcode keys\n", "bold"),
            "Select with w (word), s (sentence), t (turn), shift+arrows or the mouse; "
            "c codes the selection. Every action is saved at once and can be undone (u). "
            "A code's own key applies it; ' then the key does too when the key is taken. "
            "ctrl+p opens the command palette with the current screen's actions. "
            f"Remap keys in {shown_path(settings_path())} under [keys], by id; "
            "vim = true there makes h j k l move.\n")
        with VerticalScroll(classes="dialog tall", id="help"):
            yield Static(intro)
            yield Static(Group(*tables))
