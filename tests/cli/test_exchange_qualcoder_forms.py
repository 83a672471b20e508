"""What QualCoder writes and reads, read back by qcode: categories (isCodable="false"),
memos only in Description, cases linked by a code with the case's GUID."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from tests.cli_runner import CliRunner

from qcode.cli import cli
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


def alike_names(path: Path) -> Path:
    """Codes and categories named alike under different parents, as qcode allows."""
    codes = [("Training", "1"), ("Training", "2"), ("Training", "3"),
             ("Training (Support)", "4")]
    selections = "".join(
        f'<PlainTextSelection guid="cccccccc-0000-4000-8000-00000000000{n}" '
        f'startPosition="23" endPosition="40"><Coding '
        f'guid="dddddddd-0000-4000-8000-00000000000{n}"><CodeRef '
        f'targetGUID="aaaaaaaa-0000-4000-8000-00000000000{n}"/></Coding>'
        f'</PlainTextSelection>' for _, n in codes)
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="alike" origin="qcode">
  <CodeBook><Codes>
    <Code guid="aaaaaaaa-0000-4000-8000-000000000011" name="Barriers" isCodable="false">
      <Code guid="aaaaaaaa-0000-4000-8000-000000000001" name="Training" isCodable="true"/>
      <Code guid="aaaaaaaa-0000-4000-8000-000000000012" name="Other" isCodable="false"/>
    </Code>
    <Code guid="aaaaaaaa-0000-4000-8000-000000000013" name="Support" isCodable="false">
      <Code guid="aaaaaaaa-0000-4000-8000-000000000002" name="Training" isCodable="true"/>
      <Code guid="aaaaaaaa-0000-4000-8000-000000000014" name="Other" isCodable="false"/>
    </Code>
    <Code guid="aaaaaaaa-0000-4000-8000-000000000003" name="Training" isCodable="true"/>
    <Code guid="aaaaaaaa-0000-4000-8000-000000000004" name="Training (Support)" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="bbbbbbbb-0000-4000-8000-000000000001" name="p01"
        plainTextPath="internal://bbbbbbbb-0000-4000-8000-000000000001.txt">
      {selections}
    </TextSource>
  </Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/bbbbbbbb-0000-4000-8000-000000000001.txt", TEXT)
    return path


def written_names(path: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    return re.findall(r'<Code guid="aaaaaaaa-0000-4000-8000-0000000000(\d\d)" '
                      r'name="([^"]*)"', qde)


def test_names_alike_across_the_tree_are_made_unique_for_qualcoder(tmp_path: Path):
    study = tmp_path / "study.qcode"
    runner = CliRunner()
    result = runner.invoke(cli, ["--project", str(study), "import-project",
                                 str(alike_names(tmp_path / "in.qdpx"))])
    assert result.exit_code == 0, result.output
    out, output = {}, {}
    for tool in ("standard", "qualcoder"):
        out[tool] = tmp_path / f"for-{tool}.qdpx"
        result = runner.invoke(cli, ["--project", str(study), "export", "--for", tool,
                                     str(out[tool])])
        assert result.exit_code == 0, result.output
        output[tool] = result.output
    said = output["qualcoder"]
    assert "for QualCoder" not in output["standard"]
    assert dict(written_names(out["standard"])) == {
        "11": "Barriers", "01": "Training", "12": "Other", "13": "Support",
        "02": "Training", "14": "Other", "03": "Training", "04": "Training (Support)"}
    # A top-level code keeps its name; a name already taken gets a number; a category
    # and a code may share a name (QualCoder keeps them apart).
    assert dict(written_names(out["qualcoder"])) == {
        "11": "Barriers", "01": "Training (Barriers)", "12": "Other (Barriers)",
        "13": "Support", "02": "Training (Support) (2)", "14": "Other (Support)",
        "03": "Training", "04": "Training (Support)"}
    for line in ("code 'Training' under 'Barriers' is written as 'Training (Barriers)' "
                 "for QualCoder, which needs names unique across the codebook",
                 "code 'Training' under 'Support' is written as 'Training (Support) (2)'",
                 "category 'Other' under 'Support' is written as 'Other (Support)'"):
        assert line in said
    assert said.count("for QualCoder") == 4
    # The codings stay on their codes, by GUID, whatever the name.
    with zipfile.ZipFile(out["qualcoder"]) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    for n in "1234":
        assert f'targetGUID="aaaaaaaa-0000-4000-8000-00000000000{n}"' in qde
