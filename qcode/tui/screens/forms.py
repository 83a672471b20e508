"""Small dialogs: a line of text, a memo, a code's fields, a choice from a list."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from qcode.core.model import Code

SAVE = Binding("ctrl+s", "save", "Save", id="form.save")
CANCEL = Binding("escape", "dismiss(None)", "Cancel", id="form.cancel")


class AskLine(ModalScreen[str | None]):
    """One line of text (a coder's name, a code's name)."""

    BINDINGS = [CANCEL]

    def __init__(self, question: str, value: str = "", placeholder: str = ""):
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question))
            yield Input(self.value, placeholder=self.placeholder)
            yield Static(Text("Enter to confirm, Esc to cancel", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())


class MemoEditor(ModalScreen[str | None]):
    BINDINGS = [SAVE, CANCEL]

    def __init__(self, title: str, memo: str):
        super().__init__()
        self.title_text, self.memo = title, memo

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label(Text(self.title_text))
            yield TextArea(self.memo, soft_wrap=True, id="memo")
            yield Static(Text("Ctrl+S to save, Esc to cancel", style="dim"))

    def action_save(self) -> None:
        self.dismiss(self.query_one("#memo", TextArea).text)


FIELDS = (("name", "Name", False), ("definition", "Definition", True),
          ("when_to_use", "When to use", True), ("when_not_to_use", "When not to use", True),
          ("example", "Example", True), ("colour", "Colour (#RRGGBB)", False),
          ("key", "Shortcut key (one lowercase letter or digit)", False))


class CodeEditor(ModalScreen[dict | None]):
    """Every field of a code; dismisses with the fields that changed."""

    BINDINGS = [SAVE, CANCEL]
    AUTO_FOCUS = "#f-definition"  # what is edited most; the name is a Tab away

    def __init__(self, code: Code):
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog tall"):
            yield Label(Text(f"Edit code: {self.code.name}", style="bold"))
            for field, label, multiline in FIELDS:
                yield Label(label)
                value = getattr(self.code, field) or ""
                if multiline:
                    yield TextArea(value, soft_wrap=True, id=f"f-{field}", classes="field")
                else:
                    # Not selected on focus: tabbing through must not invite typing
                    # over a code's name.
                    yield Input(value, id=f"f-{field}", select_on_focus=False)
            yield Static(Text("Ctrl+S to save, Esc to cancel", style="dim"))

    def action_save(self) -> None:
        changed = {}
        for field, _, multiline in FIELDS:
            widget = self.query_one(f"#f-{field}")
            value = (widget.text if multiline else widget.value).strip()
            if field in ("colour", "key"):
                value = value or None
            if value != (getattr(self.code, field) or ("" if field not in ("colour", "key")
                                                  else None)):
                changed[field] = value
        self.dismiss(changed)

    def on_input_submitted(self) -> None:
        self.action_save()


class Choose(ModalScreen[str | None]):
    """Pick one of a few labelled choices (e.g. which of several codings)."""

    BINDINGS = [CANCEL]

    def __init__(self, title: str, choices: list[tuple[str, Text | str]]):
        super().__init__()
        self.title_text, self.choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text))  # wraps: a question can be long
            yield OptionList(*[Option(label if isinstance(label, Text) else Text(label),
                                      id=key) for key, label in self.choices])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
