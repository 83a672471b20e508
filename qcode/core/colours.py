"""Colours that tell codes apart: a code never shares its colour with a sibling or with
its parent, so nested and neighbouring codings stay distinguishable."""

from __future__ import annotations

from collections.abc import Iterable

from qcode.core.model import Code

# Tableau 20: twenty colours readable on a dark and a light terminal. None of them is
# the magenta of a coding not saved yet.
PALETTE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1",
           "#FF9DA7", "#9C755F", "#BAB0AC", "#A0CBE8", "#FFBE7D", "#FF9D9A", "#86BCB6",
           "#8CD17D", "#F1CE63", "#D4A6C8", "#FABFD2", "#D7B5A6", "#79706E")


def distinct_colours(codes: Iterable[Code]) -> dict[int, str]:
    """Each code's colour by id: the codebook's own where no earlier sibling and not
    the parent has it, otherwise the first palette colour (counted from the code's
    place among its siblings) that no sibling and not the parent has. Siblings beyond
    the palette's size reuse colours, still never the parent's nor the previous
    sibling's."""
    colours: dict[int, str] = {}
    taken: dict[int | None, list[str]] = {}
    for code in sorted(codes, key=lambda c: c.depth):
        siblings = taken.setdefault(code.parent_id, [])
        parent = colours.get(code.parent_id) if code.parent_id is not None else None
        own = code.colour.upper() if code.colour else None
        if own and own not in siblings and own != parent:
            colour = own
        else:
            colour = _from_palette(len(siblings), siblings, parent)
        colours[code.id] = colour
        siblings.append(colour)
    return colours


def _from_palette(place: int, siblings: list[str], parent: str | None) -> str:
    turn = [PALETTE[(place + i) % len(PALETTE)] for i in range(len(PALETTE))]
    free = [c for c in turn if c not in siblings and c != parent]
    if free:
        return free[0]
    previous = siblings[-1] if siblings else None
    return next(c for c in turn if c not in (parent, previous))
