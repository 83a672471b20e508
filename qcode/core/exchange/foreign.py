"""Making a codebook written by another tool (or by hand) fit qcode's rules.

Other tools export what qcode would refuse from its own YAML: colours with an alpha
channel, malformed or repeated GUIDs, two siblings with one name. Refusing the whole
file would leave the researcher stuck, so each is repaired and reported instead.
"""

from __future__ import annotations

import re

from qcode.core.codebook import COLOUR, GUID, Code, Codebook

SHORT_COLOUR = re.compile(r"^#[0-9A-Fa-f]{3}$")
ALPHA_COLOUR = re.compile(r"^#[0-9A-Fa-f]{8}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
TEXT_FIELDS = ("definition", "when_to_use", "when_not_to_use", "example")


def path_of(parents: tuple[str, ...], name: str) -> str:
    return " / ".join((*parents, name))


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, else `name (2)`, `name (3)`...: the first that is not in `taken`
    (casefolded, as other tools compare names); it is added to `taken`."""
    found, number = name, 1
    while found.casefold() in taken:
        number += 1
        found = f"{name} ({number})"
    taken.add(found.casefold())
    return found


def clean_colour(value: str | None, what: str, warnings: list[str]) -> str | None:
    """#RRGGBB in capitals, or None; #RGB is expanded, #AARRGGBB keeps its RGB part."""
    value = (value or "").strip()
    if not value:
        return None
    if COLOUR.match(value):
        return value.upper()
    if SHORT_COLOUR.match(value):
        return "#" + "".join(c * 2 for c in value[1:]).upper()
    if ALPHA_COLOUR.match(value):
        kept = "#" + value[3:].upper()
        warnings.append(f"colour '{value}' of {what} has an alpha channel (read as "
                        f"#AARRGGBB); kept its RGB part {kept}")
        return kept
    warnings.append(f"colour '{value}' of {what} is not #RRGGBB; the code has no colour")
    return None


def clean_guid(value: str | None) -> str | None:
    """The canonical form (capitals, no braces) of a REFI-QDA GUID, or None if malformed."""
    value = (value or "").strip()
    if value.startswith("{") and value.endswith("}"):
        value = value[1:-1]
    return value.upper() if GUID.match(value) else None


def tidy(book: Codebook) -> list[str]:
    """Repair, in place, what qcode cannot store; return one warning per repair."""
    warnings: list[str] = []
    guids: set[str] = set()
    keys: dict[str, str] = {}

    def fix(codes: list[Code], parents: tuple[str, ...]) -> None:
        names: set[str] = set()
        where = f"under '{path_of(parents[:-1], parents[-1])}'" if parents else "at the top"
        for code in codes:
            name = code.name.strip()
            if CONTROL.search(name):
                name = CONTROL.sub(" ", name).strip()
                warnings.append(f"a code {where} has control characters in its name "
                                f"(line breaks, tabs); it is called '{name}'")
            if not name:
                name = "unnamed code"
                warnings.append(f"a code {where} has no name; it is called '{name}'")
            renamed = unique_name(name, names)
            if renamed != name:
                warnings.append(f"two codes {where} are named '{name}'; the later one "
                                f"is imported as '{renamed}'")
                name = renamed
            code.name = name
            what = f"code '{path_of(parents, name)}'"
            for field in TEXT_FIELDS:
                setattr(code, field, (getattr(code, field) or "").strip())
            code.colour = clean_colour(code.colour, what, warnings)
            if code.guid:
                guid = clean_guid(code.guid)
                if guid is None:
                    warnings.append(f"guid '{code.guid}' of {what} is malformed; the code "
                                    "gets a new one")
                elif guid in guids:
                    warnings.append(f"guid {guid} of {what} is used by another code too; "
                                    "this one gets a new one")
                    guid = None
                code.guid = guid
                if guid:
                    guids.add(guid)
            if code.key:
                key = code.key.strip()
                if len(key) != 1 or not key.isprintable():
                    warnings.append(f"shortcut key '{code.key}' of {what} is not a single "
                                    "character; the code has no key")
                    key = None
                elif key in keys:
                    warnings.append(f"shortcut key '{key}' of {what} already belongs to "
                                    f"'{keys[key]}'; the code has no key")
                    key = None
                else:
                    keys[key] = path_of(parents, name)
                code.key = key
            else:
                code.key = None
            fix(code.codes, (*parents, name))

    fix(book.codes, ())
    return warnings


def written_by(origin: str, tool: str) -> bool:
    """Whether a project's `origin` ("QualCoder 3.5", "qcode 0.1.0 for NVivo ...") names
    `tool` (in lower case) as the program that wrote it."""
    return origin.lower().startswith(tool)
