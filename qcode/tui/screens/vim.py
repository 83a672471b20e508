"""The coding screen with vim's movement keys, for researchers who move with h j k l.

A code whose shortcut is one of these letters would otherwise code text where a vim
user means to move; here the movement always wins, and such a code is applied with '
then its key (the screen says so when it opens)."""

from __future__ import annotations

from textual.binding import Binding

from qcode.tui.screens.coding import CodingScreen

MOVES = {"h": "left", "j": "down", "k": "up", "l": "right"}


class VimCodingScreen(CodingScreen):
    BINDINGS = [Binding(key, f"move('{direction}')", f"Move {direction}", show=False,
                        id=f"coding.vim_{direction}") for key, direction in MOVES.items()]

    def action_move(self, direction: str) -> None:
        getattr(self.view, f"action_cursor_{direction}")()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._taken: list[str] = []  # said once, and again only if it changes

    def set_codebook(self, codes, counts, *worked_out, **options) -> None:
        super().set_codebook(codes, counts, *worked_out, **options)
        taken = sorted(c.key for c in codes if c.key in MOVES)
        if taken and taken != self._taken:
            self._taken = taken
            self.notify(f"Vim keys: h j k l move the cursor, so a code whose key is "
                        f"{' or '.join(taken)} is applied with ' then its key", timeout=6)
