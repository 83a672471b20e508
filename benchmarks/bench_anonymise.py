"""Anonymisation benchmark (issues 3 and 11).

Target: 1 M words against 1,000 listed identifiers, with spelling-variant matching, in at
most 3 s of CPU time, aiming for 2 s (scan and apply, no review; `time.process_time`, so
the figure does not depend on the machine's other load). On planted data whose truth is
known it also reports, each against the issue's target:

- recall of listed values as listed, and of their case and possessive forms ("KALOMI",
  "kalomi", "Kalomi's", "Kalomi’s"): 100% replaced;
- recall of listed values written with one invisible format character inside a word
  (soft hyphen, zero-width space, joiner, non-joiner, word joiner, BOM) or one letter
  in its fullwidth form: 100% replaced, the replacement covering the hidden character;
- recall of spelling variants exactly within the allowed edit distance of one word of a
  listed value (Levenshtein distance 1 for words of 4-5 letters, 1 or 2 for 6 or more;
  words of fewer than 4 letters get no variants): 100% replaced or held for review. A
  variant is replaced unasked only beside the rest of its value; alone it is held for
  review, since a near spelling may be another person ("Emmy" is not "Emma"). Variants are random
  substitutions, insertions and deletions, kept only when their true distance is in
  range. A variant that is itself a listed word is not planted, nor is one that is an
  ordinary English word (the lexicon's dictionary), since by design the detector does
  not replace a common word silently (issue 3: "Will", "May" are always reviewed).
  Those are planted apart, capitalised, in their value, and reported as replaced / held
  for review / missed: beside a word that proves the name ("Kirsty Mules" for "Kirsty
  Miles") they are replaced; alone ("Thirsty" for "Kirsty") they are held for review,
  which is the intended outcome; none may be missed. "Held for review" in any recall
  line means a person is asked, which the recall targets do not count as replaced;
- replacements inside other words: (1) every replacement whose span starts or ends in
  the middle of a word, and (2) trap words that contain a listed word as a proper
  substring but are not within its allowed distance ("Christmas" for "Chris": a prefix,
  a suffix of distance+1 or more letters, or both), checked against every listed word.
  Both must be 0;
- replacements of text nobody planted (the filler never comes within the allowed
  distance of a listed word, so any such replacement is a false positive);
- on the bundled demo interviews, with no list: the share of the demo's person names
  proposed for review (target at least 95%).

The corpus: listed values are made-up names of 3 to 9 letters (one or two words, some
sharing a surname, some first words listed alone as well), none an ordinary English
word, plus a few real names with real trap words (Chris/Christmas, Ian/Median). Filler
comes from the synthetic vocabulary in corpus.py, without the words within the allowed
distance of a listed word; two planted values are never adjacent (adjacent listed
values that overlap are a warning for the researcher, not a recall question). Seeded:
the same arguments always give the same text.

    python benchmarks/bench_anonymise.py [--words 1000000] [--identifiers 1000]
"""

from __future__ import annotations

import argparse
import bisect
import random
import re
import string
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import SYLLABLES, vocabulary  # noqa: E402

from qcode.core.anonymise import lexicon  # noqa: E402
from qcode.core.anonymise.identifiers import Identifier  # noqa: E402
from qcode.core.anonymise.key import Key  # noqa: E402
from qcode.core.anonymise.review import Anonymiser  # noqa: E402
from qcode.core.model import Transcript  # noqa: E402

# Real names with real words that contain them but are no variant of them.
REAL_TRAPS = {
    "Chris": ["Christmas", "Christian", "Christopher", "Christine", "christening"],
    "Ian": ["Median", "Italian", "Guardian", "Christian", "Brian"],
    "Ali": ["Alibi", "Alien", "Salient", "Quality", "Alison"],
    "John": ["Johnson", "Johnny", "Johnston"],
    "Kirsty": ["Kirstyanne"],
}
LENGTHS = [3] * 10 + [4] * 15 + [5] * 15 + [6] * 20 + [7] * 15 + [8] * 15 + [9] * 10
PER_TRANSCRIPT = 10_000
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"


def allowed(word: str) -> int:
    """The edit distance within which a word of a listed value has variants."""
    return 0 if len(word) < 4 else 1 if len(word) <= 5 else 2


def made_up_word(rng: random.Random) -> str:
    length = rng.choice(LENGTHS)
    return "".join(rng.choice(SYLLABLES) for _ in range(5))[:length].capitalize()


def listed_values(count: int, rng: random.Random) -> list[Identifier]:
    values: dict[str, str] = {}  # casefolded -> value, in the order made
    words: dict[str, str] = {}

    def fresh_word() -> str:
        while True:
            word = made_up_word(rng)
            if word.casefold() not in words and not lexicon.is_ordinary(word):
                words[word.casefold()] = word
                return word

    for name in REAL_TRAPS:
        values[name.casefold()] = name
        words[name.casefold()] = name
    surnames: list[str] = []
    while len(values) < count:
        roll = rng.random()
        if roll < 0.45:
            value = fresh_word()
        elif roll < 0.55 and surnames:
            value = fresh_word() + " " + rng.choice(surnames)  # a shared surname
        elif roll < 0.60 and len(values) > 10:
            # A first word listed alone as well: longest match first.
            single = [v for v in values.values() if " " not in v]
            value = rng.choice(single) + " " + fresh_word()
        else:
            surname = fresh_word()
            surnames.append(surname)
            value = fresh_word() + " " + surname
        values.setdefault(value.casefold(), value)
    return [Identifier(v, rng.choice(["person", "place", "organisation"]))
            for v in values.values()]


def within(queries: list[str], targets: list[str]) -> numpy.ndarray:
    """For each query, is it within the allowed distance of some target?"""
    if not queries:
        return numpy.zeros(0, dtype=bool)
    distances = process.cdist([q.casefold() for q in queries], targets,
                              scorer=Levenshtein.distance, score_cutoff=2,
                              dtype=numpy.uint8, workers=-1)
    limits = numpy.array([allowed(t) for t in targets], dtype=numpy.uint8)
    return (distances <= limits).any(axis=1)


def misspell(word: str, rng: random.Random) -> str:
    chars = list(word.casefold())
    for _ in range(rng.randint(1, allowed(word))):
        op, i = rng.random(), rng.randrange(len(chars))
        letter = rng.choice(string.ascii_lowercase)
        if op < 0.5:
            chars[i] = letter
        elif op < 0.75:
            chars.insert(i, letter)
        elif len(chars) > 3:
            del chars[i]
    return "".join(chars).capitalize()


def variant_pools(tokens: list[str], rng: random.Random
                  ) -> tuple[dict[str, list[tuple[str, int]]], list[tuple[str, str]]]:
    """Per listed word, variants within its distance that are neither listed words nor
    ordinary English; and, apart, the variants that are ordinary English."""
    listed = set(tokens)
    pools: dict[str, list[tuple[str, int]]] = {}
    dictionary: dict[str, str] = {}
    for token in tokens:
        if allowed(token) == 0:
            continue
        seen: dict[str, int] = {}
        for _ in range(12):
            variant = misspell(token, rng)
            folded = variant.casefold()
            distance = Levenshtein.distance(folded, token)
            if not 1 <= distance <= allowed(token) or folded in listed:
                continue
            if lexicon.is_ordinary(folded):
                dictionary.setdefault(folded, token)
            else:
                seen.setdefault(variant, distance)
        pools[token] = sorted(seen.items())
    return pools, sorted(dictionary.items())


def trap_pool(tokens: list[str], rng: random.Random) -> list[str]:
    """Words that contain a listed word but are within no listed word's distance."""
    letters = "".join(sorted(set("".join(SYLLABLES))))
    made: dict[str, None] = {}
    for token in tokens:
        for _ in range(3):
            extra = "".join(rng.choice(letters)
                            for _ in range(allowed(token) + rng.randint(1, 3)))
            cut = rng.randrange(len(extra) + 1) if rng.random() < 0.3 else \
                rng.choice([0, len(extra)])
            made.setdefault(extra[:cut] + token + extra[cut:], None)
    candidates = [t for t in made if t not in set(tokens)]
    keep = ~within(candidates, tokens)
    traps = [t.capitalize() if rng.random() < 0.7 else t
             for t, ok in zip(candidates, keep) if ok]
    for words in REAL_TRAPS.values():
        traps += words * 20  # drawn as often as the made-up ones, roughly
    return traps


def hidden(value: str, rng: random.Random) -> str:
    """The value with one invisible format character inside a word (soft hyphen, a
    zero-width character, word joiner, BOM) or one letter in its fullwidth form: text
    pasted from the web or a word processor, which a reader sees as the name."""
    at = rng.randrange(1, len(value))
    while not (value[at - 1].isalpha() and value[at].isalpha()):
        at = rng.randrange(1, len(value))
    if rng.random() < 0.7:
        return value[:at] + rng.choice(INVISIBLE) + value[at:]
    return value[:at] + chr(ord(value[at]) + 0xFEE0) + value[at + 1:]


def synthetic(words: int, identifiers: int, seed: int = 11):
    """Transcripts with values planted at known places. Returns (batch, listed, truth),
    truth being (transcript index, start, end, kind, value) of each planted occurrence."""
    rng = random.Random(seed)
    listed = listed_values(identifiers, rng)
    tokens = sorted({w.casefold() for i in listed for w in i.value.split()})
    pools, dictionary = variant_pools(tokens, rng)
    traps = trap_pool(tokens, rng)
    having: dict[str, list[Identifier]] = defaultdict(list)  # listed word -> its values
    for identifier in listed:
        for word in dict.fromkeys(identifier.value.casefold().split()):
            having[word].append(identifier)
    vocab = vocabulary(5000, random.Random(seed + 1))
    vocab = [w for w, near in zip(vocab, within(vocab, tokens))
             if not near and w not in set(tokens)]
    batch, truth = [], []
    for index in range(max(1, words // PER_TRANSCRIPT)):
        parts: list[str] = []
        at = count = 0
        sentence_start, planted_last = True, False

        def add(piece: str, kind: str | None = None, end: int | None = None,
                value: str = "") -> None:
            nonlocal at, count, sentence_start, planted_last
            if kind is not None:
                truth.append((index, at, at + len(piece) if end is None else at + end,
                              kind, value))
            elif sentence_start:
                piece = piece.capitalize()
            roll = rng.random()
            tail = "." if roll < 0.05 else "," if roll < 0.10 else ""
            sentence_start = tail == "."
            parts.append(piece + tail)
            at += len(piece) + len(tail) + 1
            count += len(piece.split())
            planted_last = kind is not None

        while count < PER_TRANSCRIPT:
            roll = rng.random()
            if planted_last or roll >= 0.03:
                add(rng.choice(vocab))
                continue
            identifier = rng.choice(listed)
            value = identifier.value
            if roll < 0.012:
                add(value, "listed", value=value)
            elif roll < 0.013:
                add(hidden(value, rng), "listed, with an invisible or compatibility "
                    "character", value=value)
            elif roll < 0.016:
                form = rng.choice(["upper", "lower", "'s", "’s", "upper's"])
                if form == "upper":
                    add(value.upper(), "case or possessive", value=value)
                elif form == "lower":
                    add(value.lower(), "case or possessive", value=value)
                else:
                    shown = value.upper() if form.startswith("upper") else value
                    add(shown + form[-2:], "case or possessive", len(shown), value)
            elif roll < 0.024:
                words_ = value.split()
                choices = [k for k, w in enumerate(words_) if pools.get(w.casefold())]
                if not choices:
                    add(value, "listed", value=value)
                    continue
                k = rng.choice(choices)
                variant, distance = rng.choice(pools[words_[k].casefold()])
                words_[k] = variant
                size = "4-5" if len(value.split()[k]) <= 5 else "6+"
                shown = " ".join(words_)
                possessive = rng.random() < 0.2
                add(shown + ("'s" if possessive else ""),
                    f"variant, distance {distance}, {size} letters", len(shown), value)
            elif roll < 0.025 and dictionary:
                # A variant that is a dictionary word, in its value, capitalised.
                word, token = rng.choice(dictionary)
                identifier = rng.choice(having[token])
                words_ = identifier.value.split()
                k = [w.casefold() for w in words_].index(token)
                words_[k] = word.capitalize()
                single = "single-word" if len(words_) == 1 else "in a longer"
                add(" ".join(words_), f"dictionary-word variant, {single} value",
                    value=identifier.value)
            else:
                add(rng.choice(traps), "trap")
        text = " ".join(parts)
        batch.append(Transcript(f"t{index}", "txt", text, []))
    return batch, listed, truth


class Spans:
    """The findings of one transcript, looked up by position."""

    def __init__(self, findings):
        self.findings = sorted(findings, key=lambda f: f.start)
        self.starts = [f.start for f in self.findings]

    def covering(self, start: int, end: int):
        i = bisect.bisect_right(self.starts, start) - 1
        if i >= 0 and self.findings[i].end >= end:
            return self.findings[i]
        return None

    def overlapping(self, start: int, end: int):
        i = bisect.bisect_left(self.starts, end) - 1
        if i >= 0 and self.findings[i].end > start:
            return self.findings[i]
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--identifiers", type=int, default=1000)
    parser.add_argument("--misses", type=int, default=5,
                        help="misses shown per kind, with context")
    args = parser.parse_args()
    built = time.perf_counter()
    batch, listed, truth = synthetic(args.words, args.identifiers)
    built = time.perf_counter() - built
    # The word lists are read once per process, before the clock starts: the ordinary
    # words and the first names.
    lexicon.ordinary_words()
    lexicon.is_first_name("Ann")
    started, cpu = time.perf_counter(), time.process_time()
    anonymiser = Anonymiser(listed, Key())
    scan = anonymiser.scan(batch)
    anonymiser.apply(scan, {})
    # CPU time of the whole process (every thread: rapidfuzz's cdist uses them all), so
    # the figure does not depend on what else the machine is doing.
    cpu = time.process_time() - cpu
    elapsed = time.perf_counter() - started
    checked = time.perf_counter()
    words = sum(len(p.text.split()) for p in batch)
    rows = [("CPU time, %s words against %s identifiers" % (f"{words:,}", f"{len(listed):,}"),
             f"{cpu:.2f} s (wall {elapsed:.2f} s)", "≤ 3 s (aim 2 s)", cpu <= 3)]

    replaced = [Spans(f for f in found if not f.review) for found in scan.findings]
    held = [Spans(f for f in found if f.review) for found in scan.findings]
    outcome: dict[str, Counter] = defaultdict(Counter)
    misses: dict[str, list[str]] = defaultdict(list)
    planted = set()
    wrong_value = 0
    for i, start, end, kind, value in truth:
        if kind == "trap":
            continue
        planted.add((i, start, end))
        finding = replaced[i].covering(start, end)
        if finding is not None:
            outcome[kind]["replaced"] += 1
            wrong_value += kind.startswith("variant") and finding.value != value
        elif held[i].covering(start, end) is not None:
            outcome[kind]["held for review"] += 1
        else:
            outcome[kind]["missed"] += 1
            text = batch[i].text
            misses[kind].append(f"{value!r}: …{text[max(0, start - 40):start]}"
                                f"[{text[start:end]}]{text[end:end + 40]}…")

    def recall(kinds: list[str], label: str, target: str = "100%",
               asked: bool = False) -> None:
        """`asked`: being held for review counts as found (a person decides)."""
        counts = sum((outcome[k] for k in kinds), Counter())
        total = sum(counts.values())
        share = 100 * counts["replaced"] / max(total, 1)
        figure = f"{counts['replaced']:,}/{total:,} = {share:.2f}%"
        if counts["held for review"]:
            figure += f" ({counts['held for review']} held for review)"
        found = counts["replaced"] + (counts["held for review"] if asked else 0)
        rows.append((label, figure, target, found == total))

    recall(["listed"], "recall, listed values as listed")
    recall(["case or possessive"], "recall, case and possessive forms")
    recall(["listed, with an invisible or compatibility character"],
           "recall, listed values with an invisible or compatibility character")
    variant_kinds = sorted(k for k in outcome if k.startswith("variant"))
    # A variant is replaced unasked only beside the rest of its value; alone it is
    # proposed for review, never merged into the listed name silently.
    for kind in variant_kinds:
        recall([kind], "recall, " + kind, "100% replaced or held", asked=True)
    recall(variant_kinds, "recall, all variants within distance", "100% replaced or held",
           asked=True)

    inside = 0
    for parsed, found in zip(batch, replaced):
        text = parsed.text
        for f in found.findings:
            if (0 < f.start < len(text) and text[f.start - 1].isalnum()
                    and text[f.start].isalnum()) or \
                    (0 < f.end < len(text) and text[f.end - 1].isalnum()
                     and text[f.end].isalnum()):
                inside += 1
    rows.append(("replacements starting or ending inside a word", f"{inside:,}", "0",
                 inside == 0))
    traps = [(i, s, e) for i, s, e, k, _ in truth if k == "trap"]
    hit_traps = []
    for i, s, e in traps:
        if replaced[i].overlapping(s, e) is not None:
            hit_traps.append(batch[i].text[s:e])
    rows.append(("trap words replaced (contain a listed word, not within distance)",
                 f"{len(hit_traps):,} of {len(traps):,}", "0", not hit_traps))
    spurious = [(i, f) for i, found in enumerate(replaced) for f in found.findings
                if (i, f.start, f.end) not in planted]
    rows.append(("replacements of text nobody planted", f"{len(spurious):,}", "0",
                 not spurious))
    for kind in sorted(k for k in outcome if k.startswith("dictionary-word")):
        counts = outcome[kind]
        total = sum(counts.values())
        rows.append((f"{kind}: replaced / held for review / missed",
                     f"{counts['replaced']} / {counts['held for review']} / "
                     f"{counts['missed']} of {total}", "0 missed",
                     counts["missed"] == 0))
    proposed, total = demo_candidate_recall()
    share = 100 * proposed / max(total, 1)
    rows.append(("unlisted person names proposed for review (demo interviews)",
                 f"{proposed}/{total} = {share:.1f}%", "≥ 95%", share >= 95))
    checked = time.perf_counter() - checked

    print(f"corpus built in {built:.1f} s, checked in {checked:.1f} s; "
          f"{len(listed):,} values, {len(truth):,} planted occurrences "
          f"({sum(1 for t in truth if t[3] == 'trap'):,} traps)")
    print(f"variants attributed to a value other than the planted one (near two listed "
          f"words): {wrong_value}")
    print()
    print("| measure | figure | target | met |")
    print("|---|---|---|---|")
    for label, figure, target, met in rows:
        print(f"| {label} | {figure} | {target} | {'yes' if met else 'no'} |")
    for kind, lines in sorted(misses.items()):
        print(f"\nmissed, {kind} ({len(lines)}):")
        for line in lines[:args.misses]:
            print("  " + line)
    if hit_traps:
        print(f"\ntraps replaced ({len(hit_traps)}), e.g.:",
              ", ".join(sorted(Counter(hit_traps), key=lambda t: -Counter(hit_traps)[t])[:10]))
    if spurious:
        print(f"\nreplaced but not planted ({len(spurious)}), e.g.:")
        for i, f in spurious[:args.misses]:
            text = batch[i].text
            print(f"  {f.kind} of {f.value!r}: …{text[max(0, f.start - 40):f.start]}"
                  f"[{f.text}]{text[f.end:f.end + 40]}…")


def demo_candidate_recall() -> tuple[int, int]:
    """On the demo interviews, with no list at all: how many occurrences of the person
    names in the demo's identifier lists are proposed for review?"""
    from qcode.core.anonymise.identifiers import read_identifiers
    from qcode.core.demo import DEMO_MATERIAL, demo_transcripts
    from qcode.core.importers import parse_file

    people = set()
    for path in sorted(DEMO_MATERIAL.glob("identifiers-*.csv")):
        people |= {i.value for i in read_identifiers(path) if i.category == "person"}
    batch = [parse_file(p) for p in demo_transcripts()]
    scan = Anonymiser([], Key()).scan(batch)
    total = hit = 0
    for parsed, found in zip(batch, scan.findings):
        spans = Spans(found)
        for name in sorted(people):
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", parsed.text):
                total += 1
                hit += spans.overlapping(match.start(), match.start() + 1) is not None
    return hit, total


if __name__ == "__main__":
    main()
