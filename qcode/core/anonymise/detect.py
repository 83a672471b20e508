"""Finding identifiers in a transcript.

Three sources, in order of precedence where they overlap:
1. patterns (e-mail, URL, web site, phone, handle, postcode), by shape;
2. listed values (the researcher's list and the key's earlier decisions), matched on
   whole tokens, so "Chris" never matches inside "Christmas": case variants,
   possessives ("Daniel's" keeps its "'s") and spelling variants within a small edit
   distance, longest value first;
3. candidates nobody listed: capitalised words that are not ordinary English, first
   names, names after a title (DS, Mr, Detective ...), and speaker labels that look like
   names. Candidates are proposed for review, never replaced silently.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from qcode.core.anonymise import lexicon
from qcode.core.anonymise.identifiers import CATEGORIES, Identifier
from qcode.core.anonymise.key import Key
from qcode.core.anonymise.patterns import canonical, find_patterns

TOKEN = re.compile(r"[^\W_]+")
# Between the tokens of one multi-word value: spaces, or the punctuation inside names
# and addresses ("St. Helens", "O'Brien", "night-listings.example").
GAP = re.compile(r"[\s.\-'’@/]{1,3}")
PSEUDONYM = re.compile(r"\[(?:%s) \d+\]" % "|".join(CATEGORIES.values()))
TITLES = frozenset("""ds dc di dci dsu dsi pc psc sgt insp supt det mr mrs ms miss mx dr prof
sir dame detective sergeant constable inspector superintendent officer agent lieutenant
captain lt capt""".split())
ROLE_WORDS = frozenset("""interviewer interviewee participant respondent moderator
facilitator speaker researcher unknown""".split())
ROLE_LABEL = re.compile(r"^(?:[A-Z]{1,4}\d*|[A-Za-z]+ ?\d+|Speaker ?\d*|"
                        r"(?:%s)(?: ?\d+)?)$" % "|".join(ROLE_WORDS), re.IGNORECASE)
SENTENCE_END = ".?!:;\n"


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    text: str          # as it stands in the transcript
    value: str         # what the key is looked up by
    category: str
    kind: str          # listed | variant | pattern | candidate | speaker
    review: bool       # must a person decide before it is replaced?
    reason: str
    pseudonym: str | None = None  # known already (key or list)


@dataclass
class _Listed:
    tokens: tuple[str, ...]
    value: str
    category: str
    pseudonym: str | None
    common_word: bool  # a single ordinary word such as "Will": reviewed when seen


class Detector:
    """Built once per batch from the identifier list and the key; remembers spelling
    variants it has already judged, so each distinct word is compared only once."""

    def __init__(self, identifiers: Iterable[Identifier], key: Key):
        self.key = key
        self._by_first: dict[str, list[_Listed]] = {}
        for identifier in identifiers:
            self._add(identifier.value, identifier.category, identifier.pseudonym)
        for entry in key.entries.values():
            self._add(entry.value, entry.category, entry.pseudonym)
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e.tokens))
        self._listed_tokens = {t for es in self._by_first.values() for e in es
                               for t in e.tokens}
        # Fuzzy targets: name-like words of people, places, organisations and forces.
        self._fuzzy_targets = sorted(
            {t for es in self._by_first.values() for e in es for t in e.tokens
             if e.category in ("person", "place", "organisation", "police force", "other")
             and t.isalpha() and len(t) >= 4 and not lexicon.is_ordinary(t)})
        self._variants: dict[str, str | None] = {}
        self._pseudonyms = {e.pseudonym.casefold() for e in key.entries.values()}

    def _add(self, value: str, category: str, pseudonym: str | None) -> None:
        tokens = tuple(t.casefold() for t in TOKEN.findall(value))
        if not tokens:
            return
        bucket = self._by_first.setdefault(tokens[0], [])
        if any(e.tokens == tokens for e in bucket):
            return
        common = len(tokens) == 1 and category == "person" and lexicon.is_ordinary(tokens[0])
        bucket.append(_Listed(tokens, value, category, pseudonym, common))

    # -- the whole pass ------------------------------------------------------------

    def find(self, text: str, speakers: Sequence[tuple[str, int]] = ()) -> list[Finding]:
        """All findings in `text`, sorted and non-overlapping. `speakers` gives each
        speaker label and where it starts in the text."""
        taken: list[Finding] = []
        for start, end, category, value in find_patterns(text):
            entry = self.key.lookup(value, category)
            taken.append(Finding(start, end, text[start:end], value, category, "pattern",
                                 False, f"looks like {'an' if category[0] in 'aeiou' else 'a'}"
                                 f" {category}", entry.pseudonym if entry else None))
        blocked = _Spans([(f.start, f.end) for f in taken]
                         + [m.span() for m in PSEUDONYM.finditer(text)])
        tokens = list(TOKEN.finditer(text))
        if blocked:
            tokens = [m for m in tokens if not blocked.overlaps(*m.span())]
        words = [m.group().casefold() for m in tokens]
        self._learn_variants(set(words))
        listed, used = self._listed(text, tokens, words)
        speaker_findings = self._speakers(text, speakers, blocked, listed)
        if speaker_findings:
            labels = _Spans([(f.start, f.end) for f in speaker_findings])
            used |= {i for i, m in enumerate(tokens) if labels.overlaps(*m.span())}
        candidates = self._candidates(text, tokens, used)
        findings = taken + listed + speaker_findings + candidates
        findings.sort(key=lambda f: (f.start, -f.end))
        out, last_end = [], -1
        for finding in findings:
            if finding.start >= last_end:
                out.append(finding)
                last_end = finding.end
        return out

    # -- listed values -------------------------------------------------------------

    def _learn_variants(self, words: set[str]) -> None:
        """Map each new word to the listed word it misspells, if any: one rapidfuzz
        matrix over the distinct new words, not a loop over the text."""
        fresh = sorted(w for w in words if w not in self._variants
                       and w not in self._listed_tokens)
        for word in fresh:
            self._variants[word] = None
        queries = [w for w in fresh if w.isalpha() and len(w) >= 4]
        if not queries or not self._fuzzy_targets:
            return
        distances = process.cdist(queries, self._fuzzy_targets, scorer=Levenshtein.distance,
                                  score_cutoff=2, dtype=numpy.uint8, workers=-1)
        limits = numpy.array([1 if len(t) <= 5 else 2 for t in self._fuzzy_targets],
                             dtype=numpy.uint8)
        # Close enough for that target's length; among those, the closest target.
        close = distances <= limits
        for row in numpy.flatnonzero(close.any(axis=1)):
            word = queries[row]
            if lexicon.is_ordinary(word):
                continue  # "park" is not a misspelt "Mark"
            candidates = numpy.flatnonzero(close[row])
            best = candidates[numpy.argmin(distances[row][candidates])]
            self._variants[word] = self._fuzzy_targets[best]

    def _listed(self, text: str, tokens: list[re.Match], words: list[str]
                ) -> tuple[list[Finding], set[int]]:
        findings: list[Finding] = []
        used: set[int] = set()
        heads = {w: [w] if w in self._by_first else [] for w in set(words)}
        for word, found in heads.items():
            variant = self._variants.get(word)
            if variant is not None and variant in self._by_first:
                found.append(variant)
        # Only tokens that can begin a listed value are visited: the rest of the text
        # costs one dictionary lookup per word, above.
        starts = [i for i, w in enumerate(words) if heads[w]]
        next_free = 0
        for i in starts:
            if i < next_free:
                continue
            match = None
            for head in heads[words[i]]:
                for entry in self._by_first[head]:
                    length = self._match_length(text, tokens, words, i, entry.tokens)
                    if length and (match is None or length > match[1]):
                        match = (entry, length)
            if match is None:
                continue
            entry, length = match
            first, last = tokens[i], tokens[i + length - 1]
            surface = text[first.start():last.end()]
            exact = tuple(words[i:i + length]) == entry.tokens
            review, reason = False, "listed"
            if not exact:
                reason = f"spelling variant of '{entry.value}'"
            if entry.common_word:
                if surface.islower():
                    continue  # "will", "may": the ordinary word, not the name
                review, reason = True, "listed, but also a common word"
            known = self.key.lookup(entry.value, entry.category)
            findings.append(Finding(
                first.start(), last.end(), surface, entry.value, entry.category,
                "listed" if exact else "variant", review, reason,
                known.pseudonym if known else entry.pseudonym))
            used.update(range(i, i + length))
            next_free = i + length
        return findings, used

    def _match_length(self, text: str, tokens: list[re.Match], words: list[str], i: int,
                      wanted: tuple[str, ...]) -> int:
        if i + len(wanted) > len(tokens):
            return 0
        for offset, want in enumerate(wanted):
            word = words[i + offset]
            if word != want and self._variants.get(word) != want:
                return 0
            if offset and not GAP.fullmatch(text, tokens[i + offset - 1].end(),
                                            tokens[i + offset].start()):
                return 0
        return len(wanted)

    # -- speakers and candidates ---------------------------------------------------

    def _speakers(self, text: str, speakers: Sequence[tuple[str, int]], blocked: _Spans,
                  listed: list[Finding]) -> list[Finding]:
        done = _Spans([(f.start, f.end) for f in listed])
        findings = []
        for label, start in speakers:
            end = start + len(label)
            if (not label or ROLE_LABEL.match(label) or done.overlaps(start, end)
                    or blocked.overlaps(start, end) or text[start:end] != label
                    or label.casefold() in self.key.rejected
                    or label.casefold() in self._pseudonyms
                    or generic_label(label)):
                continue
            entry = self.key.lookup(label, "person")
            findings.append(Finding(start, end, label, label, "person", "speaker",
                                    entry is None, "speaker label that looks like a name",
                                    entry.pseudonym if entry else None))
        return findings

    def _candidates(self, text: str, tokens: list[re.Match], used: set[int]) -> list[Finding]:
        flagged: dict[int, str] = {}
        capitalised = [i for i, m in enumerate(tokens) if m.group()[0].isupper()]
        for i in capitalised:
            token = tokens[i]
            word = token.group()
            if i in used or not _capitalised(word):
                continue
            folded = word.casefold()
            if (folded in ROLE_WORDS or folded in TITLES or folded in self._pseudonyms
                    or lexicon.is_common_proper(word) or lexicon.is_filler(word)):
                continue
            after_title = i > 0 and (i - 1) not in used and \
                tokens[i - 1].group().casefold().rstrip(".") in TITLES and \
                _adjacent(text, tokens[i - 1], token)
            ordinary = lexicon.is_ordinary(word)
            name = lexicon.is_first_name(word)
            initial = _sentence_initial(text, token.start())
            if after_title:
                flagged[i] = f"after the title '{tokens[i - 1].group()}'"
            elif not ordinary:
                flagged[i] = "first name" if name else "capitalised, not an ordinary word"
            elif not initial and lexicon.is_english_first_name(word):
                flagged[i] = "a common word that is also a name"
        findings = []
        indices = sorted(flagged)
        k = 0
        while k < len(indices):
            # Join neighbouring flagged words into one name: "Kirsty Miles".
            first = last = indices[k]
            while k + 1 < len(indices) and indices[k + 1] == last + 1 and \
                    _adjacent(text, tokens[last], tokens[last + 1]):
                k += 1
                last = indices[k]
            k += 1
            start, end = tokens[first].start(), tokens[last].end()
            surface = text[start:end]
            if surface.casefold() in self.key.rejected:
                continue
            reasons = {flagged[j] for j in range(first, last + 1)}
            findings.append(Finding(start, end, surface, surface, "person", "candidate",
                                    True, "; ".join(sorted(reasons))))
        return findings


class _Spans:
    """Sorted, non-overlapping spans with an overlap test by bisection."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self._starts = [s for s, _ in merged]
        self._spans = merged

    def __bool__(self) -> bool:
        return bool(self._spans)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start) - 1
        if i >= 0 and self._spans[i][1] > start:
            return True
        return i + 1 < len(self._spans) and self._spans[i + 1][0] < end


def generic_label(label: str) -> bool:
    """A label made only of ordinary words, none a first name: "Multiple Speakers",
    "Unknown Speaker". It names nobody, so it is no identifier."""
    words = re.findall(r"[^\W\d_]+", label)
    return bool(words) and all(lexicon.is_ordinary(w) and not lexicon.is_english_first_name(w)
                               for w in words)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and word.isalpha() and not word.isupper() and len(word) > 1


def _adjacent(text: str, left: re.Match, right: re.Match) -> bool:
    return text[left.end():right.start()] in (" ", "-", "'", "’", ". ")


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(-—–*":
        i -= 1
    return i < 0 or text[i] in SENTENCE_END
