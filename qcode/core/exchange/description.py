"""A code's guidance carried in one plain-text REFI-QDA `Description`.

The standard gives a code a single free-text description; qcode codes have a definition,
when to use, when not to use, an example and a shortcut key. They travel as labelled
sections, so other tools show readable text and qcode reads the same fields back:

    Definition: Things in the way of the work.

    When to use: Obstacles named by the participant.

    When not to use: Wishes for the future; use Legislation.

    Example: We had no budget: none at all.

    Shortcut key: b

    Memo: The researcher's memos on the code, which QualCoder reads from here.

Rules (so that reading back gives exactly what was written):
- a section starts at a line beginning with its label and ": "; empty fields are left out;
  sections are separated by one blank line and come in the order above;
- a later line of a field's own text that begins with a label (in any case), possibly
  after backslashes, gets one more backslash in front; reading removes it again;
- labels are read in any case; text before the first label (a description written by
  another tool) is the definition; a label given twice has its texts joined.
"""

from __future__ import annotations

import re

SECTIONS = (
    ("definition", "Definition"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
    ("key", "Shortcut key"),
    # Not a field of the code: its memos (each also a Note the code refers to, where the
    # standard puts them), here because QualCoder reads a code's memo from Description.
    ("memo", "Memo"),
)
FIELD_OF_LABEL = {label.casefold(): field for field, label in SECTIONS}
_LABELS = "|".join(re.escape(label) for _, label in SECTIONS)
SECTION_START = re.compile(rf"^({_LABELS}):[ ]?", re.IGNORECASE)
ESCAPED = re.compile(rf"^\\+({_LABELS}):", re.IGNORECASE)
NEEDS_ESCAPE = re.compile(rf"^\\*({_LABELS}):", re.IGNORECASE)


def encode(fields: dict[str, str | None]) -> str:
    """The Description text for a code's fields (only non-empty ones)."""
    sections = []
    for field, label in SECTIONS:
        value = fields.get(field) or ""
        if value:
            lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            escaped = [lines[0]] + [("\\" + line) if NEEDS_ESCAPE.match(line) else line
                                    for line in lines[1:]]
            sections.append(f"{label}: " + "\n".join(escaped))
    return "\n\n".join(sections)


def decode(text: str) -> dict[str, str]:
    """The fields in a Description: labelled sections, or a plain text as definition."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        start = SECTION_START.match(line)
        if start:
            sections.append((FIELD_OF_LABEL[start.group(1).casefold()],
                             [line[start.end():]]))
            continue
        if ESCAPED.match(line):
            line = line[1:]
        (sections[-1][1] if sections else preamble).append(line)
    fields: dict[str, str] = {}
    for index, (field, lines) in enumerate(sections):
        if index + 1 < len(sections) and lines[-1] == "":
            lines = lines[:-1]  # the blank line that separates sections
        value = "\n".join(lines)
        fields[field] = f"{fields[field]}\n\n{value}" if field in fields else value
    before = "\n".join(preamble).strip()
    if before:
        fields["definition"] = (f"{before}\n\n{fields['definition']}"
                                if fields.get("definition") else before)
    return fields
