"""The footer every qcode screen shows: one key per action, the ones a researcher
needs wherever they are first, so that at 80 columns what is cut is the least needed."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Undo, redo, help and quit are what a lost user looks for: never cut, always first.
FIRST = ("undo", "redo", "help", "quit")


def rank(action: str) -> int:
    name = action.rpartition(".")[2]
    return FIRST.index(name) if name in FIRST else len(FIRST)


class KeysFooter(Footer):
    def __init__(self) -> None:
        # The palette's key is in the help screen; its place here goes to a binding.
        super().__init__(show_command_palette=False)

    def compose(self):
        if not self._bindings_ready:
            return
        first_of_action: dict[str, tuple] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                first_of_action.setdefault(binding.action, (binding, enabled, tooltip))
        # sorted is stable: within a rank, the screen's own order stays.
        shown = sorted(first_of_action.values(), key=lambda b: rank(b[0].action))
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, tooltip in shown:
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
