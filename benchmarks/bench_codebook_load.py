"""Codebook load benchmark (issue 17): bringing a large codebook into a project.

Target on a 2-core machine: 200,000 codes (top-level themes, the case that was
quadratic: one query per code and one per theme to order it) loaded into a new project
in seconds (at most 10 s), and loaded again into that project (every code matched,
nothing changed). Also 40,000 codes, the size the issue measured before (39 s), and a
tree of themes with codes under them. Load means `Project.load_codebook`: validation,
matching and writing, the codebook already read.

    python benchmarks/bench_codebook_load.py [--codes 200000 40000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from qcode.core.codebook import Code, Codebook
from qcode.core.store import Project

TARGET_SECONDS = 10.0


def flat(count: int) -> Codebook:
    return Codebook("flat", codes=[
        Code(f"code {i}", definition="d", guid=str(uuid.UUID(int=i + 1)).upper())
        for i in range(count)])


def tree(count: int) -> Codebook:
    themes = [Code(f"theme {t}", codes=[]) for t in range(max(count // 100, 1))]
    for i in range(count - len(themes)):
        themes[i % len(themes)].codes.append(Code(f"code {i}", definition="d"))
    return Codebook("tree", codes=themes)


def timed(project: Project, book: Codebook) -> tuple[float, float, dict]:
    """CPU seconds (SQLite runs in this process, so they count it; the machine is
    shared and wall time swells with its load), wall seconds, and the load's counts."""
    cpu, wall = time.process_time(), time.perf_counter()
    counts = project.load_codebook(book)
    return time.process_time() - cpu, time.perf_counter() - wall, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, nargs="+", default=[200_000, 40_000])
    args = parser.parse_args()
    print("| codebook | codes | first load, CPU (wall) | load again, CPU (wall) | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    for count in args.codes:
        for shape, make in (("flat", flat), ("tree", tree)):
            book = make(count)
            with tempfile.TemporaryDirectory() as folder, \
                    Project.create(Path(folder) / "bench.qcode") as project:
                first, first_wall, counts = timed(project, book)
                again, again_wall, counts_again = timed(project, book)
            assert counts["added"] == count and counts_again["unchanged"] == count
            met = "met" if max(first, again) <= TARGET_SECONDS else "NOT met"
            print(f"| {shape} | {count:,} | {first:.2f} s ({first_wall:.2f} s) | "
                  f"{again:.2f} s ({again_wall:.2f} s) | <= {TARGET_SECONDS:.0f} s CPU: {met} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
