"""Attribution lines under quotes, from a template of case attributes in braces:
"{role}, {region}" gives "Detective Sergeant, Southeast".

Besides attributes, {case}, {transcript} and {speaker} (of the turn where the quote
starts) may be named. A value a case lacks is left out with the text that joins it
to the value before it ("{role}, {region}" gives "Detective Sergeant" without a
region; "{role} ({group})" gives "Detective Sergeant" without a group); with no value
at all the line is "unknown". {{ and }} stand for braces."""

from __future__ import annotations

import string
from collections.abc import Mapping

from qcode.core.reports.selection import ReportError

BUILT_IN = ("case", "transcript", "speaker")
DEFAULT = "{role}, {region}"
UNKNOWN = "unknown"
PAIRED = {"(": ")", "[": "]", "“": "”", "‘": "’"}
BRACKETS = {**PAIRED, '"': '"', "'": "'"}


def default_template(attributes: list[str]) -> str:
    """"{role}, {region}" with the fields cases do have; "{case}" when they have
    neither, so quotes are attributed at least to their case."""
    present = [f"{{{name}}}" for name in ("role", "region") if name in attributes]
    return ", ".join(present) or "{case}"


class Attribution:
    """A checked template. Unknown fields are an error naming the attributes there are."""

    def __init__(self, template: str, attributes: list[str]):
        self.template = template
        try:
            pieces = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise ReportError(f"the attribution template {template!r} is not valid: "
                              f"{exc} (write a literal brace as {{{{ or }}}})") from None
        self.literals: list[str] = []
        self.fields: list[str] = []
        unknown = []
        for literal, field, spec, conversion in pieces:
            self.literals.append(literal)
            if field is None:
                continue
            if spec or conversion or not field.strip():
                raise ReportError(f"the attribution template {template!r}: a field is a "
                                  "plain name in braces, such as {role}")
            name = self._resolve(field.strip(), attributes)
            if name is None:
                unknown.append(field.strip())
            self.fields.append(name or field)
        if len(self.literals) == len(self.fields):
            self.literals.append("")
        if unknown:
            raise ReportError(
                f"the attribution names {', '.join(repr(u) for u in unknown)}, which no "
                "case has (attributes: " + (", ".join(attributes) or "none yet")
                + f"; also {', '.join(BUILT_IN)})")
        if not self.fields and not template.strip():
            raise ReportError("the attribution template is empty; e.g. "
                              f"--attribution {DEFAULT!r}")

    @staticmethod
    def _resolve(field: str, attributes: list[str]) -> str | None:
        if field in BUILT_IN or field in attributes:
            return field
        folded = [a for a in (*BUILT_IN, *attributes) if a.casefold() == field.casefold()]
        return folded[0] if len(folded) == 1 else None

    def fill(self, values: Mapping[str, str | None]) -> str:
        """The line for one quote; `values` maps each field to its value or None."""
        literals = list(self.literals)
        present = [bool((values.get(f) or "").strip()) for f in self.fields]
        if self.fields and not any(present):
            return UNKNOWN
        for i, here in enumerate(present):
            # A missing value inside brackets takes its brackets with it.
            before, after = literals[i].rstrip(), literals[i + 1]
            if not here and before and before[-1] in BRACKETS and \
                    after.startswith(BRACKETS[before[-1]]):
                literals[i], literals[i + 1] = before[:-1], after[1:]
        pieces: list[tuple[bool, str]] = [(True, literals[0])]
        for i, field in enumerate(self.fields):
            if present[i]:
                # Each value is joined to the one before by the text just before it.
                if len(pieces) > 1:
                    pieces.append((True, literals[i]))
                pieces.append((False, values[field].strip()))
        pieces.append((True, literals[-1]))
        return " ".join(_balanced(pieces).split())


def _balanced(pieces: list[tuple[bool, str]]) -> str:
    """The pieces joined, without brackets of the template (never of a value) that a
    left-out value has left unpaired."""
    chars = [(literal, ch) for literal, text in pieces for ch in text]
    keep = [True] * len(chars)
    opened: list[int] = []
    closers = {v: k for k, v in PAIRED.items()}
    for at, (literal, ch) in enumerate(chars):
        if not literal:
            continue
        if ch in PAIRED:
            opened.append(at)
        elif ch in closers:
            if opened and chars[opened[-1]][1] == closers[ch]:
                opened.pop()
            else:
                keep[at] = False
    for at in opened:
        keep[at] = False
    return "".join(ch for (_, ch), kept in zip(chars, keep) if kept)
