"""REFI-QDA codebooks: writing `.qdc` files, and reading the codebook of a `.qdc`, a
`project.qde` or a `.qdpx`.

Written files follow Codebook.xsd (QDA-XML 1.0): the tree nested, colours #RRGGBB, the
codes' own GUIDs in lower case (so re-exports keep their identity), and the guidance
in `Description` (see description.py); a category (a code that cannot be applied) is
isCodable="false" both ways. Reading is tolerant of what real tools
write (a schema violation is a warning, not a refusal) but never of unsafe XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from qcode import __version__
from qcode.core.codebook import MAX_DEPTH, Code, Codebook
from qcode.core.exchange import description
from qcode.core.exchange.foreign import tidy
from qcode.core.exchange.refi_write import add_code, lower_guids
from qcode.core.exchange.safe_xml import (ExchangeError, parse_xml, read_bytes,
                                          read_project_qde)

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
# Namespaces real exporters have written for the same schema (NVivo 12 for Mac: "1:0";
# older ATLAS.ti: "0:4"). Read as 1.0, with a warning.
VARIANTS = {
    "urn:QDA-XML:codebook:1:0": CODEBOOK_NS, "urn:QDA-XML:codebook:0:4": CODEBOOK_NS,
    "urn:QDA-XML:project:1:0": PROJECT_NS, "urn:QDA-XML:project:0:4": PROJECT_NS,
}
BOOLEAN = {"true", "false", "1", "0"}


# -- writing -----------------------------------------------------------------------------


def to_qdc(book: Codebook) -> str:
    """The codebook as a .qdc document (UTF-8 text, valid against Codebook.xsd)."""
    if not book.codes:
        raise ExchangeError("the codebook has no codes, and a .qdc file needs at least one")
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": f"qcode {__version__}"})
    codes = ET.SubElement(root, "Codes")
    seen: dict[str, str] = {}
    for code in book.codes:
        add_code(codes, code, (), seen)
    lower_guids(root)
    ET.indent(root, space="  ")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


# -- reading -----------------------------------------------------------------------------


def read_refi(path: Path) -> tuple[Codebook, list[str]]:
    """The codebook in a .qdc, .qde or .qdpx file, and warnings about what was repaired
    or left out. Unsafe or unreadable files raise ExchangeError."""
    if path.suffix.lower() == ".qdpx":
        data, inner = read_project_qde(path)
        name = f"{path}!{inner}"
    else:
        data, name = read_bytes(path), str(path)
    return parse_refi(data, name, default_name=path.stem)


def parse_refi(data: bytes, filename: str, default_name: str = "codebook"
               ) -> tuple[Codebook, list[str]]:
    return codebook_in(parse_xml(data, filename), filename, default_name)


def refi_namespace(root: ET.Element, filename: str) -> tuple[str, str, list[str]]:
    """The root's namespace and local name, refusing what is not REFI-QDA; a variant
    namespace that real tools write is accepted with a warning."""
    namespace, local = split(root.tag)
    warnings: list[str] = []
    expected = {"CodeBook": CODEBOOK_NS, "Project": PROJECT_NS}.get(local)
    if expected is None:
        raise ExchangeError(f"{filename}: not a REFI-QDA codebook or project: the root "
                            f"element is <{local}>, not <CodeBook> or <Project>")
    if namespace != expected:
        if not namespace:
            raise ExchangeError(f"{filename}: <{local}> has no namespace; REFI-QDA files "
                                f"use {expected}")
        if VARIANTS.get(namespace) != expected:
            raise ExchangeError(f"{filename}: unknown namespace '{namespace}' on <{local}>; "
                                f"REFI-QDA files use {expected}")
        warnings.append(f"namespace '{namespace}' is not the standard's {expected}; "
                        "read it as that")
    return namespace, local, warnings


def codebook_in(root: ET.Element, filename: str, default_name: str = "codebook",
                memos: dict[str, str] | None = None) -> tuple[Codebook, list[str]]:
    """The codebook of a parsed .qdc or project.qde, with warnings. Given `memos`, the
    caller imports the codes' memos itself: the memo section of each code's
    Description is put there by code GUID (see description.py)."""
    namespace, local, warnings = refi_namespace(root, filename)
    reader = _Reader(namespace, project=local == "Project")
    reader.memos_read = memos is not None
    reader.memos = memos if memos is not None else {}
    if local == "Project":
        book_element = reader.child(root, "CodeBook")
        if book_element is None:
            raise ExchangeError(f"{filename}: the project has no codebook (<CodeBook>)")
        name = (root.get("name") or "").strip() or default_name
    else:
        book_element = root
        name = default_name
        for attribute in root.attrib:
            if attribute != "origin" and not attribute.startswith("{"):
                reader.problem(f"<CodeBook> may only have 'origin', not '{attribute}'")
    book = Codebook(name=name, codes=reader.codebook(book_element, filename),
                    source=filename)
    warnings += reader.notes()
    warnings += tidy(book)
    return book, warnings


def split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


class _Reader:
    def __init__(self, namespace: str, project: bool):
        self.ns = namespace
        self.project = project
        self.schema = "Project.xsd" if project else "Codebook.xsd"
        self.problems: list[str] = []
        self.notes_left = 0
        self.memos: dict[str, str] = {}
        self.sets: list[str] = []
        self.memos_read = False

    def tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local

    def child(self, element: ET.Element, local: str) -> ET.Element | None:
        return element.find(self.tag(local))

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def codebook(self, element: ET.Element, filename: str) -> list[Code]:
        allowed = ["Codes"] if self.project else ["Codes", "Sets"]
        children = [split(c.tag) for c in element]
        order = [local for ns, local in children if ns == self.ns]
        if order[:1] != ["Codes"] or any(o not in allowed for o in order) \
                or len(order) != len(set(order)):
            self.problem(f"<CodeBook> must hold <Codes>{'' if self.project else ' then <Sets>'}"
                         f", not {', '.join(f'<{o}>' for o in order) or 'nothing'}")
        for ns, local in children:
            if ns != self.ns:
                self.problem(f"unexpected element <{local}> in namespace '{ns}'")
        codes = self.child(element, "Codes")
        if codes is None:
            raise ExchangeError(f"{filename}: the codebook has no <Codes>")
        sets = self.child(element, "Sets")
        if sets is not None:
            members = [s for s in sets if s.tag == self.tag("Set")]
            if not members:
                self.problem("<Sets> is empty, and the schema needs at least one <Set> in it")
            self.sets += [(s.get("name") or "?") for s in members]
        code_elements = self.code_elements(codes, "<Codes>")
        if not code_elements:
            self.problem("<Codes> is empty, and the schema needs at least one <Code> in it")
        return [self.code(c, (), 1, filename) for c in code_elements]

    def code_elements(self, parent: ET.Element, where: str) -> list[ET.Element]:
        allowed = {"Code"} if where == "<Codes>" else {"Description", "NoteRef", "Code"}
        if not self.project:
            allowed.discard("NoteRef")
        for child in parent:
            ns, local = split(child.tag)
            if ns != self.ns or local not in allowed:
                self.problem(f"unexpected element <{local}> in {where}")
        return [c for c in parent if c.tag == self.tag("Code")]

    def code(self, element: ET.Element, parents: tuple[str, ...], depth: int,
             filename: str) -> Code:
        if depth > MAX_DEPTH:
            raise ExchangeError(f"{filename}: codes are nested more than {MAX_DEPTH} levels "
                                "deep; refused")
        name = element.get("name")
        where = f"<Code name=\"{name}\">" if name is not None else "a <Code>"
        for required in ("guid", "name", "isCodable"):
            if element.get(required) is None:
                self.problem(f"{where} has no '{required}'")
        codable = element.get("isCodable")
        if codable is not None and codable.strip() not in BOOLEAN:
            self.problem(f"{where} has isCodable=\"{codable}\" (use true or false)")
        children = self.code_elements(element, where)
        locals_in_order = [split(c.tag)[1] for c in element]
        if "Description" in locals_in_order:
            position = locals_in_order.index("Description")
            if position != 0 or locals_in_order.count("Description") > 1:
                self.problem(f"{where}: <Description> must come once, before anything else")
        self.notes_left += len(element.findall(self.tag("NoteRef")))
        text = self.child(element, "Description")
        fields = description.decode(text.text or "") if text is not None else {}
        memo = fields.pop("memo", "")
        if memo:
            self.memos[element.get("guid") or ""] = memo
        name = name or ""
        # Only an explicit false makes a category: the standard's default is codable.
        return Code(name=name, guid=element.get("guid"), colour=element.get("color"),
                    codes=[self.code(c, (*parents, name), depth + 1, filename)
                           for c in children],
                    codable=(codable or "").strip() not in ("false", "0"), **fields)

    def notes(self) -> list[str]:
        out = []
        if self.problems:
            more = (f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else "")
            out.append(f"does not validate against {self.schema}: "
                       f"{'; '.join(self.problems[:3])}{more}; read it anyway")
        if self.sets:
            out.append(f"{len(self.sets)} code set(s) not imported, as qcode has no sets: "
                       + ", ".join(f"'{s}'" for s in self.sets))
        if self.notes_left and not self.memos_read:
            out.append(f"{self.notes_left} memo(s) attached to codes (NoteRef) not imported")
        if self.memos and not self.memos_read:
            out.append(f"{len(self.memos)} code memo(s) in descriptions not imported: a "
                       "codebook holds no memos (import the project to keep them)")
        return out
