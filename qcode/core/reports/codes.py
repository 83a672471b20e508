"""The codebook as a tree the reports walk: each code's path of themes, the codes
under it, and finding a code or theme from what a researcher types."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from qcode.core.model import Code

from qcode.core.reports.selection import ReportError

# Paths may be typed with any of the separators qcode prints or reads.
SEPARATOR = re.compile(r"\s+[/>›]\s+")
SUGGESTIONS = 4


@dataclass(frozen=True)
class CodeRef:
    """One code of the codebook, as the reports name it."""
    id: int
    name: str
    path: tuple[str, ...]      # names from its global theme down to the code itself
    parent_id: int | None
    colour: str | None = None
    definition: str = ""

    @property
    def depth(self) -> int:
        """0 for a global theme, 1 for an organising theme, 2 for a basic theme..."""
        return len(self.path) - 1

    @property
    def label(self) -> str:
        return " / ".join(self.path)


class CodeTree:
    """The project's codes in tree order (a theme before the codes under it)."""

    def __init__(self, rows: list[Code]):
        self.codes: list[CodeRef] = []
        self.by_id: dict[int, CodeRef] = {}
        self.children: dict[int | None, list[CodeRef]] = {}
        for row in rows:
            parent = self.by_id.get(row.parent_id)
            code = CodeRef(row.id, row.name, (*parent.path, row.name) if parent else (row.name,),
                           row.parent_id, row.colour, row.definition or "")
            self.codes.append(code)
            self.by_id[code.id] = code
            self.children.setdefault(code.parent_id, []).append(code)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def roots(self) -> list[CodeRef]:
        return self.children.get(None, [])

    def below(self, code_id: int) -> list[CodeRef]:
        """The code and every code under it, in tree order."""
        out = [self.by_id[code_id]]
        for child in self.children.get(code_id, []):
            out += self.below(child.id)
        return out

    def find(self, typed: str) -> CodeRef:
        """The code or theme meant by a name, a path ("Theme / Code", also with " > "),
        or the end of a path, ignoring case. Unknown or ambiguous names raise a
        ReportError that lists the closest codes."""
        wanted = _parts(typed)
        if not wanted:
            raise ReportError("name a code or theme (its name or its path, e.g. "
                              "'Theme / Code')")
        whole = " ".join(typed.split()).casefold()
        # A name may itself hold " / ", so the whole text is tried before its parts.
        for joiner in (" / ", " > ", " › "):
            exact = [c for c in self.codes if joiner.join(c.path).casefold() == whole]
            if len(exact) == 1:
                return exact[0]
        folded = [tuple(p.casefold() for p in code.path) for code in self.codes]
        tail = [c for c, path in zip(self.codes, folded)
                if path[-len(wanted):] == wanted or path[-1] == whole]
        if len(tail) == 1:
            return tail[0]
        if tail:
            listed = "; ".join(f"'{c.label}'" for c in tail[:SUGGESTIONS])
            raise ReportError(f"'{typed}' names {len(tail)} codes: {listed}; give the "
                              "path of the one you mean")
        raise ReportError(f"no code or theme named '{typed}'" + self._suggest(typed))

    def _suggest(self, typed: str) -> str:
        if not self.codes:
            return ": the codebook is empty"
        labels = [c.label for c in self.codes]
        names = [c.name for c in self.codes]
        scores: dict[int, float] = {}
        for choices in (names, labels):
            for _, score, index in process.extract(
                    typed, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                    limit=SUGGESTIONS, score_cutoff=60):
                scores[index] = max(scores.get(index, 0.0), score)
        if not scores:
            return " (see 'qcode codebook show')"
        ranked = sorted(scores, key=lambda i: -scores[i])[:SUGGESTIONS]
        return "; close matches: " + "; ".join(f"'{labels[i]}'" for i in ranked)


def _parts(typed: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()).casefold()
                 for p in SEPARATOR.split(typed.strip()) if p.strip())
