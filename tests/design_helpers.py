"""A project with a double-coded subsample, for the tests of who codes what (the
store, the commands and the coding screen; issue 13)."""

from __future__ import annotations

from pathlib import Path

from qcode.core.codebook import parse as parse_codebook
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project

LENGTH = 200
# A double-coded subsample as teams make it: ana and ben code all four transcripts,
# cy only T1 and T2; on T3 and T4 ana and ben roughly agree.
CODINGS = {
    "ana": {"T1": [(10, 60), (100, 150)], "T2": [(20, 80)], "T3": [(0, 50)],
            "T4": [(120, 180)]},
    "ben": {"T1": [(12, 58), (105, 150)], "T2": [(25, 80)], "T3": [(5, 50)],
            "T4": [(118, 175)]},
    "cy": {"T1": [(10, 70), (90, 140)], "T2": [(30, 90)]},
}


def make_project(path: Path, codings: dict = CODINGS) -> Project:
    project = Project.create(path)
    for n, name in enumerate(("T1", "T2", "T3", "T4")):
        text = (f"{name} says this. " * 40)[:LENGTH - 1] + str(n)
        project.add_transcript(Transcript(name, "txt", text,
                                          [Turn("P01", 0, len(text), None)]), f"{name}.txt")
    project.load_codebook(parse_codebook("name: b\ncodes:\n  - name: Trust\n"))
    code = project.codes()[0].id
    for coder, spans in codings.items():
        for transcript, own in spans.items():
            for start, end in own:
                project.add_coding(project.transcript_id(transcript), code, coder,
                                   start, end)
    return project
