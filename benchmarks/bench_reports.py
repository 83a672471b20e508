"""Write-up reports on a large project (issue 7).

Targets: frequencies and co-occurrence over 300,000 codings in at most 3 s each, the
HTML report in at most 15 s, each as a whole `qcode` process (Python start-up, the
query, the report and its output). Quotes have no target; their time is shown.

    python benchmarks/bench_reports.py [--transcripts 1000] [--words 3000]

The project: transcripts from corpus.py (speaker turns, Zipf-like words), imported
with cases in three groups (role, region, group attributes); a codebook of 5 global
themes x 4 organising themes x 5 basic themes; about 300,000 codings by 3 coders and
no consensus, so every report pools every coder's codings. Each coding lies in one
turn; the coders code most passages alike, with boundaries a few characters apart.
Then RESOLVED places where Coder 0 and Coder 1 differ are resolved, so the reports'
default becomes the agreed version of those two, and the reports are timed again.
Seeded: the same project on every run.
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

from qcode.core.codebook import Code, Codebook  # noqa: E402
from qcode.core.ingest import import_files  # noqa: E402
from qcode.core.participants import Participant  # noqa: E402
from qcode.core.reports import cooccurrence, frequencies, gather  # noqa: E402
from qcode.core.store import Project, new_guid, now  # noqa: E402

CODERS = 3
RESOLVED = 1000
GROUPS = (("Police", ("Detective", "Detective Sergeant", "Analyst")),
          ("Platform staff", ("Head of Safety", "ASW Operator")),
          ("Sex workers", ("Independent escort", "Webcam model")))
REGIONS = ("Southeast", "North West", "East England", "London", "Wales", "Texas")


def codebook() -> Codebook:
    return Codebook("bench", codes=[
        Code(f"Global {g}", codes=[
            Code(f"Organising {g}.{o}", codes=[Code(f"Basic {g}.{o}.{b}") for b in range(5)])
            for o in range(4)])
        for g in range(5)])


def participants(count: int, rng: np.random.Generator) -> list[Participant]:
    out = []
    for i in range(count):
        group, roles = GROUPS[rng.choice(3, p=[0.5, 0.2, 0.3])]
        out.append(Participant(f"P{i:05d}", f"interview-{i:05d}.txt", {
            "group": group, "role": roles[rng.integers(len(roles))],
            "region": REGIONS[rng.integers(len(REGIONS))]}))
    return out


def codings(turns: list[tuple], basics: list[int], coder_ids: list[int], target: int,
            rng: np.random.Generator) -> list[tuple]:
    """Rows (transcript, code, coder, start, end): passages inside turns, each coded by
    each coder with probability 0.9, boundaries moved by up to 10 characters."""
    spans = [(t, s, e) for t, _, speaker, s, e in turns if speaker != "Interviewer"
             and e - s > 60]
    passages = int(target / (CODERS * 0.9))
    picked = rng.integers(len(spans), size=passages)
    codes = rng.choice(basics, size=passages)
    rows = []
    for index, code in zip(picked.tolist(), codes.tolist()):
        transcript, low, high = spans[index]
        length = int(rng.integers(30, min(400, high - low)))
        start = low + int(rng.integers(0, high - low - length + 1))
        for coder in coder_ids:
            if rng.random() < 0.9:
                s = min(max(low, start + int(rng.integers(-10, 11))), high - 2)
                e = max(s + 1, min(high, start + length + int(rng.integers(-10, 11))))
                rows.append((transcript, code, coder, s, e))
    return rows


def build(path: Path, transcripts: int, words: int, target: int) -> int:
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory() as folder:
        files = generate(Path(folder), transcripts, words, seed=7)
        with Project.create(path) as project:
            report = import_files(project, files, participants=participants(
                transcripts, rng))
            if report.failed:
                raise SystemExit(f"import failed: {report.failed[:3]}")
            project.load_codebook(codebook())
            basics = [c.id for c in project.codes() if c.depth == 2]
            coder_ids = [project.coder_id(f"Coder {c}") for c in range(CODERS)]
            rows = codings(project.turn_rows(), basics, coder_ids, target, rng)
            # Set-up only: so many codings through add_coding would take minutes.
            with project.transaction():
                project.conn.executemany(
                    'INSERT INTO codings (guid, transcript_id, code_id, coder_id, start,'
                    " \"end\", memo, created) VALUES (?, ?, ?, ?, ?, ?, '', ?)",
                    [(new_guid(), *row, now()) for row in rows])
    return len(rows)


def resolve_places(path: Path, count: int) -> int:
    """Resolve `count` places where Coder 0 and Coder 1 differ, as a researcher would
    in the TUI (each its own transaction), taking the first coder's spans."""
    from qcode.core.agreement.disagreements import places_in, resolve

    pair = ("Coder 0", "Coder 1")
    with Project.open(path) as project:
        first = [t.id for t in project.transcripts()][:60]
        places = places_in(project, *pair, transcript_ids=first)[:count]
        for found in places:
            place = found["place"]
            project.resolve(found["transcript_id"], found["code_id"],
                            (place.start, place.end), resolve(place, "first"), "first",
                            pair)
    return len(places)


def median_seconds(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qcode", *args], check=True,
                   capture_output=True, text=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--codings", type=int, default=300_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.qcode"
        started = time.perf_counter()
        count = build(path, args.transcripts, args.words, args.codings)
        print(f"built a project with {args.transcripts} transcripts, 125 codes and "
              f"{count:,} codings by {CODERS} coders in {time.perf_counter() - started:.0f} s")
        with Project.open(path) as project:
            material = gather(project)
            segments = len(material.segments)
            read = median_seconds(lambda: gather(project))
            inside = {
                "frequencies by group": median_seconds(
                    lambda: frequencies(project, by="group")),
                **{f"co-occurrence within {w}": median_seconds(
                    lambda w=w: cooccurrence(project, within=w))
                   for w in ("overlap", "turn", "transcript")},
            }
        out = Path(tmp)
        whole = {
            "frequencies by group": run("-p", str(path), "report", "frequencies", "--by",
                                        "group", "--out", str(out / "f.csv")),
            **{f"co-occurrence within {w}": run(
                "-p", str(path), "report", "cooccurrence", "--within", w, "--out",
                str(out / f"c-{w}.csv")) for w in ("overlap", "turn", "transcript")},
        }
        html = run("-p", str(path), "report", "html", str(out / "report"))
        quoted = run("-p", str(path), "quotes", "Global 0", "--out", str(out / "q.md"))
        lines = (out / "q.md").read_text(encoding="utf-8").count("\n> — ")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = (out / "report" / "index.html").stat().st_size / 1e6
        print(f"{segments:,} coded segments after pooling; reading them: {read:.2f} s\n")
        print("| measure | figure | target | met |")
        print("|---|---|---|---|")
        for name, seconds in whole.items():
            print(f"| `qcode report` {name}, {count:,} codings, whole process | "
                  f"{seconds:.2f} s | ≤ 3 s | {'yes' if seconds <= 3 else 'NO'} |")
        for name, seconds in inside.items():
            print(f"| {name} in an open project (read included, median of 3) | "
                  f"{seconds:.2f} s | | |")
        print(f"| `qcode report html`, whole process | {html:.1f} s | ≤ 15 s | "
              f"{'yes' if html <= 15 else 'NO'} |")
        print(f"| size of that report | {size:.1f} MB | | |")
        print(f"| `qcode quotes` of a global theme ({lines:,} quotes), whole process | "
              f"{quoted:.1f} s | | |")
        print(f"| peak memory of any of those processes | {peak:.0f} MB | | |")
        resolved = resolve_places(path, RESOLVED)
        with Project.open(path) as project:
            material = gather(project)
            note = material.choice.note
            agreed_segments = len(material.segments)
        agreed = {
            "frequencies by group": run("-p", str(path), "report", "frequencies", "--by",
                                        "group", "--out", str(out / "fa.csv")),
            "co-occurrence within overlap": run(
                "-p", str(path), "report", "cooccurrence", "--out", str(out / "ca.csv")),
        }
        agreed_html = run("-p", str(path), "report", "html", str(out / "report-agreed"))
        print(f"\nWith {resolved:,} places resolved, the default is the agreed version "
              f"({agreed_segments:,} coded segments): {note}\n")
        print("| measure | figure | target | met |")
        print("|---|---|---|---|")
        for name, seconds in agreed.items():
            print(f"| `qcode report` {name}, agreed version, whole process | "
                  f"{seconds:.2f} s | ≤ 3 s | {'yes' if seconds <= 3 else 'NO'} |")
        print(f"| `qcode report html`, agreed version, whole process | {agreed_html:.1f} s "
              f"| ≤ 15 s | {'yes' if agreed_html <= 15 else 'NO'} |")


if __name__ == "__main__":
    main()
