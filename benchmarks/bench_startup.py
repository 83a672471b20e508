"""Start-up of the `qcode` command (issue 16).

Targets: `qcode --help` in at most 2.5 times a bare `python -c pass`, and
`qcode search PHRASE` in at most 80 ms on a project of 10 M words (1,000 transcripts of
10,000 words from corpus.py), both through the `qcode` console script. Beside them runs
`python -c 'import sqlite3'`, the floor of any command over SQLite.

    python benchmarks/bench_startup.py [--cache DIR] [--runs 40] [--baseline CHECKOUT]

The machine is shared and noisy, so the commands run in alternation, round after round
(`python -c pass`, the floor, `qcode --help`, `qcode search`), and the figures are
medians, of wall time and of the child's CPU time (user + system). Bytecode is written and used, as an
installed wheel has it; the first round of each command is a warm-up and not counted.

The project is built once (about a minute) and kept in the cache folder: --cache, else
$QCODE_BENCH_CACHE, else a folder in the system's temporary directory. --baseline names
another checkout of qcode (e.g. a worktree of an older commit) whose `qcode --help` and
`qcode search` run in the same rounds, for before-and-after figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
sys.path[:0] = [str(HERE), str(CHECKOUT)]  # this checkout's qcode, not an installed one
from corpus import generate  # noqa: E402
HELP_RATIO = 2.5
SEARCH_MS = 80
FLOOR = "python -c 'import sqlite3'"


def console_script() -> Path:
    """The `qcode` script of this Python's environment (pip install -e . makes it)."""
    beside = Path(sys.executable).parent / "qcode"
    found = beside if beside.exists() else shutil.which("qcode")
    if found is None:
        sys.exit("no `qcode` console script: run `pip install -e .` first")
    return Path(found)


def environment(checkout: Path) -> dict[str, str]:
    """The console script, running the given checkout's code, with bytecode."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "QCODE_PROJECT")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout),
                                                      os.environ.get("PYTHONPATH")]))
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time (user + system of the child) of one run, in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cached_project(cache: Path, transcripts: int, words: int, script: Path) -> Path:
    """The generated project, built through `qcode import` unless the cache holds it.
    Built under another name and renamed when done, so a broken build is not reused."""
    project = cache / f"startup-{transcripts}x{words}.qcode"
    if project.exists():
        print(f"using the cached project {project}")
        return project
    cache.mkdir(parents=True, exist_ok=True)
    building = project.with_suffix(".building")
    for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        stale.unlink(missing_ok=True)
    env = environment(CHECKOUT)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        started = time.perf_counter()
        files = generate(Path(tmp), transcripts, words)
        subprocess.run([str(script), "--project", str(building), "init"], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([str(script), "--project", str(building), "import", *map(str, files)],
                       env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    building.rename(project)
    print(f"built {project} ({transcripts} x {words} words) in "
          f"{time.perf_counter() - started:.0f} s")
    return project


def phrase_in(project: Path) -> str:
    """Two words from the middle of a middle transcript: a phrase that is there."""
    from qcode.core.store import Project

    with Project.open(project) as p:
        rows = p.transcripts()
        text = p.transcript_text(rows[len(rows) // 2].id)
    words = text[len(text) // 2:].split()[1:]  # the first may be cut
    return next(f"{first} {second}".lower() for first, second in zip(words, words[1:])
                if first.isalpha() and second.isalpha())


def summary(runs: list[tuple[float, float]]) -> tuple[float, float, float, float, float]:
    """Median wall, median CPU, the quartiles and the fastest of wall time, in ms: the
    spread shows how much the other work on the machine moved the figures."""
    walls = [w * 1000 for w, _ in runs]
    quartiles = statistics.quantiles(walls, n=4)
    return (statistics.median(walls), statistics.median(c * 1000 for _, c in runs),
            quartiles[0], quartiles[2], min(walls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "QCODE_BENCH_CACHE", Path(tempfile.gettempdir()) / "qcode-bench")))
    parser.add_argument("--runs", type=int, default=40, help="Rounds counted.")
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--baseline", type=Path,
                        help="Another checkout measured in the same rounds.")
    args = parser.parse_args()

    script = console_script()
    project = cached_project(args.cache, args.transcripts, args.words, script)
    phrase = phrase_in(project)
    checkouts = {"": CHECKOUT} | ({"baseline ": args.baseline} if args.baseline else {})
    commands = {"python -c pass": ([sys.executable, "-c", "pass"], environment(CHECKOUT)),
                # The floor under any command that opens a project: what qcode
                # search cannot go below, as a command over sqlite3.
                FLOOR: ([sys.executable, "-c", "import sqlite3"],
                        environment(CHECKOUT))}
    for label, checkout in checkouts.items():
        env = environment(checkout.resolve())
        commands[f"{label}qcode --help"] = ([str(script), "--help"], env)
        commands[f"{label}qcode search"] = (
            [str(script), "--project", str(project), "search", phrase], env)

    print(f"{args.runs} rounds of {len(commands)} commands, alternating; load average "
          f"{os.getloadavg()[0]:.1f}; search for {phrase!r}")
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for round_number in range(args.runs + 1):
        for name, (command, env) in commands.items():
            result = timed(command, env)
            if round_number:  # round 0 writes the bytecode and warms the caches
                runs[name].append(result)

    figures = {name: summary(times) for name, times in runs.items()}
    print(f"\n{'command':<36}{'wall ms':>9}{'CPU ms':>9}   wall quartiles, fastest")
    for name, (wall, cpu, low, high, fastest) in figures.items():
        print(f"{name:<36}{wall:>9.1f}{cpu:>9.1f}   {low:.1f}-{high:.1f}, {fastest:.1f}")
    bare_wall, bare_cpu = figures["python -c pass"][:2]
    floor_wall, floor_cpu = figures[FLOOR][:2]
    print(f"\nimport sqlite3 / python -c pass: {floor_wall / bare_wall:.2f} wall, "
          f"{floor_cpu / bare_cpu:.2f} CPU")
    for label in checkouts:
        help_wall, help_cpu = figures[f"{label}qcode --help"][:2]
        search_wall = figures[f"{label}qcode search"][0]
        ratio = help_wall / bare_wall
        print(f"{label}qcode --help / python -c pass: {ratio:.2f} wall, "
              f"{help_cpu / bare_cpu:.2f} CPU (target <= {HELP_RATIO}: "
              f"{'met' if ratio <= HELP_RATIO else 'NOT met'})")
        search_cpu = figures[f"{label}qcode search"][1]
        print(f"{label}qcode search: {search_wall:.1f} ms wall (target <= {SEARCH_MS} ms: "
              f"{'met' if search_wall <= SEARCH_MS else 'NOT met'}); above the "
              f"sqlite3 floor: {search_wall - floor_wall:.1f} ms wall, "
              f"{search_cpu - floor_cpu:.1f} ms CPU")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
