"""A small project built by hand for the report tests, whose every number is worked
out in tests/test_reports.py.

Five transcripts of three turns of 100 characters each: turn 1 [0, 100) is the
interviewer's, turns 2 [100, 200) and 3 [200, 300) the participant's. Each turn is 20
words of four characters and a space, so word k of a transcript is text[5k:5k+4]:
its name and k in two digits ("a112" is word 12 of a1). Cases: A (two transcripts,
a1 and a2), B, C and D.

    Harm                       Policing
      Control                    Evidence
        Threats                  Other
        Debt                     Silence
      Money
      Other

Codings (transcript: code [start, end) by coder):
    a1: Threats [0, 50) ana, Threats [5, 45) ben, Debt [20, 70) ana,
        Evidence [110, 150) ana, Evidence [162, 188) ben, Money [210, 260) ana
    a2: Threats [100, 150) ana
    b1: Debt [100, 140) ana, Money [120, 180) ana, Threats [200, 240) ana
    c1: Threats [0, 40) ana, Debt [10, 30) ben, Evidence [200, 250) ana
    d1: Money [0, 30) ana, Evidence [90, 130) ana
"""

from __future__ import annotations

from pathlib import Path

from qcode.core.codebook import parse as parse_codebook
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project

CODEBOOK = """\
name: Hand-built
codes:
  - name: Harm
    definition: Harm done to the people exploited.
    codes:
      - name: Control
        codes:
          - name: Threats
          - name: Debt
      - name: Money
      - name: Other
  - name: Policing
    codes:
      - name: Evidence
      - name: Other
      - name: Silence
"""

CASES = {
    "A": {"role": "Detective", "region": "Southeast", "group": "Police"},
    "B": {"role": "Analyst", "group": "Police"},
    "C": {"role": "Escort", "region": "North", "group": "Sex workers"},
    "D": {"role": "Operator"},
}
TRANSCRIPTS = (("a1", "A"), ("a2", "A"), ("b1", "B"), ("c1", "C"), ("d1", "D"))
CODINGS = (
    ("a1", "Threats", "ana", 0, 50), ("a1", "Threats", "ben", 5, 45),
    ("a1", "Debt", "ana", 20, 70), ("a1", "Evidence", "ana", 110, 150),
    ("a1", "Evidence", "ben", 162, 188), ("a1", "Money", "ana", 210, 260),
    ("a2", "Threats", "ana", 100, 150),
    ("b1", "Debt", "ana", 100, 140), ("b1", "Money", "ana", 120, 180),
    ("b1", "Threats", "ana", 200, 240),
    ("c1", "Threats", "ana", 0, 40), ("c1", "Debt", "ben", 10, 30),
    ("c1", "Evidence", "ana", 200, 250),
    ("d1", "Money", "ana", 0, 30), ("d1", "Evidence", "ana", 90, 130),
)
SPEAKERS = ("Interviewer", "P", "P")


def text_of(name: str) -> str:
    return "".join(f"{name}{k:02d} " for k in range(60))


def words(name: str, first: int, last: int) -> str:
    """Words first..last (inclusive) of a transcript, as a quote shows them."""
    return " ".join(f"{name}{k:02d}" for k in range(first, last + 1))


def hand_built(path: Path) -> Project:
    project = Project.create(path)
    for case, attributes in CASES.items():
        project.set_attributes(case, attributes)
    for name, case in TRANSCRIPTS:
        text = text_of(name)
        turns = [Turn(speaker, 100 * i, 100 * (i + 1), None)
                 for i, speaker in enumerate(SPEAKERS)]
        project.add_transcript(Transcript(name, "txt", text, turns), f"{name}.txt",
                               case=case)
    project.load_codebook(parse_codebook(CODEBOOK))
    add_codings(project, CODINGS)
    return project


def add_codings(project: Project, codings) -> None:
    ids = {t.name: t.id for t in project.transcripts()}
    codes = {c.name: c.id for c in project.codes() if c.name != "Other"}
    for transcript, code, coder, start, end in codings:
        project.add_coding(ids[transcript], codes[code], coder, start, end)
