"""Reading a REFI-QDA project (a `.qdpx`, or a bare `project.qde`) made by NVivo,
ATLAS.ti, MAXQDA, QualCoder or qcode, into an ExchangeProject.

The file is untrusted: the archive and the XML are checked by safe_xml, every position
is checked against its text, and only entries inside the archive are ever read (a
`relative://` or `absolute://` path is reported, never followed). What qcode cannot
hold (pictures, PDFs, sets, links) is counted and reported, never silently dropped.
A selection outside its text is refused, as the file is then broken or misread.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from qcode.core.codebook import Codebook
from qcode.core import model
from qcode.core.exchange.project_model import EXTRAS, ExchangeProject
from qcode.core.exchange.codebook_qdc import codebook_in, refi_namespace, split
from qcode.core.exchange.foreign import clean_guid as _clean_guid
from qcode.core.exchange.foreign import unique_name, written_by
from qcode.core.exchange.qualcoder_cases import SourceCopies, cases_unlinked
from qcode.core.exchange.qualcoder_names import names_restored
from qcode.core.exchange.safe_xml import (MAX_PROJECT_XML_BYTES, MAX_SOURCE_BYTES,
                                          ExchangeError, ProjectArchive, iterparse_xml,
                                          open_checked)
from qcode.core.importers.base import binary_problem, normalise
from qcode.core.importers.plain import turns_in

# Stable GUIDs for what a file leaves without one (a coder known only by reference).
# A project names each user, code and source thousands of times: check each spelling once.
clean_guid = functools.lru_cache(maxsize=1 << 16)(_clean_guid)
IMPORT_NS = uuid.UUID("2b0c7f4e-9d61-5a38-8e15-4c7a90d3b6e2")
ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # counted two in UTF-16
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
VALUE_TYPES = {"TextValue": "text", "BooleanValue": "text", "IntegerValue": "integer",
               "FloatValue": "float", "DateValue": "text", "DateTimeValue": "text"}
NOT_TEXT = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
Opener = Callable[[], BinaryIO]  # project.qde from its start, for each reading of it


def read_project_file(path: Path) -> ExchangeProject:
    """The project in a .qdpx (or a bare .qde, whose sources are then missing)."""
    with without_cycle_collection():
        return _read_project_file(path)


@contextlib.contextmanager
def without_cycle_collection():
    """The reader makes millions of objects and no reference cycles: Python's cycle
    collector would walk every one of them again and again (a third of the reading
    of 294,000 codings), so it waits until the project is read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_project_file(path: Path) -> ExchangeProject:
    if not path.exists():
        raise ExchangeError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        with ProjectArchive(path) as archive:
            name = f"{path}!{archive.qde.filename}"
            return _Reader(name, path.stem, archive).read(
                lambda: archive.stream(archive.qde, MAX_PROJECT_XML_BYTES))
    if suffix == ".qde":
        return _Reader(str(path), path.stem, None).read(
            lambda: open_checked(path, MAX_PROJECT_XML_BYTES))
    if suffix == ".qdc":
        raise ExchangeError(f"{path}: a .qdc holds only a codebook; import it with "
                            "'qcode codebook import'")
    raise ExchangeError(f"{path}: cannot tell the format from '{path.suffix or path.name}'"
                        " (a project to import is a .qdpx, or its project.qde)")


class _ReadTwice(Exception):
    """A file read once is read twice after all: its parts are not in the standard's
    order, or (another tool's) what a selection is depends on the counting not yet
    chosen, or it is to be refused, as the two readings refuse it."""


# What a source's reading needs, all before <Sources> in the standard's order.
BEFORE_SOURCES = ("Users", "CodeBook", "Variables", "Cases")


class _Reader:
    """Reads project.qde never holding it whole (a selection and its coding take some
    2 kB as elements, so 300,000 of them would take gigabytes).

    One reading places each source's selections as the source ends and lets them go;
    the coding memos, whose notes come after the sources, are filled in once the notes
    are read. When the origin does not name the counting (another tool's file), each
    source's selections are weighed, as they are placed, as evidence on how the file
    counts positions; on a text where the countings differ, the codings keep the
    positions the file gives until the whole file's counting is chosen, then move.
    A file that does not suit one reading (its parts out of order, a selection that is
    a place under some countings only, a problem to refuse it for) is read twice, as
    every file once was: the first reading keeps everything but the selections, and of
    each source's selections only their number and the evidence; once the counting is
    chosen, the second reading places each source's selections and lets them go."""

    def __init__(self, filename: str, stem: str, archive: ProjectArchive | None):
        self.filename = filename
        self.stem = stem
        self.archive = archive
        self.warnings: list[str] = []
        self.skipped: Counter[tuple[str, str]] = Counter()  # (what, why) -> how many
        self.given: dict[str, set[str]] = {}  # GUIDs seen, by element
        self.grouped: dict[str, list[str]] = {}  # one warning, the places it is about
        self.ns = ""
        self.once = False  # read once (the notes come after the sources) or twice
        self.later: list[Callable[[], None]] = []  # read once: what waits for the notes

    # -- helpers -------------------------------------------------------------------------

    def tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local

    def children(self, element: ET.Element | None, local: str) -> list[ET.Element]:
        return [] if element is None else element.findall(self.tag(local))

    def child(self, element: ET.Element | None, local: str) -> ET.Element | None:
        return None if element is None else element.find(self.tag(local))

    def text_of(self, element: ET.Element | None, local: str) -> str | None:
        found = self.child(element, local)
        return None if found is None else (found.text or "")

    def reference(self, element: ET.Element, local: str) -> str | None:
        """The GUID a child such as <CodeRef targetGUID=...> points at."""
        found = self.child(element, local)
        return None if found is None else clean_guid(found.get("targetGUID"))

    def guid(self, element: ET.Element, what: str, once: bool = False) -> str:
        """The element's GUID; with `once`, one no other element of its kind has."""
        guid = clean_guid(element.get("guid"))
        if guid is None:
            raise ExchangeError(f"{self.filename}: {what} has no valid guid "
                                f"('{shortened(element.get('guid') or '')}')")
        if once:
            kind = split(element.tag)[1]
            taken = self.given.setdefault(kind, set())
            if guid in taken:
                raise ExchangeError(f"{self.filename}: two <{kind}> elements have the "
                                    f"GUID {guid}; each needs its own, so the file was "
                                    "refused and nothing imported")
            taken.add(guid)
        return guid

    def group(self, what: str, places: list[str]) -> None:
        """One warning for many places: a hundred sources give one line, not a hundred."""
        self.grouped.setdefault(what, []).extend(places)

    def internal(self, reference: str, document: bool = False) -> bytes | None:
        """The bytes of an `internal://` file; None when it is absent or lives outside
        the archive (never followed: only what the archive holds is read). A `document`
        is itself a zip (a .docx), checked whole against the archive's budget."""
        if not reference.lower().startswith("internal://") or self.archive is None:
            return None
        entry = self.archive.find(reference[len("internal://"):])
        if entry is None:
            return None
        read = self.archive.read_document if document else self.archive.read
        return read(entry, MAX_SOURCE_BYTES)

    def decoded(self, data: bytes, what: str | None) -> str:
        """The text of a file; `what` names it in the warning when it is not UTF-8
        (None: no warning, as the text will be read again)."""
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            if what is not None:
                self.warnings.append(f"{what}: not valid UTF-8; read as Windows-1252")
            return data.decode("cp1252", errors="replace")

    # -- the project ---------------------------------------------------------------------

    def read(self, opener: Opener) -> ExchangeProject:
        self.opener = opener
        budget = self.archive.budget if self.archive else 0
        with contextlib.closing(self.text_sources_read()) as events:
            _, root = next(events, ("end", None))
            if root is not None:
                self.project_root(root)
                try:
                    return self.read_once(root, events)
                except _ReadTwice:
                    pass
        # Read twice, from the start, as if for the first time (a budget each reading).
        reader = _Reader(self.filename, self.stem, self.archive)
        # What the first reading made goes now: the cycle collector waits while the
        # project is read, and the notes' waiting list refers back to this reader.
        vars(self).clear()
        if reader.archive is not None:
            reader.archive.budget = budget
        reader.opener = opener
        return reader.read_twice()

    def read_once(self, started: ET.Element,
                  events: Iterator[tuple[str, ET.Element]]) -> ExchangeProject:
        """One reading: each source is placed as it ends. A file whose parts are not in
        the standard's order (so a source could come before what it needs) is read
        twice instead, as is another tool's file that one reading cannot place exactly
        as two would (`settle`), or that is to be refused (`or_read_twice`)."""
        self.once = True
        self.foreign = not written_by(self.origin, "qcode")
        # Another tool's counting is chosen once every source is read (`settle`).
        self.reading = None if self.foreign else choose_reading(
            Evidence(), [], self.origin, self.filename).reading
        self.weighed = Evidence()
        self.texts: list[Positions] = []  # the texts the countings differ on
        self.unsettled: list[tuple[Positions, int, int]] = []  # and their codings' span
        self.fits = set(READINGS)  # under which every selection is where it was placed
        self.selections: list[int] = []
        self.notes = None  # not read yet: coding memos wait in `self.later`
        parts: dict[str, ET.Element] = {}
        before: list[ET.Element] | None = None  # the parts read when the sources began
        done: list[ET.Element] = []
        wanted = {self.tag(local): local for local in BEFORE_SOURCES}
        root = None
        for event, element in events:
            with self.or_read_twice():
                if event == "part" and element.tag in wanted:
                    parts.setdefault(wanted[element.tag], element)
                elif event == "source":
                    if before is None:
                        before = list(parts.values())
                        stand_in = ET.Element(started.tag, started.attrib)
                        stand_in.extend(before)
                        self.start(stand_in)
                        by_text: dict[str, str] = {}
                        names: set[str] = set()
                    done.append(element)
                    self.source_once(element, by_text, names)
                elif event == "end":
                    root = element
        with self.or_read_twice():
            if before is None:  # no source: nothing to place, the file is read
                self.start(root)
                before = list(parts.values())
            if before != [c for c in root if c.tag in wanted] \
                    or done != list(self.text_sources_in(root)):
                raise _ReadTwice
            self.notes_in_place(root)
        if self.foreign:
            self.settle()
        with self.or_read_twice():
            for waiting in self.later:
                waiting()
        return self.finish(root)

    @contextlib.contextmanager
    def or_read_twice(self):
        """Another tool's file read once is refused only as the two readings refuse
        it: a problem found on the way (a GUID, a position, the archive's budget) sends
        it to them, which report the problem they find first."""
        try:
            yield
        except ExchangeError:
            if self.foreign:
                raise _ReadTwice from None
            raise

    def notes_in_place(self, root: ET.Element) -> None:
        """The notes, read last; what reading them warns of goes where the two
        readings put it, before the sources' warnings. Another tool's texts were each
        checked against the archive's budget while project.qde was still being read:
        if together they overdraw it, the two readings say where."""
        after = self.warnings[self.notes_at:]
        del self.warnings[self.notes_at:]
        self.notes = self.read_notes(root)
        self.warnings += after
        if self.foreign and self.archive is not None and self.archive.budget < 0:
            raise _ReadTwice

    def settle(self) -> None:
        """Another tool's file read once: the counting chosen from all its selections,
        and the codings on texts where the countings differ moved to where it puts
        them. When a selection would not be where it was placed under the chosen
        counting (empty, or refused), the file is read twice, to treat it exactly so."""
        choice = choose_reading(self.weighed, self.texts, self.origin, self.filename)
        if choice.reading not in self.fits:
            raise _ReadTwice
        self.reading = reading = choice.reading
        self.warnings += choice.said
        codings = self.project.codings
        for where, first, last in self.unsettled:
            for coding in codings[first:last]:
                coding.start = where.at(coding.start, reading)
                coding.end = where.at(coding.end, reading)
        grouped: dict[str, list[str]] = {}
        for what, places in self.grouped.items():
            if isinstance(what, Positions):  # a source's counting, named now
                counted = counted_in(reading, what)
                if not counted:
                    continue
                what = counted_group(counted)
            grouped.setdefault(what, []).extend(places)
        self.grouped = grouped

    def source_once(self, element: ET.Element, by_text: dict[str, str],
                    names: set[str]) -> None:
        """A source placed as it ends (one reading), then let go but for its
        attributes, which a comment's coder may be found from once notes are read."""
        index = len(self.selections)
        selections = self.children(element, "PlainTextSelection")
        self.selections.append(len(selections))
        self.placed = []
        self.text_source(element, index, by_text, names, self.variable_names)
        self.place_each(iter([(index, selections)]), self.reading)
        element[:] = []

    def read_twice(self) -> ExchangeProject:
        root = self.outline()
        self.start(root)
        self.sources(root, self.variable_names)
        return self.finish(root)

    def start(self, root: ET.Element) -> None:
        """All that comes before the sources: the codebook, users, variables, cases'
        GUIDs, and (read twice) the notes."""
        name = (root.get("name") or "").strip() or self.stem
        # A code with a case's GUID is how QualCoder and NVivo link a case to its
        # texts: its codings become the case's transcripts, and it is no code.
        self.case_guids = {clean_guid(case.get("guid")) for case in
                           self.children(self.child(root, "Cases"), "Case")} - {None}
        self.case_links: dict[str, list[str]] = {}
        self.described: dict[str, str] = {}  # a code's memo in its Description
        self.case_described: dict[str, str] = {}  # a case's memos in its Description
        if self.child(root, "CodeBook") is not None:
            book, notes = codebook_in(root, self.filename, name, self.described)
            self.warnings += notes
            book.codes = without_case_codes(book.codes, self.case_guids)
        else:
            book = Codebook(name=name)
        self.code_guids = {code.guid.upper() for code, _ in book.walk() if code.guid}
        project = ExchangeProject(
            name=name, codebook=book, created=self.datetime(root.get("creationDateTime")))
        self.project = project
        self.users(root)
        self.default_coder = self.creating_user(root.get("creatingUserGUID"))
        if not self.once:  # read twice: the notes are in the outline
            self.notes = self.read_notes(root)
        self.notes_at = len(self.warnings)  # read once, its warnings go here
        self.used_notes: set[str] = set()
        self.memos_made: set[str] = set()
        self.variable_names = self.variables(root)
        self.transcript_of: dict[str, str] = {}  # source GUID -> transcript GUID
        self.transcript_names: dict[str, str] = {}
        self.source_values: dict[str, dict] = {}
        self.copies: SourceCopies | None = None  # QualCoder's case links, by file

    def finish(self, root: ET.Element) -> ExchangeProject:
        """All that comes once the sources are placed."""
        project = self.project
        self.cases(root, self.variable_names)
        book = project.codebook
        self.code_memos(root)
        self.coded_categories(book)
        self.loose_notes(root)
        for local in ("Sets", "Links", "Graphs"):
            found = self.child(root, local)
            if found is not None and len(found):
                self.warnings.append(f"{len(found)} {local.lower()[:-1]}(s) not imported: "
                                     "qcode has no place for them")
        for what, names in self.grouped.items():
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more"
                                            if len(names) > 3 else "")
            self.warnings.append(f"{len(names)} {what}: {shown}")
        for (what, why), count in sorted(self.skipped.items()):
            self.warnings.append(f"{count} {what} not imported" + (f": {why}" if why
                                                                   else ""))
        if self.archive is not None:
            self.extras()
        self.case_memos()
        if self.copies is not None:
            self.warnings += self.copies.said()
        for transcript in project.transcripts:
            if transcript.turns is None:  # another tool's: found from the speaker labels
                transcript.turns = turns_in(transcript.text)
        project.warnings += separate_kinds(project)
        project.warnings += returned_from_qualcoder(project, self.origin)
        project.warnings = list(dict.fromkeys(self.warnings + project.warnings))
        return project

    def outline(self) -> ET.Element:
        """The project's XML without its selections (the first reading): of each
        source's, their number (`self.selections`) and what they say of how positions
        are counted (`self.evidence`), both by the <TextSource>'s place in the file
        (`self.ordinal`)."""
        self.selections: list[int] = []
        self.evidence: dict[int, Evidence] = {}
        self.ordinal: dict[ET.Element, int] = {}  # a <TextSource> -> its place
        root = None
        for event, element in self.text_sources_read():
            if event == "root":
                self.project_root(element)
            elif event == "source":
                self.ordinal[element] = len(self.selections)
                self.outline_source(element)
            elif event == "end":
                root = element
        return root

    def text_sources_read(self) -> Iterator[tuple[str, ET.Element]]:
        """One reading of project.qde: ("root", the root as it starts), then
        ("source", each <TextSource> as it ends, and "part", each element that comes
        before the sources in the standard's order), then ("end", the whole root)."""
        text_source = last = None
        parts: set[str] = set()
        with self.opener() as stream:
            for event, element in iterparse_xml(stream, self.filename):
                if event == "root":
                    yield event, element
                    text_source = self.tag("TextSource")
                    parts = {self.tag(local) for local in BEFORE_SOURCES}
                elif element.tag == text_source:
                    yield "source", element
                elif element.tag in parts:
                    yield "part", element
                last = element
        yield "end", last

    def project_root(self, root: ET.Element) -> ET.Element:
        """The root, as soon as it starts: a file that is no project is refused before
        the rest is read."""
        self.ns, local, self.warnings = refi_namespace(root, self.filename)
        if local != "Project":
            raise ExchangeError(f"{self.filename}: a codebook, not a project; import it "
                                "with 'qcode codebook import'")
        self.origin = root.get("origin") or ""
        return root

    def outline_source(self, element: ET.Element) -> None:
        """A source read in full, kept without its selections."""
        selections = self.children(element, "PlainTextSelection")
        self.selections.append(len(selections))
        if selections and not written_by(self.origin, "qcode"):
            raw = self.plain_text(element)
            if raw is not None:
                where = Positions(raw, normalise(raw))
                if where.ambiguous():
                    self.evidence[len(self.selections) - 1] = Evidence.of(where,
                                                                          selections)
        if selections:
            element[:] = [c for c in element if c.tag != self.tag("PlainTextSelection")]

    def plain_text(self, element: ET.Element) -> str | None:
        """A source's plain text as `source_text` finds it, when selections can be
        placed on it; read without warnings (and without charging the archive's
        budget) since `source_text` reads it again."""
        plain = element.get("plainTextPath")
        if not plain:
            return self.text_of(element, "PlainTextContent")
        if self.archive is None:
            return None
        with self.archive.charged_once():
            data = self.internal(plain)
        return None if data is None else self.decoded(data, None)

    @staticmethod
    def datetime(value: str | None) -> str | None:
        return value if value and DATETIME.match(value.strip()) else None

    def users(self, root: ET.Element) -> None:
        self.coders: dict[str, model.Coder] = {}
        names: set[str] = set()
        for element in self.children(self.child(root, "Users"), "User"):
            guid = self.guid(element, "a <User>", once=True)
            name = (element.get("name") or element.get("id") or "").strip()
            self.add_coder(guid, name or f"user {guid[:8]}", names)
        self.names = names

    def add_coder(self, guid: str, name: str, names: set[str]) -> model.Coder:
        coder = model.Coder(guid, unique_name(name, names))  # two users of one name stay two
        self.coders[guid] = coder
        self.project.coders.append(coder)
        return coder

    def creating_user(self, reference: str | None) -> model.Coder | None:
        """The project's creating user, the coder of what names no other: only one of
        its <User>s. Any other would be a coder who made nothing (and agreement would
        then report one), so it is ignored and said to be."""
        guid = clean_guid(reference)
        if guid in self.coders:
            return self.coders[guid]
        if reference:
            self.warnings.append(f"the project's creatingUserGUID '{shortened(reference)}' "
                                 "is not one of its <User>s; ignored")
        return None

    def coder_for(self, reference: str | None) -> model.Coder | None:
        guid = clean_guid(reference)
        if guid is None:
            return None
        if guid not in self.coders:
            # Referred to but not declared: still a coder, known by the reference.
            self.add_coder(guid, f"user {guid[:8]}", self.names)
        return self.coders[guid]

    def coder_of(self, *elements: ET.Element) -> model.Coder:
        for element in elements:
            coder = self.coder_for(element.get("creatingUser"))
            if coder is not None:
                return coder
        if self.default_coder is None:
            name = self.origin.split(" ")[0] or "imported"
            guid = str(uuid.uuid5(IMPORT_NS, f"{self.filename}\x1f{name}")).upper()
            self.default_coder = self.add_coder(guid, name, self.names)
        return self.default_coder

    def read_notes(self, root: ET.Element) -> dict[str, tuple[ET.Element, str]]:
        notes = {}
        for element in self.children(self.child(root, "Notes"), "Note"):
            guid = self.guid(element, "a <Note>", once=True)
            text = self.text_of(element, "PlainTextContent")
            if text is None and element.get("plainTextPath"):
                data = self.internal(element.get("plainTextPath"))
                text = self.decoded(data, f"note '{element.get('name')}'") if data else ""
            notes[guid] = (element, normalise(text or ""))
        return notes

    def note_refs(self, element: ET.Element) -> list[str | None]:
        return [clean_guid(ref.get("targetGUID")) for ref in self.children(element,
                                                                            "NoteRef")]

    def note_texts(self, refs: list[str | None]) -> list[str]:
        texts = []
        for guid in refs:
            if guid in self.notes:
                self.used_notes.add(guid)
                if self.notes[guid][1]:
                    texts.append(self.notes[guid][1])
        return texts

    def add_memo(self, guid: str, target_type: str | None, target: str | None) -> None:
        if guid in self.memos_made:
            self.skipped["note(s) referred to from several places",
                         "each is kept where it was first referred to"] += 1
            return
        self.memos_made.add(guid)
        element, text = self.notes[guid]
        coder = self.coder_for(element.get("creatingUser"))
        self.project.memos.append(model.Memo(
            guid=guid, name=(element.get("name") or "").strip() or "memo", text=text,
            target_type=target_type, target_guid=target,
            coder=coder.guid if coder else None,
            created=self.datetime(element.get("creationDateTime"))))
        self.used_notes.add(guid)

    def code_memos(self, root: ET.Element) -> None:
        for code in self.child(root, "CodeBook").iter(self.tag("Code")) \
                if self.child(root, "CodeBook") is not None else ():
            guid = clean_guid(code.get("guid"))
            if guid not in self.code_guids:
                continue
            for ref in self.children(code, "NoteRef"):
                note = clean_guid(ref.get("targetGUID"))
                if note in self.notes:
                    self.add_memo(note, "code", guid)
            self.described_memo(self.described.get(code.get("guid") or "", ""),
                                self.note_refs(code), "code", guid)

    def described_memo(self, text: str | None, refs: list[str | None], target_type: str,
                       target: str) -> None:
        """A memo in a code's or a source's Description (where QualCoder writes it),
        unless its Notes (`refs`) already said the same: qcode writes a memo in both."""
        text = normalise((text or "").strip())
        notes = [self.notes[g][1] for g in refs if g in self.notes]
        if not text or text in {n.strip() for n in notes} \
                or text == "\n\n".join(n for n in notes if n).strip():
            return
        self.project.memos.append(model.Memo(
            guid=str(uuid.uuid5(IMPORT_NS, f"description\x1f{target}")).upper(),
            name="memo", text=text, target_type=target_type, target_guid=target))

    def case_memos(self) -> None:
        """A case's Description as a memo on it, unless its memos came in already (a
        case can refer to no Note: qcode's come as Notes that qcode.json places)."""
        placed = {m.target_guid for m in self.project.memos if m.target_type == "case"}
        for guid, text in self.case_described.items():
            if guid not in placed:
                self.project.memos.append(model.Memo(
                    guid=str(uuid.uuid5(IMPORT_NS, f"description\x1f{guid}")).upper(),
                    name="memo", text=text, target_type="case", target_guid=guid))

    def coded_categories(self, book: Codebook) -> None:
        """A category that codings apply is read as a code: nothing coded is lost."""
        coded = {coding.code for coding in self.project.codings}
        for code, _ in book.walk():
            if not code.codable and clean_guid(code.guid) in coded:
                code.codable = True
                self.group("categories (isCodable=\"false\") that codings apply, "
                           "imported as codes", [code.name])

    def loose_notes(self, root: ET.Element) -> None:
        for ref in self.children(root, "NoteRef"):
            note = clean_guid(ref.get("targetGUID"))
            if note in self.notes and note not in self.used_notes:
                self.add_memo(note, None, None)
        for note in self.notes:
            if note not in self.used_notes:  # in no place: a memo on the project
                self.add_memo(note, None, None)

    def variables(self, root: ET.Element) -> dict[str, str]:
        return {self.guid(v, "a <Variable>"): (v.get("name") or "").strip() or "variable"
                for v in self.children(self.child(root, "Variables"), "Variable")}

    def values(self, element: ET.Element, variables: dict[str, str]
               ) -> dict[str, tuple[str, str]]:
        out = {}
        for value in self.children(element, "VariableValue"):
            name = variables.get(self.reference(value, "VariableRef"))
            if name is None:
                self.skipped["attribute value(s)", "their variable is not declared"] += 1
                continue
            for local, kind in VALUE_TYPES.items():
                text = self.text_of(value, local)
                if text is not None and text.strip():
                    out[name] = (text.strip(), kind)
        return out

    def cases(self, root: ET.Element, variables: dict[str, str]) -> None:
        names: set[str] = set()
        in_a_case: set[str] = set()
        for element in self.children(self.child(root, "Cases"), "Case"):
            guid = self.guid(element, "a <Case>", once=True)
            name = unique_name((element.get("name") or "").strip() or f"case {guid[:8]}",
                               names)
            sources = self.case_sources(element)
            sources = list(dict.fromkeys(sources + self.case_links.get(guid, [])))
            taken = [g for g in sources if g in in_a_case]
            if taken:  # in qcode a transcript belongs to one case
                self.group("transcript(s) in more than one case, kept in the first",
                           [self.transcript_names[g] for g in taken])
                sources = [g for g in sources if g not in in_a_case]
            in_a_case.update(sources)
            values = self.values(element, variables)
            for transcript in sources:  # what the source said of itself, where the
                for key, value in self.source_values.get(transcript, {}).items():
                    if key not in values:  # case says nothing of it
                        values[key] = value
                    elif values[key][0] != value[0]:
                        self.group(f"'{key}' differs between a case and its source, "
                                   "kept the case's", [name])
            self.project.cases.append(model.Case(guid, name, values, sources))
            described = normalise((self.text_of(element, "Description") or "").strip())
            if described:
                self.case_described[guid] = described
        # MAXQDA gives a document's variables to the document: in qcode that is a case.
        for transcript, values in self.source_values.items():
            if transcript in in_a_case or not values:
                continue
            name = unique_name(self.transcript_names[transcript], names)
            guid = str(uuid.uuid5(IMPORT_NS, f"case\x1f{transcript}")).upper()
            self.project.cases.append(model.Case(guid, name, values, [transcript]))

    def case_sources(self, element: ET.Element) -> list[str]:
        """The transcripts a case's SourceRefs name; from QualCoder, also those named by
        the GUID of its copy of the file (qualcoder_cases.py)."""
        found = []
        for ref in self.children(element, "SourceRef"):
            target = ref.get("targetGUID") or ""
            transcript = self.transcript_of.get(clean_guid(target))
            if transcript is None and written_by(self.origin, "qualcoder"):
                if self.copies is None:
                    self.copies = SourceCopies(self.project.transcripts)
                transcript = self.copies.transcript(target, self.internal, self.decoded)
            if transcript is not None:
                found.append(transcript)
        return found

    # -- sources -------------------------------------------------------------------------

    def sources(self, root: ET.Element, variables: dict[str, str]) -> None:
        by_text: dict[str, str] = {}
        names: set[str] = set()
        self.placed: list[tuple] = []  # each source's selections, placed once all are read
        for element in self.text_sources_in(root):
            self.text_source(element, self.ordinal[element], by_text, names, variables)
        self.place_all()

    def text_sources_in(self, root: ET.Element) -> Iterator[ET.Element]:
        """The project's <TextSource>s; what else is among its sources is counted."""
        sources = self.child(root, "Sources")  # (an Element's truth is its children)
        for element in list(sources) if sources is not None else ():
            namespace, local = split(element.tag)
            if local in NOT_TEXT:
                self.skipped[f"{local.replace('Source', '').lower()} source(s)"
                             .replace("pdf", "PDF"), "qcode codes text only"] += 1
                continue
            if local != "TextSource" or namespace != self.ns:
                self.skipped[f"<{local}> element(s) among the sources", ""] += 1
                continue
            yield element

    def text_source(self, element: ET.Element, index: int, by_text: dict[str, str],
                    names: set[str], variables: dict[str, str]) -> None:
        guid = self.guid(element, "a <TextSource>", once=True)
        label = (element.get("name") or "").strip() or f"source {guid[:8]}"
        what = f"source '{label}'"
        raw, exact = self.source_text(element, what)
        coded = self.selections[index]
        if raw is None:
            if coded:
                self.skipped["selection(s)", "their source's text is not there"] += coded
            return
        text = normalise(raw)
        if not text.strip():
            self.warnings.append(f"{what}: its text is empty; not imported")
            return
        if binary_problem(text) is not None:  # stored, it would break coding and reports
            self.warnings.append(f"{what}: {binary_problem(text)}; not imported")
            if coded:
                self.skipped["selection(s)", "their source is binary, not text"] += coded
            return
        self.transcript_of[guid] = transcript = guid
        self.transcript_names[guid] = unique_name(label, names)
        if text in by_text:  # two documents, two cases: each keeps its own codings
            self.warnings.append(f"{what}: the same text as source "
                                 f"'{self.transcript_names[by_text[text]]}'; kept as two "
                                 "transcripts")
        by_text.setdefault(text, guid)
        self.project.transcripts.append(model.Transcript(
            guid=guid, name=self.transcript_names[guid], text=text,
            source_file=label, source_format="txt",
            imported=self.datetime(element.get("creationDateTime"))))
        self.source_values.setdefault(transcript, {}).update(self.values(element, variables))
        if not exact and coded:
            self.warnings.append(f"{what}: {coded} selection(s) not imported: "
                                 "they refer to a plain text the file does not hold")
            coded = 0
        self.placed.append((Positions(raw, text), index, coded, element, transcript, what))

    def place_all(self) -> None:
        """Each source's selections, codings and memos, once the project's way of
        counting positions is known from all of them (the second reading)."""
        evidence = Evidence()
        for _, index, coded, *_ in self.placed:
            if coded and index in self.evidence:
                evidence.add(self.evidence[index])
        choice = choose_reading(evidence, [where for where, *_ in self.placed],
                                self.origin, self.filename)
        self.warnings += choice.said
        # Read again only once a source's selections are asked for.
        with contextlib.closing(self.selections_again()) as selections:
            self.place_each(selections, choice.reading)

    def place_each(self, selections: Iterator[tuple[int, list[ET.Element]]],
                   reading: Reading | None) -> None:
        """`reading` None: another tool's file read once, its counting not chosen yet
        (the same on a text with no CR LF and nothing beyond U+FFFF)."""
        for where, index, coded, element, transcript, what in self.placed:
            if reading is None and where.ambiguous():
                self.place_unsettled(where, self.selections_of(selections, index)
                                     if coded else [], element, transcript, what)
            else:
                counted = counted_in(reading or STANDARD, where)
                if counted and coded:
                    self.group(counted_group(counted), [what])
                for selection in (self.selections_of(selections, index) if coded else ()):
                    self.selection(selection, element, transcript, where,
                                   reading or STANDARD, what)
            for coding in self.children(element, "Coding"):  # the whole document
                self.coding(coding, element, element, transcript, 0, len(where.text))
            self.after_notes(functools.partial(
                self.source_memos, self.note_refs(element),
                self.text_of(element, "Description"), transcript))

    def place_unsettled(self, where: Positions, selections: list[ET.Element],
                        source: ET.Element, transcript: str, what: str) -> None:
        """A source's selections in a text the countings differ on, before one is
        chosen (another tool's file read once): each weighed as evidence and placed
        at the positions the file gives, to be moved once the counting is chosen
        (`settle`). A selection that some counting finds empty, or no place, is
        placed if another keeps it, and the countings that would not are ruled out
        for one reading; one that no counting keeps is skipped if every one finds it
        empty, else the file is read twice."""
        self.texts.append(where)
        if selections:
            self.group(where, [what])  # named once the counting is chosen
        first = len(self.project.codings)
        for selection in selections:
            start = position(selection.get("startPosition", ""))
            end = position(selection.get("endPosition", ""))
            places = where.places(start, end)
            self.weighed.count(where, selection, places)
            kept = {reading for reading, place in places.items() if place}
            if kept:
                self.fits &= kept
                self.selected(selection, source, transcript, start, end, where)
            elif where.empty(start, end):
                self.empty_selection(selection, transcript)
            else:
                raise _ReadTwice
            if not self.fits:
                raise _ReadTwice
        self.unsettled.append((where, first, len(self.project.codings)))

    def source_memos(self, refs: list[str | None], description: str | None,
                     transcript: str) -> None:
        for note in refs:
            if note in self.notes:
                self.add_memo(note, "transcript", transcript)
        self.described_memo(description, refs, "transcript", transcript)

    def after_notes(self, waiting: Callable[[], None]) -> None:
        """Now if the notes are read, else once they are (read once, notes come last)."""
        if self.notes is None:
            self.later.append(waiting)
        else:
            waiting()

    def selections_again(self) -> Iterator[tuple[int, list[ET.Element]]]:
        """Each source's selections by its place in the file, read again from the
        file; each source is let go once its selections are placed."""
        index = 0
        with self.archive.charged_once(self.archive.qde) if self.archive \
                else contextlib.nullcontext():
            for event, element in self.text_sources_read():
                if event == "source":
                    yield index, self.children(element, "PlainTextSelection")
                    index += 1
                    element.clear()

    def selections_of(self, selections: Iterator[tuple[int, list[ET.Element]]],
                      index: int) -> list[ET.Element]:
        """The selections of the source at `index`, as many as the first reading found
        (else the file changed between the readings, and is refused)."""
        for at, found in selections:
            if at == index:
                if len(found) != self.selections[index]:
                    break
                return found
        raise ExchangeError(f"{self.filename}: changed while it was read; refused, "
                            "nothing imported")

    def source_text(self, element: ET.Element, what: str) -> tuple[str | None, bool]:
        """The source's plain text, and whether selections can be placed on it (not
        when only a formatted .docx was there to read)."""
        content = self.text_of(element, "PlainTextContent")
        plain, rich = element.get("plainTextPath"), element.get("richTextPath")
        if plain:
            data = self.internal(plain)
            if data is not None:
                text = self.decoded(data, what)
                if content is not None and normalise(content) != normalise(text):
                    self.group("sources with both PlainTextContent and a text file that "
                               "differ (the standard allows one), read from the file",
                               [what])
                return text, True
        elif content is not None:
            return content, True
        if rich and rich.lower().endswith(".docx"):
            data = self.internal(rich, document=True)
            if data is not None:
                text = docx_text(data, what, self.warnings)
                return (text, False) if text is not None else (None, False)
        if self.archive is None and (plain or rich):
            self.skipped["text source(s)", "a bare .qde holds no texts (import the "
                         ".qdpx instead)"] += 1
        elif plain or rich:
            where = plain or rich
            self.group("source(s) not imported, their text file "
                       + ("missing from the archive" if where.lower().startswith("internal://")
                          else "outside the archive (never read)"), [f"{what} ('{where}')"])
        else:
            self.warnings.append(f"{what}: no text (neither a plain-text file nor "
                                 "PlainTextContent); not imported")
        return None, False

    def selection(self, selection: ET.Element, source: ET.Element, transcript: str,
                  where: Positions, reading: Reading, what: str) -> None:
        text = where.text
        given = (selection.get("startPosition", ""), selection.get("endPosition", ""))
        start, end = position(given[0]), position(given[1])
        if start is None or end is None:
            raise ExchangeError(
                f"{self.filename}: {what}: the selection '{named(selection)}' has positions "
                f"'{shortened(given[0])}' to '{shortened(given[1])}', which are not "
                "positions in a text; refused, nothing imported")
        start, end = where.at(start, reading), where.at(end, reading)
        if start is None or end is None:
            raise ExchangeError(
                f"{self.filename}: {what}: the selection '{named(selection)}' runs from "
                f"{given[0]} to {given[1]}, and one of them falls between the two UTF-16 "
                "halves of a character beyond U+FFFF; refused, nothing imported")
        if not 0 <= start <= end <= len(text):
            raise ExchangeError(
                f"{self.filename}: {what}: the selection '{named(selection)}' runs from "
                f"{given[0]} to {given[1]}, outside its text of {len(text)} characters; "
                "refused, nothing imported")
        if start == end:
            self.empty_selection(selection, transcript)
            return
        self.selected(selection, source, transcript, start, end)

    def selected(self, selection: ET.Element, source: ET.Element, transcript: str,
                 start: int, end: int, unsettled: Positions | None = None) -> None:
        """A selection's codings, or its comment, at its place; `unsettled`: the
        text where that place is as the file gives it, until the counting is chosen."""
        refs = self.note_refs(selection)
        description = normalise((self.text_of(selection, "Description") or "").strip())
        codings = self.children(selection, "Coding")
        if not codings:
            self.after_notes(functools.partial(self.comment, selection, source, transcript,
                                               start, end, refs, description, unsettled))
            return
        made = [self.coding(coding, selection, source, transcript, start, end)
                for coding in codings]
        if refs or description:
            self.after_notes(functools.partial(self.coding_memo, made, refs, description))

    def empty_selection(self, selection: ET.Element, transcript: str) -> None:
        """A selection of no text: a case's link (`case_point`), else skipped, and
        counted among what was not imported."""
        if not self.case_point(selection, transcript):
            self.skipped["empty selection(s)", ""] += 1

    def case_point(self, selection: ET.Element, transcript: str) -> bool:
        """An empty selection that only links cases (qcode writes one for QualCoder,
        whose export keeps a link only from 0 to 0): the links, and True."""
        codes = [self.reference(coding, "CodeRef")
                 for coding in self.children(selection, "Coding")]
        if not codes or not all(code in self.case_guids for code in codes):
            return False
        for code in codes:
            self.case_links.setdefault(code, []).append(transcript)
        return True

    def memos_of(self, refs: list[str | None], description: str) -> list[str]:
        memos = self.note_texts(refs)
        # qcode writes a coding's memo as both a Note and the Description: take it once.
        if description and description not in {memo.strip() for memo in memos}:
            memos.insert(0, description)
        return memos

    def coding_memo(self, made: list[model.Coding | None], refs: list[str | None],
                    description: str) -> None:
        memo = "\n\n".join(self.memos_of(refs, description))
        for coding in made:
            if coding is not None:
                coding.memo = memo

    def comment(self, selection: ET.Element, source: ET.Element, transcript: str,
                start: int, end: int, refs: list[str | None], description: str,
                unsettled: Positions | None = None) -> None:
        """A selection with no code: MAXQDA's comments, a note on a place."""
        if unsettled is not None:  # the counting is chosen by now
            start, end = unsettled.at(start, self.reading), unsettled.at(end, self.reading)
        memos = self.memos_of(refs, description)
        if not memos:
            self.skipped["selection(s)", "no code and no comment on them"] += 1
            return
        guid = self.guid(selection, "a <PlainTextSelection>")
        coder = self.coder_of(selection, source)
        self.project.memos.append(model.Memo(
            guid=guid, name=f"Comment at {start}-{end}", text="\n\n".join(memos),
            target_type="transcript", target_guid=transcript, coder=coder.guid,
            created=self.datetime(selection.get("creationDateTime"))))

    def coding(self, coding: ET.Element, selection: ET.Element, source: ET.Element,
               transcript: str, start: int, end: int) -> model.Coding | None:
        guid = self.guid(coding, "a <Coding>", once=True)
        code = self.reference(coding, "CodeRef")
        if len(self.children(coding, "CodeRef")) > 1:
            self.skipped["second code(s) of a <Coding> with several",
                         "a coding applies one code"] += len(self.children(coding,
                                                                           "CodeRef")) - 1
        if code in self.case_guids:
            self.case_links.setdefault(code, []).append(transcript)
            return None
        if code not in self.code_guids:
            self.skipped["coding(s)", "their code is not in the codebook"] += 1
            return None
        coder = self.coder_of(coding, selection, source)
        made = model.Coding(
            guid=guid, transcript=transcript, code=code, coder=coder.guid, start=start,
            end=end, created=self.datetime(coding.get("creationDateTime")
                                           or selection.get("creationDateTime")))
        self.project.codings.append(made)
        return made

    # -- what only qcode writes ----------------------------------------------------------

    def extras(self) -> None:
        """Facts REFI-QDA has no place for (turns, the source file), from a qcode export.
        Anything that does not fit the project read so far is ignored, with a warning."""
        entry = self.archive.find(EXTRAS)
        if entry is None:
            return
        try:
            extras = json.loads(self.archive.read(entry))
        except (ValueError, UnicodeDecodeError, RecursionError):  # nested too deep
            self.warnings.append(f"{EXTRAS} is not valid JSON; ignored")
            return
        if not isinstance(extras, dict) or extras.get("format") != "qcode-extras" \
                or extras.get("version") != 1:
            self.warnings.append(f"{EXTRAS} is not qcode's extras (version 1); ignored")
            return
        try:
            apply_extras(self.project, extras)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            self.warnings.append(f"{EXTRAS}: does not fit the project ({exc}); ignored")


def returned_from_qualcoder(project: ExchangeProject, origin: str) -> list[str]:
    """What a project that went through QualCoder needs on its way back: the names
    qcode wrote for it given back, and cases that came without their texts said."""
    return names_restored(project) + cases_unlinked(project, origin)


def without_case_codes(codes: list, case_guids: set[str]) -> list:
    """The code tree without the codes that stand for cases (a child of one takes its
    place)."""
    kept = []
    for code in codes:
        code.codes = without_case_codes(code.codes, case_guids)
        if clean_guid(code.guid) in case_guids:
            kept += code.codes
        else:
            kept.append(code)
    return kept


def separate_kinds(project: ExchangeProject) -> list[str]:
    """One GUID for two kinds of thing (a code and a source) is allowed by the schema
    but not by qcode, whose exports need each GUID once: the later kind gets a GUID of
    its own, derived from the old one, and every reference to it follows."""
    taken = {code.guid.upper() for code, _ in project.codebook.walk() if code.guid}
    warnings, renamed = [], {}
    for kind, items in (("transcript", project.transcripts), ("coder", project.coders),
                        ("case", project.cases), ("memo", project.memos),
                        ("coding", project.codings)):
        for item in items:
            if item.guid in taken:
                new = str(uuid.uuid5(IMPORT_NS, f"{kind}\x1f{item.guid}")).upper()
                warnings.append(f"the GUID {item.guid} of a {kind} is also another "
                                f"thing's; the {kind} gets {new}")
                renamed[kind, item.guid] = new
                item.guid = new
            taken.add(item.guid)
    if not renamed:
        return warnings
    follow = lambda kind, guid: renamed.get((kind, guid), guid)  # noqa: E731
    for coding in project.codings:
        coding.transcript = follow("transcript", coding.transcript)
        coding.coder = follow("coder", coding.coder)
    for case in project.cases:
        case.transcripts = [follow("transcript", g) for g in case.transcripts]
    for memo in project.memos:
        memo.coder = memo.coder and follow("coder", memo.coder)
        if memo.target_type == "transcript":
            memo.target_guid = follow("transcript", memo.target_guid)
    return warnings


def settle_users(project: ExchangeProject,
                 in_use: dict[str, tuple[str, str | None]]) -> list[str]:
    """A <User> whose GUID the receiving project already gives to a coder of another
    name, or to another kind of thing (`in_use`: GUID -> (what, name)), gets a GUID of
    its own, derived from its GUID and name (so importing the file again gives the same
    one); its codings and memos follow it, and a warning says so.
    Crediting the codings to the coder already here would put words in another
    coder's mouth (and into the agreement between them); refusing would keep a whole
    project out over one label, when a rename in the other tool is the usual cause.
    The coder is known by the name the file gives, and the note lets the researcher
    merge the two if they are one person."""
    warnings, renamed = [], {}
    for coder in project.coders:
        what, name = in_use.get(coder.guid, (None, None))
        if what is None or (what == "a coder" and name == coder.name):
            continue
        new = str(uuid.uuid5(IMPORT_NS, f"user\x1f{coder.guid}\x1f{coder.name}")).upper()
        held = f"the coder '{name}'" if what == "a coder" else f"{what} in the project"
        warnings.append(f"user '{coder.name}' has the GUID {coder.guid} of {held}; "
                        f"imported as a coder of its own ({new})")
        renamed[coder.guid] = coder.guid = new
    for coding in project.codings:
        coding.coder = renamed.get(coding.coder, coding.coder)
    for memo in project.memos:
        memo.coder = memo.coder and renamed.get(memo.coder, memo.coder)
    return warnings


def apply_extras(project: ExchangeProject, extras: dict) -> None:
    """Take what qcode.json says, after checking all of it: a value of the wrong kind
    raises ValueError before anything is changed, and the caller ignores the file."""
    facts = _mapping(extras.get("project"), "project")
    created = _by_guid(_mapping(extras.get("coders"), "coders"))
    found = _by_guid(_mapping(extras.get("transcripts"), "transcripts"))
    guid, when = _text(facts.get("guid"), "guid"), _date(facts.get("created"))
    book = _text(facts.get("codebook_name"), "codebook_name")
    dates = {c.guid: _date(created.get(c.guid)) for c in project.coders}
    planned = []
    for transcript in project.transcripts:
        given = _mapping(found.get(transcript.guid), transcript.name)
        turns = [_turn(row, transcript) for row in given.get("turns") or []]
        for before, after in zip(turns, turns[1:]):
            if after.start < before.end:
                raise ValueError(f"the turns of {transcript.name} overlap")
        fields = {f: _text(given.get(f), f)
                  for f in ("source_file", "source_format", "encoding", "imported")}
        planned.append((transcript, turns if given else None, fields))
    resolutions = [_resolution(row, project) for row in extras.get("resolutions") or []]
    reviews = [_review(row, project) for row in extras.get("reviews") or []]
    memos = _by_guid(_mapping(extras.get("memos"), "memos"))
    placed = [(memo, _memo_facts(memos[memo.guid])) for memo in project.memos
              if memo.guid in memos]
    project.guid = clean_guid(guid) or project.guid
    project.resolutions = [r for r in resolutions if r is not None]
    project.reviews = [r for r in reviews if r is not None]
    project.created = when or project.created
    if "codebook_name" in facts:  # null: the project had not named its codebook
        project.codebook.name = book or ""
    for coder in project.coders:
        coder.created = dates[coder.guid] or coder.created
    for memo, facts in placed:
        for field, value in facts.items():
            setattr(memo, field, value)
    for transcript, turns, fields in planned:
        if turns is not None:
            transcript.turns = turns
        for field, value in fields.items():
            if value:
                setattr(transcript, field, value)


def _resolution(row, project: ExchangeProject) -> model.Resolution | None:
    """A resolution from qcode.json, or None when its transcript did not come in."""
    if not (isinstance(row, list) and len(row) == 10):
        raise ValueError("a resolution is not ten values")
    resolution = model.Resolution(*row)
    texts = {t.guid: t.text for t in project.transcripts}
    for value in (resolution.guid, resolution.transcript, resolution.code,
                  resolution.first_coder, resolution.second_coder, resolution.choice):
        _text(value, "a resolution's names")
    if not all(isinstance(v, int) and not isinstance(v, bool)
               for v in (resolution.start, resolution.end)):
        raise ValueError("a resolution's place is not two positions")
    _text(resolution.resolved_by, "resolved_by")
    _date(resolution.created)
    for field in ("guid", "transcript", "code"):  # lower case now, capitals before
        setattr(resolution, field, clean_guid(getattr(resolution, field))
                or getattr(resolution, field))
    if resolution.transcript not in texts:
        return None
    if not 0 <= resolution.start <= resolution.end <= len(texts[resolution.transcript]):
        raise ValueError("a resolution's place is outside its text")
    return resolution


_REVIEW_TEXTS = ("guid", "coder", "reviewer", "decided_by")


def _review(row, project: ExchangeProject) -> model.ReviewRecord | None:
    """A review and its thread from qcode.json, or None when its transcript did not
    come in."""
    given = _mapping(row, "a review")
    for field in _REVIEW_TEXTS:
        _text(given.get(field), "a review's names")
    if not (given.get("guid") and given.get("coder") and given.get("reviewer")):
        raise ValueError("a review names no GUID, coder or reviewer")
    if given.get("mark") not in ("agreed", "question") or \
            given.get("outcome") not in (None, "kept", "changed", "removed"):
        raise ValueError("a review's mark or outcome is not one qcode knows")
    start, end = given.get("start"), given.get("end")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise ValueError("a review's place is not two positions")
    comments = []
    for comment in given.get("comments") or []:
        comment = _mapping(comment, "a review's comment")
        if not all(isinstance(comment.get(f), str) for f in ("guid", "author", "body")):
            raise ValueError("a review's comment has no GUID, author or words")
        comments.append(model.ReviewComment(comment["author"], comment["body"],
                                            _date(comment.get("created")), comment["guid"]))
    review = {field: given.get(field) for field in (*_REVIEW_TEXTS, "mark", "outcome",
                                                    "start", "end")}
    for field in ("transcript", "code", "coding"):
        value = _text(given.get(field), "a review's GUIDs")
        review[field] = clean_guid(value) or value
    review.update(decided=_date(given.get("decided")), created=_date(given.get("created")),
                  comments=comments)
    texts = {t.guid: t.text for t in project.transcripts}
    if review["transcript"] not in texts:
        return None
    if not 0 <= start < end <= len(texts[review["transcript"]]):
        raise ValueError("a review's place is outside its text")
    return model.ReviewRecord(**review)


def _memo_facts(given) -> dict:
    """A memo's kind, target, date of its last edit and links, from qcode.json."""
    given = _mapping(given, "a memo")
    kind = given.get("kind", "memo")
    target_type = _text(given.get("target_type"), "a memo's target")
    if kind not in ("memo", "journal") or target_type not in (None, "transcript", "case",
                                                              "code"):
        raise ValueError("a memo's kind or target is not one qcode knows")
    links = []
    for row in given.get("links") or []:
        if not (isinstance(row, list) and len(row) == 4 and row[0] in ("code", "transcript")
                and clean_guid(row[1]) and all(v is None or (isinstance(v, int) and not
                                                             isinstance(v, bool))
                                               for v in row[2:])):
            raise ValueError("a memo's link is not a code or transcript and a span")
        links.append(model.MemoLink(row[0], clean_guid(row[1]), row[2], row[3]))
    target = _text(given.get("target_guid"), "a memo's target")
    return {"kind": kind, "target_type": target_type,
            "target_guid": clean_guid(target) if target else None,
            "modified": _date(given.get("modified")), "links": links}


def _by_guid(mapping: dict) -> dict:
    """A mapping keyed by GUIDs, keyed as the project read holds them (qcode wrote
    them in capitals before it wrote them in lower case)."""
    return {clean_guid(key) or key: value for key, value in mapping.items()}


def _mapping(value, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"'{what}' is not a mapping")
    return value


def _text(value, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"'{what}' is not text")
    return value


def _date(value) -> str | None:
    if value is not None and not (isinstance(value, str) and DATETIME.match(value)):
        raise ValueError(f"'{value}' is not a date and time")
    return value


def _turn(row, transcript: model.Transcript) -> model.Turn:
    number = (int, float)
    if not (isinstance(row, list) and len(row) == 6):
        raise ValueError(f"a turn of {transcript.name} is not six values")
    speaker, start, end, label, begin, finish = row
    if not (speaker is None or isinstance(speaker, str)) \
            or not all(isinstance(v, int) and not isinstance(v, bool)
                       for v in (start, end)) \
            or not (label is None or isinstance(label, int)) \
            or not all(v is None or (isinstance(v, number) and not isinstance(v, bool))
                       for v in (begin, finish)):
        raise ValueError(f"a turn of {transcript.name} has a value of the wrong kind")
    if not 0 <= start <= end <= len(transcript.text) or \
            (label is not None and not 0 <= label <= start):
        raise ValueError(f"a turn of {transcript.name} is outside its text")
    return model.Turn(speaker, start, end, label, begin, finish)


class Reading(NamedTuple):
    """How a tool counts positions: a Windows line break (CR LF) as two or one, and a
    character beyond U+FFFF (an emoji) as two (UTF-16 code units) or one (code points,
    what the standard says)."""
    crlf_two: bool
    utf16: bool


READINGS = [Reading(two, utf16) for utf16 in (False, True) for two in (False, True)]
STANDARD = READINGS[0]


class Positions:
    """Where a selection's positions fall in the LF-only text, under each reading.

    Tools disagree on what a position counts: a line break written as CR LF is one
    position to ATLAS.ti and MAXQDA, two to NVivo for Windows; NVivo counts an emoji as
    two (UTF-16), against the standard. Which one a file uses is decided for the whole
    project (`choose_reading`), from the evidence of all its selections.
    """

    def __init__(self, raw: str, text: str):
        self.text = text
        self.crlf = [m.start() for m in re.finditer("\r\n", raw)]
        # Where each character beyond U+FFFF starts, counted in UTF-16, in the text as
        # written (CR LF kept) and in the LF-only text.
        self.units = {two: [] if raw.isascii() else [m.start() + n for n, m in enumerate(
            ASTRAL.finditer(raw if two else text))] for two in (False, True)}

    def ambiguous(self) -> bool:
        """Whether the readings can disagree on this text at all."""
        return bool(self.crlf or self.units[False])

    def at(self, given: int, reading: Reading) -> int | None:
        """The position in the LF-only text of a position as the file gives it; None
        when, so read, it falls between the two UTF-16 halves of one character."""
        if reading.utf16:
            units = self.units[reading.crlf_two]
            before = bisect.bisect_left(units, given)  # characters that start before it
            if before and units[before - 1] + 1 == given:
                return None
            given -= before
        if reading.crlf_two:
            # Each CR LF that starts before the position lost one code point.
            given -= bisect.bisect_left(self.crlf, given)
        return given

    def places(self, start: int | None, end: int | None
               ) -> dict[Reading, tuple[int, int] | None]:
        """Under each reading, the start and end in the text of a selection the file
        gives from `start` to `end` (None: not positions), or None when they are no
        place (nothing between them, or not in the text)."""
        found = {}
        for reading in READINGS:
            first = None if start is None else self.at(start, reading)
            last = None if end is None else self.at(end, reading)
            found[reading] = (first, last) if first is not None and last is not None \
                and 0 <= first < last <= len(self.text) else None
        return found

    def empty(self, start: int | None, end: int | None) -> bool:
        """Whether a selection from `start` to `end` (as the file gives them) is empty,
        and in its text, under every reading."""
        return start is not None and start == end and all(
            at is not None and 0 <= at <= len(self.text)
            for at in (self.at(start, reading) for reading in READINGS))

    def quoted(self, name: str, place: tuple[int, int] | None) -> bool:
        """Whether `name`, what a selection's name quotes (ATLAS.ti and qcode quote the
        text there), is the start of the text at `place`."""
        return place is not None and " ".join(
            self.text[place[0]:place[1]].split()).startswith(name)

    def on_boundaries(self, place: tuple[int, int] | None) -> bool:
        """Whether a place starts and ends where a word or a line does: a researcher
        selects words; a misread position lands inside one most of the time."""
        return place is not None and all(self.boundary(p) for p in place)

    def boundary(self, at: int) -> bool:
        return at <= 0 or at >= len(self.text) or not (
            self.text[at - 1].isalnum() and self.text[at].isalnum())


def quote(selection: ET.Element) -> str:
    """The text a selection's name quotes, or "" when it is too short to tell by."""
    name = " ".join((selection.get("name") or "").split()).rstrip("…").rstrip(".")
    return name if len(name) >= 4 else ""


class Choice(NamedTuple):
    reading: Reading
    said: list[str]  # what was decided and why, for the warnings


class Evidence:
    """What selections in texts where the readings disagree say of each reading: how
    many fit it (start and end on word boundaries, or hold their quoted text), how many
    hold their quoted text that way, and how many tell the readings apart at all. Taken
    a source at a time, so the selections need not be held once counted."""

    def __init__(self) -> None:
        self.named: Counter[Reading] = Counter()
        self.fits: Counter[Reading] = Counter()
        self.evaluated = self.telling = self.named_telling = 0

    @classmethod
    def of(cls, where: Positions, selections: list[ET.Element]) -> Evidence:
        evidence = cls()
        for selection in selections:
            evidence.count(where, selection, where.places(
                position(selection.get("startPosition", "")),
                position(selection.get("endPosition", ""))))
        return evidence

    def count(self, where: Positions, selection: ET.Element,
              places: dict[Reading, tuple[int, int] | None]) -> None:
        """One selection's evidence, from its place under each reading (`places`):
        readings that put it in one place are looked at once."""
        name = quote(selection)
        quoted: dict[tuple[int, int] | None, bool] = {}
        bounded: dict[tuple[int, int] | None, bool] = {}
        for place in places.values():
            if place not in quoted:
                quoted[place] = bool(name) and where.quoted(name, place)
        by_name = any(quoted.values())
        if not by_name:
            for place in quoted:
                bounded[place] = where.on_boundaries(place)
        self.evaluated += 1
        if len(quoted) > 1:
            self.telling += 1
            self.named_telling += by_name and not all(quoted.values())
        for reading, place in places.items():
            self.fits[reading] += quoted[place] if by_name else bounded[place]
            self.named[reading] += by_name and quoted[place]

    def add(self, other: Evidence) -> None:
        self.named.update(other.named)
        self.fits.update(other.fits)
        self.evaluated += other.evaluated
        self.telling += other.telling
        self.named_telling += other.named_telling


def choose_reading(evidence: Evidence, texts: list[Positions], origin: str,
                   filename: str) -> Choice:
    """One reading for the whole project (one tool wrote it), from the evidence of its
    selections in texts where the readings disagree (`texts`: every text placed on).

    A selection's evidence is its quoted name when that name fits under some reading
    (proof enough on its own), else whether it starts and ends on word boundaries.
    Without names, the reading the origin implies (NVivo: UTF-16 and CR LF as two;
    any other: the standard's code points) stands unless another puts at least
    `margin` more selections on boundaries: a misread selection still lands on
    boundaries at both ends by chance, about one time in six in English, so a gap of a
    quarter of the selections that tell the readings apart (and at least 3) is far
    beyond chance, while a right reading fits nearly all of them.
    qcode's own export says its counting in its origin, and is taken at its word.
    Refused when under every reading fewer than half fit; a warning when some evidence
    points elsewhere but not clearly, or when the chosen reading leaves many off."""
    if written_by(origin, "qcode"):  # it wrote the counting into its origin
        return Choice(Reading(False, "utf-16" in origin.lower()), [])
    nvivo = "nvivo" in origin.lower()
    prior = Reading(crlf_two=nvivo, utf16=nvivo)
    named, fits = evidence.named, evidence.fits
    evaluated, telling = evidence.evaluated, evidence.telling
    if not telling:
        return Choice(prior, [])
    if evidence.named_telling:
        weighed = named
        chosen = prior if named[prior] == max(named.values()) else max(
            READINGS, key=lambda r: (named[r], -distance(r, prior)))
    else:
        weighed = fits
        margin = max(3, -(-telling // 4))
        best = max(READINGS, key=lambda r: (fits[r], -distance(r, prior)))
        chosen = best if fits[best] - fits[prior] >= margin else prior
    has_crlf = any(where.crlf for where in texts)
    has_astral = any(where.units[False] for where in texts)
    name = functools.partial(describe, crlf=has_crlf, astral=has_astral)
    if 2 * max(fits.values()) < evaluated:
        raise ExchangeError(
            f"{filename}: the selections' positions fit no way of counting: under every "
            f"reading fewer than half of {evaluated} selections start and end on word "
            "boundaries or hold their quoted text (" + ", ".join(
                f"{name(r)} {fits[r]}" for r in distinct(READINGS, has_crlf, has_astral))
            + "); refused, nothing imported")
    other = STANDARD if chosen != STANDARD else max(
        (r for r in distinct(READINGS, has_crlf, has_astral) if r != chosen),
        key=lambda r: fits[r])
    said = [f"positions read as {name(chosen)}"
            + (" (the origin's counting)" if chosen == prior != STANDARD else "")
            + f": {fits[chosen]} of {evaluated} selections start and end on word "
            "boundaries or hold their quoted text that way, "
            f"{fits[other]} as {name(other)}"]
    runner = max((r for r in READINGS if r != chosen), key=lambda r: weighed[r])
    if weighed[runner] > weighed[chosen]:
        said.append(f"{name(runner)} would fit {weighed[runner] - weighed[chosen]} more "
                    f"of the {telling} selections that tell the readings apart, too few "
                    "to be sure; check the codings after emoji and line breaks")
    elif 10 * fits[chosen] < 9 * evaluated:
        said.append(f"only {fits[chosen]} of {evaluated} selections fit the positions "
                    f"read as {name(chosen)}; check the codings after emoji and line breaks")
    return Choice(chosen, said)


def distance(one: Reading, other: Reading) -> int:
    return (one.crlf_two != other.crlf_two) + (one.utf16 != other.utf16)


def distinct(readings: list[Reading], crlf: bool, astral: bool) -> list[Reading]:
    """The readings that differ on these texts."""
    return [r for r in readings if (crlf or not r.crlf_two) and (astral or not r.utf16)]


def counted_group(counted: str) -> str:
    """The warning that names the sources whose positions were read so."""
    return f"source(s) whose positions were read as counting {counted}"


def counted_in(reading: Reading, where: Positions) -> str:
    """What a reading counts in one source, naming only what its text holds."""
    said = []
    if where.crlf:
        said.append("each Windows line break (CR LF) as "
                    + ("two" if reading.crlf_two else "one"))
    if where.units[False] and reading.utf16:
        said.append("each character beyond U+FFFF as two (UTF-16)")
    return " and ".join(said)


def describe(reading: Reading, crlf: bool = True, astral: bool = True) -> str:
    """A reading in words, naming only what the texts hold."""
    words = ["UTF-16 code units" if reading.utf16 and astral else "code points"]
    if crlf:
        words.append(f"each CR LF as {'two' if reading.crlf_two else 'one'}")
    return ", ".join(words)


def position(value: str) -> int | None:
    """A position as a file writes it ("139"), or None when it is not one; a number of
    more digits than any text has is not one either. Only ASCII digits: `isdigit` also
    takes "²", which int() refuses, and int() takes other scripts' digits no file means."""
    value = value.strip()
    if not value or len(value) > 15 or not value.isascii() \
            or not value.lstrip("-").isdigit():
        return None
    return int(value)


def named(selection: ET.Element) -> str:
    """A selection as a message names it: its quoted text, else its GUID."""
    return shortened(selection.get("name") or selection.get("guid") or "?")


def shortened(text: str, limit: int = 60) -> str:
    """What a file said, cut to fit in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def docx_text(data: bytes, what: str, warnings: list[str]) -> str | None:
    """The text of a source that came only as .docx, read by qcode's Word importer;
    None (with a warning) when it cannot be read."""
    from qcode.core.importers import ImportProblem
    from qcode.core.importers.word import parse_docx_bytes

    # Read in memory: the document may hold real names not yet anonymised.
    try:
        return parse_docx_bytes(data, "source").text
    except (ImportProblem, ValueError, KeyError) as exc:
        warnings.append(f"{what}: its .docx cannot be read ({exc}); not imported")
        return None
