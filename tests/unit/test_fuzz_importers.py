"""Fuzzing every way a file comes in (issue 17): random bytes, random zips and random
XML given to each importer, seeded so that a failure comes back on the next run. Each
input is imported or refused with a QcodeError (never another exception), within a
time and memory bound, and a refused input leaves the project as it was."""

from __future__ import annotations

import hashlib
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode.core.errors import QcodeError
from qcode.core.store import Project

SECONDS = 5  # the bound for a hostile file, here with tracemalloc's cost
MEGABYTES = 100
# A zip with one name twice is one of the hostile cases, not a mistake of the test.
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name")
FUZZ = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

# -- what the files are made of --------------------------------------------------------

GUIDS = [f"{n:08X}-0000-4000-8000-000000000000" for n in range(1, 5)] + ["", "x"]
TAGS = ["Project", "CodeBook", "Codes", "Code", "Sources", "TextSource",
        "PlainTextContent", "PlainTextSelection", "Coding", "CodeRef", "Users", "User",
        "Cases", "Case", "SourceRef", "Variables", "Variable", "VariableValue",
        "Notes", "Note", "Description", "Sets", "Set", "MemberSource"]
ATTRIBUTES = ["guid", "name", "startPosition", "endPosition", "targetGUID", "isCodable",
              "plainTextPath", "richTextPath", "color", "creatingUser", "typeOfVariable",
              "creationDateTime", "origin"]
WORDS = st.sampled_from(["P01", "INTERVIEWER:", "0", "5", "-1", "²", "٣", "99999999999",
                         "internal://a.txt", "internal://b.docx", "#FF0000", "true",
                         "2024-01-01T00:00:00Z", "\x00", "\x1b]0;x\x07", "Zoë", "a > b"])
TEXT = st.one_of(st.text(max_size=40), WORDS, *(st.just(g) for g in GUIDS))
NAMESPACES = ["urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0", ""]


def element(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(st.sampled_from(TAGS),
                     st.dictionaries(st.sampled_from(ATTRIBUTES), TEXT, max_size=4),
                     children, TEXT)


TREES = st.recursive(element(st.just([])),
                     lambda inner: element(st.lists(inner, max_size=4)), max_leaves=25)


def xml_text(tree, namespace: str = "") -> str:
    tag, attributes, children, text = tree
    marks = "".join(f" {name}={quoteattr(_xml_safe(value))}"
                    for name, value in attributes.items())
    if namespace:
        marks += f' xmlns="{namespace}"'
    inner = escape(_xml_safe(text)) + "".join(xml_text(child) for child in children)
    return f"<{tag}{marks}>{inner}</{tag}>"


def _xml_safe(text: str) -> str:
    """Text XML can carry at all (the parser's refusals are fuzzed by the raw bytes)."""
    return "".join(c for c in text if c in "\t\n\r" or " " <= c <= "\ud7ff"
                   or "\ue000" <= c <= "\ufffd")


XML = st.builds(lambda tree, ns: ('<?xml version="1.0" encoding="utf-8"?>'
                                  + xml_text(tree, ns)).encode("utf-8"),
                TREES, st.sampled_from(NAMESPACES))
MEMBERS = ["project.qde", "sources/a.txt", "sources/b.docx", "qcode.json",
           "word/document.xml", "[Content_Types].xml", "../escape.txt", "sources/"]


def zipped(members: list[tuple[str, bytes]], compressed: bool) -> bytes:
    data = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(data, "w", method) as out:
        for name, body in members:
            out.writestr(name, body)
    return data.getvalue()


ZIPS = st.builds(zipped, st.lists(st.tuples(st.sampled_from(MEMBERS),
                                            st.one_of(st.binary(max_size=200), XML)),
                                  max_size=5), st.booleans())


def lines(cells: st.SearchStrategy, header: str) -> st.SearchStrategy:
    rows = st.lists(st.lists(cells, max_size=5).map(",".join), max_size=6)
    return rows.map(lambda body: "\n".join([header, *body]).encode("utf-8"))


CELLS = st.one_of(TEXT, st.just('"'), st.just('"a,""b"'), st.just("=cmd|x"),
                  st.just("x" * 132_000))
TRANSCRIPT = st.lists(st.one_of(WORDS, st.text(max_size=30)), max_size=30).map(
    lambda words: " ".join(words).encode("utf-8", "surrogatepass"))
CAPTIONS = st.lists(st.tuples(st.sampled_from(["00:00:01.000 --> 00:00:02.000",
                                               "1", "99:99:99,999 --> 00", "WEBVTT",
                                               "00:00:0²,000 --> 00:00:03,000"]),
                              st.text(max_size=30)), max_size=8).map(
    lambda cues: "\n\n".join(f"{a}\n{b}" for a, b in cues).encode("utf-8",
                                                                    "surrogatepass"))
YAMLISH = st.lists(st.sampled_from(["name: x", "codes:", "  - name: a", "    codes:",
                                    "      - name: b", "  - &a [*a]", "  - *a", "- ",
                                    "guid: 00000001-0000-4000-8000-000000000000",
                                    "{", "[[[[", "  key: 1", "\x00", "!!python/object:x"]),
                   max_size=10).map(lambda got: "\n".join(got).encode("utf-8"))
JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), TEXT),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(TEXT, inner, max_size=3)),
                    max_leaves=15)


def as_json(value) -> bytes:
    import json

    return json.dumps(value).encode("utf-8")


RAW = st.binary(max_size=3000)


# -- the bound, and the project that must not change -----------------------------------

def fingerprint(project: Project) -> str:
    return hashlib.sha256("\n".join(project.conn.iterdump()).encode()).hexdigest()


def bounded(run: Callable[[], object]) -> None:
    """`run()` returns or raises a QcodeError, within the time and memory bound."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        run()
    except QcodeError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.monotonic() - started < SECONDS
    assert peak < MEGABYTES * 1024 * 1024


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def fuzzed(place: Path):
    """A project to import into, and `fuzzed(name, data, importer)`: the file written,
    given to `importer(project, path)`, checked; a refusal must change nothing."""
    project = Project.create(place / "fuzz.qcode")

    def check(name: str, data: bytes, importer: Callable[[Project, Path], object]) -> None:
        path = place / name
        path.write_bytes(data)
        before = fingerprint(project)
        refused = []

        def run():
            try:
                return importer(project, path)
            except QcodeError:
                refused.append(True)
                raise

        bounded(run)
        if refused:
            assert fingerprint(project) == before

    yield check
    project.close()


# -- the importers ---------------------------------------------------------------------

def transcripts(project: Project, path: Path) -> None:
    from qcode.core.pipeline import run_import

    report = run_import(project, [path])
    if report.failed:
        raise ImportRefused()


class ImportRefused(QcodeError):
    """A batch reports a refused file instead of raising: the same promise applies."""


def codebook(project: Project, path: Path) -> None:
    from qcode.core.exchange.codebook_formats import read_codebook

    book, _ = read_codebook(path)
    project.load_codebook(book)


def whole_project(project: Project, path: Path) -> None:
    from qcode.core.exchange.qdpx_read import read_project_file
    from qcode.core.pipeline import import_project

    import_project(project, read_project_file(path), str(path))


def participants(project: Project, path: Path) -> None:
    from qcode.core.participants import read_participants

    read_participants(path)


def identifiers(project: Project, path: Path) -> None:
    from qcode.core.anonymise.identifiers import read_identifiers

    read_identifiers(path)


def decisions(project: Project, path: Path) -> None:
    from qcode.core.anonymise.review import read_decisions

    read_decisions(path, "a passphrase")


def key(project: Project, path: Path) -> None:
    from qcode.core.anonymise.key import load_key

    load_key(path, "a passphrase")


@FUZZ
@given(data=st.one_of(RAW, TRANSCRIPT), suffix=st.sampled_from([".txt", ".md"]))
def test_plain_text(fuzzed, data: bytes, suffix: str):
    fuzzed("t" + suffix, data, transcripts)


@FUZZ
@given(data=st.one_of(RAW, CAPTIONS), suffix=st.sampled_from([".vtt", ".srt"]))
def test_captions(fuzzed, data: bytes, suffix: str):
    fuzzed("c" + suffix, data, transcripts)


@FUZZ
@given(data=st.one_of(RAW, ZIPS))
def test_word(fuzzed, data: bytes):
    fuzzed("w.docx", data, transcripts)


@FUZZ
@given(data=st.one_of(RAW, XML, YAMLISH, JSON.map(as_json)),
       suffix=st.sampled_from([".yaml", ".qdc", ".qde"]))
def test_codebook_yaml_json_and_xml(fuzzed, data: bytes, suffix: str):
    fuzzed("b" + suffix, data, codebook)


@FUZZ
@given(data=st.one_of(RAW, lines(CELLS, "path,name,definition,colour,key,guid")))
def test_codebook_csv(fuzzed, data: bytes):
    fuzzed("b.csv", data, codebook)


@FUZZ
@given(data=st.one_of(RAW, ZIPS))
def test_codebook_of_a_qdpx(fuzzed, data: bytes):
    fuzzed("b.qdpx", data, codebook)


@FUZZ
@given(data=st.one_of(RAW, ZIPS, XML.map(lambda x: zipped([("project.qde", x)], True))))
def test_whole_project(fuzzed, data: bytes):
    fuzzed("p.qdpx", data, whole_project)


@FUZZ
@given(data=st.one_of(RAW, XML))
def test_whole_project_qde(fuzzed, data: bytes):
    fuzzed("p.qde", data, whole_project)


@FUZZ
@given(data=st.one_of(RAW, lines(CELLS, "case,file,speaker,interviewer,age")))
def test_participants(fuzzed, data: bytes):
    fuzzed("participants.csv", data, participants)


@FUZZ
@given(data=st.one_of(RAW, lines(CELLS, "value,category,pseudonym"), YAMLISH),
       suffix=st.sampled_from([".csv", ".yaml"]))
def test_identifiers(fuzzed, data: bytes, suffix: str):
    fuzzed("identifiers" + suffix, data, identifiers)


@FUZZ
@given(data=st.one_of(RAW, lines(CELLS, "key,value,category,decision,pseudonym"),
                      JSON.map(as_json)))
def test_review_decisions(fuzzed, data: bytes):
    fuzzed("review.csv", data, decisions)


KEY_FIELDS = st.fixed_dictionaries(
    {"format": st.sampled_from(["qcode-key", "qcode-key-encrypted", "x"])},
    optional={"entries": JSON, "counters": JSON, "rejected": JSON, "key_id": JSON,
              "project": JSON, "n": JSON, "r": JSON, "p": JSON, "salt": JSON,
              "token": JSON, "kdf": JSON})


@FUZZ
@given(data=st.one_of(RAW, JSON.map(as_json), KEY_FIELDS.map(as_json)))
def test_key_file(fuzzed, data: bytes):
    fuzzed("key.json", data, key)
