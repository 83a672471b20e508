"""An ExchangeProject as a REFI-QDA project archive (`.qdpx`, QDA-XML project 1.0), for
NVivo, ATLAS.ti, MAXQDA and QualCoder.

The archive holds `project.qde`, each transcript as `sources/<GUID>.txt` and
`qcode.json`, which carries what the standard has no place for (source file facts,
turns) and which other tools ignore, as they ignore NVivo's own `sources/.root`.

- Positions count code points, end exclusive, over the text file in the archive:
  UTF-8, no BOM, LF only, which every tool counts the same way.
- A transcript's text is only in its file (`plainTextPath`), never inline as well.
- Each coding is one PlainTextSelection holding one Coding, so every coding keeps its
  own GUID, coder and date; its memo is a Note the selection refers to.
- A journal entry is a Note referred to from nowhere, its text also in
  `sources/<GUID>.txt` (`plainTextPath`), where QualCoder reads its journals.
- Memos on codings, codes and transcripts are also in the `Description` of what they
  are about, where QualCoder reads them (it ignores those Notes); the reader takes
  each once.
- A case's transcripts are named by `SourceRef`s in the case (the standard), and also
  as QualCoder and NVivo link them: a code with the case's GUID, coding the whole of
  each of its transcripts. qcode's reader turns that code back into the links.
- For QualCoder (`--for qualcoder`), a code or category whose name repeats across the
  tree is written as "Name (Parent)" (qualcoder_names.py), as QualCoder needs, and a
  journal entry records each, so that qcode gives the names back when the project
  returns through QualCoder (which keeps no code's GUID). Each case link is also
  written from 0 to 0, the one form QualCoder's export writes back.
- GUIDs are the project's own, or derived (uuid5) from them, written in lower case as
  every other tool writes them (qcode.json too), and the archive has fixed
  dates and a fixed order: re-exporting the same project gives the same bytes, and
  other tools recognise what they imported before.
- Everything is checked (what the schema cannot check too: unique GUIDs, references,
  positions) as it is written, into a file beside the target that takes its place only
  once all is written: an export is right or fails with a message naming what to fix,
  and leaves nothing behind.
- project.qde is written a part at a time (each source with its codings) straight into
  its zip entry, and the codings are read a transcript at a time, so a project of
  300,000 codings exports in about the memory of one transcript's.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import io
import json
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from qcode import __version__
from qcode.core.codebook import Code
from qcode.core.exchange.codebook_qdc import PROJECT_NS
from qcode.core.exchange.foreign import clean_guid, path_of, unique_name
from qcode.core.exchange.project_model import EXTRAS, ExchangeProject, StoredCodings
from qcode.core.exchange.qualcoder_names import NOTE_NAME, note_text, renamed_for_qualcoder
from qcode.core.model import Case, Coding, Transcript
from qcode.core.exchange.refi_write import (NOT_XML, add_code, code_guid, derived_guid,
                                            lower_guids, written, xml_text)
from qcode.core.exchange.safe_xml import ExchangeError
from qcode.core.text import trim_words

QDE = "project.qde"
NAME_LENGTH = 80  # a selection's or a memo's name: its text, cut to one short line
# The earliest date a zip entry can have; any fixed date keeps re-exports identical.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Nearly the size of zlib's default (6) in a third of its time, on XML and interview text.
COMPRESS_LEVEL = 3
FIXED_DATE = "1980-01-01T00:00:00Z"  # a note's date when the project has none
VARIABLE_TYPES = {"integer": "Integer", "float": "Float"}  # anything else is Text
VALUE_ELEMENTS = {"Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue"}
# What XML Schema reads as xsd:integer and xsd:decimal. Python's int() and float(),
# which typed the values, accept more ("1_000", "1e5", "nan").
LEXICAL = {"Integer": re.compile(r"[+-]?[0-9]+"),
           "Float": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")}
UTC_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z")


# How the tool that will read the export counts positions: True for UTF-16 code units
# (NVivo; see docs/interop.md), False for the standard's code points.
DIALECTS = {"standard": False, "nvivo": True, "atlasti": False, "maxqda": False,
            "qualcoder": False}
# Tools that want a transcript's file with Windows line breaks (CR LF), each still
# counted as one position: QualCoder's export offers this for MAXQDA (docs/interop.md).
CRLF_FILES = {"maxqda"}


def write_qdpx(exchange: ExchangeProject, path: Path, dialect: str = "standard") -> None:
    """Write the project to `path` as a .qdpx, replacing what is there. It is written
    and checked beside the target, as every output is (qcode.core.outputs), and takes
    its place only when complete, so no failure leaves half a file (or harms the file
    it would replace)."""
    from qcode.core import outputs

    dialect_checked(dialect)
    try:
        with outputs.replacing(path, force=True) as partial, open(partial, "wb") as stream:
            write_archive(exchange, stream, dialect)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it takes the target's place
    except outputs.OutputError as exc:
        raise ExchangeError(str(exc)) from None


def qdpx_bytes(exchange: ExchangeProject, dialect: str = "standard") -> bytes:
    """The .qdpx archive in memory (write_qdpx writes the same bytes to a file)."""
    buffer = io.BytesIO()
    write_archive(exchange, buffer, dialect)
    return buffer.getvalue()


def dialect_checked(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise ExchangeError(f"no export for '{dialect}'; choose one of "
                            + ", ".join(DIALECTS))
    return dialect


def write_archive(exchange: ExchangeProject, stream: IO[bytes],
                  dialect: str = "standard") -> None:
    """The .qdpx archive: project.qde, qcode.json and the sources, deterministic; its
    positions counted as the `dialect`'s tool counts them. project.qde is streamed into
    its entry, checked as it goes; a failure raises, leaving the stream unfinished."""
    dialect_checked(dialect)
    with zipfile.ZipFile(stream, "w") as archive:
        with archive.open(entry(QDE), "w") as member:
            write_project_qde(exchange, member, dialect)
        archive.writestr(entry(EXTRAS), json.dumps(
            extras(exchange), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        named = [(written(canonical(t.guid, f"transcript '{t.name}'")), t)
                 for t in exchange.transcripts]
        for guid, transcript in sorted(named, key=lambda pair: pair[0]):
            archive.writestr(entry(f"sources/{guid}.txt"),
                             utf8(transcript, crlf=dialect in CRLF_FILES))
        journal = [(written(canonical(m.guid, f"memo '{m.name}'")), m)
                   for m in exchange.memos if m.kind == "journal"]
        for guid, memo in sorted(journal, key=lambda pair: pair[0]):
            archive.writestr(entry(f"sources/{guid}.txt"), memo.text.encode("utf-8"))
        names = qualcoder_names_note(exchange, dialect)
        if names is not None:
            archive.writestr(entry(f"sources/{written(names[0])}.txt"),
                             names[1].encode("utf-8"))


def qualcoder_names_note(exchange: ExchangeProject, dialect: str) -> tuple[str, str] | None:
    """For QualCoder, the GUID and text of the journal entry that records the names
    written for it (qualcoder_names.py); None when no name changed."""
    if dialect != "qualcoder":
        return None
    renamed = renamed_for_qualcoder(exchange.codebook.codes)
    if not renamed:
        return None
    return derived_guid(f"qualcoder-names:{exchange.guid or ''}"), note_text(renamed)


def entry(name: str) -> zipfile.ZipInfo:
    """An archive entry, the same whatever system exports: a fixed date, made "on Unix"
    with ordinary file permissions, deflated at COMPRESS_LEVEL."""
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    # What writestr's compresslevel sets, and which ZipFile.open takes from the entry
    # alone (Python 3.13 renamed the attribute).
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel",
            COMPRESS_LEVEL)
    return info


def utf8(transcript: Transcript, crlf: bool = False) -> bytes:
    """The transcript's file: UTF-8, its line breaks LF, or CR LF for a tool that
    wants them (positions count each as one either way)."""
    text = transcript.text.replace("\n", "\r\n") if crlf else transcript.text
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ExchangeError(f"the text of transcript '{transcript.name}' holds "
                            f"U+{ord(exc.object[exc.start]):04X}, which UTF-8 cannot "
                            "carry") from None


def extras(exchange: ExchangeProject) -> dict:
    """What qcode knows and REFI-QDA cannot say, by GUID: read back only by qcode."""
    return {
        "format": "qcode-extras", "version": 1, "qcode": __version__,
        "project": {"guid": written(exchange.guid), "created": exchange.created,
                    "codebook_name": exchange.codebook.name or None},
        "coders": {written(canonical(c.guid, f"coder '{c.name}'")): c.created
                   for c in exchange.coders},
        "transcripts": {
            written(canonical(t.guid, f"transcript '{t.name}'")): {
                "source_file": t.source_file, "source_format": t.source_format,
                "encoding": t.encoding, "imported": t.imported,
                "turns": None if t.turns is None else [
                    [u.speaker, u.start, u.end, u.label_start, u.begin_time, u.end_time]
                    for u in t.turns]}
            for t in exchange.transcripts},
        "memos": {written(canonical(m.guid, f"memo '{m.name}'")): {
            "kind": m.kind, "target_type": m.target_type,
            "target_guid": written(m.target_guid), "modified": m.modified,
            "links": [[link.target_type, written(link.guid), link.start, link.end]
                      for link in m.links]}
            for m in exchange.memos},
        "resolutions": [[written(r.guid), written(r.transcript), written(r.code),
                         r.first_coder, r.second_coder, r.start, r.end, r.choice,
                         r.resolved_by, r.created]
                        for r in exchange.resolutions],
        "reviews": [{**dataclasses.asdict(r), "transcript": written(r.transcript),
                     "code": written(r.code), "coding": written(r.coding)}
                    for r in exchange.reviews],
    }


def counts(exchange: ExchangeProject) -> dict[str, int]:
    """What an export holds, as the command reports it, counted as `import-project`
    counts what it brings in (a coding's memo goes with its coding)."""
    return {"transcripts": len(exchange.transcripts), "codes": len(exchange.codebook),
            "codings": len(exchange.codings), "coders": len(exchange.coders),
            "cases": len(exchange.cases), "memos": len(exchange.memos)}


@functools.lru_cache(maxsize=4)
def astral_places(text: str) -> list[int]:
    """Where the characters beyond U+FFFF are (a transcript's codings ask in turn)."""
    return [n for n, c in enumerate(text) if ord(c) > 0xFFFF]


def project_qde(exchange: ExchangeProject, dialect: str = "standard") -> bytes:
    """The project.qde document (UTF-8), valid against Project.xsd and checked."""
    buffer = io.BytesIO()
    write_project_qde(exchange, buffer, dialect)
    return buffer.getvalue()


def write_project_qde(exchange: ExchangeProject, stream: IO[bytes],
                      dialect: str = "standard") -> None:
    """project.qde written to `stream` a part at a time, each part checked first."""
    _Document(exchange, dialect).write(stream)


class _References:
    """What the schema does not check: every GUID names one object, and every reference
    (targetGUID, creatingUser) names an object in the document. Parts are checked as
    they are written; a reference to what comes later (a coding's memo, written with
    the Notes at the end) is checked at the end. A case and the code that links it to
    its transcripts share one GUID on purpose."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}
        self.later: list[tuple[str, str]] = []  # (element, target) not yet written

    def add(self, part: ET.Element) -> None:
        owners = self.owners
        for element in part.iter():
            guid = element.get("guid")
            if guid is None:
                continue
            if guid in owners and {owners[guid], element.tag} == {"Case", "Code"}:
                owners[guid] = "Case and Code"
                continue
            if guid in owners:
                raise ExchangeError(f"the guid {guid} belongs to two things in the "
                                    f"project (a {owners[guid]} and a {element.tag}); an "
                                    "export needs each to be unique")
            owners[guid] = element.tag
        for element in part.iter():
            for attribute in ("targetGUID", "creatingUser"):
                target = element.get(attribute)
                if target is not None and target not in owners:
                    self.later.append((element.tag, target))

    def check(self) -> None:
        for tag, target in self.later:
            if target not in self.owners:
                raise ExchangeError(f"a {tag} refers to {target}, which is not in the "
                                    "export")


def canonical(guid: str | None, what: str) -> str:
    """A GUID in qcode's form (capitals, no braces), checked; `written` turns it into
    an export's."""
    clean = clean_guid(guid)
    if clean is None:
        raise ExchangeError(f"{what} has the malformed guid '{guid}', which REFI-QDA "
                            "cannot carry")
    return clean


def by_guid(items: list, what: Callable[[Any], str]) -> dict[str, Any]:
    """Coders or transcripts by their canonical GUID; a GUID given twice is refused here,
    where it would otherwise fold two of them into one."""
    found: dict[str, Any] = {}
    for item in items:
        guid = canonical(item.guid, what(item))
        if guid in found:
            raise ExchangeError(f"{what(found[guid])} and {what(item)} have the same guid "
                                f"{guid}")
        found[guid] = item
    return found


def utc(value: str | None) -> str | None:
    """A stored date-time as xsd:dateTime in UTC with Z; None (left out, as the standard
    allows) when it is missing or cannot be read."""
    if not value or UTC_STAMP.fullmatch(value):
        return value or None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat("T", "seconds") + "Z"


def label(text: str) -> str:
    """A name for a selection or memo: its text on one short line."""
    return trim_words(NOT_XML.sub(" ", text), NAME_LENGTH)


def variable_type(values: list[tuple[str, str]]) -> str:
    """The REFI-QDA type of an attribute from the stored types of its values: Integer
    or Float when every value has that type (integers among floats make it Float), else
    Text; also Text when a value is not written as XML Schema reads that type ("1e5"),
    so that every value travels unchanged."""
    kinds = {VARIABLE_TYPES.get(kind, "Text") for _, kind in values}
    typed = kinds.pop() if len(kinds) == 1 else (
        "Float" if kinds == {"Integer", "Float"} else "Text")
    if typed != "Text" and not all(LEXICAL[typed].fullmatch(value) for value, _ in values):
        return "Text"
    return typed


class _Document:
    """Builds project.qde in the schema's order: Users, CodeBook, Variables, Cases,
    Sources, Notes, then the project's own NoteRefs; empty containers are left out, as
    the schema refuses them."""

    def __init__(self, exchange: ExchangeProject, dialect: str = "standard"):
        self.exchange = exchange
        self.utf16 = DIALECTS[dialect]
        self.dialect = dialect
        # The origin says the counting, so qcode reads its own export back exactly.
        origin = f"qcode {__version__}" + (
            " for NVivo (positions in UTF-16 code units)" if self.utf16 else
            " for MAXQDA (line breaks written as CR LF, each counted as one position)"
            if dialect in CRLF_FILES else "")
        self.root = ET.Element("Project", {
            "xmlns": PROJECT_NS, "name": xml_text(exchange.name, "the project's name"),
            "origin": origin})
        self.dated(self.root, exchange.created)
        self.coders = by_guid(exchange.coders, lambda c: f"coder '{c.name}'")
        self.codes: dict[str, str] = {}  # code GUID -> its path of names
        self.walk_codes(exchange.codebook.codes, ())
        # QualCoder needs a code's name unique in the whole tree (qualcoder_names.py).
        self.names = {renamed.guid: renamed.written for renamed in
                      renamed_for_qualcoder(exchange.codebook.codes)
                      } if dialect == "qualcoder" else {}
        self.transcripts = by_guid(exchange.transcripts, lambda t: f"transcript '{t.name}'")
        # Notes (memos) in the order they are written, and where each is referred to.
        self.notes: list[dict] = []
        self.notes_on: dict[str | None, list[str]] = defaultdict(list)
        self.note_text: dict[str, str] = {}  # the free-standing memos' texts, by GUID
        self.cleaned: dict[str | None, str | None] = {}

    def walk_codes(self, codes: list[Code], parents: tuple[str, ...]) -> None:
        for code in codes:
            self.codes[code_guid(code, parents)] = path_of(parents, code.name)
            self.walk_codes(code.codes, (*parents, code.name))

    def reference(self, guid: str | None) -> str | None:
        """A GUID a coding refers to, cleaned once: the same few transcripts, codes and
        coders recur in thousands of codings."""
        if guid not in self.cleaned:
            self.cleaned[guid] = clean_guid(guid)
        return self.cleaned[guid]

    def write(self, stream: IO[bytes]) -> None:
        """The document in the schema's order, each part written (and let go) as soon
        as it is built; the sources one at a time, each with its codings."""
        self.stream = stream
        self.references = _References()
        self.free_memos()
        self.names_note()
        opening = ET.tostring(self.root, encoding="unicode",
                              short_empty_elements=False)[:-len("</Project>")]
        self.put('<?xml version="1.0" encoding="utf-8"?>\n' + opening)
        for part in (self.users(), self.codebook(), *self.cases()):
            if part is not None:
                self.part(part, 1)
        if self.transcripts:
            self.put("\n  <Sources>")
            for source in self.sources():
                self.part(source, 2)
            self.put("\n  </Sources>")
        if self.notes:
            notes = ET.Element("Notes")
            for note in self.notes:
                self.note(notes, **note)
            self.part(notes, 1)
        for guid in self.notes_on[None]:
            self.part(ET.Element("NoteRef", {"targetGUID": guid}), 1)
        self.references.check()
        self.put("\n</Project>\n")

    def part(self, element: ET.Element, level: int) -> None:
        """One finished part, checked and written indented at its `level`."""
        lower_guids(element)
        self.references.add(element)
        ET.indent(element, space="  ", level=level)
        self.put("\n" + "  " * level + ET.tostring(element, encoding="unicode"))

    def put(self, text: str) -> None:
        self.stream.write(text.encode("utf-8"))

    def dated(self, element: ET.Element, value: str | None) -> None:
        stamp = utc(value)
        if stamp:
            element.set("creationDateTime", stamp)

    def free_memos(self) -> None:
        """Each memo becomes a Note, referred to from what it is about: a code, a
        transcript, or (anything else, or a target no longer in the project) the
        project itself. A case cannot refer to a Note: its memos are in its
        Description. A journal entry is a Note referred to from nowhere, as QualCoder
        keeps its journals; qcode.json says which Notes are journal entries."""
        cases = {clean_guid(case.guid) for case in self.exchange.cases}
        for memo in self.exchange.memos:
            guid = canonical(memo.guid, f"memo '{memo.name}'")
            target = clean_guid(memo.target_guid)
            known = {"code": self.codes, "transcript": self.transcripts,
                     "case": cases}.get(memo.target_type or "", {})
            if memo.kind != "journal":
                self.notes_on[target if target in known else None].append(guid)
            self.note_text[guid] = memo.text
            self.notes.append({
                "guid": guid, "name": xml_text(memo.name, f"the name of memo '{memo.name}'"),
                "text": xml_text(memo.text, f"memo '{memo.name}'"), "coder": memo.coder,
                "created": memo.created, "in_file": memo.kind == "journal"})

    def names_note(self) -> None:
        """For QualCoder, the names it was given, as a journal entry (QualCoder keeps
        those); dated, as QualCoder's import needs a Note's date."""
        names = qualcoder_names_note(self.exchange, self.dialect)
        if names is not None:
            self.notes.append({"guid": names[0], "name": NOTE_NAME, "text": names[1],
                               "coder": None, "in_file": True,
                               "created": self.exchange.created or FIXED_DATE})

    def users(self) -> ET.Element | None:
        if not self.coders:
            return None
        users = ET.Element("Users")
        for guid, coder in self.coders.items():
            name = xml_text(coder.name, f"the name of coder '{coder.name}'")
            ET.SubElement(users, "User", {"guid": guid, "name": name})
        return users

    def memo_text(self, target: str) -> str:
        """The free-standing memos on a code or transcript, as one text for its
        Description (QualCoder keeps one memo on each)."""
        return "\n\n".join(self.note_text[note] for note in self.notes_on[target]
                             if self.note_text[note])

    def codebook(self) -> ET.Element | None:
        linked = [case for case in self.exchange.cases if case.transcripts]
        if not self.exchange.codebook.codes and not linked:
            return None
        book = ET.Element("CodeBook")
        codes = ET.SubElement(book, "Codes")
        seen: dict[str, str] = {}
        memos = {guid: self.memo_text(guid) for guid in self.codes}
        for code in self.exchange.codebook.codes:
            add_code(codes, code, (), seen, self.notes_on, memos, self.names)
        names = {code.name.casefold() for code, _ in self.exchange.codebook.walk()}
        names |= {name.casefold() for name in self.names.values()}
        for case in linked:
            self.case_code(codes, case, names)
        return book

    def case_code(self, parent: ET.Element, case: Case, names: set[str]) -> None:
        """The code QualCoder reads as a case's link to its transcripts (it deletes the
        code after); its name is unique in the whole tree, as QualCoder needs."""
        name = unique_name(f"Case: {case.name}", names)
        ET.SubElement(parent, "Code", {
            "guid": canonical(case.guid, f"case '{case.name}'"),
            "name": xml_text(name, f"the name of case '{case.name}'"), "isCodable": "true"})

    def cases(self) -> list[ET.Element]:
        """The Variables and the Cases, each left out when empty."""
        parts = []
        cases = self.exchange.cases
        names = sorted({name for case in cases for name in case.attributes})
        types = {name: variable_type([case.attributes[name] for case in cases
                                      if name in case.attributes]) for name in names}
        variables = {name: derived_guid(f"variable:{self.exchange.guid or ''}:{name}")
                     for name in names}
        if names:
            parent = ET.Element("Variables")
            parts.append(parent)
            for name in names:
                ET.SubElement(parent, "Variable", {
                    "guid": variables[name],
                    "name": xml_text(name, f"the name of the attribute '{name}'"),
                    "typeOfVariable": types[name]})
        if cases:
            parent = ET.Element("Cases")
            parts.append(parent)
            for case in cases:
                self.case(parent, case, variables, types)
        return parts

    def case(self, parent: ET.Element, case: Case, variables: dict[str, str],
             types: dict[str, str]) -> None:
        guid = canonical(case.guid, f"case '{case.name}'")
        element = ET.SubElement(parent, "Case", {
            "guid": guid, "name": xml_text(case.name, f"the name of case '{case.name}'")})
        memo = self.memo_text(guid)
        if memo:
            ET.SubElement(element, "Description").text = memo
        for name in sorted(case.attributes):
            value, _ = case.attributes[name]
            holder = ET.SubElement(element, "VariableValue")
            ET.SubElement(holder, "VariableRef", {"targetGUID": variables[name]})
            ET.SubElement(holder, VALUE_ELEMENTS[types[name]]).text = xml_text(
                value, f"the {name} of case '{case.name}'")
        for transcript in case.transcripts:
            ET.SubElement(element, "SourceRef", {
                "targetGUID": canonical(transcript, f"a transcript of case '{case.name}'")})

    def sources(self) -> Iterator[ET.Element]:
        """Each TextSource with its codings, one at a time."""
        codings_of = self.codings_by_transcript()
        cases: dict[str, list[Case]] = defaultdict(list)
        for case in self.exchange.cases:
            for transcript in case.transcripts:
                cases[canonical(transcript, f"a transcript of case '{case.name}'")
                      ].append(case)
        for guid, transcript in self.transcripts.items():
            yield self.source(guid, transcript, codings_of(guid, transcript), cases[guid])

    def codings_by_transcript(self) -> Callable[[str, Transcript], list[Coding]]:
        """How to get a transcript's codings: from the project, when the codings are
        still there (StoredCodings), else from the list, grouped once."""
        codings = self.exchange.codings
        if isinstance(codings, StoredCodings):
            return lambda guid, transcript: codings.of(transcript.guid)
        by_transcript: dict[str, list[Coding]] = defaultdict(list)
        for coding in codings:
            transcript = self.reference(coding.transcript)
            if transcript not in self.transcripts:
                raise ExchangeError(f"coding {coding.guid} is of transcript "
                                    f"{coding.transcript}, which is not in the export")
            by_transcript[transcript].append(coding)
        return lambda guid, transcript: by_transcript[guid]

    def source(self, guid: str, transcript: Transcript, codings: list[Coding],
               cases: list[Case]) -> ET.Element:
        name = transcript.name
        text = transcript.text
        if text.startswith("\ufeff") or "\r" in text:
            raise ExchangeError(f"the text of transcript '{name}' has a byte-order mark or "
                                "a carriage return, which qcode removes at import; "
                                "positions in it would not be read alike by every tool")
        element = ET.Element("TextSource", {
            "guid": guid, "name": xml_text(name, f"the name of transcript '{name}'"),
            "plainTextPath": f"internal://{guid}.txt"})
        self.dated(element, transcript.imported)
        memo = self.memo_text(guid)
        if memo:
            ET.SubElement(element, "Description").text = memo
        for coding in sorted(codings, key=lambda c: (c.start, c.end, c.guid)):
            self.selection(element, name, text, coding)
        for case in cases:
            self.case_link(element, guid, text, case)
        for note in self.notes_on[guid]:
            ET.SubElement(element, "NoteRef", {"targetGUID": note})
        return element

    def counted(self, text: str, at: int) -> int:
        """A position as the reading tool counts it: UTF-16 units count a character
        beyond U+FFFF as two."""
        if not self.utf16 or text.isascii():
            return at
        return at + bisect.bisect_left(astral_places(text), at)

    def case_link(self, parent: ET.Element, transcript: str, text: str,
                  case: Case) -> None:
        """The case's link to this text: a selection of all of it, coded with the
        case. For QualCoder, again from 0 to 0: QualCoder's import stores a link where
        the selection is, and its export writes back only a link stored from 0 to 0
        (`RefiExport.case_source_ref_xml` in its refi.py); the whole-text one is what
        QualCoder's own views of a case's text use."""
        case_guid = canonical(case.guid, f"case '{case.name}'")
        self.case_selection(parent, transcript, case_guid, case.name,
                            ("case-link", "case-coding"), self.counted(text, len(text)))
        if self.dialect == "qualcoder":
            self.case_selection(parent, transcript, case_guid, case.name,
                                ("case-point", "case-point-coding"), 0)

    @staticmethod
    def case_selection(parent: ET.Element, transcript: str, case_guid: str, name: str,
                       kinds: tuple[str, str], end: int) -> None:
        """A selection from 0 to `end` coded with the case; its GUIDs made from the case,
        the text and `kinds` (the selection's, the coding's), the same in every export."""
        element = ET.SubElement(parent, "PlainTextSelection", {
            "guid": derived_guid(f"{kinds[0]}:{case_guid}:{transcript}"),
            "name": label(name), "startPosition": "0", "endPosition": str(end)})
        applied = ET.SubElement(element, "Coding", {
            "guid": derived_guid(f"{kinds[1]}:{case_guid}:{transcript}")})
        ET.SubElement(applied, "CodeRef", {"targetGUID": case_guid})

    def selection(self, parent: ET.Element, transcript: str, text: str,
                  coding: Coding) -> None:
        guid = canonical(coding.guid, f"a coding in transcript '{transcript}'")
        code = self.reference(coding.code)
        if code not in self.codes:
            raise ExchangeError(f"coding {guid} in transcript '{transcript}' is of the code "
                                f"{coding.code}, which is not in the codebook")
        coder = self.reference(coding.coder)
        if coder not in self.coders:
            raise ExchangeError(f"coding {guid} in transcript '{transcript}' is by the coder "
                                f"{coding.coder}, who is not in the project")
        if not 0 <= coding.start < coding.end <= len(text):
            raise ExchangeError(f"coding {guid} of '{self.codes[code]}' in transcript "
                                f"'{transcript}' spans [{coding.start}, {coding.end}), "
                                f"which is not inside its {len(text)} characters; run "
                                "'qcode check'")
        element = ET.SubElement(parent, "PlainTextSelection", {
            "guid": derived_guid(f"selection:{guid}"),
            "name": label(text[coding.start:coding.end]),
            "startPosition": str(self.counted(text, coding.start)),
            "endPosition": str(self.counted(text, coding.end)),
            "creatingUser": coder})
        if coding.memo:
            where = (f"the memo on a coding of '{self.codes[code]}' in transcript "
                     f"'{transcript}'")
            ET.SubElement(element, "Description").text = xml_text(coding.memo, where)
        applied = ET.SubElement(element, "Coding", {"guid": guid, "creatingUser": coder})
        stamp = utc(coding.created)
        if stamp:
            element.set("creationDateTime", stamp)
            applied.set("creationDateTime", stamp)
        ET.SubElement(applied, "CodeRef", {"targetGUID": code})
        if coding.memo:
            note = derived_guid(f"memo:{guid}")
            where = (f"the memo on a coding of '{self.codes[code]}' in transcript "
                     f"'{transcript}'")
            self.notes.append({"guid": note, "name": label(coding.memo),
                               "text": xml_text(coding.memo, where), "coder": coder,
                               "created": coding.created})
            ET.SubElement(element, "NoteRef", {"targetGUID": note})

    def note(self, parent: ET.Element, guid: str, name: str, text: str,
             coder: str | None, created: str | None, in_file: bool = False) -> None:
        element = ET.SubElement(parent, "Note", {"guid": guid, "name": name})
        if in_file:  # QualCoder reads a journal's text from its file, not from inside
            element.set("plainTextPath", f"internal://{guid}.txt")
        coder = clean_guid(coder)
        if coder is not None:
            element.set("creatingUser", coder)
        self.dated(element, created)
        ET.SubElement(element, "PlainTextContent").text = text
