"""The footer every qcode screen shows: one key per action, the ones a researcher
needs wherever they are first, so that at 80 columns what is cut is the least needed."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Undo, redo, help and quit are what a lost user looks for: never cut, always first;
# then the way back (Escape), the only way off a screen such as the coding screen.
FIRST = ("undo", "redo", "help", "quit")


def rank(action: str, key: str = "") -> int:
    name = action.rpartition(".")[2]
    if name in FIRST:
        return FIRST.index(name)
    return len(FIRST) if key == "escape" else len(FIRST) + 1


class KeysFooter(Footer):
    def __init__(self) -> None:
        # The palette's key is in the help screen; its place here goes to a binding.
        super().__init__(show_command_palette=False)
        self._composed: list[tuple] | None = None

    def shown(self) -> list[tuple]:
        """(binding, enabled, tooltip) of each key shown, in the order shown (cheap to
        compare: the keys as typed are made only when the footer is drawn again)."""
        first_of_action: dict[str, tuple] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                first_of_action.setdefault(binding.action, (binding, enabled, tooltip))
        # sorted is stable: within a rank, the screen's own order stays.
        return sorted(first_of_action.values(), key=lambda b: rank(b[0].action, b[0].key))

    def bindings_changed(self, screen) -> None:
        # Textual recomposes the footer whenever the bindings may have changed: on every
        # focus move and many key presses. Rebuilding its widgets cost a fifth of the
        # CPU of a coding session's key handling; redraw only when what is shown changed.
        if self._bindings_ready and self.is_attached and screen is self.screen \
                and self.shown() == self._composed:
            return
        super().bindings_changed(screen)

    def compose(self):
        if not self._bindings_ready:
            return
        self._composed = self.shown()
        self.styles.grid_size_columns = len(self._composed)
        for binding, enabled, tooltip in self._composed:
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
