"""What a report was made from, so a figure in a paper can be traced back and re-made:
its parameters, the command that re-makes it, the project (its file name, never its
folder), what the project held, and a fingerprint of the inputs."""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from qcode import __version__
from qcode.core.reports.material import Material


@dataclass(frozen=True)
class Provenance:
    report: str                     # "quotes", "frequencies", "co-occurrence", ...
    parameters: dict                # every parameter, defaults filled in
    command: str                    # the qcode command that makes it again
    project_file: str
    project_guid: str
    schema_version: int
    transcripts: int
    cases: int
    codings: int                    # coding rows read
    segments: int                   # coded segments they make (see Material)
    coders: tuple[str, ...]
    coder_note: str
    made: str                       # UTC, ISO 8601
    qcode_version: str
    fingerprint: str                # SHA-256 of the inputs, hex

    def written(self, form: str, out: str | None) -> Provenance:
        """The same, with the format and the file (its name) the command wrote, so
        the command makes the same output again."""
        words = ["--format", form, *(["--out", out] if out else [])]
        return replace(self, command=f"{self.command} {shlex.join(words)}",
                       parameters={**self.parameters, "format": form,
                                   **({"out": out} if out else {})})

    def as_dict(self) -> dict:
        data = asdict(self)
        data["coders"] = list(self.coders)
        return data

    def footer(self) -> str:
        """One line for the end of a terminal table."""
        coders = ", ".join(self.coders) or "no coder"
        return (f"Made {self.made} from {self.project_file}: {self.codings:,} codings of "
                f"{coders}; fingerprint {self.fingerprint[:12]}; qcode {self.qcode_version}")

    def items(self) -> list[tuple[str, str]]:
        """Labelled lines for a document's "Made from" block (plain text: escape it)."""
        shown = ", ".join(f"{k}={v}" for k, v in self.parameters.items()
                          if v not in (None, "")) or "none"
        return [
            ("Report", self.report),
            ("Parameters", shown),
            ("Made again by", self.command),
            ("Project", f"{self.project_file} (GUID {self.project_guid}, schema "
                        f"{self.schema_version})"),
            ("Contents", f"{self.transcripts} transcripts, {self.cases} cases, "
                         f"{self.codings:,} codings in {self.segments:,} coded segments"),
            ("Coders", self.coder_note),
            ("Made", f"{self.made} with qcode {self.qcode_version}"),
            ("Fingerprint", f"SHA-256 {self.fingerprint}"),
        ]


def provenance(material: Material, report: str, words: list[str],
               parameters: dict, fingerprint: str | None = None) -> Provenance:
    """`words`: the qcode command and its arguments, without the coder; the coders
    actually used are pinned, so the command gives the same selection later.
    `fingerprint`: for a report with inputs beyond the material's (default: the
    material's)."""
    project = material.project
    choice = material.choice
    pinned = ["--coder", choice.pinned] if choice.pinned else []
    name = Path(project.path).name
    command = shlex.join(["qcode", "-p", name, *words, *pinned])
    units = {material.unit_of(t) for t in material.transcripts}
    return Provenance(
        report, {**parameters, "coder": choice.asked}, command, name,
        project.meta("project_guid") or "", project.schema_version,
        len(material.transcripts), len(units), material.codings, len(material.segments),
        choice.coders, choice.note, material.made, __version__,
        fingerprint or material.fingerprint)
