"""Searching files byte by byte for any real value in the key: the proof that nothing
identifying reached the project, its WAL, or an export."""

from __future__ import annotations

import mmap
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from qcode.core.anonymise.detect import is_common_word
from qcode.core.anonymise.key import Key, KeyFileError
from qcode.core.anonymise.patterns import canonical
from qcode.core.store import ProjectError


@dataclass(frozen=True)
class Hit:
    file: str
    value: str
    offset: int
    context: str
    certain: bool = True  # False: a common word ("Rose garden") that may not be the name


@dataclass(frozen=True)
class _Sought:
    value: str
    pattern: re.Pattern[bytes]
    common_word: bool
    rejected: bool  # reviewed, and its occurrences judged the ordinary word


class EmptyKeyError(KeyFileError):
    """A key with no real values: searching with it would prove nothing."""


# Bytes before a word that make it sentence-initial, where "Will" or "Rose" is usually
# the ordinary word.
_SENTENCE_START = re.compile(rb"(?:^|[.?!:;\n\"(-])[ \t\"']*$")


def _case_forms(value: str) -> set[str]:
    """The forms a value is written in: as listed, lower, UPPER, Title. Not every case
    mix: over binary pages a case-blind search finds 'gZ' in any compressed byte run."""
    return {value, value.lower(), value.upper(), " ".join(w.capitalize() for w in value.split())}


def byte_patterns(key: Key) -> list[_Sought]:
    """Whole-word patterns per real value, in its case forms (and the digit forms of
    phone numbers: '07700 900417' is also sought as '07700900417')."""
    sought = []
    for entry in key.entries.values():
        if entry.value.casefold() == entry.pseudonym.casefold():
            continue
        common = is_common_word(entry.value, entry.category)
        if entry.category == "phone":
            # Sought with any separators between digits, nationally and internationally.
            digits = re.sub(r"\D", "", entry.value)
            forms = {digits, "0" + digits[2:] if digits.startswith("44") else digits}
            bodies = [rb"\+?" + rb"[\s\-().]*".join(re.escape(d.encode()) for d in form)
                      for form in forms]
        elif common:
            # "will", "may": the lowercase (and shouted) word is the ordinary one; the
            # name is written capitalised.
            bodies = [re.escape(entry.value[:1].upper().encode("utf-8")
                                + entry.value[1:].lower().encode("utf-8"))]
        else:
            forms = _case_forms(entry.value)
            bodies = [rb"\s+".join(re.escape(w.encode("utf-8")) for w in form.split())
                      for form in sorted(forms)]
        body = b"|".join(b"(?:" + b + b")" for b in bodies)
        sought.append(_Sought(entry.value, re.compile(
            rb"(?<![A-Za-z0-9])(?:" + body + rb")(?![A-Za-z0-9])"), common,
            canonical(entry.value, entry.category) in key.rejected))
    return sought


def scan_bytes(label: str, data, patterns: list[_Sought]) -> list[Hit]:
    hits = []
    for sought in patterns:
        for match in sought.pattern.finditer(data):
            start = max(0, match.start() - 30)
            context = bytes(data[start:match.end() + 30]).decode("utf-8", "replace")
            # A common word may be the ordinary word where it starts a sentence, or
            # where the researcher already judged its occurrences to be.
            certain = not (sought.common_word and (sought.rejected or _SENTENCE_START.search(
                bytes(data[max(0, match.start() - 4):match.start()]))))
            hits.append(Hit(label, sought.value, match.start(), " ".join(context.split()),
                            certain))
    return hits


def verify_files(key: Key, paths: list[Path]) -> list[Hit]:
    """Every occurrence of a real value in the given files; zip archives (.qdpx, .docx)
    are searched inside each member, since compression hides text from a byte search.

    Refuses what would make a clean result meaningless: a key with no real values, a
    file that does not exist. A '-wal' or '-shm' beside a file given may be absent (it
    exists only while the project is open)."""
    patterns = byte_patterns(key)
    if not patterns:
        raise EmptyKeyError("the key holds no real values, so there is nothing to search "
                            "for: nothing was verified")
    given = {str(p) for p in paths}
    for path in paths:
        companion = re.sub(r"-(?:wal|shm)$", "", str(path))
        if not path.exists() and (companion == str(path) or companion not in given):
            raise ProjectError(f"{path}: no such file; nothing was verified")
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
