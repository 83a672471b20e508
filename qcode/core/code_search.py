"""Finding a code by a few typed letters: the fuzzy code picker's ranking."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from qcode.core.codebook import code_paths
from qcode.core.model import Code

# How a code matched the query, best first: a researcher who types a name's first
# letters means that name, so a code whose name starts with them outranks any fuzzy
# or definition match, however high its score.
EXACT, PREFIX, WORD_PREFIX, FUZZY_NAME, DEFINITION = range(5)
FUZZY_CUTOFF = 55


def same_name(name: str) -> str:
    """A name as compared for "a code already has this name": case and runs of spaces
    do not make a different code."""
    return " ".join(name.casefold().split())


class CodeIndex:
    """Ranks codes against a query: the code with exactly that name, then names that
    start with it, then names with a word that starts with it, then fuzzy matches of
    the name (and path of themes), then codes whose definition or when-to-use has
    words starting with the query's, so "trainng" finds "Lack of training" and
    "removed" the code whose definition says "removed from the country"."""

    def __init__(self, codes: list[Code]):
        self.codes = codes
        self.paths = paths = code_paths(codes, " › ")
        self._same = [same_name(code.name) for code in codes]
        self._names = [utils.default_process(code.name) for code in codes]
        self._paths = [utils.default_process(paths[code.id]) for code in codes]
        self._definitions = [" " + utils.default_process(" ".join(
            (code.definition, code.when_to_use))) for code in codes]

    def named(self, query: str) -> Code | None:
        """The code whose name is the query, ignoring case and spacing (the first in
        codebook order if codes under different themes share it)."""
        wanted = same_name(query)
        return next((self.codes[i] for i, name in enumerate(self._same) if name == wanted),
                    None)

    def search(self, query: str, limit: int = 50) -> list[Code]:
        wanted, processed = same_name(query), utils.default_process(query)
        if not processed and not wanted:
            return self.codes[:limit]
        tiers: dict[int, tuple[int, float]] = {}  # index -> (tier, -score)

        def found(index: int, tier: int, score: float = 100.0) -> None:
            tiers[index] = min(tiers.get(index, (DEFINITION + 1, 0.0)), (tier, -score))

        for index, (same, name) in enumerate(zip(self._same, self._names)):
            if same == wanted:
                found(index, EXACT)
            elif processed and name.startswith(processed):
                found(index, PREFIX)
            elif processed and f" {processed}" in f" {name}":
                found(index, WORD_PREFIX)
        if processed:
            for choices, weight in ((self._names, 1.0), (self._paths, 0.9)):
                for _, score, index in process.extract(
                        processed, choices, scorer=fuzz.partial_ratio, limit=limit,
                        score_cutoff=FUZZY_CUTOFF, processor=None):
                    found(index, FUZZY_NAME, score * weight)
            # Definitions are matched by the words' beginnings, not fuzzily: a fuzzy
            # match in a long definition is mostly noise, and was what an unrelated
            # code once got picked by.
            starts = [f" {word}" for word in processed.split()]
            for index, definition in enumerate(self._definitions):
                if index not in tiers and all(start in definition for start in starts):
                    found(index, DEFINITION)
        ranked = sorted(tiers, key=lambda i: (*tiers[i], len(self._names[i]), i))
        return [self.codes[i] for i in ranked[:limit]]
