"""Code names for QualCoder, which needs each code's name unique in the whole codebook
(qcode needs it only among siblings).

QualCoder keeps codes in one table and categories in another, each with
`unique(name)`; its REFI-QDA import (`RefiImport.sub_codes` in its `refi.py`) maps a
code's GUID to the row it inserts, and a second code of the same name fails that insert,
so its GUID maps to nothing and its codings arrive coded with nothing. A second category
of one name is folded into the first. So, for QualCoder, a code (or category) whose name
another code (or category) also has is written as "Name (Parent)", with a number after
that if it is still taken; a top-level one keeps its name. Categories and codes are
apart there, so a category and a code may share a name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from qcode.core.codebook import Code
from qcode.core.exchange.foreign import path_of, unique_name
from qcode.core.exchange.refi_write import code_guid


@dataclass(frozen=True)
class Renamed:
    """A code written under another name: its GUID, kind, name and parent's path."""
    guid: str
    category: bool
    name: str
    parent: str
    written: str

    def said(self) -> str:
        kind = "category" if self.category else "code"
        return (f"{kind} '{self.name}' under '{self.parent}' is written as "
                f"'{self.written}' for QualCoder, which needs names unique across the "
                "codebook")


def renamed_for_qualcoder(codes: list[Code]) -> list[Renamed]:
    """The codes and categories whose names repeat across the tree, each with the
    name it is written under, in the codebook's order."""
    placed = list(walk(codes, ()))
    repeated = Counter((code.codable, code.name) for code, _ in placed)
    renaming = [(code, parents) for code, parents in placed
                if parents and repeated[code.codable, code.name] > 1]
    moved = {id(code) for code, _ in renaming}
    taken = {True: set(), False: set()}
    for code, _ in placed:
        if id(code) not in moved:
            taken[code.codable].add(code.name.casefold())
    return [Renamed(code_guid(code, parents), not code.codable, code.name,
                    path_of(parents[:-1], parents[-1]),
                    unique_name(f"{code.name} ({parents[-1]})", taken[code.codable]))
            for code, parents in renaming]


def walk(codes: list[Code], parents: tuple[str, ...]):
    """Each code with the names of the codes above it."""
    for code in codes:
        yield code, parents
        yield from walk(code.codes, (*parents, code.name))
