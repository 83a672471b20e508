"""Import, search and open benchmark (issue 2).

Targets on a 2-core machine: importing 1,000 transcripts of 10,000 words with the
full-text index in at most 60 s and 500 MB peak memory; `qcode search` under 100 ms;
opening the project (`qcode transcripts`) under 1 s.

    python benchmarks/bench_import.py [--transcripts 1000] [--words 10000]

Import and open run `qcode` as a user would, in a child process, so its peak memory
(maximum resident set size) is measured on its own.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

from qcode.core.store import Project  # noqa: E402


def run_qcode(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qcode", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def phrases_from(path: Path) -> list[str]:
    """Phrases that occur in the corpus: its most common word, two- and three-word
    phrases and a rarer word, all taken from one generated transcript."""
    words = path.read_text(encoding="utf-8").split("\n\n", 2)[2].split()
    words = [w.strip(".").split(":")[-1].lower() for w in words if not w.endswith(":")]
    common = max(set(words), key=words.count)
    rare = min(set(words), key=words.count)
    middle = len(words) // 2
    return [common, " ".join(words[middle:middle + 2]), " ".join(words[middle:middle + 3]),
            rare]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--words", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        started = time.perf_counter()
        files = generate(folder, args.transcripts, args.words)
        print(f"generated {len(files)} transcripts x {args.words} words "
              f"in {time.perf_counter() - started:.1f} s")
        project = Path(tmp) / "bench.qcode"
        run_qcode("--project", str(project), "init")
        import_s = run_qcode("--project", str(project), "import", *map(str, files))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = project.stat().st_size / 1e6
        print(f"import: {import_s:.1f} s, peak memory {peak_mb:.0f} MB, "
              f"project file {size_mb:.0f} MB")

        with Project.open(project) as p:
            timings = {}
            for phrase in phrases_from(files[len(files) // 2]):
                runs = []
                for _ in range(5):
                    started = time.perf_counter()
                    hits = p.search(phrase)
                    runs.append(time.perf_counter() - started)
                timings[phrase] = (statistics.median(runs) * 1000, len(hits))
        for phrase, (ms, hits) in timings.items():
            print(f"search {phrase!r}: {ms:.1f} ms ({hits} hits shown)")
        phrase = next(iter(timings))
        command_s = min(run_qcode("--project", str(project), "search", phrase)
                        for _ in range(3))
        print(f"qcode search {phrase!r} (whole process, Python start-up included): "
              f"{command_s * 1000:.0f} ms")
        open_s = min(run_qcode("--project", str(project), "transcripts") for _ in range(3))
        print(f"open (qcode transcripts, whole process): {open_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
