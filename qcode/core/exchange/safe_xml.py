"""Reading XML and archives made by other tools, which are untrusted input.

REFI-QDA files never need a DTD, so any DTD is refused: that stops external entities
(which can read local files or reach the network) and entity-expansion bombs before
they start. Sizes are capped before anything is read into memory.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import fromstring

from qcode.core.codebook import CodebookError

# The largest project.qde seen in the fixtures is 136 kB; a codebook is far smaller.
MAX_XML_BYTES = 64 * 1024 * 1024
# A whole project's XML: about 600 bytes a coding, so room for some 400,000 codings.
MAX_PROJECT_XML_BYTES = 256 * 1024 * 1024
MAX_ZIP_ENTRIES = 100_000
# All the entries of one archive together: far beyond any interview study (a hundred
# long interviews are tens of megabytes, with their .docx copies).
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # unpacked size / packed size of one entry
# One transcript's text, from any file: some 10 million words.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
# A Word document is itself a zip. All its parts together: the XML behind a transcript
# as long as the text allowed, with room for the styles, fonts and a few pictures.
MAX_DOCUMENT_BYTES = 2 * MAX_SOURCE_BYTES
DRIVE = re.compile(r"^[A-Za-z]:")


class ExchangeError(CodebookError):
    """A file that cannot be read or written; the message names the file."""


def read_bytes(path: Path, limit: int = MAX_XML_BYTES) -> bytes:
    with open_checked(path, limit) as file:
        try:
            return file.read()
        except OSError as exc:
            raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None


def parse_xml(data: bytes, filename: str, limit: int | None = None) -> Element:
    """The root element of untrusted XML; DTDs and entities are refused."""
    limit = limit or MAX_XML_BYTES
    if len(data) > limit:
        raise ExchangeError(f"{filename}: {len(data):,} bytes of XML is more than the "
                            f"{limit:,} allowed; refused")
    with _refusals(filename):
        return fromstring(data, forbid_dtd=True, forbid_entities=True,
                          forbid_external=True)


def iterparse_xml(stream: BinaryIO, filename: str) -> Iterator[tuple[str, Element]]:
    """Untrusted XML read from a stream a part at a time (a large project need not be
    held whole), a DTD refused as parse_xml refuses it: first ("root", the root element
    with its attributes, as it starts), then ("end", element) as each element ends (the
    root last). The stream's own reader caps its size.

    A DTD can come only before the root element, and without one XML has no entities
    but its five own: so a guard reads the bytes up to the root and refuses a DTD, and
    the same bytes go to ElementTree's own parser, written in C (defusedxml's, in
    Python, took twice as long to read a large project)."""
    parser = XMLPullParser(events=("end",))  # a start event each would cost as much
    guard = expat.ParserCreate(namespace_separator="}")
    guard.StartDoctypeDeclHandler = _refuse_doctype
    guard.StartElementHandler = _root_reached
    guarding = True
    with _refusals(filename):
        while chunk := stream.read(1 << 16):
            if guarding:
                root = _guarded(guard, chunk)
                if root is not None:
                    guarding = False
                    yield "root", root
            parser.feed(chunk)
            yield from parser.read_events()
        parser.close()
        yield from parser.read_events()


class _RootReached(Exception):
    """The root element started, with no DTD before it."""

    def __init__(self, root: Element):
        super().__init__()
        self.root = root


def _refuse_doctype(name, system_id, public_id, internal_subset) -> None:
    raise DTDForbidden(name, system_id, public_id)


def _root_reached(name: str, attributes: dict[str, str]) -> None:
    # expat names "namespace}local"; ElementTree "{namespace}local".
    tag = lambda name: "{" + name if "}" in name else name  # noqa: E731
    raise _RootReached(Element(tag(name), {tag(k): v for k, v in attributes.items()}))


def _guarded(guard, chunk: bytes) -> Element | None:
    """The root element once the guard has read up to it; None until then."""
    try:
        guard.Parse(chunk, False)
    except _RootReached as reached:
        return reached.root
    except expat.ExpatError as exc:  # before the root: the parser would say so too
        raise ParseError(str(exc)) from None
    return None


@contextmanager
def _refusals(filename: str):
    """Unsafe or broken XML as one line naming the file."""
    try:
        yield
    except DTDForbidden:
        raise ExchangeError(f"{filename}: refused: the XML has a DTD (<!DOCTYPE>), which "
                            "REFI-QDA files never need and which can hide external "
                            "entities or entity-expansion bombs") from None
    except EntitiesForbidden as exc:
        raise ExchangeError(f"{filename}: refused: the XML declares the entity "
                            f"'{exc.name}' (external entities and entity expansion are "
                            "not allowed)") from None
    except DefusedXmlException as exc:
        raise ExchangeError(f"{filename}: refused: unsafe XML ({exc})") from None
    except ParseError as exc:
        raise ExchangeError(f"{filename}: not well-formed XML: {exc}") from None


def open_checked(path: Path, limit: int) -> BinaryIO:
    """A file opened for reading, refused as read_bytes refuses (a missing file, a
    folder, more than `limit` bytes)."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ExchangeError(f"{path}: {size:,} bytes is more than the {limit:,} such "
                                "a file may have; refused")
        return path.open("rb")
    except FileNotFoundError:
        raise ExchangeError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ExchangeError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None


class ChunkStream(io.RawIOBase):
    """Chunks of bytes read as a file (what iterparse reads), without joining them."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.chunk = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.chunk:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.chunk = memoryview(chunk)
        size = min(len(buffer), len(self.chunk))
        buffer[:size] = self.chunk[:size]
        self.chunk = self.chunk[size:]
        return size

    def close(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close is not None:  # the entry's reader, and its charge to the budget
            close()
        super().close()


def read_project_qde(path: Path) -> tuple[bytes, str]:
    """The bytes of the project XML inside a .qdpx, and its name in the archive."""
    with ProjectArchive(path) as archive:
        return archive.read(archive.qde), archive.qde.filename


def check_document(data: bytes, where: str, budget: int = MAX_DOCUMENT_BYTES) -> int:
    """The bytes a document that is itself a zip (a .docx) unpacks to, every part
    streamed through the archive checks and nothing kept, so that the reader that opens
    it next (python-docx) meets only sizes already proven small. `where` names the
    document in messages ('' when the caller names it)."""
    try:
        opened = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise ExchangeError(_at(where, "not a zip archive")) from None
    with SafeArchive(opened, where, min(budget, MAX_DOCUMENT_BYTES)) as archive:
        return archive.unpack_all()


def _at(where: str, problem: str) -> str:
    return f"{where}: {problem}" if where else problem


class SafeArchive:
    """A zip opened for reading, every entry checked before any is read.

    An archive with entries that would land outside its folder is refused as a whole:
    no honest tool writes one. Sizes in the archive can lie, so no entry is ever read
    past its cap, and the whole archive has a budget too (a zip bomb).
    """

    def __init__(self, opened: zipfile.ZipFile, where: str, budget: int):
        self.zip = opened
        self.where = where
        self.budget = budget
        self.unpacked: dict[str, int] = {}  # entry name -> bytes it gave when read
        try:
            self.entries = self._checked(opened.infolist())
        except ExchangeError:
            opened.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def _checked(self, entries: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ExchangeError(_at(self.where, f"{len(entries):,} entries is more than "
                                    f"the {MAX_ZIP_ENTRIES:,} allowed; refused"))
        for entry in entries:
            name = entry.filename
            if name.startswith(("/", "\\")) or DRIVE.match(name):
                raise ExchangeError(_at(self.where, f"refused: the entry '{name}' has an "
                                        "absolute path"))
            if ".." in re.split(r"[/\\]", name):
                raise ExchangeError(_at(self.where, f"refused: the entry '{name}' would "
                                        "land outside the project folder (zip slip)"))
        return entries

    def read(self, entry: zipfile.ZipInfo, limit: int = MAX_XML_BYTES) -> bytes:
        return b"".join(self._unpacked(entry, limit))

    def stream(self, entry: zipfile.ZipInfo, limit: int = MAX_XML_BYTES) -> ChunkStream:
        """The entry as a file read a megabyte at a time, checked as `read` checks."""
        return ChunkStream(self._unpacked(entry, limit))

    @contextmanager
    def charged_once(self, entry: zipfile.ZipInfo | None = None):
        """Reads of what is charged once elsewhere (a project.qde read in two passes,
        a text looked at before it is read): the budget stands for what the archive
        holds, not for how often an entry is looked at. Inside, reads are checked
        against the budget as it was before `entry` was first read, and not charged."""
        budget = self.budget
        self.budget += self.unpacked.get(entry.filename, 0) if entry else 0
        try:
            yield
        finally:
            self.budget = budget

    def unpack_all(self) -> int:
        """How many bytes every entry unpacks to, within the budget; nothing is kept.
        What the entries declare is checked first, so an honest bomb costs nothing."""
        for entry in self.entries:
            self._ceiling(entry, self.budget)
        declared = sum(entry.file_size for entry in self.entries)
        if declared > self.budget:
            raise ExchangeError(_at(self.where, f"its entries would unpack to "
                                    f"{declared:,} bytes (more than {self.budget:,}); "
                                    "refused as a possible zip bomb"))
        start = self.budget
        for entry in self.entries:
            for _ in self._unpacked(entry, self.budget):
                pass
        return start - self.budget

    def _ceiling(self, entry: zipfile.ZipInfo, limit: int) -> int:
        """The most the entry may unpack to; refused when it declares more."""
        # Text and XML shrink a few times, rarely a hundred; far more is a bomb, found
        # from what the entry declares, else after the first megabyte rather than after
        # gigabytes (the declared sizes can lie).
        ceiling = min(limit, self.budget, max(1 << 20, MAX_RATIO * entry.compress_size))
        if entry.file_size > ceiling:
            raise ExchangeError(f"{_at(self.where, entry.filename)} would unpack to "
                                f"{entry.file_size:,} bytes (from {entry.compress_size:,};"
                                f" at most {ceiling:,} allowed); refused as a possible "
                                "zip bomb")
        return ceiling

    def _unpacked(self, entry: zipfile.ZipInfo, limit: int):
        """The entry's bytes, a megabyte at a time, charged to the budget."""
        where = _at(self.where, entry.filename)
        ceiling = self._ceiling(entry, limit)
        size = 0
        try:
            with self.zip.open(entry) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    if size > ceiling:
                        raise ExchangeError(
                            f"{where} unpacks to more than {ceiling:,} bytes (from "
                            f"{entry.compress_size:,}); refused as a possible zip bomb")
                    yield chunk
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                NotImplementedError, RuntimeError, zlib.error) as exc:
            raise ExchangeError(f"{where}: cannot unpack: {exc}") from None
        finally:
            self.budget -= size
            self.unpacked[entry.filename] = max(size, self.unpacked.get(entry.filename, 0))


class ProjectArchive(SafeArchive):
    """A .qdpx opened for reading (see SafeArchive), with its project.qde found."""

    def __init__(self, path: Path, budget: int = MAX_ARCHIVE_BYTES):
        self.path = path
        try:
            opened = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ExchangeError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise ExchangeError(f"{path}: is a folder, not a file") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
            raise ExchangeError(f"{path}: not a zip archive (a .qdpx project is a zip "
                                "holding project.qde)") from None
        except OSError as exc:
            raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None
        super().__init__(opened, str(path), budget)
        try:
            self.qde = self._qde()
        except ExchangeError:
            self.zip.close()
            raise
        # Entry names without regard to case or the folder's spelling ("Sources/"):
        # the standard's own example capitalises what the tools write in lower case.
        self.by_name = {e.filename.replace("\\", "/").casefold(): e for e in self.entries}

    def __enter__(self) -> ProjectArchive:
        return self

    def read_document(self, entry: zipfile.ZipInfo, limit: int) -> bytes:
        """A source that is itself a zip (a .docx): what it unpacks to counts against
        this archive's budget too, so a small bomb inside is found before it is opened."""
        data = self.read(entry, limit)
        if not zipfile.is_zipfile(io.BytesIO(data)):
            return data  # not a document at all: its reader says so, as a warning
        self.budget -= check_document(data, f"{self.path}: {entry.filename}", self.budget)
        return data

    def _qde(self) -> zipfile.ZipInfo:
        qde = [e for e in self.entries if "/" not in e.filename and "\\" not in e.filename
               and e.filename.lower().endswith(".qde")]
        standard = [e for e in qde if e.filename.lower() == "project.qde"]
        if standard:
            qde = standard
        if not qde:
            raise ExchangeError(f"{self.path}: has no project.qde at the top of the "
                                "archive, so it is not a REFI-QDA project")
        if len(qde) > 1:
            raise ExchangeError(f"{self.path}: has several .qde files "
                                f"({', '.join(e.filename for e in qde)}); expected one")
        return qde[0]

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """An entry by its name in the archive, or by its file name in the sources
        folder (what an `internal://` path names), in any case."""
        name = name.replace("\\", "/").casefold()
        return self.by_name.get(name) or self.by_name.get(f"sources/{name}")
