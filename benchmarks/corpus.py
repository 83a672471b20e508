"""A synthetic interview corpus: N transcripts of W words in speaker turns.

Words follow a Zipf-like distribution over a made-up vocabulary, so the full-text index
sees a realistic mix of very common and rare terms. Seeded: the same arguments always
give the same files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "de", "pa", "gu", "fe",
             "ri", "ho", "ba", "ze", "wi", "cu", "ly", "mo"]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def transcript(words: int, vocab: list[str], weights: list[float], rng: random.Random) -> str:
    drawn = rng.choices(vocab, cum_weights=weights, k=words)
    lines, at, number = [], 0, 0
    while at < words:
        number += 1
        length = rng.randint(8, 40) if number % 2 else rng.randint(40, 200)
        chunk = drawn[at:at + length]
        at += length
        speaker = "Interviewer" if number % 2 else "P01"
        lines.append(f"{speaker}: " + " ".join(chunk).capitalize() + ".")
    return "\n\n".join(lines) + "\n"


def generate(folder: Path, count: int, words: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    vocab = vocabulary(20_000, rng)
    total, weights = 0.0, []
    for rank in range(1, len(vocab) + 1):
        total += 1.0 / rank
        weights.append(total)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"interview-{i:05d}.txt"
        path.write_text(f"Synthetic interview {i}\n\n" + transcript(words, vocab, weights, rng),
                        encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--words", type=int, default=10_000)
    args = parser.parse_args()
    generate(args.folder, args.transcripts, args.words)
