"""Auto-coding over a large project (issue 15).

Targets: proposing the hits of a phrase over 10 M words in at most 2 s; accepting
10,000 hits in at most 2 s, as one action that one undo takes back.

    python benchmarks/bench_autocode.py [--transcripts 1000] [--words 10000] [--keep DIR]

The project: transcripts from corpus.py (speaker turns, Zipf-like words), stored
directly (no anonymisation: what is timed is the search and the store, not the import).
The phrase is the word of the vocabulary whose hits come nearest to 10,000, so one run
proposes and then accepts about that many. Each figure is the median of RUNS runs, as
wall time and CPU time (process_time); beside the phrase search, the same word as a
regular expression over every turn (no search index), a paired run showing what the
index saves. Seeded: the same project on every run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import transcript, vocabulary  # noqa: E402

from qcode.core.autocode import Search, accept, code_to_apply, find  # noqa: E402
from qcode.core.codebook import Code, Codebook  # noqa: E402
from qcode.core.importers.plain import turns_in  # noqa: E402
from qcode.core.model import Transcript  # noqa: E402
from qcode.core.store import Project  # noqa: E402

RUNS = 3
TARGET_S = 2.0
HITS = 10_000


def build(path: Path, count: int, words: int) -> tuple[Project, list[str]]:
    rng = random.Random(7)
    vocab = vocabulary(20_000, rng)
    total, weights = 0.0, []
    for rank in range(1, len(vocab) + 1):
        total += 1.0 / rank
        weights.append(total)
    if path.exists():
        return Project.open(path), vocab
    project = Project.create(path)
    started = time.perf_counter()
    for number in range(count):
        text = transcript(words, vocab, weights, rng)
        project.add_transcript(Transcript(f"interview-{number:05d}", "txt", text,
                                          turns_in(text)), f"interview-{number:05d}.txt")
    project.load_codebook(Codebook("bench", codes=[Code("Found")]))
    print(f"built {count} transcripts of {words:,} words in "
          f"{time.perf_counter() - started:.0f} s")
    return project, vocab


def timed(call) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def median_of(call) -> tuple[float, float, object]:
    runs = [timed(call) for _ in range(RUNS)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            runs[-1][2])


def phrase_near(project: Project, vocab: list[str], words: int) -> str:
    """The word whose hits come nearest to HITS: Zipf's law gives its rank, then a few
    neighbours are counted."""
    best, best_gap = vocab[0], float("inf")
    # corpus.py draws words by rank, its vocabulary sorted: the rank order is the list's.
    harmonic = sum(1 / r for r in range(1, len(vocab) + 1))
    rank = max(1, round(words / (HITS * harmonic)))
    for word in vocab[max(0, rank - 3):rank + 3]:
        hits = len(find(project, Search(word)).proposals)
        if abs(hits - HITS) < best_gap:
            best, best_gap = word, abs(hits - HITS)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="Build (or reuse) the project here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"autocode-{args.transcripts}x{args.words}.qcode"
        project, vocab = build(path, args.transcripts, args.words)
        project.coder = "bench"
        words = args.transcripts * args.words
        phrase = phrase_near(project, vocab, words)
        wall, cpu, found = median_of(lambda: find(project, Search(phrase)))
        hits = len(found.proposals)
        print(f"phrase {phrase!r} over {words:,} words: {hits:,} hits proposed in "
              f"{wall:.2f} s wall, {cpu:.2f} s CPU ({wall / TARGET_S:.0%} of the "
              f"{TARGET_S:g} s target)")
        scan_wall, scan_cpu, _ = median_of(lambda: find(project, Search(
            rf"\b{phrase}\b", mode="regex")))
        print(f"  the same word as a regular expression over every turn: {scan_wall:.2f} s"
              f" wall, {scan_cpu:.2f} s CPU ({scan_wall / wall:.1f}x the indexed phrase)")
        code = code_to_apply(project, "Found")
        chosen = found.proposals[:HITS]
        accept_runs, undo_runs = [], []
        for _ in range(RUNS):
            accept_runs.append(timed(lambda: accept(project, code, "bench", chosen,
                                                    phrase)))
            undo_runs.append(timed(project.undo))
        done = accept_runs[-1][2]
        print(f"accepting {done.added:,} hits: "
              f"{statistics.median(r[0] for r in accept_runs):.2f} s wall, "
              f"{statistics.median(r[1] for r in accept_runs):.2f} s CPU "
              f"({statistics.median(r[0] for r in accept_runs) / TARGET_S:.0%} of the "
              f"target); one undo takes them back in "
              f"{statistics.median(r[0] for r in undo_runs):.2f} s")
        print(f"codings left after each undo: {sum(project.code_counts().values())}")
        project.close()


if __name__ == "__main__":
    main()
