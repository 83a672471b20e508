"""Code names for QualCoder, which needs each code's name unique in the whole codebook
(qcode needs it only among siblings).

QualCoder keeps codes in one table and categories in another, each with
`unique(name)`; its REFI-QDA import (`RefiImport.sub_codes` in its `refi.py`) maps a
code's GUID to the row it inserts, and a second code of the same name fails that insert,
so its GUID maps to nothing and its codings arrive coded with nothing. A second category
of one name is folded into the first. So, for QualCoder, a code (or category) whose name
another code (or category) also has is written as "Name (Parent)", with a number after
that if it is still taken; a top-level one keeps its name. Categories and codes are
apart there, so a category and a code may share a name.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from qcode.core.codebook import Code
from qcode.core.exchange.foreign import path_of, unique_name
from qcode.core.exchange.project_model import ExchangeProject
from qcode.core.exchange.refi_write import code_guid
from qcode.core.text import trim_words


@dataclass(frozen=True)
class Renamed:
    """A code written under another name: its GUID, kind, name, the names of the codes
    above it, and the name written."""
    guid: str
    category: bool
    name: str
    parents: tuple[str, ...]
    written: str

    @property
    def parent(self) -> str:
        return path_of(self.parents[:-1], self.parents[-1])

    def said(self) -> str:
        kind = "category" if self.category else "code"
        return (f"{kind} '{self.name}' under '{self.parent}' is written as "
                f"'{self.written}' for QualCoder, which needs names unique across the "
                "codebook")


def renamed_for_qualcoder(codes: list[Code]) -> list[Renamed]:
    """The codes and categories whose names repeat across the tree, each with the
    name it is written under, in the codebook's order."""
    placed = list(walk(codes, ()))
    repeated = Counter((code.codable, code.name) for code, _ in placed)
    renaming = [(code, parents) for code, parents in placed
                if parents and repeated[code.codable, code.name] > 1]
    moved = {id(code) for code, _ in renaming}
    taken = {True: set(), False: set()}
    for code, _ in placed:
        if id(code) not in moved:
            taken[code.codable].add(code.name.casefold())
    return [Renamed(code_guid(code, parents), not code.codable, code.name, parents,
                    unique_name(f"{code.name} ({parents[-1]})", taken[code.codable]))
            for code, parents in renaming]


def walk(codes: list[Code], parents: tuple[str, ...]):
    """Each code with the names of the codes above it."""
    for code in codes:
        yield code, parents
        yield from walk(code.codes, (*parents, code.name))


# --- the names' way back ----------------------------------------------------------------
# QualCoder keeps of a code only its name, memo, colour and place in the tree: its export
# gives every code a new GUID (`RefiExport.get_codes` in its refi.py), and a memo is the
# researcher's. What it keeps as written is a journal entry (a Note with a
# `plainTextPath`: `RefiImport.parse_notes`, `RefiExport.create_journal_note_xml`), so
# the names qcode wrote travel there, one line each, and on the way back a code takes
# its name again only where that line says: same kind, same place, same written name.

NOTE_NAME = "qcode: names written for QualCoder"
NOTE_INTRO = (
    "qcode wrote the codes and categories below under other names, as QualCoder needs "
    "each name once in the codebook. When qcode imports a QualCoder export of this "
    "project, each one still under its written name, in the same place, gets its own "
    "name back (qcode says which); qcode does not import this entry. Each line: kind, "
    "the names of the codes above it, the name written, its name in qcode.")


def note_text(renamed: list[Renamed]) -> str:
    """The journal entry that carries the renamings through QualCoder."""
    lines = [json.dumps(["category" if r.category else "code", list(r.parents),
                         r.written, r.name], ensure_ascii=False) for r in renamed]
    return "\n".join([NOTE_INTRO, "", *lines]) + "\n"


def names_restored(project: ExchangeProject) -> list[str]:
    """Give back the names qcode wrote for QualCoder, where the journal entry qcode wrote
    says so and the code is where it was; take that entry out of the memos. What it
    did, and what it left as it was, in a line each."""
    notes = [m for m in project.memos if m.name == NOTE_NAME and m.target_type is None
             and m.text.startswith(NOTE_INTRO)]
    if not notes:
        return []
    project.memos = [m for m in project.memos if m not in notes]
    said: list[str] = []
    entries: dict[tuple, str] = {}
    for note in notes:
        for line in note.text.splitlines():
            entry = _entry(line)
            if entry is not None:
                entries[entry[0]] = entry[1]
            elif line.startswith("["):
                said.append(f"a line of the journal entry '{NOTE_NAME}' is not in the "
                            f"form qcode writes; its name is not given back: "
                            f"{trim_words(line, 80)}")
    found: set[tuple] = set()
    _restore(project.codebook.codes, (), entries, found, said)
    for (kind, parents, written), name in entries.items():
        if (kind, parents, written) not in found:
            said.append(f"{kind} '{written}' under '{' / '.join(parents)}' (named '{name}' "
                        "in qcode before QualCoder) is no longer there under that name; "
                        "kept as the file has it")
    said.append(f"the journal entry '{NOTE_NAME}' is qcode's record of those names, "
                "not imported")
    return said


def _entry(line: str) -> tuple[tuple[str, tuple[str, ...], str], str] | None:
    """A line of the journal entry as (kind, parents' names, written name) and the name
    in qcode; None when it is not a line qcode writes."""
    try:
        kind, parents, written, name = json.loads(line)
    except (ValueError, TypeError):
        return None
    if kind not in ("code", "category") or not isinstance(parents, list) or not parents \
            or not all(isinstance(p, str) for p in (*parents, written, name)):
        return None
    return (kind, tuple(parents), written), name


def _restore(codes: list[Code], parents: tuple[str, ...], entries: dict[tuple, str],
             found: set[tuple], said: list[str]) -> None:
    """Top down, so a code's parents have their own names again when it is matched."""
    for code in codes:
        kind = "code" if code.codable else "category"
        key = (kind, parents, code.name)
        name = entries.get(key)
        if name is not None:
            found.add(key)
            taken = {c.name.casefold() for c in codes if c is not code}
            where = " / ".join(parents)
            if name.casefold() in taken:
                said.append(f"{kind} '{code.name}' under '{where}' keeps that name: qcode "
                            f"wrote it for QualCoder as '{name}', but another code there "
                            "is named so now")
            else:
                said.append(f"{kind} '{code.name}' under '{where}' is '{name}' again: "
                            f"qcode wrote it so for QualCoder, as its journal entry "
                            f"'{NOTE_NAME}' records")
                code.name = name
        _restore(code.codes, (*parents, code.name), entries, found, said)
