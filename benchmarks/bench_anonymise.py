"""Anonymisation benchmark (issue 3).

Target: 1 M words against 1,000 listed identifiers, with spelling-variant matching, in at
most 10 s. Also reports, on planted data whose truth is known:
- recall of listed identifiers and of their variants (edit distance 1 for 4-5 letters,
  2 for 6 or more): target 100%;
- replacements inside other words ("Chris" in "Christmas"): target 0;
and, on the bundled demo interviews, the share of person names that nobody listed but
that are proposed for review: target at least 95%.

    python benchmarks/bench_anonymise.py [--words 1000000] [--identifiers 1000]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import SYLLABLES, vocabulary  # noqa: E402

from qcode.core.anonymise.identifiers import Identifier  # noqa: E402
from qcode.core.anonymise.key import Key  # noqa: E402
from qcode.core.anonymise.review import Anonymiser  # noqa: E402
from qcode.core.importers.base import ParsedTranscript  # noqa: E402


def made_up_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()


def typo(word: str, rng: random.Random, edits: int) -> str:
    chars = list(word)
    for _ in range(edits):
        i = rng.randrange(1, len(chars))
        chars[i] = "q" if chars[i] != "q" else "x"  # 'q' and 'x' never occur in names
    return "".join(chars)


def synthetic(words: int, identifiers: int, seed: int = 11):
    """Transcripts with names planted at known places. Returns (batch, listed, truth),
    truth being (transcript index, start, end, kind) of each planted occurrence."""
    rng = random.Random(seed)
    names = set()
    while len(names) < identifiers:
        names.add(made_up_name(rng) + (" " + made_up_name(rng) if rng.random() < 0.5 else ""))
    listed = [Identifier(n, rng.choice(["person", "place", "organisation"])) for n in names]
    vocab = vocabulary(5000, random.Random(seed + 1))
    batch, truth = [], []
    per_transcript = 10_000
    for index in range(max(1, words // per_transcript)):
        parts, at, count = [], 0, 0
        while count < per_transcript:
            roll = rng.random()
            if roll < 0.02:
                identifier = rng.choice(listed)
                value = identifier.value
                kind = "listed"
                first = value.split()[0]
                if roll < 0.004 and len(first) >= 4:
                    edits = 1 if len(first) <= 5 else 2
                    value = value.replace(first, typo(first, rng, edits), 1)
                    kind = "variant"
                elif roll < 0.006:
                    value = value.upper() if rng.random() < 0.5 else value + "'s"
                    kind = "case or possessive"
                piece = value
                span_end = at + len(value) - (2 if value.endswith("'s") else 0)
                truth.append((index, at, span_end, kind))
            elif roll < 0.03:
                # A listed name inside a longer word must never be replaced.
                piece = rng.choice(listed).value.split()[0] + "vy"
                truth.append((index, at, at + len(piece), "inside a word"))
            else:
                piece = rng.choice(vocab)
            parts.append(piece)
            at += len(piece) + 1
            count += len(piece.split())
        text = " ".join(parts)
        batch.append(ParsedTranscript(f"t{index}", "txt", text, []))
    return batch, listed, truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--identifiers", type=int, default=1000)
    args = parser.parse_args()
    batch, listed, truth = synthetic(args.words, args.identifiers)
    started = time.perf_counter()
    anonymiser = Anonymiser(listed, Key())
    scan = anonymiser.scan(batch)
    anonymiser.apply(scan, {})
    elapsed = time.perf_counter() - started
    words = sum(len(p.text.split()) for p in batch)
    print(f"anonymised {words:,} words against {len(listed):,} identifiers "
          f"in {elapsed:.2f} s")

    replaced = {(i, f.start, f.end) for i, found in enumerate(scan.findings)
                for f in found if not f.review}
    for kind in ("listed", "variant", "case or possessive"):
        planted = [(i, s, e) for i, s, e, k in truth if k == kind]
        hit = sum(1 for p in planted if p in replaced)
        print(f"recall, {kind}: {hit}/{len(planted)} = {100 * hit / len(planted):.1f}%")
    inside = [(i, s, e) for i, s, e, k in truth if k == "inside a word"]
    wrong = sum(1 for i, s, e in inside
                if any(i == ri and s <= rs < e for ri, rs, _ in replaced))
    print(f"replacements inside other words: {wrong} (of {len(inside)} traps)")
    demo_candidate_recall()


def demo_candidate_recall() -> None:
    """On the demo interviews, with no list at all: how many of the person names in the
    demo's identifier lists are proposed for review?"""
    from qcode.core.anonymise.identifiers import read_identifiers
    from qcode.core.demo import DEMO_MATERIAL, demo_transcripts
    from qcode.core.importers import parse_file

    people = set()
    for path in DEMO_MATERIAL.glob("identifiers-*.csv"):
        people |= {i.value for i in read_identifiers(path) if i.category == "person"}
    batch = [parse_file(p) for p in demo_transcripts()]
    scan = Anonymiser([], Key()).scan(batch)
    proposed = [(p.text, f.start, f.end) for p, found in zip(batch, scan.findings)
                for f in found]
    total = hit = 0
    for parsed in batch:
        for name in people:
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", parsed.text):
                total += 1
                hit += any(text is parsed.text and s <= match.start() < e
                           for text, s, e in proposed)
    print(f"unlisted person names proposed for review (demo interviews): "
          f"{hit}/{total} = {100 * hit / max(total, 1):.1f}%")


if __name__ == "__main__":
    main()
