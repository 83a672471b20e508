"""Finding a code by a few typed letters: the fuzzy code picker's ranking."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from qcode.core.codebook import code_paths
from qcode.core.model import Code


class CodeIndex:
    """Ranks codes against a query by their name (and path of themes) first, then by
    their definition, so "trng" finds "Lack of training" and "deport" finds the code
    whose definition mentions deportation."""

    def __init__(self, codes: list[Code]):
        self.codes = codes
        self.paths = paths = code_paths(codes, " › ")
        self._names = [utils.default_process(code.name) for code in codes]
        self._paths = [utils.default_process(paths[code.id]) for code in codes]
        self._definitions = [utils.default_process(" ".join(
            (code.definition, code.when_to_use))) for code in codes]

    def search(self, query: str, limit: int = 50) -> list[Code]:
        query = utils.default_process(query)
        if not query:
            return self.codes[:limit]
        scores: dict[int, float] = {}
        for choices, scorer, weight in (
            (self._names, fuzz.WRatio, 1.0),
            (self._paths, fuzz.partial_ratio, 0.9),
            (self._definitions, fuzz.partial_ratio, 0.7),
        ):
            for _, score, index in process.extract(
                    query, choices, scorer=scorer, limit=limit, score_cutoff=55,
                    processor=None):
                scores[index] = max(scores.get(index, 0.0), score * weight)
        ranked = sorted(scores, key=lambda i: (-scores[i], len(self._names[i])))
        return [self.codes[i] for i in ranked[:limit]]
