"""Reading XML and archives made by other tools, which are untrusted input.

REFI-QDA files never need a DTD, so any DTD is refused: that stops external entities
(which can read local files or reach the network) and entity-expansion bombs before
they start. Sizes are capped before anything is read into memory.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

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
DRIVE = re.compile(r"^[A-Za-z]:")


class ExchangeError(CodebookError):
    """A file that cannot be read or written; the message names the file."""


def read_bytes(path: Path, limit: int = MAX_XML_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise ExchangeError(f"{path}: {size:,} bytes is more than the {limit:,} such "
                                "a file may have; refused")
        return path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ExchangeError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None


def parse_xml(data: bytes, filename: str, limit: int | None = None) -> Element:
    """The root element of untrusted XML; DTDs and entities are refused."""
    limit = limit or MAX_XML_BYTES
    if len(data) > limit:
        raise ExchangeError(f"{filename}: {len(data):,} bytes of XML is more than the "
                            f"{limit:,} allowed; refused")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True,
                          forbid_external=True)
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


def read_project_qde(path: Path) -> tuple[bytes, str]:
    """The bytes of the project XML inside a .qdpx, and its name in the archive."""
    with ProjectArchive(path) as archive:
        return archive.read(archive.qde), archive.qde.filename


class ProjectArchive:
    """A .qdpx opened for reading, every entry checked before any is read.

    An archive with entries that would land outside its folder is refused as a whole:
    no honest tool writes one. Sizes in the archive can lie, so no entry is ever read
    past its cap, and the whole archive has a budget too (a zip bomb).
    """

    def __init__(self, path: Path, budget: int = MAX_ARCHIVE_BYTES):
        self.path = path
        self.budget = budget
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ExchangeError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise ExchangeError(f"{path}: is a folder, not a file") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
            raise ExchangeError(f"{path}: not a zip archive (a .qdpx project is a zip "
                                "holding project.qde)") from None
        except OSError as exc:
            raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None
        try:
            self.entries = self._checked(self.zip.infolist())
            self.qde = self._qde()
        except ExchangeError:
            self.zip.close()
            raise
        # Entry names without regard to case or the folder's spelling ("Sources/"):
        # the standard's own example capitalises what the tools write in lower case.
        self.by_name = {e.filename.replace("\\", "/").casefold(): e for e in self.entries}

    def __enter__(self) -> ProjectArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def _checked(self, entries: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ExchangeError(f"{self.path}: {len(entries):,} entries is more than the "
                                f"{MAX_ZIP_ENTRIES:,} allowed; refused")
        for entry in entries:
            name = entry.filename
            if name.startswith(("/", "\\")) or DRIVE.match(name):
                raise ExchangeError(f"{self.path}: refused: the entry '{name}' has an "
                                    "absolute path")
            if ".." in re.split(r"[/\\]", name):
                raise ExchangeError(f"{self.path}: refused: the entry '{name}' would land "
                                    "outside the project folder (zip slip)")
        return entries

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

    def read(self, entry: zipfile.ZipInfo, limit: int = MAX_XML_BYTES) -> bytes:
        where = f"{self.path}: {entry.filename}"
        if entry.file_size > min(limit, self.budget):
            raise ExchangeError(f"{where} would unpack to {entry.file_size:,} bytes (more "
                                f"than {min(limit, self.budget):,}); refused as a possible "
                                "zip bomb")
        # Text and XML shrink a few times, rarely a hundred; far more is a bomb, found
        # after the first megabyte rather than after gigabytes.
        ceiling = min(limit, self.budget, max(1 << 20, MAX_RATIO * entry.compress_size))
        chunks, size = [], 0
        try:
            with self.zip.open(entry) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    if size > ceiling:
                        raise ExchangeError(
                            f"{where} unpacks to more than {ceiling:,} bytes (from "
                            f"{entry.compress_size:,}); refused as a possible zip bomb")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                NotImplementedError, RuntimeError, zlib.error) as exc:
            raise ExchangeError(f"{where}: cannot unpack: {exc}") from None
        self.budget -= size
        return b"".join(chunks)
