"""qcode import-project: REFI-QDA projects made by other tools, read into qcode.

The hand-built archives below imitate what each tool is known to write (see the notes in
../shared/fixtures/refi/NOTES.md): ATLAS.ti's CR LF text counted as one position and
its quote text in the selection's name, NVivo's lower-case GUIDs and CR LF counted as
two, MAXQDA's comments (a selection with a description and no code), the standard's own
capitalised `Project.qde` and `Sources/`, and a source that came only as .docx.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.exchange import qdpx_read, safe_xml
from qcode.core.exchange.qdpx_read import read_project_file
from qcode.core.exchange.safe_xml import ExchangeError
from qcode.core.store import Project

from tests.conftest import decided, write
from tests.cli.test_pipeline import everywhere, leaks

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "refi"
NS = "urn:QDA-XML:project:1.0"
ANA = "0E2C6A4E-5C1B-4F7A-9A55-3B7E3C1D2A10"
BEN = "1F3D7B5F-6D2C-4A8B-8B66-4C8F4D2E3B21"
THEME = "5B1F0C2D-7A1E-4C39-8D7B-2F0E4A6B9C01"
COST = "9C3E7D21-0B4F-4E8A-A1C2-6D5F8E9A0B12"
TRUST = "A7D1C2B3-4E5F-4A6B-9C8D-0E1F2A3B4C5D"
FIRST = "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"
SECOND = "B2C3D4E5-F6A7-4822-99AA-BBCCDDEEFF00"
FIRST_TEXT = ("Interviewer: What got in the way?\r\n\r\n"
              "P01: It was too expensive. Nobody trusted the police.\r\n")
SECOND_TEXT = "P02: We had no budget at all, none.\n"


def run(*args: str, project: Path):
    return CliRunner().invoke(cli, ["--project", str(project), *args],
                              catch_exceptions=False)


def archive(path: Path, qde: str, files: dict[str, bytes] | None = None,
            qde_name: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(qde_name, qde.encode("utf-8"))
        for name, data in (files or {}).items():
            out.writestr(name, data)
    return path


def one_position_per_line_break(text: str, part: str) -> tuple[int, int]:
    """Where `part` is in `text` once each CR LF counts as one position (ATLAS.ti)."""
    flat = text.replace("\r\n", "\n")
    start = flat.index(part)
    return start, start + len(part)


def atlas_like(origin: str = "ATLAS.ti 23.2.3") -> str:
    expensive = one_position_per_line_break(FIRST_TEXT, "It was too expensive.")
    police = one_position_per_line_break(FIRST_TEXT, "Nobody trusted the police.")
    budget = (SECOND_TEXT.index("no budget"), SECOND_TEXT.index("no budget") + 9)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Barriers study" origin="{origin}"
         creatingUserGUID="{ANA}" creationDateTime="2024-03-01T10:00:00Z">
  <Users>
    <User guid="{ANA}" name="Ana"/>
    <User guid="{{{BEN.lower()}}}" name="Ben"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="{THEME}" name="Barriers" isCodable="true" color="#1F77B4">
      <Description>Things in the way.</Description>
      <NoteRef targetGUID="D0000000-0000-4000-8000-000000000003"/>
      <Code guid="{COST.lower()}" name="Cost" isCodable="true" color="#ff7f0e"/>
      <Code guid="{TRUST}" name="Mistrust of police" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="3A4B5C6D-7E8F-4A0B-8C1D-2E3F4A5B6C7D" name="role" typeOfVariable="Text"/>
    <Variable guid="4B5C6D7E-8F90-4B1C-9D2E-3F4A5B6C7D8E" name="years" typeOfVariable="Integer"/>
  </Variables>
  <Cases>
    <Case guid="6F7E8D9C-0B1A-4C2D-9E3F-4A5B6C7D8E9F" name="P01">
      <VariableValue><VariableRef targetGUID="3A4B5C6D-7E8F-4A0B-8C1D-2E3F4A5B6C7D"/><TextValue>Detective Sergeant</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="4B5C6D7E-8F90-4B1C-9D2E-3F4A5B6C7D8E"/><IntegerValue>12</IntegerValue></VariableValue>
      <SourceRef targetGUID="{FIRST}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{FIRST}" name="interview-01" plainTextPath="internal://{FIRST}.txt"
                creatingUser="{ANA}" creationDateTime="2024-03-01T10:05:00Z">
      <PlainTextSelection guid="B7C8D9E0-F1A2-4B3C-8D4E-5F6A7B8C9D0E" name="It was too expensive."
          startPosition="{expensive[0]}" endPosition="{expensive[1]}" creatingUser="{ANA}">
        <Coding guid="C0D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F" creatingUser="{ANA}"
                creationDateTime="2024-03-01T11:00:00Z">
          <CodeRef targetGUID="{COST}"/>
        </Coding>
        <Coding guid="C1D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F" creatingUser="{BEN}">
          <CodeRef targetGUID="{THEME}"/>
        </Coding>
        <NoteRef targetGUID="D0000000-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <PlainTextSelection guid="B8C8D9E0-F1A2-4B3C-8D4E-5F6A7B8C9D0E" name="Nobody trusted the police."
          startPosition="{police[0]}" endPosition="{police[1]}" creatingUser="{BEN}">
        <Coding guid="C2D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F">
          <CodeRef targetGUID="{TRUST}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="B9C8D9E0-F1A2-4B3C-8D4E-5F6A7B8C9D0E" name="comment"
          startPosition="0" endPosition="11" creatingUser="{ANA}">
        <Description>Check the opening question.</Description>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{SECOND}" name="interview-02" creatingUser="{BEN}">
      <PlainTextContent>{SECOND_TEXT}</PlainTextContent>
      <PlainTextSelection guid="BAC8D9E0-F1A2-4B3C-8D4E-5F6A7B8C9D0E" name="no budget"
          startPosition="{budget[0]}" endPosition="{budget[1]}">
        <Coding guid="C3D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F" creatingUser="{BEN}">
          <CodeRef targetGUID="{COST}"/>
        </Coding>
      </PlainTextSelection>
      <Coding guid="C4D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F" creatingUser="{ANA}">
        <CodeRef targetGUID="{THEME}"/>
      </Coding>
      <NoteRef targetGUID="D0000000-0000-4000-8000-000000000004"/>
    </TextSource>
    <PictureSource guid="02255470-09E6-400B-9E20-97D71FBEC65D" name="photo.jpg"
                   path="internal://02255470-09E6-400B-9E20-97D71FBEC65D.jpg"/>
  </Sources>
  <Notes>
    <Note guid="D0000000-0000-4000-8000-000000000001" name="on cost" creatingUser="{ANA}">
      <PlainTextContent>Price comes up first.</PlainTextContent>
    </Note>
    <Note guid="D0000000-0000-4000-8000-000000000002" name="Research plan">
      <PlainTextContent>Ten interviews.</PlainTextContent>
    </Note>
    <Note guid="D0000000-0000-4000-8000-000000000003" name="theme memo">
      <PlainTextContent>Keep barriers broad.</PlainTextContent>
    </Note>
    <Note guid="D0000000-0000-4000-8000-000000000004" name="source memo">
      <PlainTextContent>Short interview.</PlainTextContent>
    </Note>
  </Notes>
  <Sets><Set guid="E1F2A3B4-C5D6-4E7F-8091-A2B3C4D5E6F7" name="Money">
    <MemberCode targetGUID="{COST}"/></Set></Sets>
</Project>
"""


@pytest.fixture
def atlas(tmp_path: Path) -> Path:
    # ATLAS.ti writes CR LF (and here a BOM) but counts a line break as one position;
    # the standard's own example spells the folder "Sources/".
    return archive(tmp_path / "atlas.qdpx", atlas_like(),
                   {f"Sources/{FIRST}.txt": b"\xef\xbb\xbf" + FIRST_TEXT.encode("utf-8")})


def coded(project: Project) -> dict[tuple[str, str, str], str]:
    """(transcript, code, coder) -> the coded text, for every coding."""
    out = {}
    for transcript in project.transcripts():
        text = project.transcript_text(transcript.id)
        for coding in project.codings(transcript.id):
            code = project.code(coding.code_id).name
            out[(transcript.name, code, coding.coder_name)] = text[coding.start:
                                                                 coding.end]
    return out


def test_a_project_from_another_tool_comes_in_whole(atlas: Path, tmp_path: Path):
    target = tmp_path / "study.qcode"
    result = run("import-project", str(atlas), project=target)
    assert result.exit_code == 0, result.output
    assert "2 transcripts, 3 codes, 5 codings, 2 coders, 1 case, 4 memos" in result.output
    with Project.open(target) as project:
        texts = {t.name: project.transcript_text(t.id) for t in project.transcripts()}
        assert texts["interview-01"] == FIRST_TEXT.replace("\r\n", "\n")  # LF, no BOM
        assert texts["interview-02"] == SECOND_TEXT
        assert coded(project) == {
            ("interview-01", "Cost", "Ana"): "It was too expensive.",
            ("interview-01", "Barriers", "Ben"): "It was too expensive.",
            ("interview-01", "Mistrust of police", "Ben"): "Nobody trusted the police.",
            ("interview-02", "Cost", "Ben"): "no budget",
            ("interview-02", "Barriers", "Ana"): SECOND_TEXT,  # the whole document
        }
        first = project.transcript_id("interview-01")
        memos = {project.code(c.code_id).name: c.memo
                 for c in project.codings(first) if c.memo}
        assert memos == {"Cost": "Price comes up first.", "Barriers": "Price comes up first."}
        [case] = project.all_cases()
        assert (case.name, case.values) == ("P01", {"role": "Detective Sergeant",
                                                     "years": "12"})
        assert case.transcripts == [project.transcripts()[0].guid]
        codes = {c.name: c for c in project.codes()}
        assert codes["Cost"].guid == COST and codes["Cost"].colour == "#FF7F0E"
        assert codes["Cost"].parent_id == codes["Barriers"].id
        assert codes["Barriers"].definition == "Things in the way."
        memo_rows = project.conn.execute(
            "SELECT name, text, target_type FROM memos ORDER BY name").fetchall()
        assert memo_rows == [
            ("Comment at 0-11", "Check the opening question.", "transcript"),
            ("Research plan", "Ten interviews.", None),
            ("source memo", "Short interview.", "transcript"),
            ("theme memo", "Keep barriers broad.", "code")]
        turns = project.turns(first)
        assert [t.speaker for t in turns] == ["Interviewer", "P01"]
        assert project.check() == []
    warnings = result.stderr if hasattr(result, "stderr") else result.output
    assert "1 set(s) not imported" in warnings
    assert "1 picture source(s) not imported" in warnings
    assert ("1 source(s) whose positions were read as counting each Windows line break "
            "(CR LF) as one: source 'interview-01'") in warnings


def test_importing_twice_adds_nothing(atlas: Path, tmp_path: Path):
    target = tmp_path / "study.qcode"
    assert run("import-project", str(atlas), project=target).exit_code == 0
    again = run("import-project", str(atlas), project=target)
    assert again.exit_code == 0
    assert "nothing new (all of it was here)" in again.output


def test_into_an_existing_project_keeps_what_is_there(atlas: Path, tmp_path: Path):
    target = tmp_path / "study.qcode"
    with Project.create(target) as project:
        project.add_code("Barriers")  # the same path of names: matched, not doubled
        guid = project.meta("project_guid")
    assert run("import-project", str(atlas), project=target).exit_code == 0
    with Project.open(target) as project:
        assert [c.name for c in project.codes()].count("Barriers") == 1
        assert project.meta("project_guid") == guid  # not empty: keeps its identity
        assert len(coded(project)) == 5


def test_nvivo_counts_a_windows_line_break_as_two(tmp_path: Path):
    text = "Interviewer: Why?\r\nP01: Fear of being deported.\r\n"
    part = "Fear of being deported."
    start = text.index(part)  # on the text as written: CR LF is two positions
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="nv" origin="NVivo 14 for Windows">
  <Users><User guid="{ANA.lower()}" name="ana"/></Users>
  <CodeBook><Codes><Code guid="{COST.lower()}" name="Fear" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{FIRST.lower()}" name="p01" plainTextPath="internal://{FIRST.lower()}.txt">
    <PlainTextSelection guid="{SECOND.lower()}" name="{part}" startPosition="{start}"
        endPosition="{start + len(part)}" creatingUser="{ANA.lower()}">
      <Coding guid="{THEME.lower()}" creatingUser="{ANA.lower()}"><CodeRef targetGUID="{COST.lower()}"/></Coding>
    </PlainTextSelection></TextSource></Sources>
</Project>"""
    path = archive(tmp_path / "nvivo.qdpx", qde, {f"sources/{FIRST.lower()}.txt":
                                                  text.encode("utf-8")})
    exchange = read_project_file(path)
    coding = exchange.codings[0]
    assert exchange.transcripts[0].text[coding.start:coding.end] == part
    assert coding.guid == THEME and coding.coder == ANA  # GUIDs in capitals


def test_qde_named_otherwise_and_a_source_only_as_docx(tmp_path: Path):
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: Tell me about adverts.")
    document.add_paragraph("P03: Same phone number on many of them.")
    data = io.BytesIO()
    document.save(data)
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="docx only">
  <Sources><TextSource guid="{FIRST}" name="p03.docx" richTextPath="internal://{FIRST}.docx">
    <PlainTextSelection guid="{SECOND}" startPosition="0" endPosition="5">
      <Coding guid="{THEME}"><CodeRef targetGUID="{COST}"/></Coding>
    </PlainTextSelection></TextSource></Sources>
</Project>"""
    path = archive(tmp_path / "atlas export.qdpx", qde,
                   {f"sources/{FIRST}.docx": data.getvalue()}, qde_name="My study.qde")
    exchange = read_project_file(path)
    assert "Same phone number" in exchange.transcripts[0].text
    assert [t.speaker for t in exchange.transcripts[0].turns] == ["Interviewer", "P03"]
    assert exchange.codings == []
    assert any("1 selection(s) not imported: they refer to a plain text" in w
               for w in exchange.warnings)


def test_missing_sources_are_reported_and_the_rest_comes_in(tmp_path: Path):
    qde = atlas_like()
    path = archive(tmp_path / "partial.qdpx", qde)  # interview-01's file is not there
    target = tmp_path / "study.qcode"
    result = run("import-project", str(path), project=target)
    assert result.exit_code == 0, result.output
    assert ("1 source(s) not imported, their text file missing from the archive: source "
            f"'interview-01' ('internal://{FIRST}.txt')") in result.output
    assert "3 selection(s) not imported: their source's text is not there" in result.output
    with Project.open(target) as project:
        assert [t.name for t in project.transcripts()] == ["interview-02"]


def test_anonymised_on_the_way_in(tmp_path: Path):
    text = ("Interviewer: Who runs it?\n\n"
            "P01: Kirsty Marsh runs it from Leeds, on Kirsty's phone.\n")
    part = "Kirsty Marsh runs it from Leeds"
    start = text.index(part)
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="raw">
  <Users><User guid="{ANA}" name="Ana"/></Users>
  <CodeBook><Codes><Code guid="{COST}" name="Control" isCodable="true"/></Codes></CodeBook>
  <Cases><Case guid="6F7E8D9C-0B1A-4C2D-9E3F-4A5B6C7D8E9F" name="Kirsty Marsh">
    <SourceRef targetGUID="{FIRST}"/></Case></Cases>
  <Sources><TextSource guid="{FIRST}" name="kirsty-marsh" plainTextPath="internal://{FIRST}.txt">
    <PlainTextSelection guid="{SECOND}" startPosition="{start}" endPosition="{start + len(part)}"
        creatingUser="{ANA}">
      <Coding guid="{THEME}" creatingUser="{ANA}"><CodeRef targetGUID="{COST}"/></Coding>
      <NoteRef targetGUID="D0000000-0000-4000-8000-000000000001"/>
    </PlainTextSelection></TextSource></Sources>
  <Notes><Note guid="D0000000-0000-4000-8000-000000000001" name="on Kirsty">
    <PlainTextContent>Kirsty Marsh again, as in Leeds.</PlainTextContent></Note></Notes>
</Project>"""
    path = archive(tmp_path / "raw.qdpx", qde, {f"sources/{FIRST}.txt": text.encode()})
    ids = tmp_path / "ids.csv"
    ids.write_text("value,category,pseudonym\nKirsty Marsh,person,\nKirsty,person,\n"
                   "Leeds,place,\n")
    target = tmp_path / "study.qcode"
    result = run("import-project", str(path), "--anonymise", "--key", str(tmp_path / "k.key"),
                 "--identifiers", str(ids), "--non-interactive", project=target)
    assert result.exit_code == 0, result.output
    with Project.open(target) as project:
        transcript = project.transcripts()[0]
        stored = project.transcript_text(transcript.id)
        assert "Kirsty" not in stored and "Leeds" not in stored
        coding = project.codings(transcript.id)[0]
        covered = stored[coding.start:coding.end]
        assert covered.startswith("[Person") and covered.endswith("]") and " runs it from " \
            in covered
        assert "Kirsty" not in coding.memo and "Kirsty" not in transcript.name
        assert "Kirsty" not in project.all_cases()[0].name
    for file in (target, target.with_name(target.name + "-wal")):
        if file.exists():
            data = file.read_bytes().lower()
            assert b"kirsty" not in data and b"leeds" not in data and b"marsh" not in data


# -- bad input: a clear line, a non-zero exit, and no project written --------------------


def refused(path: Path, tmp_path: Path, *expected: str) -> None:
    target = tmp_path / "new.qcode"
    result = run("import-project", str(path), project=target)
    assert result.exit_code != 0
    message = result.output.strip()
    assert message.startswith("Error: ") and "\n" not in message, message
    assert "Traceback" not in message
    for part in expected:
        assert part in message, message
    assert not target.exists() and not list(tmp_path.glob("new.qcode*"))


def test_not_a_zip(tmp_path: Path):
    path = tmp_path / "fake.qdpx"
    path.write_text("hello")
    refused(path, tmp_path, "fake.qdpx", "not a zip archive")


def test_zip_slip_and_absolute_paths(tmp_path: Path):
    slip = archive(tmp_path / "slip.qdpx", atlas_like(), {"sources/../../evil.txt": b"x"})
    refused(slip, tmp_path, "zip slip")
    absolute = archive(tmp_path / "abs.qdpx", atlas_like(), {"/etc/evil.txt": b"x"})
    refused(absolute, tmp_path, "absolute path")


def test_zip_bomb(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(qdpx_read, "MAX_SOURCE_BYTES", 1024 * 1024)
    path = archive(tmp_path / "bomb.qdpx", atlas_like(),
                   {f"sources/{FIRST}.txt": b"a" * (8 * 1024 * 1024)})
    refused(path, tmp_path, "bomb.qdpx", "zip bomb")


def test_zip_bomb_whose_sizes_lie(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(qdpx_read, "MAX_SOURCE_BYTES", 1024 * 1024)
    path = archive(tmp_path / "liar.qdpx", atlas_like(),
                   {f"sources/{FIRST}.txt": b"a" * (8 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    # Claim a tiny uncompressed size in both headers of the entry.
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(f"sources/{FIRST}.txt")
    real = info.file_size.to_bytes(4, "little")
    data = data.replace(real, (100).to_bytes(4, "little"))
    path.write_bytes(bytes(data))
    refused(path, tmp_path, "liar.qdpx")


def test_external_entities_and_entity_bombs(tmp_path: Path):
    xxe = atlas_like().replace('<?xml version="1.0" encoding="utf-8"?>',
                               '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM '
                               '"file:///etc/passwd">]>')
    refused(archive(tmp_path / "xxe.qdpx", xxe), tmp_path, "xxe.qdpx", "DTD")
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
           f'<Project xmlns="{NS}" name="&lol2;"/>')
    refused(archive(tmp_path / "lol.qdpx", lol), tmp_path, "lol.qdpx", "refused")


def test_a_dtd_after_a_long_prolog_is_refused(tmp_path: Path):
    # project.qde is read a part at a time: a DTD past the first part (after a long
    # comment) is still found before the root element starts.
    xxe = atlas_like().replace('<?xml version="1.0" encoding="utf-8"?>',
                               '<?xml version="1.0"?><!--' + "x" * 200_000 + '-->'
                               '<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    refused(archive(tmp_path / "late.qdpx", xxe), tmp_path, "late.qdpx", "DTD")


def test_not_refi_qda_and_unknown_namespace(tmp_path: Path):
    refused(archive(tmp_path / "other.qdpx", "<Workbook/>"), tmp_path,
            "not a REFI-QDA codebook or project", "<Workbook>")
    odd = atlas_like().replace(NS, "urn:example:qda:2.0", 1)
    refused(archive(tmp_path / "odd.qdpx", odd), tmp_path,
            "unknown namespace 'urn:example:qda:2.0'")
    codebook = ('<?xml version="1.0" encoding="utf-8"?><CodeBook '
                'xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="' + COST +
                '" name="x" isCodable="true"/></Codes></CodeBook>')
    refused(archive(tmp_path / "book.qdpx", codebook), tmp_path, "qcode codebook import")


def test_positions_outside_the_text(tmp_path: Path):
    qde = atlas_like().replace('startPosition="0" endPosition="11"',
                               'startPosition="0" endPosition="99999"')
    path = archive(tmp_path / "out.qdpx", qde,
                   {f"sources/{FIRST}.txt": FIRST_TEXT.encode("utf-8")})
    refused(path, tmp_path, "out.qdpx", "outside its text", "nothing imported")
    qde = atlas_like().replace('startPosition="0" endPosition="11"',
                               'startPosition="-4" endPosition="11"')
    path = archive(tmp_path / "neg.qdpx", qde,
                   {f"sources/{FIRST}.txt": FIRST_TEXT.encode("utf-8")})
    refused(path, tmp_path, "outside its text")
    qde = atlas_like().replace('startPosition="0" endPosition="11"',
                               'startPosition="zero" endPosition="11"')
    path = archive(tmp_path / "nan.qdpx", qde,
                   {f"sources/{FIRST}.txt": FIRST_TEXT.encode("utf-8")})
    refused(path, tmp_path, "not positions in a text")


def test_wrong_kind_of_file(tmp_path: Path):
    path = tmp_path / "codes.qdc"
    path.write_text("<CodeBook/>")
    refused(path, tmp_path, "qcode codebook import")
    refused(tmp_path / "absent.qdpx", tmp_path, "absent.qdpx", "no such file")
    other = tmp_path / "notes.txt"
    other.write_text("x")
    refused(other, tmp_path, "cannot tell the format")


def test_a_failed_import_into_an_existing_project_changes_nothing(tmp_path: Path):
    target = tmp_path / "study.qcode"
    with Project.create(target) as project:
        project.add_code("Mine")
    before = sqlite3.connect(target).execute("SELECT count(*) FROM events").fetchone()
    qde = atlas_like().replace('startPosition="0" endPosition="11"',
                               'startPosition="0" endPosition="99999"')
    path = archive(tmp_path / "out.qdpx", qde,
                   {f"sources/{FIRST}.txt": FIRST_TEXT.encode("utf-8")})
    result = run("import-project", str(path), project=target)
    assert result.exit_code != 0
    with Project.open(target) as project:
        assert [c.name for c in project.codes()] == ["Mine"]
        assert project.conn.execute("SELECT count(*) FROM events").fetchone() == before


def test_the_import_leaves_no_scratch_copy_beside_the_project(atlas: Path, tmp_path: Path,
                                                             monkeypatch):
    # The import is laid out in a scratch project beside the target (so a large one is
    # not held in memory), which goes whether the import succeeds or fails.
    target = tmp_path / "study.qcode"
    assert run("import-project", str(atlas), project=target).exit_code == 0
    assert not [p.name for p in tmp_path.iterdir() if ".import-" in p.name]
    with Project.open(target) as project:
        before = coded(project)

    def broken(*args):
        raise ExchangeError("the merge failed")

    monkeypatch.setattr(Project, "_merge_from", broken)
    result = run("import-project", str(atlas), project=target)
    assert result.exit_code != 0 and "the merge failed" in result.output
    assert not [p.name for p in tmp_path.iterdir() if ".import-" in p.name]
    with Project.open(target) as project:
        assert coded(project) == before


def test_project_qde_read_twice_is_charged_to_the_archive_once(atlas: Path,
                                                               tmp_path: Path,
                                                               monkeypatch):
    # project.qde is read twice (outline, then selections) and a source's text once
    # more for the evidence on position counting: the archive's budget stands for what
    # it holds, so an archive that fits exactly is read, and one byte less refuses it.
    with zipfile.ZipFile(atlas) as opened:
        holds = sum(entry.file_size for entry in opened.infolist())
    for budget, works in ((holds, True), (holds - 1, False)):
        monkeypatch.setattr(qdpx_read, "ProjectArchive", lambda path, budget=budget:
                            safe_xml.ProjectArchive(path, budget))
        if works:
            assert len(read_project_file(atlas).codings) == 5
        else:
            with pytest.raises(ExchangeError, match="zip bomb"):
                read_project_file(atlas)


def test_the_archive_reader_checks_every_entry_before_reading(tmp_path: Path):
    path = archive(tmp_path / "ok.qdpx", atlas_like(), {"sources/.root": b""})
    with safe_xml.ProjectArchive(path) as opened:
        assert opened.find(f"{FIRST}.txt") is None
        assert opened.find(".root") is not None
    with pytest.raises(ExchangeError, match="no project.qde"):
        safe_xml.ProjectArchive(archive(tmp_path / "empty.qdpx", "", qde_name="x.txt"))


# -- the real exports in ../shared/fixtures ----------------------------------------------

real = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is absent")


@real
@pytest.mark.parametrize("name, codes, coders, memos", [
    ("atlasti-8.4_spec-annexA2_project.qde", 14, 3, 2),
    ("nvivo-mac-15.0.0_project.qdpx", 262, 2, 0),
    ("maxqda-24.7.0_project.qde", 307, 1, 0),
    ("atlasti-win-23.2.3_target-project.qdpx", 3, 2, 0),
    ("atlasti-win-23.2.3_blank-project.qdpx", 0, 2, 0),
])
def test_real_exports(name: str, codes: int, coders: int, memos: int, tmp_path: Path):
    target = tmp_path / "study.qcode"
    result = run("import-project", str(FIXTURES / name), project=target)
    assert result.exit_code == 0, result.output
    with Project.open(target) as project:
        summary = project.summary()
        assert (summary["codes"], summary["coders"]) == (codes, coders)
        assert project.conn.execute("SELECT count(*) FROM memos").fetchone()[0] == memos
        assert project.check() == []


@real
def test_real_exports_report_what_they_could_not_bring(tmp_path: Path):
    exchange = read_project_file(FIXTURES / "atlasti-8.4_spec-annexA2_project.qde")
    said = " | ".join(exchange.warnings)
    for part in ("16 set(s)", "2 PDF source(s)", "2 video source(s)", "1 audio source(s)",
                 "6 selection(s) not imported: their source's text is not there",
                 "6 text source(s) not imported: a bare .qde holds no texts"):
        assert part in said
    nvivo = read_project_file(FIXTURES / "nvivo-mac-15.0.0_project.qdpx")
    assert sum("its text is empty" in w for w in nvivo.warnings) == 2


def test_capitalised_names_and_empty_folders(tmp_path: Path):
    path = tmp_path / "spec.qdpx"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("Project.qde", atlas_like().encode("utf-8"))
        out.writestr(zipfile.ZipInfo("Sources/"), b"")  # folders, one of them empty
        out.writestr(zipfile.ZipInfo("Media/"), b"")
        out.writestr(f"Sources/{FIRST}.txt", FIRST_TEXT.encode("utf-8"))
    exchange = read_project_file(path)
    assert [t.name for t in exchange.transcripts] == ["interview-01", "interview-02"]
    assert len(exchange.codings) == 5


# -- found by a new user's audit --------------------------------------------------------


def simple(text: str, selections: str, extra: str = "", users: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="small">
  <Users><User guid="{ANA}" name="Ana"/>{users}</Users>
  <CodeBook><Codes><Code guid="{COST}" name="Cost" isCodable="true"/>
    <Code guid="{TRUST}" name="Trust" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{FIRST}" name="p01">
    <PlainTextContent>{text}</PlainTextContent>{selections}</TextSource></Sources>
  {extra}
</Project>"""


def selection(guid: str, start: int, end: int, coding: str, code: str = COST,
              inside: str = "") -> str:
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}"'
            f' creatingUser="{ANA}"><Coding guid="{coding}"><CodeRef targetGUID="{code}"/>'
            f"</Coding>{inside}</PlainTextSelection>")


def test_anonymising_reaches_every_text_that_came_with_the_transcripts(tmp_path: Path):
    text = "P01: Tommy Kerrigan paid. Rose said so. Kerrigan again."
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="raw">
  <Users><User guid="{ANA}" name="Ana"/><User guid="{BEN}" name="Tommy Kerrigan"/></Users>
  <CodeBook><Codes>
    <Code guid="{COST}" name="Notes by Tommy" isCodable="true"/>
    <Code guid="{TRUST}" name="Notes by Kerrigan" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{FIRST}" name="p01" plainTextPath="internal://{FIRST}.txt">
    <PlainTextSelection guid="{SECOND}" startPosition="5" endPosition="25" creatingUser="{ANA}">
      <Coding guid="{THEME}"><CodeRef targetGUID="{COST}"/></Coding>
      <Coding guid="C1D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F"><CodeRef targetGUID="{TRUST}"/></Coding>
      <NoteRef targetGUID="D0000000-0000-4000-8000-000000000001"/>
    </PlainTextSelection></TextSource></Sources>
  <Notes>
    <Note guid="D0000000-0000-4000-8000-000000000001" name="memo"><PlainTextContent>memo about Tommy and Rose</PlainTextContent></Note>
    <Note guid="D0000000-0000-4000-8000-000000000002" name="Kerrigan"><PlainTextContent>Kerrigan and Tommy were there</PlainTextContent></Note>
  </Notes>
</Project>"""
    path = archive(tmp_path / "raw.qdpx", qde, {f"sources/{FIRST}.txt": text.encode()})
    ids = tmp_path / "ids.csv"
    # One person, so one pseudonym: the two codes' names become the same.
    ids.write_text("value,category,pseudonym\nTommy Kerrigan,person,[Man 1]\n"
                   "Tommy,person,[Man 1]\nKerrigan,person,[Man 1]\nRose,person,\n")
    target = tmp_path / "anon.qcode"
    result = run("import-project", str(path), "--anonymise", "--key",
                 str(tmp_path / "k.key"), "--identifiers", str(ids), "--non-interactive",
                 project=target)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "two codes at the top are named" in result.output  # "Notes by [Person 2]"
    for file in (target, target.with_name(target.name + "-wal")):
        if file.exists():
            data = file.read_bytes()
            for name in (b"Tommy", b"Kerrigan", b"Rose"):
                assert name not in data, (file.name, name)
    with Project.open(target) as project:
        assert len(project.codes()) == 2
        assert len(coded(project)) == 2


def test_a_note_referred_to_from_two_places_is_one_memo(tmp_path: Path):
    note = "D0000000-0000-4000-8000-000000000001"
    qde = simple("P01: It costs a lot.", selection(SECOND, 5, 20, THEME)
                 + f'<NoteRef targetGUID="{note}"/>',
                 f'<Notes><Note guid="{note}" name="n"><PlainTextContent>x</PlainTextContent>'
                 f'</Note></Notes><NoteRef targetGUID="{note}"/>').replace(
        f'<Code guid="{COST}" name="Cost" isCodable="true"/>',
        f'<Code guid="{COST}" name="Cost" isCodable="true"><NoteRef targetGUID="{note}"/>'
        "</Code>")
    target = tmp_path / "p.qcode"
    result = run("import-project", str(archive(tmp_path / "n.qdpx", qde)), project=target)
    assert result.exit_code == 0, result.output
    assert "kept where it was first referred to" in result.output
    with Project.open(target) as project:
        assert project.conn.execute("SELECT count(*) FROM memos").fetchone() == (1,)


@pytest.mark.parametrize("kind", ["Coding", "User", "Note"])
def test_a_guid_given_twice_is_refused_naming_it(kind: str, tmp_path: Path):
    note = "D0000000-0000-4000-8000-000000000001"
    notes = (f'<Notes><Note guid="{note}" name="a"/><Note guid="{note}" name="b"/></Notes>'
             if kind == "Note" else "")
    users = f'<User guid="{ANA}" name="Ana again"/>' if kind == "User" else ""
    codings = selection(SECOND, 0, 3, THEME) + (
        selection(FIRST.replace("A", "C"), 4, 8, THEME) if kind == "Coding" else "")
    qde = simple("P01: It costs a lot.", codings, notes, users)
    refused(archive(tmp_path / "dup.qdpx", qde), tmp_path, "dup.qdpx",
            f"two <{kind}> elements have the GUID")


def test_a_guid_two_kinds_share_is_split_and_the_project_exports(tmp_path: Path):
    qde = simple("P01: It costs a lot.", selection(SECOND, 5, 20, THEME)).replace(
        f'<TextSource guid="{FIRST}"', f'<TextSource guid="{COST}"')
    target = tmp_path / "p.qcode"
    result = run("import-project", str(archive(tmp_path / "s.qdpx", qde)), project=target)
    assert result.exit_code == 0, result.output
    assert "is also another thing's; the transcript gets" in result.output
    exported = run("export", str(tmp_path / "again.qdpx"), project=target)
    assert exported.exit_code == 0, exported.output


def test_a_bomb_is_refused_by_its_unpacking_ratio(tmp_path: Path):
    path = archive(tmp_path / "ratio.qdpx", atlas_like(),
                   {f"sources/{FIRST}.txt": b"\0" * (40 * 1024 * 1024)})
    refused(path, tmp_path, "ratio.qdpx", "zip bomb")


def test_anonymisation_options_need_anonymise(atlas: Path, tmp_path: Path):
    for options in (["--non-interactive"], ["--encrypt-key"], ["--review", "screen"]):
        result = run("import-project", str(atlas), *options, project=tmp_path / "p.qcode")
        assert result.exit_code == 2 and "only work with --anonymise" in result.output
        assert not (tmp_path / "p.qcode").exists()
    (tmp_path / "x.txt").write_text("Interviewer: Hello?\n\nP01: Hello.\n")
    Project.create(tmp_path / "p.qcode").close()
    result = run("import", str(tmp_path / "x.txt"), "--decisions", str(atlas),
                 project=tmp_path / "p.qcode")
    assert result.exit_code == 2 and "--decisions only work with --anonymise" in result.output


def test_what_does_not_fit_is_reported(tmp_path: Path):
    case = ('<Cases><Case guid="6F7E8D9C-0B1A-4C2D-9E3F-4A5B6C7D8E9F" name="A">'
            f'<SourceRef targetGUID="{FIRST}"/></Case>'
            '<Case guid="7F7E8D9C-0B1A-4C2D-9E3F-4A5B6C7D8E9F" name="B">'
            f'<SourceRef targetGUID="{FIRST}"/></Case></Cases>')
    two_codes = selection(SECOND, 5, 20, THEME).replace(
        "</Coding>", f'<CodeRef targetGUID="{TRUST}"/></Coding>')
    qde = simple("P01: It costs a lot.", two_codes).replace("<Sources>", case + "<Sources>")
    exchange = read_project_file(archive(tmp_path / "odd.qdpx", qde))
    said = " | ".join(exchange.warnings)
    assert "1 transcript(s) in more than one case, kept in the first: p01" in said
    assert "1 second code(s) of a <Coding> with several not imported" in said
    assert [c.transcripts for c in exchange.cases] == [[FIRST], []]


def test_hostile_extras_are_ignored(tmp_path: Path):
    for extras in ({"format": "qcode-extras", "version": 1, "coders": {ANA: ["x"]}},
                   {"format": "qcode-extras", "version": 1, "project": {"created": {}}},
                   {"format": "qcode-extras", "version": 1, "transcripts": {
                       FIRST: {"turns": [["P01", 5, 20, 0, "abc", None]]}}},
                   {"format": "qcode-extras", "version": 1, "transcripts": {
                       FIRST: {"turns": [["P01", 0, 10, None, None, None],
                                         ["P02", 5, 20, None, None, None]]}}}):
        qde = simple("P01: It costs a lot.", selection(SECOND, 5, 20, THEME))
        path = archive(tmp_path / "x.qdpx", qde, {"qcode.json": json.dumps(extras)})
        target = tmp_path / "x.qcode"
        result = run("import-project", str(path), project=target)
        assert result.exit_code == 0, result.output
        assert "qcode.json: does not fit the project" in result.output
        target.unlink()


def test_a_position_of_many_digits_gets_a_short_message(tmp_path: Path):
    qde = simple("P01: It costs a lot.", selection(SECOND, 5, 20, THEME)).replace(
        'endPosition="20"', f'endPosition="{"9" * 5000}"')
    target = tmp_path / "new.qcode"
    result = run("import-project", str(archive(tmp_path / "big.qdpx", qde)), project=target)
    assert result.exit_code != 0 and len(result.output) < 400
    assert "not positions in a text" in result.output


def test_memos_follow_their_transcript_and_changed_codings_are_reported(atlas: Path,
                                                                        tmp_path: Path):
    target = tmp_path / "study.qcode"
    assert run("import-project", str(atlas), project=target).exit_code == 0
    changed = atlas_like().replace(f'guid="{SECOND}" name="interview-02"',
                                   f'guid="{SECOND[:-4]}9999" name="interview-02"')
    expensive = one_position_per_line_break(FIRST_TEXT, "It was too expensive.")
    changed = changed.replace(f'startPosition="{expensive[0]}"',
                              f'startPosition="{expensive[0] + 3}"')
    path = archive(tmp_path / "changed.qdpx", changed,
                   {f"Sources/{FIRST}.txt": FIRST_TEXT.encode("utf-8")})
    result = run("import-project", str(path), project=target)
    assert result.exit_code == 0, result.output
    assert "2 coding(s) have another span" in result.output
    with Project.open(target) as project:
        guids = {r[0] for r in project.conn.execute("SELECT guid FROM transcripts")}
        targets = {r[0] for r in project.conn.execute(
            "SELECT target_guid FROM memos WHERE target_type = 'transcript'")}
        assert targets <= guids


def test_verify_anonymised_checks_an_export_on_its_own(tmp_path: Path, monkeypatch,
                                                        demo_copy: Path):
    monkeypatch.chdir(tmp_path)
    assert run("export", "demo.qdpx", project=tmp_path / "demo.qcode").exit_code == 0
    key = next(tmp_path.glob("demo*.key*"))
    result = run("verify-anonymised", "--key", str(key), "demo.qdpx",
                 project=tmp_path / "absent.qcode")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok:") and "demo.qdpx" in result.output


def test_positions_counted_in_utf16_are_recognised(tmp_path: Path):
    text = "P01: It costs 💷 a lot 🎉 and more. The fee is due 💷 again."
    part = "and more"
    start = text.index(part)
    units = len(text[:start].encode("utf-16-le")) // 2  # as .NET or JavaScript count
    qde = simple(text, f'<PlainTextSelection guid="{SECOND}" name="{part}" '
                 f'startPosition="{units}" endPosition="{units + len(part)}">'
                 f'<Coding guid="{THEME}"><CodeRef targetGUID="{COST}"/></Coding>'
                 "</PlainTextSelection>")
    exchange = read_project_file(archive(tmp_path / "u.qdpx", qde))
    coding = exchange.codings[0]
    assert exchange.transcripts[0].text[coding.start:coding.end] == part
    assert any("beyond U+FFFF as two (UTF-16)" in w for w in exchange.warnings)
    plain = simple(text, selection(SECOND, start, start + len(part), THEME))
    exchange = read_project_file(archive(tmp_path / "p.qdpx", plain))  # no names: code points
    coding = exchange.codings[0]
    assert exchange.transcripts[0].text[coding.start:coding.end] == part


# -- anonymised import-project as `import` does it: held back, summary, decisions ---------

COLLEAGUE_TEXT = ("P01: Tobias Wrenfield trained me in the port office, and Wrenfield "
                  "still rings.\n")
CLEAN_TEXT = "P02: We had no budget at all, none.\n"
ON_FIRST = "D0000000-0000-4000-8000-000000000011"


def colleague_project(tmp_path: Path) -> Path:
    """Two sources: one names an unlisted colleague (only the candidate finder sees
    him), with a coding, a memo on the source and a case of its own; one names
    nobody."""
    start = COLLEAGUE_TEXT.index("trained me")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="raw">
  <Users><User guid="{ANA}" name="Ana"/></Users>
  <CodeBook><Codes><Code guid="{COST}" name="Training" isCodable="true"/></Codes></CodeBook>
  <Cases><Case guid="6F7E8D9C-0B1A-4C2D-9E3F-4A5B6C7D8E9F" name="Port office">
    <SourceRef targetGUID="{FIRST}"/></Case></Cases>
  <Sources>
    <TextSource guid="{FIRST}" name="p01"><PlainTextContent>{COLLEAGUE_TEXT}</PlainTextContent>
      {selection(SECOND, start, start + len("trained me"), THEME)}
      <NoteRef targetGUID="{ON_FIRST}"/></TextSource>
    <TextSource guid="{BEN}" name="p02"><PlainTextContent>{CLEAN_TEXT}</PlainTextContent>
    </TextSource></Sources>
  <Notes><Note guid="{ON_FIRST}" name="follow up">
    <PlainTextContent>Ask Wrenfield about the training.</PlainTextContent></Note></Notes>
</Project>"""
    return archive(tmp_path / "raw.qdpx", qde)


def decided_colleague(tmp_path: Path) -> Path:
    """The review file with every candidate of the colleague accepted, the rest
    rejected."""
    return decided(tmp_path, "Wrenfield")


def import_raw(tmp_path: Path, *options: str):
    return run("import-project", str(tmp_path / "raw.qdpx"), "--anonymise", "--key",
               str(tmp_path / "k.key"), "--non-interactive", *options,
               project=tmp_path / "project.qcode")


def test_import_project_holds_back_a_source_with_undecided_candidates(tmp_path: Path):
    colleague_project(tmp_path)
    result = import_raw(tmp_path)
    assert result.exit_code == 0, result.output
    assert "held back 1 transcript(s)" in result.output and "p01" in result.output
    assert "--decisions FILE" in result.output and "k-review.csv" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert [t.name for t in project.transcripts()] == ["p02"]
        assert project.conn.execute("SELECT count(*) FROM codings").fetchone() == (0,)
        assert project.conn.execute("SELECT count(*) FROM memos").fetchone() == (0,)
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}
    # Finished with the filled-in review file: the source comes in, its coding moved
    # with its text, and the colleague is nowhere.
    result = import_raw(tmp_path, "--decisions", str(decided_colleague(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "replaced: person 2" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        first = project.transcript_id("p01")
        text = project.transcript_text(first)
        [coding] = project.codings(first)
        assert text[coding.start:coding.end] == "trained me"
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}


def test_import_project_fails_when_every_transcript_is_held_back(tmp_path: Path):
    # As `import`: a script must not take "nothing of it came in" for success.
    qde = (tmp_path / "raw.qdpx")
    colleague_project(tmp_path)
    with zipfile.ZipFile(qde) as packed:
        only_first = packed.read("project.qde").decode("utf-8").replace(
            f'<TextSource guid="{BEN}" name="p02"><PlainTextContent>{CLEAN_TEXT}'
            '</PlainTextContent>\n    </TextSource>', "")
    archive(qde, only_first)
    result = import_raw(tmp_path)
    assert result.exit_code == 1, result.output
    assert "held back 1 transcript(s)" in result.output
    assert "all 1 transcript(s) held back for review" in result.output
    assert "Traceback" not in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []


def test_import_project_stores_unreviewed_only_when_asked_and_records_it(tmp_path: Path):
    colleague_project(tmp_path)
    result = import_raw(tmp_path, "--store-unreviewed")
    assert result.exit_code == 0, result.output
    assert "stored 1 transcript(s) with undecided candidates" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.meta("stored_unreviewed") == "p01"
        assert len(project.transcripts()) == 2


def test_import_project_says_what_was_replaced_per_transcript_and_where_the_key_is(
        tmp_path: Path):
    colleague_project(tmp_path)
    write(tmp_path / "ids.csv", "value,category,pseudonym\nTobias Wrenfield,person,\n"
          "Wrenfield,person,\n")
    result = import_raw(tmp_path, "--identifiers", str(tmp_path / "ids.csv"))
    assert result.exit_code == 0, result.output
    assert "anonymised p01 as 'p01':" in result.output
    assert "replaced: person 2" in result.output
    assert "anonymised p02 as 'p02':" in result.output and "nothing replaced" in result.output
    assert f"key: {tmp_path / 'k.key'}" in result.output
    assert leaks(result.output.encode(), ("Tobias", "Wrenfield")) == {}


def test_import_project_decisions_reach_transcripts_already_in_the_project(tmp_path: Path):
    """A transcript stored unreviewed earlier (by `import`) loses the colleague when
    another tool's project comes in with a decisions file that accepts him."""
    write(tmp_path / "p07.txt", "Interviewer: Who trained you?\n\n"
          "P07: Tobias Wrenfield did. Wrenfield was strict.\n")
    target = tmp_path / "project.qcode"
    run("init", project=target)
    result = run("import", str(tmp_path / "p07.txt"), "--anonymise", "--key",
                 str(tmp_path / "k.key"), "--non-interactive", "--store-unreviewed",
                 "--case", "P07", project=target)
    assert result.exit_code == 0, result.output
    with Project.open(target) as project:
        p07 = project.transcript_id("p07")
        project.load_codebook(__import__("qcode.core.codebook", fromlist=["x"]).parse(
            "name: b\ncodes:\n  - name: Strict\n"))
        code = project.codes()[0].id
        text = project.transcript_text(p07)
        start = text.index("was strict")
        coding = project.add_coding(p07, code, "ana", start, start + len("was strict"),
                                    memo="Wrenfield again")
    colleague_project(tmp_path)
    result = import_raw(tmp_path, "--decisions", str(decided_colleague(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "already in the project" in result.output
    with Project.open(target) as project:
        moved = project.coding(coding)
        assert project.transcript_text(p07)[moved.start:moved.end] == "was strict"
        assert project.check() == []
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}


# -- who made it, and which sources are one ------------------------------------------------


def one_coder_qde(creating_user: str, sources: list[tuple[str, str, str]]) -> str:
    """A project by ana alone, its creatingUserGUID as given; each source (GUID, name,
    text) coded "Cost" by ana on its first word."""
    texts = "".join(f"""
    <TextSource guid="{guid}" name="{name}"><PlainTextContent>{text}</PlainTextContent>
      <PlainTextSelection guid="{guid[:-4]}AAAA" startPosition="0" endPosition="{text.index(' ')}"
          creatingUser="{ANA}">
        <Coding guid="{guid[:-4]}BBBB" creatingUser="{ANA}"><CodeRef targetGUID="{COST}"/></Coding>
      </PlainTextSelection></TextSource>""" for guid, name, text in sources)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="one coder" origin="NVivo 14" creatingUserGUID="{creating_user}">
  <Users><User guid="{ANA}" name="ana"/></Users>
  <CodeBook><Codes><Code guid="{COST}" name="Cost" isCodable="true"/></Codes></CodeBook>
  <Sources>{texts}</Sources>
</Project>"""


def test_a_creating_user_who_is_no_user_makes_no_coder(tmp_path: Path):
    """NVivo names a creating user it does not list: a coder who made nothing would
    then show in agreement, so the reference is ignored, and the import says so."""
    phantom = "9F6F30DC-1111-4222-8333-444455556666"
    path = tmp_path / "nv.qde"
    path.write_text(one_coder_qde(phantom, [(FIRST, "p01", SECOND_TEXT)]), encoding="utf-8")
    exchange = read_project_file(path)
    assert [c.name for c in exchange.coders] == ["ana"]
    assert any(phantom in w and "not one of its <User>s; ignored" in w
               for w in exchange.warnings), exchange.warnings
    target = tmp_path / "study.qcode"
    result = run("import-project", str(path), project=target)
    assert result.exit_code == 0, result.output
    assert "creatingUserGUID" in result.output and "ignored" in result.output
    with Project.open(target) as project:
        assert [c.name for c in project.all_coders()] == ["ana"]


def test_a_creating_user_who_is_a_user_codes_what_names_nobody(tmp_path: Path):
    qde = one_coder_qde(ANA.lower(), [(FIRST, "p01", SECOND_TEXT)]).replace(
        f' creatingUser="{ANA}"', "")  # the codings name no one: the project's user
    path = tmp_path / "nv.qde"
    path.write_text(qde, encoding="utf-8")
    exchange = read_project_file(path)
    assert [c.name for c in exchange.coders] == ["ana"]
    assert {c.coder for c in exchange.codings} == {ANA}
    assert not any("creatingUserGUID" in w for w in exchange.warnings)


def test_two_sources_with_one_text_stay_two_transcripts(tmp_path: Path):
    """Two documents (two cases) with the same text keep their own codings: pooled,
    agreement would count them once. A warning names both."""
    path = tmp_path / "twins.qde"
    path.write_text(one_coder_qde(ANA, [(FIRST, "p01", SECOND_TEXT),
                                        (SECOND, "p02", SECOND_TEXT)]), encoding="utf-8")
    exchange = read_project_file(path)
    assert [t.name for t in exchange.transcripts] == ["p01", "p02"]
    assert {c.transcript for c in exchange.codings} == {FIRST, SECOND}
    assert "source 'p02': the same text as source 'p01'; kept as two transcripts" in \
        exchange.warnings
    target = tmp_path / "study.qcode"
    result = run("import-project", str(path), project=target)
    assert result.exit_code == 0, result.output
    assert "kept as two transcripts" in result.output
    with Project.open(target) as project:
        assert coded(project) == {("p01", "Cost", "ana"): "P02:", ("p02", "Cost", "ana"): "P02:"}
        # Imported again: the same sources (by GUID), nothing added.
        again = run("import-project", str(path), project=target)
        assert again.exit_code == 0, again.output
    with Project.open(target) as project:
        assert len(project.transcripts()) == 2 and len(project.all_codings()) == 2


def test_guids_in_braces_and_mixed_case_name_one_user(tmp_path: Path):
    """The same GUID written in braces, in lower case and in capitals is one user (and
    one creating user): qcode's own exports wrote capitals before lower case."""
    braced = tmp_path / "braced.qde"
    qde = one_coder_qde(f"{{{ANA.lower()}}}", [(FIRST, "p01", SECOND_TEXT)])
    braced.write_text(qde.replace(f'<User guid="{ANA}"', f'<User guid="{{{ANA.lower()}}}"'),
                      encoding="utf-8")
    exchange = read_project_file(braced)
    assert [c.guid for c in exchange.coders] == [ANA]
    assert {c.coder for c in exchange.codings} == {ANA}
    assert not any("creatingUserGUID" in w for w in exchange.warnings)


def counting_readings(monkeypatch) -> list[int]:
    """How many times project.qde is read, as each reading starts."""
    started: list[int] = []
    parse = qdpx_read.iterparse_xml

    def counted(stream, filename):
        started.append(1)
        return parse(stream, filename)
    monkeypatch.setattr(qdpx_read, "iterparse_xml", counted)
    return started


def cases_after_sources(qde: str) -> str:
    """The same project with its <Cases> after its <Sources>, against the standard's
    order: a source could then come before the case that links to it."""
    start, end = qde.index("  <Cases>"), qde.index("</Cases>") + len("</Cases>\n")
    cases = qde[start:end]
    qde = qde[:start] + qde[end:]
    return qde.replace("  <Notes>", cases + "  <Notes>")


def as_read(project) -> tuple:
    return (project.codings, project.memos, project.cases, project.transcripts,
            project.coders, project.warnings)


def test_qcodes_own_export_is_read_once_with_its_coding_memos(tmp_path: Path,
                                                               monkeypatch):
    # qcode's origin names its counting, so nothing waits for evidence: one reading
    # places each source as it ends, and the coding memos (their notes come after the
    # sources) are filled in at the end. Parts out of the standard's order make it read
    # twice, to the same project, within the archive's budget for one.
    text = {f"Sources/{FIRST}.txt": FIRST_TEXT.encode("utf-8")}
    started = counting_readings(monkeypatch)
    once = read_project_file(archive(tmp_path / "once.qdpx", atlas_like("qcode 0.1"), text))
    assert len(started) == 1
    memos = {c.guid: c.memo for c in once.codings}
    assert memos["C0D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F"] == "Price comes up first."
    assert {(m.name, m.text) for m in once.memos} >= {
        ("source memo", "Short interview."), ("theme memo", "Keep barriers broad."),
        ("Comment at 0-11", "Check the opening question.")}
    shuffled = archive(tmp_path / "shuffled.qdpx",
                       cases_after_sources(atlas_like("qcode 0.1")), text)
    with zipfile.ZipFile(shuffled) as opened:
        holds = sum(entry.file_size for entry in opened.infolist())
    monkeypatch.setattr(qdpx_read, "ProjectArchive",
                        lambda path: safe_xml.ProjectArchive(path, holds))
    started.clear()
    twice = read_project_file(shuffled)
    assert len(started) == 3  # begun once, then read twice from the start
    assert as_read(twice) == as_read(once)


ATLAS_TEXT = {f"Sources/{FIRST}.txt": b"\xef\xbb\xbf" + FIRST_TEXT.encode("utf-8")}


def test_another_tools_export_is_read_once_to_what_two_readings_make(
        atlas: Path, tmp_path: Path, monkeypatch):
    # Another tool's counting is chosen from all its selections: one reading weighs
    # each as it is placed, keeps the positions the file gives on a text with CR LF,
    # and moves them once the counting is chosen. Read twice (its parts out of the
    # standard's order), the same project comes out, with the same decision.
    started = counting_readings(monkeypatch)
    once = read_project_file(atlas)
    assert len(started) == 1
    shuffled = archive(tmp_path / "shuffled.qdpx", cases_after_sources(atlas_like()),
                       ATLAS_TEXT)
    started.clear()
    twice = read_project_file(shuffled)
    assert len(started) == 3  # begun once, then read twice from the start
    assert as_read(twice) == as_read(once)
    assert len(once.codings) == 5
    assert any(w.startswith("positions read as code points, each CR LF as one")
               for w in once.warnings)
    assert "Comment at 0-11" in {m.name for m in once.memos}


def test_a_selection_that_only_some_countings_place_is_read_twice(tmp_path: Path,
                                                                    monkeypatch):
    # Past the text's end if each CR LF is one position, inside it if two: what it is
    # depends on the counting, chosen only at the end, so the file is read twice and
    # refused exactly as two readings refuse it.
    flat = FIRST_TEXT.replace("\r\n", "\n")
    late = (f'<PlainTextSelection guid="BBC8D9E0-F1A2-4B3C-8D4E-5F6A7B8C9D0E" '
            f'startPosition="{len(flat) - 2}" endPosition="{len(flat) + 2}">'
            f'<Coding guid="C5D1E2F3-A4B5-4C6D-9E7F-8A9B0C1D2E3F" creatingUser="{ANA}">'
            f'<CodeRef targetGUID="{COST}"/></Coding></PlainTextSelection>\n'
            '    </TextSource>')
    qde = atlas_like().replace("    </TextSource>", late, 1)
    started = counting_readings(monkeypatch)
    with pytest.raises(ExchangeError) as once:
        read_project_file(archive(tmp_path / "late.qdpx", qde, ATLAS_TEXT))
    assert len(started) == 3
    with pytest.raises(ExchangeError) as twice:
        read_project_file(archive(tmp_path / "late-shuffled.qdpx",
                                  cases_after_sources(qde), ATLAS_TEXT))
    assert str(once.value).split(": ", 1)[1] == str(twice.value).split(": ", 1)[1]
    assert "outside its text" in str(once.value)


def test_import_project_treats_case_names_as_transcript_names(tmp_path: Path):
    """An undecided candidate in a case name used to be replaced there, and entered in
    the key, though the same candidate stayed in the transcript's name: now the case
    follows the transcript's rule, and the key holds only what was listed or decided,
    as a plain `import` does."""
    write(tmp_path / "wrenfield-qdr-notes.txt",
          "Interviewer: Who trained you?\n\nP03: Tobias Wrenfield did.\n")
    raw = tmp_path / "raw.qcode"
    run("init", project=raw)
    assert run("import", str(tmp_path / "wrenfield-qdr-notes.txt"),
               project=raw).exit_code == 0
    assert run("export", str(tmp_path / "raw.qdpx"), project=raw).exit_code == 0
    result = import_raw(tmp_path, "--store-unreviewed")
    assert result.exit_code == 0, result.output
    key = json.loads((tmp_path / "k.key").read_text())
    assert [entry["value"] for entry in key["entries"]] == []
    with Project.open(tmp_path / "project.qcode") as project:
        [stored] = project.transcripts()
        assert stored.case == stored.name == "wrenfield-qdr-notes"
