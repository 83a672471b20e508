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
MAX_ZIP_ENTRIES = 100_000
DRIVE = re.compile(r"^[A-Za-z]:")


class ExchangeError(CodebookError):
    """A file that cannot be read or written; the message names the file."""


def read_bytes(path: Path, limit: int = MAX_XML_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise ExchangeError(f"{path}: {size:,} bytes is more than the {limit:,} a "
                                "codebook file may have; refused")
        return path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ExchangeError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None


def parse_xml(data: bytes, filename: str) -> Element:
    """The root element of untrusted XML; DTDs and entities are refused."""
    if len(data) > MAX_XML_BYTES:
        raise ExchangeError(f"{filename}: {len(data):,} bytes of XML is more than the "
                            f"{MAX_XML_BYTES:,} allowed; refused")
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
    """The bytes of the project XML inside a .qdpx, and its name in the archive.

    Only that one entry is read, but an archive with entries that would land outside
    its folder is refused as a whole: no honest tool writes one.
    """
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ExchangeError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise ExchangeError(f"{path}: not a zip archive (a .qdpx project is a zip "
                            "holding project.qde)") from None
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ExchangeError(f"{path}: {len(entries):,} entries is more than the "
                                f"{MAX_ZIP_ENTRIES:,} allowed; refused")
        for entry in entries:
            name = entry.filename
            if name.startswith(("/", "\\")) or DRIVE.match(name):
                raise ExchangeError(f"{path}: refused: the entry '{name}' has an "
                                    "absolute path")
            if ".." in re.split(r"[/\\]", name):
                raise ExchangeError(f"{path}: refused: the entry '{name}' would land "
                                    "outside the project folder (zip slip)")
        qde = [e for e in entries if "/" not in e.filename and "\\" not in e.filename
               and e.filename.lower().endswith(".qde")]
        standard = [e for e in qde if e.filename.lower() == "project.qde"]
        if standard:
            qde = standard
        if not qde:
            raise ExchangeError(f"{path}: has no project.qde at the top of the archive, "
                                "so it is not a REFI-QDA project")
        if len(qde) > 1:
            raise ExchangeError(f"{path}: has several .qde files "
                                f"({', '.join(e.filename for e in qde)}); expected one")
        entry = qde[0]
        if entry.file_size > MAX_XML_BYTES:
            raise ExchangeError(f"{path}: {entry.filename} would unpack to "
                                f"{entry.file_size:,} bytes (more than "
                                f"{MAX_XML_BYTES:,}); refused as a possible zip bomb")
        try:
            with archive.open(entry) as stream:
                # The sizes in the archive can lie: never read more than the cap.
                data = stream.read(MAX_XML_BYTES + 1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                NotImplementedError, RuntimeError, zlib.error) as exc:
            raise ExchangeError(f"{path}: cannot unpack {entry.filename}: {exc}") from None
        if len(data) > MAX_XML_BYTES:
            raise ExchangeError(f"{path}: {entry.filename} unpacks to more than "
                                f"{MAX_XML_BYTES:,} bytes; refused as a possible zip bomb")
        return data, entry.filename
