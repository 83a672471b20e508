"""qcode -> QualCoder -> qcode, through QualCoder's own REFI-QDA import and export
(issue 12): the demo and a large generated project.

    QUALCODER_PYTHON=.../bin/python python benchmarks/bench_qualcoder_roundtrip.py \
        [--transcripts 20] [--words 3000] [--codings 5000] [--client DIR]

QUALCODER_PYTHON names the Python of the headless QualCoder client (its README, in
shared/clients/qualcoder beside the repository, says how to set it up); --client names
that folder when it is elsewhere. Each project gets a category, a memo of every kind
(on a coding, a code, a transcript), a code and a category named as others elsewhere in
the tree, and cases linked to its transcripts, then:

1. `qcode export --for qualcoder`, and QualCoder imports the .qdpx. Checked: every coding
   arrives on its place and text with its code and coder (QualCoder's `file_check`), no
   coding loses its code, and every category, memo and case link arrives (each link
   twice: over the text, and from 0 to 0, the form QualCoder's export writes back).
2. QualCoder exports its project, and `qcode import-project` reads it into a new project.
   Checked: the code tree (names and places), categories, codings (code, coder, place,
   memo), memos and case links equal what left.

Prints the time of each step. Exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_exchange import build_project  # noqa: E402

from qcode.core.store import Project, new_guid  # noqa: E402

CLIENT = Path(__file__).resolve().parents[1].parent / "shared" / "clients" / "qualcoder"


def qcode(folder: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qcode", *args], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ,
                                                   "QCODE_CONFIG": str(folder / "c.toml")})
    return time.perf_counter() - started


def drive(python: str, client: Path, *args: str) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run([python, str(client / "drive.py"), *args], capture_output=True,
                          text=True, timeout=3600)
    report = json.loads(done.stdout)
    if not report["ok"]:
        raise SystemExit(f"QualCoder failed: {report.get('error')}")
    return report, time.perf_counter() - started


def prepare(path: Path) -> dict:
    """A category (each top-level code nobody applied), a memo on a coding, a code and
    a transcript; what it then holds, counted."""
    with Project.open(path) as project:
        project.coder = "qcode"
        # A category holding an existing code, so that every project has one.
        category = project.add_code("Grouped themes")
        moved = next(c for c in project.codes() if c.depth == 0 and c.id != category)
        project.move_code(moved.id, category)
        # Names QualCoder cannot hold twice: qcode writes them "Name (Parent)" for it
        # and gives them back on the way home.
        child = next(c for c in project.codes() if c.depth == 1 and c.parent_id != category)
        project.add_code(child.name, category)
        project.add_code("Loose ends", codable=False)
        project.add_code("Loose ends", category, codable=False)
        for code in project.codes():
            if code.depth == 0 and not code.codings:
                project.edit_code(code.id, codable=False)
        first = project.transcripts()[0]
        project.set_coding_memo(project.codings(first.id)[0].id, "Check with B.")
        code = next(c for c in project.codes() if c.codable)
        transcript = project.conn.execute("SELECT guid FROM transcripts WHERE id = ?",
                                          (first.id,)).fetchone()[0]
        # Set-up only: free-standing memos have no command yet.
        with project.transaction():
            for target, guid, text in (("code", code.guid, "On the code."),
                                       ("transcript", transcript, "On the text.")):
                project.conn.execute(
                    "INSERT INTO memos (guid, name, text, target_type, target_guid,"
                    " created) VALUES (?, 'memo', ?, ?, ?, '2026-01-02T03:04:05Z')",
                    (new_guid(), text, target, guid))
        # qcode writes a code's guidance and memo in its Description, which QualCoder
        # reads as the code's memo (a category's goes with the category, which the
        # client does not count).
        described = sum(1 for c in project.codes() if c.codable and (
            c.guid == code.guid or any(getattr(c, field) for field in (
                "definition", "when_to_use", "when_not_to_use", "example"))))
    _, categories, codings, memos, links = what_travels(path)
    return {"categories": len(categories), "codings": len(codings),
            "coding memos": sum(1 for c in codings if c[-1]), "memos": len(memos),
            "codes with guidance or a memo": described, "case links": len(links)}


def what_travels(path: Path) -> tuple:
    """The code tree (each code's path of names, codable or not), categories, codings
    (transcript, code, coder, place, memo), free-standing memos (kind, text) and case
    links (case, transcript), each as a set or sorted list."""
    with Project.open(path) as project:
        codes = {c.id: c for c in project.codes()}

        def path_of(code) -> tuple[str, ...]:
            up = codes.get(code.parent_id)
            return (*path_of(up), code.name) if up else (code.name,)

        tree = sorted((path_of(c), c.codable) for c in codes.values())
        categories = sorted(c.name for c in codes.values() if not c.codable)
        codings = {(t.name, codes[c.code_id].name, c.coder_name, c.start, c.end,
                    c.memo) for t in project.transcripts()
                   for c in project.codings(t.id)}
        memos = sorted(project.conn.execute("SELECT target_type, text FROM memos"))
        links = {(t.case, t.name) for t in project.transcripts() if t.case}
    return tree, categories, codings, memos, links


def round_trip(label: str, folder: Path, name: str, python: str, client: Path) -> bool:
    """One project through QualCoder and back; prints what arrived and the times."""
    held = prepare(folder / f"{name}.qcode")
    print(f"\n## {label}: " + ", ".join(f"{n} {k}" for k, n in held.items()))
    took = {"qcode export": qcode(folder, "-p", f"{name}.qcode", "export", "--for",
                                 "qualcoder", f"{name}.qdpx")}
    imported, took["QualCoder import"] = drive(python, client, "import-qdpx",
                                               str(folder / f"{name}.qdpx"),
                                               str(folder / "qc" / name))
    counts, check = imported["counts"], imported["file_check"]
    failed = []

    def expect(what: str, got: int, wanted: int) -> None:
        print(f"- {what}: {got} of {wanted}" + ("" if got == wanted else "  <- NOT MET"))
        if got != wanted:
            failed.append(what)

    expect("codings in QualCoder on their place, code, coder and text",
           min(check["codings_matched"], check["matched_with_same_text"]), held["codings"])
    expect("codings that lost their code in QualCoder (0 wanted)",
           counts["code_text_cid_null"], 0)
    expect("codings QualCoder holds beyond those (0 wanted)", check["extra_in_qualcoder"], 0)
    expect("categories in QualCoder", counts["categories"], held["categories"])
    expect("coding memos in QualCoder", counts["code_text_with_memo"], held["coding memos"])
    expect("code memos in QualCoder (guidance and memo)", counts["codes_with_memo"],
           held["codes with guidance or a memo"])
    expect("case links in QualCoder (over the text and from 0 to 0)", counts["case_text"],
           2 * held["case links"])
    exported, took["QualCoder export"] = drive(python, client, "export-qdpx",
                                               imported["project"], str(folder / "back"))
    took["qcode import-project"] = qcode(folder, "-p", f"{name}-back.qcode",
                                         "import-project", exported["output"])
    sent = what_travels(folder / f"{name}.qcode")
    back = what_travels(folder / f"{name}-back.qcode")
    for n, what in enumerate(("code tree", "categories", "codings", "memos",
                              "case links")):
        lost, new = len(set(sent[n]) - set(back[n])), len(set(back[n]) - set(sent[n]))
        print(f"- back in qcode, {what}: {len(back[n])} of {len(sent[n])}, "
              f"{lost} lost or changed, {new} not sent"
              + ("" if sent[n] == back[n] else "  <- NOT MET"))
        if sent[n] != back[n]:
            failed.append(f"{what} back")
    print("- time: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in took.items()))
    return not failed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transcripts", type=int, default=20)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--codings", type=int, default=5000)
    parser.add_argument("--client", type=Path, default=CLIENT)
    args = parser.parse_args()
    python = os.environ.get("QUALCODER_PYTHON")
    if not python or not (args.client / "drive.py").is_file():
        raise SystemExit("set QUALCODER_PYTHON to the QualCoder client's Python, and "
                         "--client to its folder if it is not beside the repository "
                         "(see its README)")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        qcode(folder, "demo", "--no-tui")
        ok &= round_trip("demo", folder, "demo", python, args.client)
        started = time.perf_counter()
        build_project(folder / "large.qcode", folder / "corpus", args.transcripts,
                      args.words, args.codings)
        print(f"\n(generated {args.transcripts} transcripts x {args.words:,} words, "
              f"{args.codings:,} codings in {time.perf_counter() - started:.1f} s)")
        ok &= round_trip("generated", folder, "large", python, args.client)
    if not ok:
        raise SystemExit("\nsome checks were not met (marked above)")


if __name__ == "__main__":
    main()
