"""What QualCoder writes and reads, read back by qcode: categories (isCodable="false"),
memos only in Description, cases linked by a code with the case's GUID."""

from __future__ import annotations

import zipfile
from pathlib import Path

from qcode.core.exchange.qdpx_read import read_project_file

CASE = "6B1E2D3C-4F5A-4B6C-8D7E-9F0A1B2C3D4E"
TEXT = "Interviewer: Why?\nP01: We had no budget."


def qualcoder_like(path: Path) -> Path:
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="qc" origin="QualCoder">
  <Users><User guid="11111111-2222-4333-8444-555555555555" name="ana"/></Users>
  <CodeBook><Codes>
    <Code guid="aaaaaaaa-0000-4000-8000-000000000001" name="Barriers" isCodable="false">
      <Description>A category's memo</Description>
      <Code guid="aaaaaaaa-0000-4000-8000-000000000002" name="Barriers" isCodable="true">
        <Description>A code's memo</Description>
      </Code>
    </Code>
    <Code guid="aaaaaaaa-0000-4000-8000-000000000003" name="Folder" isCodable="false"/>
    <Code guid="{CASE.lower()}" name="Case: P01" isCodable="true"/>
  </Codes></CodeBook>
  <Cases><Case guid="{CASE.lower()}" name="P01"/></Cases>
  <Sources>
    <TextSource guid="bbbbbbbb-0000-4000-8000-000000000001" name="p01"
        plainTextPath="internal://bbbbbbbb-0000-4000-8000-000000000001.txt">
      <Description>A source memo</Description>
      <PlainTextSelection guid="cccccccc-0000-4000-8000-000000000001" startPosition="23"
          endPosition="40" creatingUser="11111111-2222-4333-8444-555555555555">
        <Description>A coding memo</Description>
        <Coding guid="dddddddd-0000-4000-8000-000000000001">
          <CodeRef targetGUID="aaaaaaaa-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="cccccccc-0000-4000-8000-000000000002" startPosition="0"
          endPosition="{len(TEXT)}">
        <Coding guid="dddddddd-0000-4000-8000-000000000002">
          <CodeRef targetGUID="{CASE.lower()}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="cccccccc-0000-4000-8000-000000000003" startPosition="0"
          endPosition="11" creatingUser="11111111-2222-4333-8444-555555555555">
        <Coding guid="dddddddd-0000-4000-8000-000000000003">
          <CodeRef targetGUID="aaaaaaaa-0000-4000-8000-000000000003"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/bbbbbbbb-0000-4000-8000-000000000001.txt", TEXT)
    return path


def test_categories_memos_and_case_links_as_qualcoder_writes_them(tmp_path: Path):
    project = read_project_file(qualcoder_like(tmp_path / "qc.qdpx"))
    (barriers, folder) = project.codebook.codes
    assert (barriers.name, barriers.codable) == ("Barriers", False)
    assert (barriers.codes[0].name, barriers.codes[0].codable) == ("Barriers", True)
    # A category that codings apply comes in as a code, and says so.
    assert folder.codable is True
    assert any("categories (isCodable=\"false\") that codings apply, imported as codes: "
               "Folder" in w for w in project.warnings)
    # Another tool's plain description of a code is its definition; a source's is a memo.
    assert (barriers.definition, barriers.codes[0].definition) == (
        "A category's memo", "A code's memo")
    assert [(m.target_type, m.text) for m in project.memos] == [
        ("transcript", "A source memo")]
    coding = next(c for c in project.codings if c.start == 23)
    assert (TEXT[coding.start:coding.end], coding.memo) == ("We had no budget.",
                                                            "A coding memo")
    # The code with the case's GUID is the case's link to its text, not a code.
    (case,) = project.cases
    assert case.transcripts == [project.transcripts[0].guid]
    assert len(project.codings) == 2
    assert not any(c.name.startswith("Case:") for c, _ in project.codebook.walk())
