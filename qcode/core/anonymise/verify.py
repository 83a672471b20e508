"""Searching files byte by byte for any real value in the key: the proof that nothing
identifying reached the project, its WAL, or an export."""

from __future__ import annotations

import mmap
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from qcode.core.anonymise.key import Key


@dataclass(frozen=True)
class Hit:
    file: str
    value: str
    offset: int
    context: str


def byte_patterns(key: Key) -> list[tuple[str, re.Pattern[bytes]]]:
    """One whole-word, case-insensitive pattern per real value (and the digit forms of
    phone numbers: '07700 900417' is also sought as '07700900417')."""
    patterns = []
    for entry in key.entries.values():
        if entry.value.casefold() == entry.pseudonym.casefold():
            continue
        if entry.category == "phone":
            # Sought with any separators between digits, nationally and internationally.
            digits = re.sub(r"\D", "", entry.value)
            forms = {digits, "0" + digits[2:] if digits.startswith("44") else digits}
            bodies = [rb"\+?" + rb"[\s\-().]*".join(re.escape(d.encode()) for d in form)
                      for form in forms]
        else:
            words = [re.escape(w.encode("utf-8")) for w in entry.value.split()]
            bodies = [rb"\s+".join(words)]
        for body in bodies:
            patterns.append((entry.value, re.compile(
                rb"(?<![A-Za-z0-9])" + body + rb"(?![A-Za-z0-9])", re.IGNORECASE)))
    return patterns


def scan_bytes(label: str, data, patterns) -> list[Hit]:
    hits = []
    for value, pattern in patterns:
        for match in pattern.finditer(data):
            start = max(0, match.start() - 30)
            context = bytes(data[start:match.end() + 30]).decode("utf-8", "replace")
            hits.append(Hit(label, value, match.start(), " ".join(context.split())))
    return hits


def verify_files(key: Key, paths: list[Path]) -> list[Hit]:
    """Every occurrence of a real value in the given files; zip archives (.qdpx, .docx)
    are searched inside each member, since compression hides text from a byte search."""
    patterns = byte_patterns(key)
    hits: list[Hit] = []
    for path in paths:
        if not path.exists():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    if not member.is_dir():
                        hits += scan_bytes(f"{path}:{member.filename}",
                                           archive.read(member), patterns)
        if path.stat().st_size == 0:
            continue
        # mmap: a large project file is searched without reading it all into memory.
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            hits += scan_bytes(str(path), data, patterns)
    return hits
