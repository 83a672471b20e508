"""Attribution lines under quotes, from a template of case attributes in braces:
"{role}, {region}" gives "Detective Sergeant, Southeast".

Besides attributes, {case}, {transcript} and {speaker} (of the turn where the quote
starts) may be named. A value a case lacks is left out with the text that joins it to
the value before it ("{role}, {region}" gives "Detective Sergeant" without a region),
and brackets go with the values inside them: "{role} ({group})" gives "Detective
Sergeant" without a group, "{role} ({group}, {region})" gives "DS (SE)" without a
group, and "{role} [{case}]" gives "[P01]" without a role. With no value at all the
line is "unknown". {{ and }} stand for braces."""

from __future__ import annotations

import string
from collections.abc import Mapping

from qcode.core.reports.selection import ReportError

BUILT_IN = ("case", "transcript", "speaker")
DEFAULT = "{role}, {region}"
UNKNOWN = "unknown"
PAIRED = {"(": ")", "[": "]", "“": "”", "‘": "’"}
QUOTES = ('"', "'")


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
        self.fields: list[str] = []
        parts: list[tuple[str, str | None]] = []     # (literal text, field after it)
        unknown = []
        for literal, field, spec, conversion in pieces:
            if field is None:
                parts.append((literal, None))
                continue
            if spec or conversion or not field.strip():
                raise ReportError(f"the attribution template {template!r}: a field is a "
                                  "plain name in braces, such as {role}")
            name = self._resolve(field.strip(), attributes)
            if name is None:
                unknown.append(field.strip())
            self.fields.append(name or field)
            parts.append((literal, name or field))
        if unknown:
            raise ReportError(
                f"the attribution names {', '.join(repr(u) for u in unknown)}, which no "
                "case has (attributes: " + (", ".join(attributes) or "none yet")
                + f"; also {', '.join(BUILT_IN)})")
        if not self.fields and not template.strip():
            raise ReportError("the attribution template is empty; e.g. "
                              f"--attribution {DEFAULT!r}")
        self.parsed = _parse(parts)

    @staticmethod
    def _resolve(field: str, attributes: list[str]) -> str | None:
        if field in BUILT_IN or field in attributes:
            return field
        folded = [a for a in (*BUILT_IN, *attributes) if a.casefold() == field.casefold()]
        return folded[0] if len(folded) == 1 else None

    def fill(self, values: Mapping[str, str | None]) -> str:
        """The line for one quote; `values` maps each field to its value or None."""
        present = {f: (values.get(f) or "").strip() for f in self.fields}
        if self.fields and not any(present.values()):
            return UNKNOWN
        text, _ = _filled(self.parsed, present)
        return " ".join(text.split())


class _Field(str):
    """A field's name, told apart from literal text in a parsed template."""


class _Group:
    """Brackets of the template and what they hold: kept only with a value in them."""

    def __init__(self, opener: str, items: list | None = None, closer: str = ""):
        self.opener, self.items, self.closer = opener, items or [], closer


def _parse(parts: list[tuple[str, str | None]]) -> list:
    """The template, as (literal text, field after it or None) parts, as a list of
    literal characters, fields and bracket groups. A bracket left unclosed (or closed
    without opening) is plain text; straight quotes count as brackets only right
    around one field ('{case}')."""
    tokens: list = []
    for literal, name in parts:
        tokens += list(literal)
        if name is not None:
            tokens.append(_Field(name))
    root: list = []
    stack: list[tuple[list, _Group | None]] = [(root, None)]
    closers = {v: k for k, v in PAIRED.items()}
    at = 0
    while at < len(tokens):
        token, items = tokens[at], stack[-1][0]
        if isinstance(token, _Field):
            items.append(token)
        elif token in QUOTES and at + 2 < len(tokens) and \
                isinstance(tokens[at + 1], _Field) and tokens[at + 2] == token:
            items.append(_Group(token, [tokens[at + 1]], token))
            at += 2
        elif token in PAIRED:
            group = _Group(token)
            items.append(group)
            stack.append((group.items, group))
        elif token in closers and stack[-1][1] is not None and \
                stack[-1][1].opener == closers[token]:
            stack.pop()[1].closer = token
        else:
            items.append(token)
        at += 1
    while len(stack) > 1:           # unclosed: its opener was only text
        items, group = stack.pop()
        parent = stack[-1][0]
        parent[parent.index(group):parent.index(group) + 1] = [group.opener, *items]
    return root


def _filled(items: list, values: dict[str, str]) -> tuple[str, bool]:
    """The items written out, and whether any value was in them. Each value (a field,
    or a group with a value in it) is joined to the value kept before it by the text
    just before it; text before the first and after the last item stays."""
    pieces: list[tuple[bool, str]] = []    # (is a value, text)
    for item in items:
        if isinstance(item, _Field):
            pieces.append((True, values.get(item, "")))
            continue
        if isinstance(item, _Group):
            inner, held = _filled(item.items, values)
            if _has_fields(item.items):
                pieces.append((True, item.opener + inner + item.closer if held else ""))
                continue
            item = item.opener + inner + item.closer     # brackets of text: text
        if pieces and not pieces[-1][0]:
            pieces[-1] = (False, pieces[-1][1] + item)
        else:
            pieces.append((False, item))
    out, joiner = "", ""
    kept = any_value = seen_value = False
    for is_value, text in pieces:
        if not is_value:
            if seen_value:
                joiner = text
            else:
                out += text         # before the first value: always kept
            continue
        seen_value = True
        if text:
            out += (joiner if kept else "") + text
            kept = any_value = True
        joiner = ""
    if pieces and not pieces[-1][0] and seen_value:
        out += pieces[-1][1]        # after the last value: always kept
    return out, any_value


def _has_fields(items: list) -> bool:
    return any(isinstance(i, _Field) or (isinstance(i, _Group) and _has_fields(i.items))
               for i in items)
