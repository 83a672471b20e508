"""Exchange benchmark (issue 6): a whole project out to a REFI-QDA .qdpx and back in.

Target on a 2-core machine: exporting 100 transcripts of 10,000 words with 30,000
codings (3 coders, 110 codes, a memo on one coding in twenty, a case with attributes
per transcript) in at most 5 s, as `qcode export` (whole process, Python start-up
included) and as the in-process call (snapshot, then the archive's bytes); and importing
that archive into a new project (`qcode import-project`) in at most 5 s too.

    python benchmarks/bench_exchange.py [--transcripts 100] [--words 10000]
                                        [--codings 30000] [--runs 3]
                                        [--baseline REF ...] [--paired-only]

With --baseline (a git commit, repeatable), `qcode import-project` is also run with
that commit's code, paired with this code (alternating, --runs pairs), on three kinds
of archive: qcode's own export (its origin names the counting), the same archive with
another tool's origin (the counting chosen from the evidence, here with nothing to
choose between: no CR LF, nothing beyond U+FFFF), and the export for MAXQDA (texts
with CR LF, each counted as one) with another tool's origin, so that every selection
is weighed and placed under a counting chosen at the end; each command's CPU seconds
and peak are reported side by side.

The corpus is benchmarks/corpus.py's, the codings are drawn inside the turns; both are
seeded, so every run measures the same project.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

from qcode.core.codebook import Code, Codebook  # noqa: E402
from qcode.core.exchange.project_snapshot import snapshot  # noqa: E402
from qcode.core.exchange.qdpx_read import read_project_file  # noqa: E402
from qcode.core.exchange.qdpx_write import qdpx_bytes  # noqa: E402
from qcode.core.ingest import import_files  # noqa: E402
from qcode.core.store import Project, now  # noqa: E402

Row = tuple[str, str, str, str]  # measure, figure, target, met
TARGET_SECONDS = 5.0
# Issue 12: 294,000 codings exported, or imported, in at most this peak (max RSS).
TARGET_MB = 300
RUNS = 3  # each figure is the median of this many runs (--runs)


def build_project(path: Path, corpus: Path, transcripts: int, words: int, codings: int,
                  seed: int = 6) -> None:
    rng = random.Random(seed)
    files = generate(corpus, transcripts, words)
    with Project.create(path) as project:
        report = import_files(project, files)
        assert not report.failed, report.failed
        project.load_codebook(Codebook("bench", codes=[
            Code(f"theme {t}", definition=f"Global theme {t}.", colour="#1F77B4", codes=[
                Code(f"code {t}.{c}", definition=f"Basic theme {c} of theme {t}.",
                     when_to_use="When the participant says so.") for c in range(10)])
            for t in range(10)]))
        for row in project.transcripts():
            project.set_attributes(row.case or row.name, {
                "role": rng.choice(["Detective", "Analyst", "Moderator"]),
                "years": str(rng.randint(1, 30)), "hours": f"{rng.uniform(20, 45):.1f}"})
        coders = [project.coder_id(f"coder {k}") for k in range(3)]
        code_ids = [c.id for c in project.codes()]
        turns = [(row.id, t.start, t.end) for row in project.transcripts()
                 for t in project.turns(row.id) if t.end - t.start > 2]
        rows = []
        for _ in range(codings):
            transcript, first, last = rng.choice(turns)
            start = rng.randrange(first, last - 1)
            end = min(last, start + rng.randint(20, 600))
            memo = "A memo & <note> on this passage." if rng.random() < 0.05 else ""
            rows.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
                         transcript, rng.choice(code_ids), rng.choice(coders), start, end,
                         memo, now()))
        # Set-up only: 30,000 codings through add_coding would take minutes (and join
        # the overlapping ones), so they go in as rows, in one transaction.
        with project.transaction():
            project.conn.executemany(
                'INSERT INTO codings (guid, transcript_id, code_id, coder_id, start, "end",'
                " memo, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


# Runs a command and prints its peak memory and CPU seconds: a process started from
# this (large) one would report this one's size as its own, since Linux carries the
# peak across exec.
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True,"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        " used = resource.getrusage(resource.RUSAGE_CHILDREN);"
        " print(used.ru_maxrss, used.ru_utime + used.ru_stime)")


def run_qcode(*args: str, code: Path | None = None) -> tuple[float, float]:
    """A qcode command's wall-clock seconds and its own peak memory (max RSS, MB),
    measured by a small process in between."""
    seconds, peak, _ = measured_qcode(*args, code=code)
    return seconds, peak


def measured_qcode(*args: str, code: Path | None = None) -> tuple[float, float, float]:
    """A qcode command's wall-clock seconds, peak memory (MB) and CPU seconds, run with
    the code in `code` (a checkout of another commit) or this one."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    started = time.perf_counter()
    # `python -m` looks in its working folder first: run another commit's from its own.
    done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "qcode", *args],
                          check=True, capture_output=True, text=True, env=env, cwd=code)
    peak, cpu = done.stdout.split()
    return time.perf_counter() - started, int(peak) / 1024, float(cpu)


def met(seconds: float) -> str:
    return "yes" if seconds <= TARGET_SECONDS else "NO"


def export_measures(project_path: Path, folder: Path) -> list[Row]:
    """The export: in process (median of RUNS), and as the command (median of RUNS)."""
    in_process = []
    with Project.open(project_path) as project:
        for _ in range(RUNS):
            started = time.perf_counter()
            data = qdpx_bytes(snapshot(project))
            in_process.append(time.perf_counter() - started)
        started = time.perf_counter()
        exchange = snapshot(project)
        read = time.perf_counter() - started
    runs = [run_qcode("-p", str(project_path), "export", str(folder / f"bench-{n}.qdpx"))
            for n in range(RUNS)]
    command, peak = [seconds for seconds, _ in runs], max(mb for _, mb in runs)
    same = len({(folder / f"bench-{n}.qdpx").read_bytes() for n in range(RUNS)}) == 1
    whole, inner = statistics.median(command), statistics.median(in_process)
    return [
        (f"`qcode export` to .qdpx ({len(exchange.codings):,} codings), whole process",
         f"{whole:.2f} s", "≤ 5 s", met(whole)),
        ("in process: snapshot, build, check, zip (`qdpx_bytes(snapshot(project))`)",
         f"{inner:.2f} s", "≤ 5 s", met(inner)),
        ("of which `snapshot` (all but the codings, read as they are written)",
         f"{read:.2f} s", "", ""),
        ("peak memory of `qcode export` (max RSS of the child)", f"{peak:.0f} MB",
         f"≤ {TARGET_MB} MB", "yes" if peak <= TARGET_MB else "NO"),
        ("archive (project.qde, qcode.json, sources)",
         f"{len(data) / 1e6:.1f} MB", "", ""),
        (f"{RUNS} exports byte-identical", "yes" if same else "NO", "yes",
         "yes" if same else "NO"),
    ]


def import_measures(folder: Path) -> list[Row]:
    """The import of the archive the export wrote: in process (read the .qdpx, lay it
    out and merge it into a new project; median of RUNS), and as the command."""
    archive = folder / "bench-0.qdpx"
    in_process, read = [], []
    for n in range(RUNS):
        started = time.perf_counter()
        exchange = read_project_file(archive)
        read.append(time.perf_counter() - started)
        with Project.create(folder / f"in-{n}.qcode") as project:
            project.import_exchange(exchange, archive.name)
        in_process.append(time.perf_counter() - started)
    runs = [run_qcode("-p", str(folder / f"cmd-{n}.qcode"), "import-project", str(archive))
            for n in range(RUNS)]
    command, peak = [seconds for seconds, _ in runs], max(mb for _, mb in runs)
    with Project.open(folder / "cmd-0.qcode") as project:
        held = project.summary()
    whole, inner = statistics.median(command), statistics.median(in_process)
    return [
        (f"`qcode import-project` of that .qdpx ({held['codings']:,} codings, "
         f"{held['transcripts']} transcripts), whole process", f"{whole:.2f} s", "≤ 5 s",
         met(whole)),
        ("in process: read, lay out, merge into a new project", f"{inner:.2f} s", "≤ 5 s",
         met(inner)),
        ("of which reading the archive (`read_project_file`)",
         f"{statistics.median(read):.2f} s", "", ""),
        ("peak memory of `qcode import-project` (max RSS of the child)", f"{peak:.0f} MB",
         f"≤ {TARGET_MB} MB", "yes" if peak <= TARGET_MB else "NO"),
    ]


def with_origin(archive: Path, target: Path, origin: str) -> Path:
    """The archive with another tool's origin in its project.qde (so the import reads
    it as that tool's, weighing the evidence), copied a part at a time."""
    with zipfile.ZipFile(archive) as given, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as out:
        for entry in given.infolist():
            with given.open(entry) as source, out.open(entry.filename, "w") as copy:
                head = source.read(1 << 16)
                if entry.filename == "project.qde":
                    start = head.index(b'origin="') + len(b'origin="')
                    end = head.index(b'"', start)
                    head = head[:start] + origin.encode() + head[end:]
                copy.write(head)
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
    return target


def checkout(ref: str, folder: Path) -> Path:
    """The package as it was at commit `ref`, unpacked into `folder`."""
    folder.mkdir()
    root = Path(__file__).resolve().parents[1]
    tar = subprocess.run(["git", "-C", str(root), "archive", ref, "qcode"], check=True,
                         capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=tar, check=True)
    return folder


def paired_imports(project_path: Path, folder: Path,
                   baselines: list[str]) -> list[list[str]]:
    """`qcode import-project` with each baseline's code and this one, alternating, on
    qcode's own export, on the same archive as another tool's, and on an archive with
    CR LF texts as another tool's: CPU and peak."""
    own = folder / "bench-0.qdpx"
    run_qcode("-p", str(project_path), "export", "--for", "maxqda",
              str(folder / "crlf.qdpx"))
    kinds = {"qcode's own export": own,
             "another tool's (origin MAXQDA)": with_origin(own, folder / "other.qdpx",
                                                           "MAXQDA 2022"),
             "another tool's, CR LF texts (origin MAXQDA)": with_origin(
                 folder / "crlf.qdpx", folder / "other-crlf.qdpx", "MAXQDA 2022")}
    codes = {ref: checkout(ref, folder / f"code-{n}") for n, ref in enumerate(baselines)}
    codes["this code"] = None
    rows = []
    for kind, archive in kinds.items():
        cpu: dict[str, list[float]] = {who: [] for who in codes}
        peak: dict[str, list[float]] = {who: [] for who in codes}
        for n in range(RUNS):
            order = list(codes) if n % 2 == 0 else list(reversed(codes))
            for who in order:
                target = folder / f"paired-{len(os.listdir(folder))}.qcode"
                _, mb, seconds = measured_qcode("-p", str(target), "import-project",
                                                str(archive), code=codes[who])
                cpu[who].append(seconds)
                peak[who].append(mb)
        mine = statistics.median(cpu["this code"])
        for who in codes:
            rows.append([kind, who, ", ".join(f"{s:.1f}" for s in cpu[who]),
                         f"{mine / statistics.median(cpu[who]):.2f}",
                         f"{max(peak[who]):.0f} MB"])
    return rows


def measures(project_path: Path, folder: Path) -> list[Row]:
    """Every measure of the exchange benchmark: the export, then the import of the
    archive it wrote."""
    return export_measures(project_path, folder) + import_measures(folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transcripts", type=int, default=100)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--codings", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", action="append", default=[],
                        help="a git commit whose import to pair with this code's")
    parser.add_argument("--paired-only", action="store_true",
                        help="with --baseline: only export once and the paired imports")
    args = parser.parse_args()
    global RUNS
    RUNS = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project_path = folder / "bench.qcode"
        started = time.perf_counter()
        build_project(project_path, folder / "corpus", args.transcripts, args.words,
                      args.codings)
        print(f"built a project of {args.transcripts} transcripts x {args.words:,} words "
              f"and {args.codings:,} codings in {time.perf_counter() - started:.1f} s")
        if args.paired_only:
            run_qcode("-p", str(project_path), "export", str(folder / "bench-0.qdpx"))
            rows = []
        else:
            rows = measures(project_path, folder)
        paired = (paired_imports(project_path, folder, args.baseline)
                  if args.baseline else [])
    if rows:
        print()
        print("| measure | figure | target | met |")
        print("|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    if paired:
        print()
        print("| `qcode import-project` of | code | CPU s (each run) | this code's CPU "
              "/ its | peak |")
        print("|---|---|---|---|---|")
        for row in paired:
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
