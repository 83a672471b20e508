"""The whole `qcode agree` report on a project file (issue 5): the same corpus as
bench_agreement.py (3 coders, 1,000 transcripts of about 60,000 characters, 100 codes,
about 300,000 codings), but stored in a project and read back through the store, so the
figure includes the query, the per-code report and its table, as a researcher runs it.

    python benchmarks/bench_agree_report.py [--transcripts 1000] [--chars 60000]

The bootstrap interval is off (--resamples 0): it recomputes alpha for every resample
and is timed separately on a tenth of the corpus.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_agreement import codings  # noqa: E402

from qcode.core.codebook import Code, Codebook  # noqa: E402
from qcode.core.model import Transcript, Turn  # noqa: E402
from qcode.core.store import Project, new_guid, now  # noqa: E402


def build_project(path: Path, transcripts: int, chars: int, codes: int) -> int:
    rows = codings(transcripts, chars, codes, seed=5)
    with Project.create(path) as project:
        sentence = "We looked at the adverts again. "
        text = (sentence * (chars // len(sentence) + 1))[:chars]
        with project.transaction():
            for n in range(transcripts):
                body = f"{n:06d} " + text[7:]
                project.add_transcript(Transcript(
                    f"t{n:04d}", "txt", body, [Turn("P", 0, len(body), None)]), f"t{n}.txt")
        project.load_codebook(Codebook("bench", codes=[Code(f"code {c:03d}")
                                                       for c in range(codes)]))
        coder_ids = [project.coder_id(f"coder {c}") for c in range(3)]
        code_ids = [c.id for c in project.codes()]
        # Set-up only: 300,000 codings through add_coding would take minutes, so they
        # go in as rows, in one transaction.
        with project.transaction():
            project.conn.executemany(
                'INSERT INTO codings (guid, transcript_id, code_id, coder_id, start, "end",'
                " memo, created) VALUES (?, ?, ?, ?, ?, ?, '', ?)",
                [(new_guid(), t + 1, code_ids[c], coder_ids[k], s, e, now())
                 for t, c, k, s, e in rows])
    return len(rows)


def run(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "qcode", *args], check=True,
                          capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=60_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.qcode"
        started = time.perf_counter()
        count = build_project(path, args.transcripts, args.chars, 100)
        print(f"built a project with {args.transcripts} transcripts and {count:,} codings "
              f"in {time.perf_counter() - started:.0f} s")
        seconds, out = run("-p", str(path), "agree", "--resamples", "0")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        overall = next(line for line in out.splitlines() if line.startswith("Overall"))
        small = Path(tmp) / "small.qcode"
        build_project(small, max(2, args.transcripts // 10), args.chars, 100)
        boot, _ = run("-p", str(small), "agree", "--resamples", "200")
        print()
        print("| measure | figure | target | met |")
        print("|---|---|---|---|")
        print(f"| `qcode agree` per code, theme and overall ({count:,} codings), whole "
              f"process | {seconds:.1f} s | ≤ 5 s | {'yes' if seconds <= 5 else 'NO'} |")
        print(f"| peak memory of that process | {peak:.0f} MB | ≤ 1 GB | "
              f"{'yes' if peak <= 1024 else 'NO'} |")
        print(f"| with a 200-resample interval, a tenth of the corpus | {boot:.1f} s | | |")
        print(f"\n{overall}")


if __name__ == "__main__":
    main()
