"""Hostile-input benchmark (issue 17): every hostile file the tests build, given to the
command a researcher would run on it, each in a fresh project and in its own process.

Target: every case refused in one line (or, where qcode ignores the hostile part with a
warning, imported without it) within 5 s of CPU time and 300 MB. Each command runs as a
child process; its CPU time and peak memory (ru_maxrss) are its own, read with os.wait4
by a small Python that starts it, so no case is charged for another or for this script.
Wall-clock time is shown beside it: on a shared machine it also counts waiting for a core.
`qcode transcripts` on an empty project is measured the same way, as the floor every
command pays (start-up), and each case's CPU time is given as a multiple of it.

    python benchmarks/bench_hostile.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.cli.test_exchange_codebook import CRAFTED, LAUGHS, XXE  # noqa: E402
from tests.cli.test_hostile_inputs import (  # noqa: E402
    BODY, deep_json, docx_bomb_bytes, qdpx_selection, qdpx_with_docx, word_document)

SECONDS = 5.0
MEGABYTES = 300
PASSPHRASE = "a long passphrase"


@dataclass
class Case:
    name: str
    files: Callable[[Path], None]  # writes the hostile file(s) into the folder
    command: list[str]
    expect: str = "refused"  # or "warned": imported, the hostile part ignored


def write(name: str, data: bytes | str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        target = folder / name
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return make


def zip_bomb(folder: Path) -> None:
    """A project.qde of 1 GB of zeros, packed to about a megabyte."""
    with zipfile.ZipFile(folder / "bomb.qdpx", "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("project.qde", "w", force_zip64=True) as stream:
            for _ in range(1024):
                stream.write(b"\0" * (1 << 20))


def many_entries(folder: Path) -> None:
    """A .qdpx of 200,000 empty members: a central directory to exhaust the reader."""
    with zipfile.ZipFile(folder / "many.qdpx", "w") as archive:
        archive.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0"/>')
        for n in range(200_000):
            archive.writestr(f"sources/{n}.txt", b"")


def zip_slip(folder: Path) -> None:
    with zipfile.ZipFile(folder / "slip.qdpx", "w") as archive:
        archive.writestr("project.qde", '<?xml version="1.0"?><Project xmlns='
                         '"urn:QDA-XML:project:1.0" name="p"><Sources><TextSource '
                         'guid="A0000000-0000-4000-8000-000000000001" name="s" '
                         'plainTextPath="internal://../../../etc/passwd"/></Sources>'
                         '</Project>')
        archive.writestr("../../escape.txt", BODY)


def docx_in_qdpx(folder: Path) -> None:
    qdpx_with_docx(folder / "p.qdpx", {"good": word_document(BODY),
                                       "bomb": docx_bomb_bytes()})


def tampered_key(n: int) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        from qcode.core.anonymise.key import Key, save_key

        save_key(Key(), folder / "k.json", PASSPHRASE)
        data = json.loads((folder / "k.json").read_text())
        data["n"] = n
        (folder / "k.json").write_text(json.dumps(data))
        (folder / "p01.txt").write_text(BODY)
        (folder / "ids.csv").write_text("value,category\nSiobhan,person\n")
    return make


ANONYMISED = ["import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers",
              "ids.csv", "--non-interactive"]
CASES = [
    Case("Word bomb (200 MB document.xml)", write("bomb.docx", docx_bomb_bytes()),
         ["import", "bomb.docx"]),
    Case("Word bomb inside a .qdpx", docx_in_qdpx, ["import-project", "p.qdpx"]),
    Case("zip bomb .qdpx (1 GB project.qde)", zip_bomb, ["import-project", "bomb.qdpx"]),
    Case("zip bomb .qdpx, codebook import", zip_bomb, ["codebook", "import", "bomb.qdpx"]),
    Case(".qdpx of 200,000 members", many_entries, ["import-project", "many.qdpx"]),
    Case("zip slip (../ member and path)", zip_slip, ["import-project", "slip.qdpx"]),
    Case("XXE .qdc", write("xxe.qdc", XXE), ["codebook", "import", "xxe.qdc"]),
    Case("billion laughs .qdc", write("laughs.qdc", LAUGHS),
         ["codebook", "import", "laughs.qdc"]),
    Case("YAML of doubling aliases", write("laughs.yaml", CRAFTED["laughs.yaml"]),
         ["codebook", "load", "laughs.yaml"]),
    Case("YAML nested 10,000 deep", write("deep.yaml", CRAFTED["deep.yaml"]),
         ["codebook", "load", "deep.yaml"]),
    Case("CSV codebook 10,000 deep", write("deep.csv", CRAFTED["deep.csv"]),
         ["codebook", "import", "deep.csv"]),
    Case("YAML child with its parent's GUID", write("twice.yaml", CRAFTED["twice.yaml"]),
         ["codebook", "load", "twice.yaml"]),
    Case("position '²' in a .qdpx", lambda f: qdpx_selection(f / "p.qdpx", "²"),
         ["import-project", "p.qdpx"]),
    Case("qcode.json nested 100,000 deep",
         lambda f: qdpx_selection(f / "p.qdpx", "0", deep_json()),
         ["import-project", "p.qdpx"], expect="warned"),
    Case("key file nested 100,000 deep", lambda f: (
        tampered_key(2**15)(f), (f / "k.json").write_text(deep_json())),
        ANONYMISED),
    Case("key asking scrypt n=2^40", tampered_key(2**40), ANONYMISED),
    Case("transcript with a BOM and NULs",
         write("nul.txt", b"\xef\xbb\xbfINTERVIEWER: hi \x00 there\n"),
         ["import", "nul.txt"]),
    Case("binary file named .txt", write("bin.txt", bytes(range(256)) * 4000),
         ["import", "bin.txt"]),
]


# The command runs under a small fresh Python that waits for it: Linux carries a
# process's peak memory across fork and exec, so a child of this script (which holds
# the builders and made the files) would be charged this script's own peak.
PROBE = """
import json, os, subprocess, sys, time
started = time.monotonic()
child = subprocess.Popen([sys.executable, "-m", "qcode", *sys.argv[1:]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
said = child.stdout.read().decode("utf-8", "replace")
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"status": os.waitstatus_to_exitcode(status), "said": said,
                  "seconds": time.monotonic() - started,
                  "cpu": usage.ru_utime + usage.ru_stime, "mb": usage.ru_maxrss / 1024}))
"""


def measured(command: list[str], folder: Path) -> dict:
    """Exit status, output, wall seconds, CPU seconds and peak MB of one qcode command,
    its own (os.wait4), not this script's."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "QCODE_KEY_PASSPHRASE": PASSPHRASE}
    env.pop("QCODE_PROJECT", None)
    probe = subprocess.run([sys.executable, "-c", PROBE, *command], cwd=folder, env=env,
                           capture_output=True, text=True, check=True)
    return json.loads(probe.stdout)


def run_case(case: Case) -> dict:
    with tempfile.TemporaryDirectory() as place:
        folder = Path(place)
        measured(["init"], folder)
        case.files(folder)
        row = measured(case.command, folder)
    lines = row["said"].splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    if case.expect == "refused":
        # One line for the refusal; `import` also prints its batch summary after it.
        behaved = row["status"] != 0 and len(errors) == 1 and "Traceback" not in row["said"]
    else:
        behaved = row["status"] == 0 and not errors and "Traceback" not in row["said"]
    return {**row, "case": case.name, "command": " ".join(case.command[:2]),
            "behaved": behaved, "said": lines[0] if lines else "",
            "within": row["cpu"] < SECONDS and row["mb"] < MEGABYTES}


def main() -> int:
    with tempfile.TemporaryDirectory() as place:
        measured(["init"], Path(place))
        floor = measured(["transcripts"], Path(place))
    print(f"floor (qcode transcripts, empty project): {floor['seconds']:.2f} s wall, "
          f"{floor['cpu']:.2f} s CPU, {floor['mb']:.0f} MB\n")
    print("| case | command | wall s | CPU s | × floor CPU | peak MB | outcome |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    failures = 0
    for case in CASES:
        row = run_case(case)
        ok = row["behaved"] and row["within"]
        failures += not ok
        outcome = ("refused" if case.expect == "refused" else "imported, part ignored") \
            if row["behaved"] else "MISBEHAVED"
        if not row["within"]:
            outcome += f", OVER {SECONDS:.0f} s CPU / {MEGABYTES} MB"
        print(f"| {row['case']} | {row['command']} | {row['seconds']:.2f} | "
              f"{row['cpu']:.2f} | {row['cpu'] / floor['cpu']:.1f} | {row['mb']:.0f} | "
              f"{outcome} |", flush=True)
        if not ok:
            print(f"    said: {row['said'][:200]}", file=sys.stderr)
    print(f"\n{len(CASES) - failures} of {len(CASES)} cases within {SECONDS:.0f} s CPU and "
          f"{MEGABYTES} MB, each refused in one line (or its hostile part ignored)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
