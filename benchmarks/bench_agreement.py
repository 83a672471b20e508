"""Inter-coder agreement benchmark (issue 5).

Targets: 3 coders x 1,000 transcripts of 10,000 words (about 60,000 characters each)
with 100 codes and about 300,000 codings: Krippendorff's unitized alpha per code and
overall in at most 5 s and 1 GB; doubling the text length with the same codings
changes the time by less than 20%; on a corpus small enough for it, an independent
per-character expansion gives the same values (to 1e-9), and the speed ratio is shown.

    python benchmarks/bench_agreement.py [--transcripts 1000] [--chars 60000] [--codes 100]
    python benchmarks/bench_agreement.py spans      (issue 13: `qcode agree` as shipped)

Codings are generated, seeded: in each quarter of a transcript a code has a segment
with probability 0.26; each coder codes it with probability 0.9, boundaries moved by
up to 40 characters, and now and then codes a stretch of their own. The timed work
starts from codings as rows (transcript, code, coder, start, end), as the project
database returns them, and ends with every code's alpha and the pooled alpha.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from itertools import accumulate
from pathlib import Path

import numpy as np

from qcode.core.agreement.coefficients import krippendorff_alpha
from qcode.core.agreement.unitized import pooled_unitized_alpha, unitized_alpha
from qcode.core.agreement.units import spans_to_unit_counts

CODERS = 3
SLOTS = 4


def codings(transcripts: int, chars: int, codes: int, seed: int) -> list[tuple[int, int, int, int, int]]:
    """Rows (transcript, code, coder, start, end); one coder's segments of one code
    never overlap (each lies in its own quarter of the transcript)."""
    rng = np.random.default_rng(seed)
    shape = (transcripts, codes, SLOTS)
    slot = chars // SLOTS
    margin = max(1, slot // 40)
    base = rng.random(shape) < 0.26
    length = rng.integers(max(2, slot // 200), max(3, slot // 10), size=shape)
    start = rng.integers(margin, slot - length - margin)
    rows = []
    for coder in range(CODERS):
        coded = base & (rng.random(shape) < 0.9)
        own = ~base & (rng.random(shape) < 0.015)
        jitter = max(1, slot // 375)
        s = start + rng.integers(-jitter, jitter + 1, size=shape)
        e = start + length + rng.integers(-jitter, jitter + 1, size=shape)
        own_start = rng.integers(margin, slot // 2, size=shape)
        s = np.where(own, own_start, s)
        e = np.where(own, own_start + length, e)
        s, e = np.clip(s, 0, slot - 2), np.clip(e, 1, slot - 1)
        e = np.maximum(e, s + 1)
        t, c, q = np.nonzero(coded | own)
        offset = q * slot
        rows += zip(t.tolist(), c.tolist(), [coder] * len(t),
                    (offset + s[t, c, q]).tolist(), (offset + e[t, c, q]).tolist())
    return rows


def report(rows, lengths: list[int], codes: int):
    """Unitized alpha per code and pooled, from rows as the database returns them."""
    offsets = list(accumulate([0, *lengths[:-1]]))
    spans: dict[int, list[list[tuple[int, int]]]] = defaultdict(lambda: [[] for _ in range(CODERS)])
    for transcript, code, coder, start, end in rows:
        at = offsets[transcript]
        spans[code][coder].append((at + start, at + end))
    per_code = [unitized_alpha(spans[code], lengths) for code in range(codes)]
    return per_code, pooled_unitized_alpha(per_code)


def timed(function, *args, repeat: int = 5):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# --- an independent per-character implementation, for the small corpus ---------------

def per_character_unitized(spans: list[list[tuple[int, int]]], lengths: list[int]) -> float | None:
    """Krippendorff's (2004) unitized alpha from per-character section labels."""
    total, m = sum(lengths), len(spans)
    transcript_starts = np.array(list(accumulate([0, *lengths[:-1]])))
    sections = []
    for coder in spans:
        label = np.full(total, -1)
        for k, (start, end) in enumerate(coder):
            label[start:end] = k
        new = np.ones(total, dtype=bool)
        new[1:] = label[1:] != label[:-1]
        new[transcript_starts] |= label[transcript_starts] < 0
        section = np.cumsum(new) - 1
        begin = np.flatnonzero(new)
        end = np.append(begin[1:], total)
        sections.append((section, begin, end, label[begin] >= 0))
    observed = 0.0
    for i in range(m):
        for j in range(m):
            if i == j:
                continue
            sec_i, b_i, e_i, unit_i = sections[i]
            sec_j, b_j, e_j, unit_j = sections[j]
            pairs = np.unique(sec_i * len(b_j) + sec_j)
            g, h = pairs // len(b_j), pairs % len(b_j)
            both = unit_i[g] & unit_j[h]
            observed += np.sum((b_i[g] - b_j[h])[both] ** 2 + (e_i[g] - e_j[h])[both] ** 2)
            touching = np.bincount(g, minlength=len(b_i))
            inside = unit_i & (touching == 1)
            only = np.zeros(len(b_i), dtype=bool)
            only[g[~unit_j[h]]] = True
            # Each containment enters the sum twice: as (unit, gap) for (i, j) and as
            # (gap, unit) for (j, i); this loop sees it once, from the unit's coder.
            observed += 2 * np.sum(((e_i - b_i) ** 2)[inside & only])
    d_o = observed / (m * (m - 1) * total ** 2)
    units = np.concatenate([(e - b)[u] for _, b, e, u in sections]).astype(float)
    gaps = np.concatenate([(e - b)[~u] for _, b, e, u in sections]).astype(float)
    if len(units) == 0:
        return None
    placements = np.maximum(gaps[None, :] - units[:, None] + 1, 0).sum(axis=1)
    numerator = np.sum((len(units) - 1) / 3 * (2 * units ** 3 - 3 * units ** 2 + units)
                       + units ** 2 * placements)
    d_e = 2 / total * numerator / (m * total * (m * total - 1) - np.sum(units * (units - 1)))
    return None if d_e == 0 else 1 - d_o / d_e


def small_corpus_check(seed: int):
    transcripts, chars, codes = 20, 3_000, 5
    rows = codings(transcripts, chars, codes, seed)
    lengths = [chars] * transcripts
    offsets = list(accumulate([0, *lengths[:-1]]))
    spans = defaultdict(lambda: [[] for _ in range(CODERS)])
    for t, code, coder, start, end in rows:
        spans[code][coder].append((offsets[t] + start, offsets[t] + end))

    ours_time, ours = timed(lambda: [unitized_alpha(spans[c], lengths).value for c in range(codes)])
    theirs_time, theirs = timed(lambda: [per_character_unitized(spans[c], lengths) for c in range(codes)])
    unitized_gap = max(abs(a - b) for a, b in zip(ours, theirs))

    # Character-level nominal alpha for given units: spans -> unit counts against 0/1
    # arrays handed to the krippendorff package.
    total = sum(lengths)
    # The units of a transcript are listed once and serve every code.
    characters = np.array([(i, i + 1) for i in range(total)])
    given_time, given = timed(
        lambda: [krippendorff_alpha(spans_to_unit_counts(spans[c], characters)).value for c in range(codes)])
    try:
        import krippendorff
    except ImportError:
        return len(rows), unitized_gap, theirs_time / ours_time, None, None

    def package():
        out = []
        for c in range(codes):
            data = np.zeros((CODERS, total))
            for coder, mine in enumerate(spans[c]):
                for start, end in mine:
                    data[coder, start:end] = 1
            out.append(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
        return out

    package_time, reference = timed(package)
    given_gap = max(abs(a - b) for a, b in zip(given, reference))
    return len(rows), unitized_gap, theirs_time / ours_time, given_gap, package_time / given_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=60_000)
    parser.add_argument("--codes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rows = codings(args.transcripts, args.chars, args.codes, args.seed)
    lengths = [args.chars] * args.transcripts
    seconds, (per_code, overall) = timed(report, rows, lengths, args.codes)
    doubled, _ = timed(report, rows, [2 * n for n in lengths], args.codes)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    change = (doubled - seconds) / seconds
    defined = [r.value for r in per_code if r.value is not None]
    count, unitized_gap, unitized_ratio, given_gap, given_ratio = small_corpus_check(args.seed)

    def met(ok: bool) -> str:
        return "yes" if ok else "NO"

    print(f"corpus: {args.transcripts:,} transcripts x {args.chars:,} characters, {args.codes} codes, "
          f"{CODERS} coders, {len(rows):,} codings")
    print(f"alpha per code: min {min(defined):.3f}, median {statistics.median(defined):.3f}, "
          f"max {max(defined):.3f}; overall {overall.value:.4f} (D_o {overall.d_o:.3g}, D_e {overall.d_e:.3g})")
    print()
    print("| measure | figure | target | met |")
    print("|---|---|---|---|")
    print(f"| unitized alpha for {args.codes} codes and overall, from {len(rows):,} coding rows "
          f"(median of 5) | {seconds:.2f} s | ≤ 5 s | {met(seconds <= 5)} |")
    print(f"| peak memory (max RSS of the whole process, corpus generation included) | {peak:.0f} MB "
          f"| ≤ 1 GB | {met(peak <= 1024)} |")
    print(f"| same codings, text length doubled | {doubled:.2f} s ({change:+.1%}) | change < 20% "
          f"| {met(abs(change) < 0.2)} |")
    print(f"| small corpus (20 x 3,000 characters, 5 codes, {count:,} codings): largest difference "
          f"from a per-character expansion | {unitized_gap:.1e} | ≤ 1e-9 | {met(unitized_gap <= 1e-9)} |")
    print(f"| speed ratio, per-character expansion / boundary sweep | {unitized_ratio:.0f}x | | |")
    if given_gap is not None:
        print(f"| small corpus, character-level nominal alpha (given units): largest difference from "
              f"the `krippendorff` package on 0/1 arrays | {given_gap:.1e} | ≤ 1e-9 | {met(given_gap <= 1e-9)} |")
        print(f"| speed ratio, `krippendorff` package / spans_to_unit_counts | {given_ratio:.1f}x | | |")


# --- issue 13: spans in 500-character slots, two coders, `qcode agree` as shipped ----

SLOT = 500
REPO = Path(__file__).resolve().parents[1]
CLIENT = REPO.parent / "shared" / "clients" / "qualcoder"
MEASURED = """
import atexit, resource, runpy, sys
def done():
    # VmHWM, not ru_maxrss: the latter keeps the benchmark's own peak across exec.
    use = resource.getrusage(resource.RUSAGE_SELF)
    peak = next(line.split()[1] for line in open("/proc/self/status")
                if line.startswith("VmHWM"))
    sys.stderr.write(f"\\nMEASURED {use.ru_utime + use.ru_stime} {peak}\\n")
atexit.register(done)
sys.argv = ["qcode", *sys.argv[1:]]
runpy.run_module("qcode", run_name="__main__")
"""


def slot_spans(chars: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Coder A codes 50-400 characters at a random offset in each 500-character slot;
    in 85% of slots coder B codes a copy with each end moved by up to 100 characters,
    otherwise a span of its own in the slot. Rows (start, end)."""
    slots = chars // SLOT
    base = np.arange(slots) * SLOT
    length = rng.integers(50, 401, slots)
    a_start = base + rng.integers(0, SLOT - length + 1)
    a_end = a_start + length
    b_start = a_start + rng.integers(-100, 101, slots)
    b_end = a_end + rng.integers(-100, 101, slots)
    own_length = rng.integers(50, 401, slots)
    own_start = base + rng.integers(0, SLOT - own_length + 1)
    copy = rng.random(slots) < 0.85
    b_start = np.where(copy, b_start, own_start)
    b_end = np.where(copy, b_end, own_start + own_length)
    b_start = np.clip(b_start, base, base + SLOT - 1)
    b_end = np.clip(b_end, b_start + 1, base + SLOT)
    return np.stack([a_start, a_end], 1), np.stack([b_start, b_end], 1)


def slot_project(path: Path, transcripts: int, chars: int, codes: int, seed: int) -> dict:
    """A project of `transcripts` texts of `chars` characters; each slot's pair of
    spans goes to one code drawn at random. Returns {code: [A spans, B spans]} on the
    continuum of the transcripts end to end, for the per-character comparisons."""
    from qcode.core.codebook import Code, Codebook
    from qcode.core.model import Transcript, Turn
    from qcode.core.store import Project, new_guid, now

    rng = np.random.default_rng(seed)
    sentence = "We looked at the adverts again, and then at the prices. "
    text = (sentence * (chars // len(sentence) + 1))[:chars]
    laid: dict[int, list[list[tuple[int, int]]]] = defaultdict(lambda: [[], []])
    with Project.create(path) as project:
        with project.transaction():
            for n in range(transcripts):
                project.add_transcript(Transcript(f"t{n:04d}", "txt", text,
                                                  [Turn("P", 0, chars, None)]), f"t{n}.txt")
        project.load_codebook(Codebook("bench", codes=[Code(f"code {c:03d}")
                                                       for c in range(codes)]))
        coders = [project.coder_id(name) for name in ("A", "B")]
        code_ids = [c.id for c in project.codes()]
        transcript_ids = [t.id for t in project.transcripts()]
        rows = []
        for n, tid in enumerate(transcript_ids):
            pair = slot_spans(chars, rng)
            which = rng.integers(0, codes, len(pair[0]))
            for coder, spans in zip(coders, pair):
                for code, (start, end) in zip(which.tolist(), spans.tolist()):
                    rows.append((new_guid(), tid, code_ids[code], coder, start, end, now()))
                    laid[code][coders.index(coder)].append((n * chars + start, n * chars + end))
        # Set-up only: the codings go in as rows, in one transaction.
        with project.transaction():
            project.conn.executemany(
                'INSERT INTO codings (guid, transcript_id, code_id, coder_id, start, "end",'
                " memo, created) VALUES (?, ?, ?, ?, ?, ?, '', ?)", rows)
    return dict(laid)


def qcode(path: Path, *args: str) -> tuple[float, float, str]:
    """`qcode -p PATH ARGS` in a new process: its CPU seconds, peak memory (MB), output."""
    done = subprocess.run([sys.executable, "-c", MEASURED, "-p", str(path), *args],
                          check=True, capture_output=True, text=True)
    line = done.stderr.strip().splitlines()[-1].split()
    return float(line[1]), float(line[2]) / 1024, done.stdout


def qualcoder_seconds(path: Path, tmp: Path, code: str) -> float | None:
    """QualCoder's own comparison of coders A and B on `code`, on a QualCoder project
    made by QualCoder's import of this project's .qdpx; None without QUALCODER_PYTHON."""
    python = os.environ.get("QUALCODER_PYTHON")
    if not python or not CLIENT.exists():
        return None
    archive = tmp / "spans.qdpx"
    qcode(path, "export", str(archive), "--for", "qualcoder")
    subprocess.run([python, str(CLIENT / "drive.py"), "import-qdpx", str(archive),
                    str(tmp / "qualcoder")], check=True, capture_output=True, text=True)
    done = subprocess.run([python, str(Path(__file__).with_name("qualcoder_agreement.py")),
                           str(CLIENT), str(tmp / "qualcoder.qda"), code, "A", "B"],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def package_seconds(laid: dict, total: int, sample: int) -> float:
    """CPU seconds for nominal alpha from per-character 0/1 arrays fed to the
    `krippendorff` package, for `sample` codes, scaled to all of them."""
    import krippendorff

    codes = sorted(laid)[:sample]
    started = time.process_time()
    for code in codes:
        data = np.zeros((2, total))
        for coder, spans in enumerate(laid[code]):
            for start, end in spans:
                data[coder, start:end] = 1
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return (time.process_time() - started) * len(laid) / len(codes)


def in_process(path: Path) -> float:
    """CPU seconds of `qcode agree`'s work (select, build, render) in this process."""
    from qcode.core.agreement.render import render
    from qcode.core.agreement.report import build, select
    from qcode.core.store import Project

    with Project.open(path) as project:
        started = time.process_time()
        render(build(project, select(project)), "table")
        return time.process_time() - started


def spans_benchmark(seed: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        one = tmp / "one.qcode"
        slot_project(one, 1, 10_000_000, 1, seed)
        seconds, peak_one, _ = qcode(one, "agree")
        computed = statistics.median(in_process(one) for _ in range(5))
        theirs = qualcoder_seconds(one, tmp, "code 000")
        many = tmp / "many.qcode"
        laid = slot_project(many, 200, 50_000, 100, seed)
        report_seconds, peak_many, _ = qcode(many, "agree")
        character_seconds, character_peak, _ = qcode(many, "agree", "--unit", "character")
        package = package_seconds(laid, 10_000_000, 5)
        sizes, times = [], []
        for transcripts in (50, 100, 200):
            path = tmp / f"size{transcripts}.qcode"
            slot_project(path, transcripts, 50_000, 100, seed)
            sizes.append(transcripts * 50_000 // SLOT * 2)
            times.append(statistics.median(in_process(path) for _ in range(3)))
        slope = np.polyfit(np.log(sizes), np.log(times), 1)[0]

    def met(ok: bool) -> str:
        return "yes" if ok else "NO"

    print("| measure (CPU time of the whole process) | figure | target | met |")
    print("|---|---|---|---|")
    print(f"| `qcode agree`, one 10 M-character transcript, one code, 2 coders (40,000 codings) "
          f"| {seconds:.2f} s, {peak_one:.0f} MB | ≤ 0.5 s | {met(seconds <= 0.5)} |")
    if theirs is None:
        print("| QualCoder's `calculate_agreement_for_code` on the same spans | skipped "
              "(QUALCODER_PYTHON unset) | | |")
    else:
        print(f"| QualCoder's `calculate_agreement_for_code` on the same spans (in its "
              f"process) against qcode's select, build and render (in process, "
              f"{computed:.3f} s) | {theirs:.2f} s; ratio {theirs / computed:.0f}x | ≥ 20x "
              f"| {met(theirs / computed >= 20)} |")
    print(f"| `qcode agree`, 100 codes over 200 transcripts (10 M characters), 2 coders, "
          f"200-resample bootstrap | {report_seconds:.2f} s, {peak_many:.0f} MB | ≤ 1.5 s "
          f"| {met(report_seconds <= 1.5)} |")
    print(f"| per-character 0/1 arrays fed to the `krippendorff` package, 100 codes (5 timed, "
          f"x20) | {package:.0f} s; ratio {package / report_seconds:.0f}x | ≥ 100x "
          f"| {met(package / report_seconds >= 100)} |")
    print(f"| `qcode agree --unit character`, same project | {character_seconds:.2f} s, "
          f"{character_peak:.0f} MB | ≤ 2 s, ≤ 300 MB "
          f"| {met(character_seconds <= 2 and character_peak <= 300)} |")
    print(f"| time-growth exponent over {', '.join(f'{n:,}' for n in sizes)} codings "
          f"(in process, {', '.join(f'{t:.2f}' for t in times)} s) | {slope:.2f} | ≈ 1 | "
          f"{met(slope <= 1.2)} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["spans"]:
        spans_benchmark(seed=13)
    else:
        main()
