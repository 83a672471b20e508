"""The proof that nothing identifying reached the project, its WAL, or an export: a
search for every real value the key holds (and the values of an identifier list).

Where it searches, and why:
- a project is read through SQLite, read-only: the decoded text of every column of every
  table (the event log included), as a reader sees it (invisible characters dropped,
  compatibility forms read as letters), and the terms of its full-text index, which
  can keep the words of text that is gone;
- the raw bytes of the project file and its WAL, for leftovers in free pages and old
  WAL frames; only values of at least RAW_MINIMUM letters or digits, since a shorter
  one ("Le", "Ph") turns up by chance in binary pages; and only values the decoded text
  does not hold already, so one leak is not reported twice;
- exports: each member of a zip (.qdpx, .docx) and any other file, decoded as text.

Phone numbers are sought in every written form of the number: with and without the
country code, with the national 0, with any separators ("+15550100123" is also
"(555) 010 0123"). Addresses, handles and web sites in any case; names in any case,
except a name that is an ordinary word ("Will"), sought capitalised: sentence-initial,
or rejected in review as the ordinary word, in a text that also has the word in
lowercase, it is left for a person to check by eye.
"""

from __future__ import annotations

import html
import json
import mmap
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from qcode.core.anonymise.detect import TOKEN, function_words_only, is_common_word
from qcode.core.anonymise.identifiers import Identifier
from qcode.core.anonymise.key import Key, KeyFileError
from qcode.core.anonymise.patterns import canonical, fold, folded
from qcode.core.store import SQLITE_HEADER, Project, ProjectError

RAW_MINIMUM = 4
SEARCHED = (f"decoded text of every table and the search index's terms; raw bytes of "
            f"the project file and WAL for values of {RAW_MINIMUM}+ letters or digits")
SEPARATORS = r"[\s\-().]*"
MARKUP = (".xml", ".qde", ".qdc", ".html", ".htm")


@dataclass(frozen=True)
class Hit:
    file: str
    value: str
    offset: int
    context: str
    certain: bool = True  # False: a common word ("Rose garden") that may not be the name
    place: str = ""       # "transcripts.text row 3, character 120", "byte 4096", ...

    def where(self) -> str:
        return f"{self.file}: {self.place}"


@dataclass(frozen=True)
class _Sought:
    value: str
    text: re.Pattern[str]
    raw: re.Pattern[bytes] | None  # None: too short to mean anything in binary pages
    terms: tuple[str, ...]         # its words as the full-text index holds them
    needle: str  # in every text that holds the value (casefolded): a fast first test
    common_word: bool
    rejected: bool  # reviewed, and its occurrences judged the ordinary word


class EmptyKeyError(KeyFileError):
    """A key with no real values: searching with it would prove nothing."""


# Before a word: what makes it sentence-initial, where "Will" is usually the word.
_SENTENCE_START = re.compile(r"(?:^|[.?!:;\n\"(-])[ \t\"']*$")
_SENTENCE_START_BYTES = re.compile(_SENTENCE_START.pattern.encode())


def phone_forms(value: str) -> list[str]:
    """The digits of each way a number is written: international ("+44 7700 900417",
    "0044 ..."), with a bracketed national 0 ("+44 (0)7700 ..."), national ("07700
    900417", "(555) 010-0123") and without any prefix ("7700 900417")."""
    digits = re.sub(r"\D", "", value)
    try:
        number = phonenumbers.parse(value if value.startswith("+") else "+" + digits)
    except phonenumbers.NumberParseException:
        return [digits]
    code, significant = str(number.country_code), phonenumbers.national_significant_number(number)
    national = re.sub(r"\D", "", phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL))
    forms = ["+" + code + significant, "00" + code + significant, national, significant]
    if national.startswith("0"):
        forms.insert(1, "+" + code + "0" + significant)
    return sorted(set(forms), key=len, reverse=True)


def _phone_pattern(value: str) -> str:
    forms = []
    for form in phone_forms(value):
        plus = r"\+?" if form.startswith("+") else ""
        forms.append(plus + SEPARATORS.join(form.lstrip("+")))
    return r"(?<![\d+])(?:%s)(?!\d)" % "|".join(forms)


def _case_forms(value: str) -> set[str]:
    """As listed, lower, UPPER, Title: for the raw bytes, where a case-blind search
    finds 'gZ' in any compressed byte run."""
    return {value, value.lower(), value.upper(), " ".join(w.capitalize() for w in value.split())}


def _sought(value: str, category: str, rejected: bool) -> _Sought:
    value = folded(value)
    common = is_common_word(value, category)
    words = value.split()
    if category == "phone":
        text_body, flags = _phone_pattern(value), 0
        raw_body = _phone_pattern(value).encode()
    elif common:
        # "will", "may": the lowercase (and shouted) word is the ordinary one; the name
        # is written capitalised.
        shown = value[:1].upper() + value[1:].lower()
        text_body, flags = re.escape(shown), 0
        raw_body = re.escape(shown.encode())
    else:
        # Case-blind, except a short value ("Le"): "le" and "LE" are too often not it.
        short = len(value) < RAW_MINIMUM
        forms = sorted(_case_forms(value)) if short else [value]
        text_body = "|".join(r"\s+".join(re.escape(w) for w in form.split()) for form in forms)
        flags = 0 if short else re.IGNORECASE
        raw_body = b"|".join(rb"\s+".join(re.escape(w.encode()) for w in form.split())
                             for form in sorted(_case_forms(value)))
    text = re.compile(r"(?<!\w)(?:%s)(?!\w)" % text_body, flags)
    long_enough = sum(ch.isalnum() for ch in value) >= RAW_MINIMUM
    # No look-behind in front: a pattern that starts with its letters is searched for
    # them in C; the byte before a match is checked after (see scan_bytes).
    raw = re.compile(rb"(?:" + raw_body + rb")(?![A-Za-z0-9])") if long_enough else None
    terms = tuple(_index_form(w) for w in TOKEN.findall(" ".join(words)))
    # A phone number's digits may be split anywhere; any other value keeps its words.
    needle = "" if category == "phone" else words[0].casefold()
    return _Sought(value, text, raw, terms if category != "phone" else (), needle, common,
                   rejected)


def _index_form(word: str) -> str:
    """A word as the full-text index (unicode61, remove_diacritics) holds it."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold())
                   if not unicodedata.combining(c))


def sought_values(key: Key, identifiers: Iterable[Identifier] = ()) -> list[_Sought]:
    """Every real value of the key and the list: a value rejected once in review stays
    sought (only a common word is then left for a person to check by eye)."""
    values: dict[str, tuple[str, str]] = {}
    for identifier in identifiers:
        values.setdefault(canonical(identifier.value, identifier.category),
                          (identifier.value, identifier.category))
    for canon, entry in key.entries.items():
        # An older key may hold a function word taken from a speaker label ("AS"):
        # sought, every "As" of a project would be reported as a leak.
        if entry.value.casefold() != entry.pseudonym.casefold() \
                and not function_words_only(entry.value):
            values.setdefault(canon, (entry.value, entry.category))
    return [_sought(value, category, canon in key.rejected)
            for canon, (value, category) in values.items()]


# -- searching --------------------------------------------------------------------------

def _certain(sought: _Sought, before: str, text: str) -> bool:
    """A common word may be the ordinary word where it starts a sentence, or where the
    researcher judged its occurrences to be; but only in a text that uses the word in
    lowercase too. Where it never does ("Jo" came, I told "Jo"), it is the name."""
    if not sought.common_word or not (sought.rejected or _SENTENCE_START.search(before)):
        return True
    return not re.search(r"(?<!\w)%s(?!\w)" % re.escape(sought.value.lower()), text)


def scan_text(label: str, place: str, text: str, patterns: list[_Sought]) -> list[Hit]:
    """Hits in a decoded text, searched as a reader sees it; offsets are characters of
    the text as stored."""
    view = fold(text)
    # One substring test per value in C before any regular expression: most texts
    # (GUIDs, times, code names) hold none of the values.
    lowered = view.text.casefold()
    hits = []
    for sought in patterns:
        if sought.needle not in lowered:
            continue
        for match in sought.text.finditer(view.text):
            start, end = view.start(match.start()), view.end(match.end())
            context = " ".join(text[max(0, start - 30):end + 30].split())
            hits.append(Hit(label, sought.value, start, context,
                            _certain(sought, text[max(0, start - 4):start], view.text),
                            f"{place}character {start}"))
    return hits


def scan_bytes(label: str, data, patterns: list[_Sought], place: str = "") -> list[Hit]:
    hits = []
    for sought in patterns:
        if sought.raw is None:
            continue
        for match in sought.raw.finditer(data):
            if match.start() and bytes(data[match.start() - 1:match.start()]).isalnum():
                continue  # inside a longer word
            start = max(0, match.start() - 30)
            context = bytes(data[start:match.end() + 30]).decode("utf-8", "replace")
            before = bytes(data[max(0, match.start() - 4):match.start()])
            certain = not (sought.common_word and (
                sought.rejected or _SENTENCE_START_BYTES.search(before)))
            hits.append(Hit(label, sought.value, match.start(), " ".join(context.split()),
                            certain, f"{place}byte {match.start()}"))
    return hits


def _row_texts(text: str) -> Iterator[tuple[str, str]]:
    """The text of a column, and the strings of the JSON it holds where JSON escapes
    them ("Zo\\u00eb" is "Zoë")."""
    yield "", text
    if "\\u" in text and text[:1] in "{[":
        try:
            strings = list(_strings(json.loads(text)))
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            return
        yield "(its JSON decoded) ", "\n".join(strings)


def _strings(data) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _scan_project(path: Path, patterns: list[_Sought]) -> tuple[list[Hit], set[str]]:
    """Hits in the decoded text of every table and in the index terms; also the values
    found, which the raw bytes then need not be searched for."""
    hits: list[Hit] = []
    project = Project.read_only(path)
    try:
        for table, column, rowid, text in project.text_values():
            row = f"row {rowid}, " if rowid is not None else ""
            for note, decoded in _row_texts(text):
                hits += scan_text(str(path), f"{table}.{column} {row}{note}", decoded,
                                  patterns)
        found = {h.value for h in hits}
        hits += _index_hits(path, project.index_terms(), patterns, found)
    finally:
        project.close()
    return hits, {h.value for h in hits}


def _index_hits(path: Path, terms: Iterable[tuple[str, str]], patterns: list[_Sought],
                found: set[str]) -> list[Hit]:
    """Values whose words are all index terms though no text holds the value: words of
    text that is gone. A common word is left out (the index holds "will" in lowercase,
    so it cannot tell the name from the word)."""
    by_table: dict[str, set[str]] = {}
    for table, term in terms:
        by_table.setdefault(table, set()).add(term)
    hits = []
    for sought in patterns:
        if sought.value in found or sought.common_word or not sought.terms:
            continue
        for table, held in sorted(by_table.items()):
            if all(term in held for term in sought.terms):
                words = ", ".join(f"'{t}'" for t in sought.terms)
                # Several words may stand apart in the text: a person checks.
                hits.append(Hit(str(path), sought.value, 0, words, len(sought.terms) == 1,
                                f"{table} index terms {words}"))
    return hits


def _scan_raw(path: Path, patterns: list[_Sought], place: str) -> list[Hit]:
    if path.stat().st_size == 0:
        return []
    # mmap: a large project file is searched without reading it all into memory.
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return scan_bytes(str(path), data, patterns, place)


def _decoded(name: str, data: bytes) -> str:
    text = data.decode("utf-8-sig", "replace")
    return html.unescape(text) if name.lower().endswith(MARKUP) else text


def _is_project(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def verify_files(key: Key, paths: list[Path],
                 identifiers: Iterable[Identifier] = ()) -> list[Hit]:
    """Every occurrence of a real value in the given files (see the module's notes).

    Refuses what would make a clean result meaningless: a key with no real values, a
    file that does not exist. A '-wal' or '-shm' beside a file given may be absent (it
    exists only while the project is open)."""
    patterns = sought_values(key, identifiers)
    if not patterns:
        raise EmptyKeyError("the key holds no real values, so there is nothing to search "
                            "for: nothing was verified")
    given = {str(p) for p in paths}
    for path in paths:
        companion = re.sub(r"-(?:wal|shm)$", "", str(path))
        if not path.exists() and (companion == str(path) or companion not in given):
            raise ProjectError(f"{path}: no such file; nothing was verified")
    hits: list[Hit] = []
    decoded_in: dict[str, set[str]] = {}  # project -> values its decoded text holds
    leftovers = "raw, a free page or old frame: "
    for path in paths:
        if not path.exists() or path.stat().st_size == 0:
            continue
        companion = re.sub(r"-(?:wal|shm)$", "", str(path))
        if companion != str(path):
            left = [p for p in patterns if p.value not in decoded_in.get(companion, set())]
            hits += _scan_raw(path, left, leftovers)
        elif _is_project(path):
            found, values = _scan_project(path, patterns)
            decoded_in[str(path)] = values
            hits += found
            hits += _scan_raw(path, [p for p in patterns if p.value not in values], leftovers)
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    if not member.is_dir():
                        hits += scan_text(str(path), f"{member.filename} ", _decoded(
                            member.filename, archive.read(member)), patterns)
        else:
            hits += scan_text(str(path), "", _decoded(path.name, path.read_bytes()), patterns)
    return hits
