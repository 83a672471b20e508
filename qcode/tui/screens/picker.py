"""The fuzzy code picker: type a few letters, see the best codes with their definition,
when to use and when not to use, press Enter. Categories are listed, marked, but are
not applied to text.

Enter does what the highlight shows. Typing puts it on the code with the typed name,
else on "+ new code" (a name no code has is a new code, never a guess at an unrelated
one); Down reaches the codes that match."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qcode.core.code_search import CodeIndex
from qcode.core.model import Code
from qcode.tui.widgets.transcript_view import code_colour

NEW = "new"
# The best matches listed: more than a tall terminal shows, and few enough that the
# list is rebuilt within a few milliseconds on every key (typing more narrows it).
SHOWN = 25


class CodePicker(ModalScreen[dict | None]):
    """Dismisses with {"code": id}, {"new": name} or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="picker.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="picker.page_up"),
        # The input keeps the focus, so the guidance scrolls by key from there.
        Binding("shift+down,ctrl+down", "scroll_guidance(1)", "Scroll guidance down",
                id="picker.guidance_down"),
        Binding("shift+up,ctrl+up", "scroll_guidance(-1)", "Scroll guidance up",
                show=False, id="picker.guidance_up"),
    ]

    def __init__(self, index: CodeIndex, title: str = "Apply code",
                 allow_new: bool = True, extra: list[tuple[str, str]] = (),
                 applies: bool = False):
        super().__init__()
        self.index = index
        self.title_text = title
        self.allow_new = allow_new
        # Picking a code to apply to text, where a category cannot be chosen.
        self.applies = applies
        self.extra = list(extra)  # (id, label) choices offered before the codes
        self._labels: dict[int, Content] = {}  # built once: refilter runs on every key

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            title = Text(self.title_text)
            title.append("  ↑↓ choose · shift+↑↓ guidance · esc cancel",
                         style="dim not bold")
            yield Static(title, id="picker-title")
            yield Input(placeholder="type to find a code (name or definition)",
                        id="picker-input")
            yield OptionList(id="picker-options")
            with VerticalScroll(id="picker-detail"):
                yield Static(id="picker-guidance")

    def on_mount(self) -> None:
        self.refilter("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refilter(event.value)

    def refilter(self, query: str) -> None:
        """The codes that match, best first. Until the user moves the highlight, it
        rests on what Enter should do with the typed name: the code with that name,
        else a new code of that name (listed first), else the best match."""
        options = self.query_one(OptionList)
        found = self.index.search(query, limit=SHOWN)
        query = query.strip()
        named = self.index.named(query) if query else None
        choices = []
        if self.allow_new and query and named is None:
            choices.append(Option(Text(f"+ new code “{query}”", style="italic"), id=NEW))
        choices += [Option(Text(label), id=f"x:{key}") for key, label in self.extra
                    if not query or query.casefold() in label.casefold()]
        choices += [Option(self.label(code), id=f"c:{code.id}") for code in found]
        options.clear_options()
        options.add_options(choices)
        if choices:
            options.highlighted = next(
                (i for i, option in enumerate(choices)
                 if named is not None and option.id == f"c:{named.id}"), 0)
        self.show_detail()

    def label(self, code: Code) -> Content:
        if code.id not in self._labels:
            self._labels[code.id] = Content.from_rich_text(self._label(code))
        return self._labels[code.id]

    def _label(self, code: Code) -> Text:
        label = Text("■ ", style=code_colour(code), no_wrap=True, overflow="ellipsis")
        label.append(code.name)
        if not code.codable:
            label.append(" (category)", style="italic dim")
        if code.key:
            label.append(f" [{code.key}]", style="bold")
        parent = self.index.paths[code.id].rpartition(" › ")[0]
        if parent:
            label.append(f"  {parent}", style="dim")
        return label

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))
            self.show_detail()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_detail()

    def action_scroll_guidance(self, step: int) -> None:
        detail = self.query_one("#picker-detail", VerticalScroll)
        detail.scroll_to(y=detail.scroll_y + step * max(1, detail.size.height - 1),
                         animate=False)

    def show_detail(self) -> None:
        self.query_one("#picker-detail", VerticalScroll).scroll_home(animate=False)
        detail = self.query_one("#picker-guidance", Static)
        options = self.query_one(OptionList)
        if options.highlighted is None:
            detail.update("")
            return
        option_id = options.get_option_at_index(options.highlighted).id
        if option_id == NEW:
            detail.update(Text("Enter makes a new code of this name; "
                               "Down reaches the codes that match.", style="italic"))
            return
        if not option_id.startswith("c:"):
            detail.update("")
            return
        code = next(c for c in self.index.codes if c.id == int(option_id[2:]))
        text = Text()
        for label, field in (("Definition", "definition"), ("Use when", "when_to_use"),
                             ("Not when", "when_not_to_use"), ("Example", "example")):
            if getattr(code, field):
                text.append(f"{label}: ", style="bold")
                text.append(getattr(code, field) + "\n")
        detail.update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def choose(self, option_id: str) -> None:
        if option_id == NEW:
            self.dismiss({"new": self.query_one(Input).value.strip()})
        elif option_id.startswith("x:"):
            self.dismiss({"extra": option_id[2:]})
        else:
            code = next(c for c in self.index.codes if c.id == int(option_id[2:]))
            if self.applies and not code.codable:
                self.notify(f"{code.name} is a category: it groups codes and cannot be "
                            "applied to text; choose one of the codes under it",
                            severity="warning")
                return
            self.dismiss({"code": code.id})
