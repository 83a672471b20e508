"""Finding identifiers in a transcript.

Three sources, in order of precedence where they overlap:
1. patterns (e-mail, URL, web site, phone, handle, postcode), by shape;
2. listed values (the researcher's list and the key's earlier decisions), matched on
   whole tokens, so "Chris" never matches inside "Christmas": case variants,
   possessives ("Daniel's" keeps its "'s") and spelling variants within a small edit
   distance, longest value first. A variant is replaced unasked only when the rest of
   its value stands beside it ("Kirstie Miles", "Kirsty Mules"); alone it is proposed
   for review ("Okafur" for "Okafor", "Thirsty" for "Kirsty"), and a first name is
   left to the candidates as another person ("Emmy" is not "Emma"). Function words
   ("as", "the") are never part of a name;
3. candidates nobody listed: capitalised words that are not ordinary English, first
   names, names after a title (DS, Mr, Detective ...), whole names ("Sarah Smith"). A
   common word that is also a name ("Will", "Rose") is proposed mid-sentence, and at the
   start of a sentence when a verb follows it ("Will said") or when the batch has it
   capitalised mid-sentence elsewhere. Candidates are proposed for review, never
   replaced silently.

Speaker labels that carry names are turned into listed values by the caller (see
`speaker_names` in review.py), with the role label as their pseudonym.

All of it runs on the folded view of the text (patterns.fold): invisible characters
dropped, compatibility forms of letters read as the letters, so "Kir<soft hyphen>sty"
is "Kirsty". Each finding is mapped back to the stored text, covering the hidden
characters inside it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress
from operator import attrgetter

import numpy
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from qcode.core.anonymise import lexicon
from qcode.core.anonymise.identifiers import CATEGORIES, Identifier
from qcode.core.anonymise.key import Key
from qcode.core.anonymise.patterns import Folded, find_patterns, fold, folded

TOKEN = re.compile(r"[^\W_]+")
# The same, capturing: one split gives the words and the text between them, in C.
TOKEN_SPLIT = re.compile(r"([^\W_]+)")
# Without underscores in the text it is the plain word class, which sre scans in half
# the time.
WORD_SPLIT = re.compile(r"(\w+)")
# Between the tokens of one multi-word value: spaces, or the punctuation inside names
# and addresses ("St. Helens", "O'Brien", "night-listings.example").
GAP = re.compile(r"[\s.\-'’@/]{1,3}")
PSEUDONYM = re.compile(r"\[(?:%s) \d+\]" % "|".join(CATEGORIES.values()))
TITLES = frozenset("""ds dc di dci dsu dsi pc psc sgt insp supt det mr mrs ms miss mx dr prof
sir dame detective sergeant constable inspector superintendent officer agent lieutenant
captain lt capt""".split())
# Titles that are whole words: after "hit and miss." a capital starts a sentence.
WORD_TITLES = frozenset("""miss sir dame detective sergeant constable inspector
superintendent officer agent lieutenant captain""".split())
# Roles a speaker label may name instead of a person ("NARRATOR", "ACTOR AS EINSTEIN",
# the captions' "WOMAN").
ROLE_WORDS = frozenset("""interviewer interviewee participant respondent moderator
facilitator speaker researcher unknown narrator actor actress host presenter announcer
reporter voice audience crowd guest caller translator interpreter man woman boy girl
""".split())
# Initials ("IV", "R", "P") must be capitals: "Will" or "Sara" is a name, not a role.
ROLE_LABEL = re.compile(r"^(?:(?-i:[A-Z]{1,4})\d*|[A-Za-z]+ ?\d+|Speaker ?\d*|"
                        r"(?:%s)(?: ?\d+)?)$" % "|".join(ROLE_WORDS), re.IGNORECASE)
SENTENCE_END = ".?!:;\n"
# After a sentence-initial "Will" or "Rose", a word that makes it a name: a modal verb or
# a flower is not followed by "said". Words ending in -ed count too ("Rose arrived").
NAME_VERBS = frozenset("""said says told tells asked asks called calls came comes went goes
left leaves rang rings phoned texted emailed messaged replied explained mentioned thinks
thought knew knows wanted wants got gets paid pays was has had does did saw sees
""".split())
APOSTROPHES = ("'", "’")
# How much a spelling variant proves: a word that is neither an ordinary word nor a first
# name ("Okafur" for "Okafor"); a first name ("Kirstie" for "Kirsty": another person's
# name as likely as a misspelling, so a variant only beside the rest of its value); an
# ordinary word near a listed name ("Thirsty" for "Kirsty"); an ordinary word near a
# listed word that is ordinary too ("Mules" for the "Miles" of "Kirsty Miles").
STRONG, NAME, WEAK, FAINT = 0, 1, 2, 3


@dataclass(frozen=True, init=False)
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
    variant_of: str | None = None  # the listed value a proposed spelling variant is near

    def __init__(self, start: int, end: int, text: str, value: str, category: str,
                 kind: str, review: bool, reason: str, pseudonym: str | None = None,
                 variant_of: str | None = None):
        # The generated __init__ of a frozen dataclass sets each field through
        # object.__setattr__: about 4 µs a finding, and a million words make well over
        # 100,000 findings. Filling the instance dictionary at once costs a quarter of
        # that; the instance stays frozen, equal, hashable and `replace`-able.
        vars(self).update({"start": start, "end": end, "text": text, "value": value,
                           "category": category, "kind": kind, "review": review,
                           "reason": reason, "pseudonym": pseudonym,
                           "variant_of": variant_of})


@dataclass
class Detection:
    findings: list[Finding]
    # Listed values that overlap in the text ("Sarah Smith" | "Smith Street" in "Sarah
    # Smith Street"): (the value replaced, the value cut short, the words in question).
    overlaps: list[tuple[str, str, str]]


@dataclass
class _Listed:
    tokens: tuple[str, ...]
    value: str
    category: str
    pseudonym: str | None
    common_word: bool  # a single ordinary word such as "Will": reviewed when seen
    label: str | None = None  # the speaker label this name comes from


class Detector:
    """Built once per batch from the identifier list and the key; remembers spelling
    variants it has already judged, so each distinct word is compared only once."""

    def __init__(self, identifiers: Iterable[Identifier], key: Key,
                 speakers: Iterable[tuple[Identifier, str]] = ()):
        """`speakers`: names taken from speaker labels, each with its label; they come
        before the list, so their role pseudonym wins over an unnamed listed one."""
        self.key = key
        self._by_first: dict[str, list[_Listed]] = {}
        for identifier, label in speakers:
            self._add(identifier.value, identifier.category, identifier.pseudonym, label)
        for identifier in identifiers:
            self._add(identifier.value, identifier.category, identifier.pseudonym)
        for entry in key.entries.values():
            # A key written before function words were kept out may hold "AS" as a name:
            # it is no name, so it must not replace every "As" of later imports.
            if not function_words_only(entry.value):
                self._add(entry.value, entry.category, entry.pseudonym)
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e.tokens))
        self._listed_tokens = {t for es in self._by_first.values() for e in es
                               for t in e.tokens}
        # Listed words that are ordinary English ("smith", "mark"): an ordinary word is
        # never taken for their variant ("park" is not a misspelt "Mark").
        self._ordinary_tokens = {t for t in self._listed_tokens if lexicon.is_ordinary(t)}
        # Fuzzy targets: name-like words of people, places, organisations and forces.
        self._fuzzy_targets = sorted(
            {t for es in self._by_first.values() for e in es for t in e.tokens
             if e.category in ("person", "place", "organisation", "police force", "other")
             and t.isalpha() and len(t) >= 4 and not lexicon.is_function_word(t)})
        # word -> the listed words it is within spelling distance of, closest first, each
        # with its distance and how much it proves (STRONG ... FAINT): every one of
        # them, since the closest may belong to a value that does not fit the words
        # around it.
        self._variants: dict[str, tuple[tuple[str, int, int], ...]] = {}
        self._limits = numpy.array([1 if len(t) <= 5 else 2 for t in self._fuzzy_targets],
                                   dtype=numpy.uint8)
        self._strength = [FAINT if t in self._ordinary_tokens else WEAK
                          for t in self._fuzzy_targets]
        self._pseudonyms = {e.pseudonym.casefold() for e in key.entries.values()}
        # Each distinct written word is judged once per batch: whether it can begin a
        # listed value, whether it could be (part of) a name. A text then costs a few
        # set operations in C, plus Python work for the words that qualify.
        self._judged: set[str] = set()
        self._head_surfaces: set[str] = set()
        self._nameable_surfaces: set[str] = set()
        self._evidence: dict[str, str | None] = {}  # nameable word -> see _evidence()

    def _add(self, value: str, category: str, pseudonym: str | None,
             label: str | None = None) -> None:
        tokens = tuple(t.casefold() for t in TOKEN.findall(folded(value)))
        if not tokens:
            return
        bucket = self._by_first.setdefault(tokens[0], [])
        if any(e.tokens == tokens for e in bucket):
            return
        bucket.append(_Listed(tokens, value, category, pseudonym,
                              is_common_word(value, category), label))

    # -- the whole pass ------------------------------------------------------------

    def find(self, text: str) -> list[Finding]:
        """All findings in `text`, sorted and non-overlapping."""
        return self.detect_batch([text])[0].findings

    def detect_batch(self, texts: Sequence[str],
                     labels: Sequence[Collection[int]] | None = None) -> list[Detection]:
        """Findings for each text of one batch; `labels` gives, per text, where its
        speaker labels start. The batch is judged as a whole where a single text is not
        enough: a sentence-initial "Will" is proposed when "Will" is capitalised
        mid-sentence in any of the texts."""
        detections, held = [], []
        names: set[str] = set()
        for text, label_starts in zip(texts, labels or [()] * len(texts)):
            detection, deferred = self._detect(text, label_starts)
            detections.append(detection)
            held.append(deferred)
            names.update(t.casefold() for f in detection.findings if f.kind == "candidate"
                         for t in TOKEN.findall(f.value))
        for detection, deferred in zip(detections, held):
            promoted = [f for f in deferred
                        if all(t.casefold() in names for t in TOKEN.findall(f.value))]
            if promoted:
                detection.findings.extend(promoted)
                detection.findings.sort(key=lambda f: f.start)
        return detections

    def _detect(self, original: str, label_starts: Collection[int]
                ) -> tuple[Detection, list[Finding]]:
        view = fold(original)
        if view.unchanged:
            return self._detect_folded(original, label_starts)
        detection, deferred = self._detect_folded(
            view.text, {view.position(at) for at in label_starts})
        detection.findings[:] = _unfolded(detection.findings, view, original)
        return detection, _unfolded(deferred, view, original)

    def _detect_folded(self, text: str, label_starts: Collection[int]
                       ) -> tuple[Detection, list[Finding]]:
        taken: list[Finding] = []
        for start, end, category, value in find_patterns(text):
            entry = self.key.lookup(value, category)
            taken.append(Finding(start, end, text[start:end], value, category, "pattern",
                                 False, f"looks like {'an' if category[0] in 'aeiou' else 'a'}"
                                 f" {category}", entry.pseudonym if entry else None))
        blocked = _merged([(f.start, f.end) for f in taken]
                         + [m.span() for m in PSEUDONYM.finditer(text)])
        tokens = _Tokens(text, blocked)
        written = set(tokens.surfaces)
        self._judge(written - self._judged)
        listed, used, overlaps, doubtful = self._listed(
            text, tokens, written & self._head_surfaces, label_starts)
        candidates, deferred = self._candidates(
            text, tokens, used, written & self._nameable_surfaces)
        deferred += doubtful
        findings = taken + listed + candidates
        # By start, the longest first: two stable sorts by C-level keys.
        findings.sort(key=attrgetter("end"), reverse=True)
        findings.sort(key=attrgetter("start"))
        out, last_end = [], -1
        for finding in findings:
            if finding.start >= last_end:
                out.append(finding)
                last_end = finding.end
        return Detection(out, overlaps), deferred

    def _judge(self, fresh: set[str]) -> None:
        """Sort written words not seen before in this batch. A word can begin a listed
        value as itself in any case, as a spelling variant only when written with a
        capital (or in a script without case): "the" is no misspelt "Thea"."""
        self._judged |= fresh
        self._learn_variants({w.casefold() for w in fresh if not w.islower()})
        for written in fresh:
            word = written.casefold()
            if word in self._by_first or (not written.islower() and any(
                    t in self._by_first for t, _, _ in self._variants.get(word, ()))):
                self._head_surfaces.add(written)
            if self._nameable(written):
                self._nameable_surfaces.add(written)
                self._evidence[written] = self._near_a_name(word, _evidence(written))

    def _near_a_name(self, word: str, evidence: str | None) -> str | None:
        """A first name close to a listed one ("Kirstie", "Emmy" for "Emma") is a
        candidate of its own, another person until someone says otherwise: the reason
        names the listed one, so the reviewer can give it that pseudonym."""
        near = [t for t, _, level in self._variants.get(word, ()) if level == NAME]
        if not evidence or not near:
            return evidence
        return f"{evidence}, close to the listed '{near[0].title()}'"

    # -- listed values -------------------------------------------------------------

    def _learn_variants(self, words: set[str]) -> None:
        """Map each new word to the listed words it may misspell: rapidfuzz matrices over
        the distinct new words, not a loop over the text. Allowed: distance 1 from a
        listed word of 4-5 letters, 2 from one of 6 or more; so a variant has at least
        3 letters ("Ana" for "Anna"). A listed word is also a variant of other listed
        words ("Sara Smith" for "Sarah Smith" when "Sara" is listed too)."""
        fresh = sorted(w for w in words if w not in self._variants)
        for word in fresh:
            self._variants[word] = ()
        queries = [w for w in fresh if w.isalpha() and len(w) >= 3]
        targets, limits, strength = self._fuzzy_targets, self._limits, self._strength
        if not queries or not targets:
            return
        for at in range(0, len(queries), 4096):  # bounded memory on huge batches
            chunk = queries[at:at + 4096]
            distances = process.cdist(chunk, targets, scorer=Levenshtein.distance,
                                      score_cutoff=2, dtype=numpy.uint8, workers=-1)
            # Close enough for that target's length, and not the word itself.
            rows, columns = numpy.nonzero((distances <= limits) & (distances > 0))
            near: dict[int, list[tuple[int, int]]] = {}
            for row, column, distance in zip(rows.tolist(), columns.tolist(),
                                             distances[rows, columns].tolist()):
                near.setdefault(row, []).append((distance, column))
            for row, found in near.items():
                word = chunk[row]
                if lexicon.is_ordinary(word):
                    # Weak evidence, for a person to judge: "Thirsty" may be a misheard
                    # "Kirsty", "Ana" (a first name too) an "Anna". Fainter still when
                    # the listed word is ordinary too: "Mules" is taken for "Miles"
                    # only beside the rest of "Kirsty Miles", "Park" never for "Mark".
                    level = WEAK if lexicon.is_first_name(word) else None
                else:
                    level = NAME if lexicon.is_first_name(word) else STRONG
                ranked = sorted((d, targets[c], strength[c] if level is None else level)
                                for d, c in found)
                self._variants[word] = tuple((t, d, lv) for d, t, lv in ranked)

    def _listed(self, text: str, tokens: _Tokens, head_surfaces: set[str],
                label_starts: Collection[int] = ()
                ) -> tuple[list[Finding], set[int], list[tuple[str, str, str]], list[Finding]]:
        """Listed values and their forms; also the ordinary words that are spelling
        variants of a listed name ("Thirsty" for "Kirsty"), proposed for review, and
        those of them at the start of a sentence, which only the batch can judge."""
        findings: list[Finding] = []
        deferred: list[Finding] = []
        used: set[int] = set()
        overlaps: list[tuple[str, str, str]] = []
        # The listed words each word of the text may begin, as itself or as a variant,
        # for the words written as one of `head_surfaces` (those that begin one).
        heads: dict[str, list[str]] = {}
        for word in {w.casefold() for w in head_surfaces}:
            found = heads[word] = [word] if word in self._by_first else []
            found += [t for t, _, _ in self._variants.get(word, ()) if t in self._by_first]
        # Only tokens that can begin a listed value are visited: the rest of the text
        # costs one lookup per word, in C.
        next_free = 0
        for i in tokens.with_surface(head_surfaces):
            if i < next_free:
                continue
            match = self._longest(tokens, heads, i)
            if match is None:
                continue
            entry, (length, distance, doubtful) = match
            start, end = tokens.starts[i], tokens.ends[i + length - 1]
            surface = text[start:end]
            known = self.key.lookup(entry.value, entry.category)
            pseudonym = known.pseudonym if known else entry.pseudonym
            if doubtful:
                if length == 1 and self._after_a_name(tokens, i, used):
                    # "Simon Sinek" is someone else, not a misspelt "Sidney": the
                    # candidate finder proposes the whole name.
                    continue
                # Merely close to a listed value: a person decides, as for any
                # candidate (grouped by the words found), and nothing is replaced
                # until then.
                used.update(range(i, i + length))
                next_free = i + length
                if surface.casefold() in self.key.rejected:
                    continue
                ordinary = all(lexicon.is_ordinary(w) for w in TOKEN.findall(surface))
                finding = Finding(start, end, surface, surface,
                                  entry.category, "candidate", True,
                                  f"{'a common word, but ' if ordinary else ''}a possible "
                                  f"spelling variant of the listed '{entry.value}'",
                                  pseudonym, entry.value)
                # At the start of a sentence a capital proves nothing of a common word:
                # proposed only when the batch has it capitalised mid-sentence too.
                (deferred if ordinary and _sentence_initial(text, start) else
                 findings).append(finding)
                continue
            kind = "speaker" if entry.label is not None else "listed"
            review, reason = False, "listed"
            if entry.label is not None:
                reason = ("speaker label" if entry.value == entry.label else
                          f"part of the speaker label '{entry.label}'")
            if distance:
                kind, reason = "variant", f"spelling variant of '{entry.value}'"
            if entry.common_word:
                if surface.islower():
                    continue  # "will", "may": the ordinary word, not the name
                # A speaker's name is that speaker in the label itself ("Will: ...")
                # and mid-sentence ("thanks, Will"); elsewhere a person decides.
                if entry.label is None or (start not in label_starts
                                           and _sentence_initial(text, start)):
                    review, reason = True, reason + ", but also a common word"
            findings.append(Finding(
                start, end, surface, entry.value, entry.category,
                kind, review, reason, pseudonym))
            used.update(range(i, i + length))
            next_free = i + length
            overlaps += self._overlapping(text, tokens, heads, i, length, entry)
        return findings, used, overlaps, deferred

    def _longest(self, tokens: _Tokens, heads: dict[str, list[str]], i: int
                 ) -> tuple[_Listed, tuple[int, int, bool]] | None:
        """The listed value matched at token i: the longest, then the closest (an exact
        match before a variant), then the first listed."""
        match = None
        for head in heads[tokens.surfaces[i].casefold()]:
            for entry in self._by_first[head]:
                found = self._match(tokens, i, entry.tokens)
                if found and (match is None or (found[0], -found[1]) >
                              (match[1][0], -match[1][1])):
                    match = (entry, found)
        return match

    def _overlapping(self, text: str, tokens: _Tokens, heads: dict[str, list[str]],
                     i: int, length: int, entry: _Listed) -> list[tuple[str, str, str]]:
        """Listed values that begin inside the match at token i and run past its end:
        only one can be replaced, and the researcher must hear which."""
        found = []
        for j in range(i + 1, i + length):
            if tokens.surfaces[j].casefold() not in heads:
                continue
            other = self._longest(tokens, heads, j)
            if other is not None and j + other[1][0] > i + length:
                end = tokens.ends[j + other[1][0] - 1]
                found.append((entry.value, other[0].value, text[tokens.starts[i]:end]))
        return found

    def _match(self, tokens: _Tokens, i: int, wanted: tuple[str, ...]
               ) -> tuple[int, int, bool] | None:
        """(length, total edit distance, doubtful) if the listed words `wanted` stand at
        token i, each as itself or as a spelling variant. A variant is taken without
        asking only beside the rest of its value ("Kirstie Miles" for "Kirsty Miles":
        one word written exactly), and only with one word that proves it: a listed word
        that is no ordinary word, or a variant that is none. Otherwise it is doubtful,
        for a person to judge ("Okafur" alone for "Okafor", "Thirsty" for "Kirsty",
        "Mark Smyth" for "Mark Smith"), or no match at all: a first name alone is
        another person's name ("Emmy" is not "Emma"), and an ordinary word near an
        ordinary listed word proves nothing ("Park" for "Mark"). A word in lowercase is
        never a variant: "the" is no misspelt "Thea"."""
        if i + len(wanted) > len(tokens.surfaces):
            return None
        # The strongest proof among the words (STRONG < NAME < WEAK < FAINT), None for
        # none yet.
        distance, proof, exact_ordinary, exact = 0, None, False, False
        for offset, want in enumerate(wanted):
            word = tokens.surfaces[i + offset].casefold()
            if offset and not _joins(tokens.gaps[i + offset]):
                return None
            if word == want:
                exact = True
                if want in self._ordinary_tokens:
                    exact_ordinary = True
                else:
                    proof = STRONG
                continue
            for target, d, level in self._variants.get(word, ()):
                if target == want:
                    break
            else:
                return None
            distance += d
            if len(wanted) == 1 and lexicon.is_function_word(word):
                return None  # "With" is no misspelt "Wish"; in "Via Lyka" it may be
            if tokens.surfaces[i + offset].islower():
                # Names are written with a capital, misheard ones too: a lowercase
                # word is at most the listed word itself ("owed" is no "Owen", even
                # where the word list does not know the inflection).
                return None
            proof = level if proof is None else min(proof, level)
        if not distance:
            return len(wanted), 0, False
        if exact and proof in (STRONG, NAME):
            return len(wanted), distance, False
        # A first name with no exact word beside it is left to the candidates.
        if proof in (STRONG, WEAK) or exact_ordinary:
            return len(wanted), distance, True
        return None

    def _after_a_name(self, tokens: _Tokens, i: int, used: set[int]) -> bool:
        """Does a name nobody listed stand just before token i ("Simon" in "Simon
        Sinek")? Then token i is that person's surname."""
        if i == 0 or (i - 1) in used or tokens.gaps[i] != " ":
            return False
        before = tokens.surfaces[i - 1]
        return self._nameable(before) and _evidence(before) is not None

    # -- candidates ------------------------------------------------------------------

    def _candidates(self, text: str, tokens: _Tokens, used: set[int], nameable: set[str]
                    ) -> tuple[list[Finding], list[Finding]]:
        """Candidates, and the sentence-initial common-word names ("Will, it was ...")
        that only the whole batch can judge: detect_batch promotes them. `nameable`:
        the words of the text that could be (part of) a name; only their tokens are
        visited."""
        surfaces, gaps, starts, ends = tokens.surfaces, tokens.gaps, tokens.starts, tokens.ends
        flagged: dict[int, str] = {}
        prefix: dict[int, int] = {}  # "Brien" -> the "O" of "O'Brien"
        initial_names: list[int] = []
        for i in tokens.with_surface(nameable):
            if i in used:
                continue
            head = i
            if i > 0 and gaps[i] in APOSTROPHES and len(surfaces[i - 1]) == 1 and \
                    (i - 1) not in used and surfaces[i - 1].isupper():
                head = prefix[i] = i - 1
            title = surfaces[head - 1].casefold() if head > 0 else ""
            after_title = title in TITLES and (head - 1) not in used and \
                _adjacent(gaps[head]) and not (title in WORD_TITLES and gaps[head] == ". ")
            evidence = self._evidence[surfaces[i]]
            if after_title:
                flagged[i] = f"after the title '{surfaces[head - 1]}'"
            elif evidence:
                flagged[i] = evidence
            elif evidence == COMMON_NAME:
                verb = self._verb_after(tokens, i)
                if not _sentence_initial(text, starts[head]):
                    flagged[i] = "a common word that is also a name"
                elif verb:
                    flagged[i] = f"a common word that is also a name, before '{verb}'"
                else:
                    initial_names.append(i)
        findings, covered = [], set()
        indices = sorted(flagged)
        k = 0
        while k < len(indices):
            # One name from neighbouring words: flagged ones ("Kirsty Miles"), a
            # capitalised word after them ("Sarah Smith"), a first name before them
            # ("Rose Tierney").
            first = last = indices[k]
            k += 1
            while last + 1 < len(surfaces):
                following = last + 1
                if k < len(indices) and prefix.get(indices[k], indices[k]) == following \
                        and _adjacent(gaps[following]) \
                        and not _sentence_break(surfaces[last], gaps[following]):
                    last = indices[k]
                    k += 1
                elif following not in used and following not in flagged and \
                        gaps[following] in (" ", "-") and surfaces[following] in nameable:
                    last = following
                else:
                    break
            head = prefix.get(first, first)
            while head > 0 and (head - 1) not in used and gaps[head] == " " and \
                    surfaces[head - 1] in nameable and \
                    lexicon.is_english_first_name(surfaces[head - 1]):
                first = head = head - 1
            if initial_names:
                covered.update(range(head, last + 1))
            start, end = starts[head], ends[last]
            surface = text[start:end]
            if surface.casefold() in self.key.rejected:
                continue
            reason = flagged[first] if first == last else "; ".join(sorted(
                {flagged[j] for j in range(first, last + 1) if j in flagged}))
            findings.append(Finding(start, end, surface, surface, "person", "candidate",
                                    True, reason))
        deferred = []
        for i in initial_names:
            word = surfaces[i]
            if i not in covered and word.casefold() not in self.key.rejected:
                deferred.append(Finding(
                    starts[i], ends[i], word, word, "person", "candidate",
                    True, "a common word that is also a name, at the start of a sentence;"
                    " capitalised mid-sentence elsewhere"))
        return findings, deferred

    def _nameable(self, word: str) -> bool:
        """Could this capitalised word be (part of) a name?"""
        folded = word.casefold()
        return _capitalised(word) and not (
            folded in ROLE_WORDS or folded in TITLES or folded in self._pseudonyms
            or lexicon.is_common_proper(word) or lexicon.is_filler(word)
            or lexicon.is_function_word(word))

    @staticmethod
    def _verb_after(tokens: _Tokens, i: int) -> str | None:
        if i + 1 >= len(tokens.surfaces) or tokens.gaps[i + 1] != " ":
            return None
        word = tokens.surfaces[i + 1]
        if word in NAME_VERBS or (word.islower() and word.endswith("ed") and len(word) > 4):
            return word
        return None


class _Tokens:
    """The words of a text as parallel lists, built in C by one split: a million-word
    batch makes no object per word. `gaps[i]` is the text just before word i
    (`gaps[len(surfaces)]` the text after the last)."""

    def __init__(self, text: str, blocked: list[tuple[int, int]]):
        parts = (TOKEN_SPLIT if "_" in text else WORD_SPLIT).split(text)
        positions = list(accumulate(map(len, parts), initial=0))
        self.surfaces: list[str] = parts[1::2]
        self.gaps: list[str] = parts[0::2]
        self.starts: list[int] = positions[1::2]
        self.ends: list[int] = positions[2::2]
        if blocked:
            self._drop(text, blocked)

    def _drop(self, text: str, blocked: list[tuple[int, int]]) -> None:
        """Leave out the words inside a pattern or a pseudonym; the gap around them
        becomes the text between the words either side."""
        for start, end in reversed(blocked):
            first = bisect.bisect_right(self.ends, start)
            after = bisect.bisect_left(self.starts, end)
            if first >= after:
                continue
            gap_start = self.ends[first - 1] if first else 0
            gap_end = self.starts[after] if after < len(self.starts) else len(text)
            for column in (self.surfaces, self.starts, self.ends):
                del column[first:after]
            self.gaps[first:after + 1] = [text[gap_start:gap_end]]

    def with_surface(self, surfaces: set[str]) -> Iterator[int]:
        """Indices of the tokens written as one of `surfaces`, found in C."""
        return compress(range(len(self.surfaces)), map(surfaces.__contains__, self.surfaces))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans, those that overlap or touch joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _unfolded(findings: list[Finding], view: Folded, original: str) -> list[Finding]:
    """Findings in the folded text, placed over the stored text: each span covers the
    invisible characters inside it, each text is what is stored there. Values stay
    folded, so the key and the review know "Kir<soft hyphen>sty" as "Kirsty"."""
    if not findings:
        return []
    starts, ends = view.spans([f.start for f in findings], [f.end for f in findings])
    return [Finding(start, end, original[start:end], f.value, f.category, f.kind, f.review,
                    f.reason, f.pseudonym, f.variant_of)
            for f, start, end in zip(findings, starts, ends)]


def function_words_only(value: str) -> bool:
    """A value made of function words alone ("AS", "Of The") names nobody."""
    words = TOKEN.findall(folded(value))
    return bool(words) and all(lexicon.is_function_word(w) for w in words)


def is_common_word(value: str, category: str) -> bool:
    """A person listed by one ordinary word ("Will", "May", "Smith"): its capitalised
    occurrences are reviewed, its lowercase ones are the word."""
    tokens = TOKEN.findall(folded(value))
    return len(tokens) == 1 and category == "person" and lexicon.is_ordinary(tokens[0])


# What a capitalised word proves by itself (see _evidence).
COMMON_NAME = ""


def _evidence(word: str) -> str | None:
    """What a capitalised word proves by itself: the reason to propose it ("first name",
    "capitalised, not an ordinary word"), COMMON_NAME for an ordinary word that is also
    a name ("Will", "Rose": it depends on where it stands), None for an ordinary word."""
    if not lexicon.is_ordinary(word):
        return "first name" if lexicon.is_first_name(word) else \
            "capitalised, not an ordinary word"
    return COMMON_NAME if lexicon.is_english_first_name(word) else None


def generic_label(label: str) -> bool:
    """A label made only of ordinary words, none a first name: "Multiple Speakers",
    "Unknown Speaker". It names nobody, so it is no identifier."""
    words = re.findall(r"[^\W\d_]+", label)
    return bool(words) and all(lexicon.is_ordinary(w) and not lexicon.is_english_first_name(w)
                               for w in words)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and word.isalpha() and not word.isupper() and len(word) > 1


@lru_cache(maxsize=1024)  # a few distinct gaps, asked about on every listed match
def _joins(gap: str) -> bool:
    """Can this gap stand between two words of one listed value?"""
    return GAP.fullmatch(gap) is not None


def _adjacent(gap: str) -> bool:
    """Is this the space between two words of one name?"""
    return gap in (" ", "-", "'", "’", ". ")


def _sentence_break(left: str, gap: str) -> bool:
    """A full stop between two capitalised words ends a sentence, unless it ends a
    short abbreviation: "St. Helens", "Jr. Smith"."""
    return gap == ". " and len(left) > 3


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(-—–*":
        i -= 1
    return i < 0 or text[i] in SENTENCE_END
