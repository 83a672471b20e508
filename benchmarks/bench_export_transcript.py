"""A coded transcript as Word comments (issue 15): the time to write the .docx of
one transcript with PASSAGES coded passages, a comment each, on the CPU clock.

    python benchmarks/bench_export_transcript.py [--passages 5000] [--repeat 3]

The transcript is made in memory (no project): TURNS turns of Zipf-like words from
corpus.py, each passage a few words inside one turn, about one in ten with a memo.
Timed as `to_docx` alone, so the figure is the renderer's and grows with its
comments; `--passages` at two sizes shows whether it grows linearly.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qcode.core.reports.coded_transcript import (  # noqa: E402
    Block, CodedTranscript, Note, Passage, Piece)
from qcode.core.reports.coded_transcript_formats import to_docx  # noqa: E402
from qcode.core.reports.provenance import Provenance  # noqa: E402

WORDS = ("police report money threat platform debt help control trust fear work "
         "safety client agency evidence the a of and to in it was they we").split()
PER_TURN = 5  # coded passages opening in each turn


def transcript(passages: int, seed: int = 7) -> CodedTranscript:
    rng = random.Random(seed)
    blocks, made, number = [], [], 0
    while number < passages:
        pieces, opened, notes = [], [], []
        for _ in range(PER_TURN):
            if number == passages:
                break
            number += 1
            plain = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
            coded = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))
            passage = Passage(number, f"Theme {number % 7} / Code {number % 40}",
                              ("ana",), 0, 0)
            pieces += [Piece(plain + " ", ()), Piece(coded, (number,))]
            opened.append(passage)
            made.append(passage)
            if number % 10 == 0:
                notes.append(Note(f"{passage.code} (ana)", "why this passage matters"))
        blocks.append(Block(f"P{len(blocks) % 2}", tuple(pieces), tuple(opened),
                            tuple(notes)))
    return CodedTranscript("Bench", None, tuple(blocks), tuple(made), (), provenance())


def provenance() -> Provenance:
    return Provenance("coded transcript", {}, "qcode export-transcript Bench", "bench.qcode",
                      "guid", 1, 1, 0, 0, 0, ("ana",), "ana's codings",
                      "2026-01-01T00:00:00Z", "bench", "0" * 64)


def seconds(coded: CodedTranscript) -> float:
    started = time.process_time()
    to_docx(coded)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for count in (args.passages // 5, args.passages):
        coded = transcript(count)
        times = [seconds(coded) for _ in range(args.repeat)]
        print(f"{count:>6} passages ({len(coded.blocks)} turns): median "
              f"{statistics.median(times):.2f} s CPU, {1000 * statistics.median(times) / count:.2f}"
              f" ms a passage (runs: {', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
