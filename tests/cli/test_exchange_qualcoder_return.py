"""A project back from QualCoder: the names qcode wrote for it given back, and case
links recovered, only on evidence, each said. The files are written here in the shape
QualCoder's export gives them (new GUIDs everywhere, texts with a BOM, journals as Notes
with a plainTextPath, a case's SourceRef naming QualCoder's copy of the file)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.exchange.qdpx_read import read_project_file
from qcode.core.exchange.qualcoder_names import NOTE_INTRO, NOTE_NAME, walk
from qcode.core.store import Project
from tests.cli.test_exchange_qualcoder_forms import alike_names

TEXT = "Interviewer: Why?\nP01: We had no budget."
OTHER = "Interviewer: And then?\nP02: Training, mostly."
USER = "11111111-2222-4333-8444-555555555555"


def qualcoder_export(path: Path, codes: str = "", cases: str = "", journal: str | None = None,
                     texts: tuple[str, ...] = (TEXT,), copies: dict[str, str] | None = None
                     ) -> Path:
    """A .qdpx as QualCoder's export writes one: each text as `sources/<GUID>.txt` with
    a BOM, named by its TextSource's plainTextPath; `copies` adds QualCoder's own copies
    of source files (GUID -> text), which its case SourceRefs name; `journal` a journal
    entry named NOTE_NAME."""
    sources = "".join(
        f'<TextSource plainTextPath="internal://f{n:07d}-0000-4000-8000-000000000000.txt" '
        f'creatingUser="{USER}" guid="b{n:07d}-0000-4000-8000-000000000000" name="p{n}">'
        '</TextSource>' for n in range(len(texts)))
    notes = "" if journal is None else (
        f'<Notes><Note guid="eeeeeeee-0000-4000-8000-000000000001" creatingUser="{USER}" '
        f'creationDateTime="2026-01-02T03:04:05Z" name="{NOTE_NAME}" '
        'plainTextPath="internal://eeeeeeee-0000-4000-8000-000000000001.txt">'
        '<Description /></Note></Notes>')
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="back" origin="QualCoder 3.8"
    creatingUserGUID="99999999-0000-4000-8000-000000000000">
  <Users><User guid="{USER}" name="ana"/></Users>
  {f"<CodeBook><Codes>{codes}</Codes></CodeBook>" if codes else ""}
  {cases}
  <Sources>{sources}</Sources>
  {notes}
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        for n, text in enumerate(texts):
            archive.writestr(f"sources/f{n:07d}-0000-4000-8000-000000000000.txt",
                             "\ufeff" + text)
        for guid, text in (copies or {}).items():
            archive.writestr(f"sources/{guid}.txt", "\ufeff" + text)
        if journal is not None:
            archive.writestr("sources/eeeeeeee-0000-4000-8000-000000000001.txt",
                             "\ufeff" + journal)
    return path


def code(name: str, codable: bool = True, inside: str = "") -> str:
    kind = "true" if codable else "false"
    guid = f"{abs(hash((name, inside))) % 10**8:08d}-0000-4000-8000-000000000000"
    return f'<Code guid="{guid}" name="{name}" isCodable="{kind}">{inside}</Code>'


def journal(*lines: list) -> str:
    return NOTE_INTRO + "\n\n" + "\n".join(json.dumps(line) for line in lines) + "\n"


def tree(project) -> list[tuple[tuple[str, ...], bool]]:
    return sorted(((*parents, c.name), c.codable)
                  for c, parents in walk(project.codebook.codes, ()))


# A codebook as QualCoder gives back what qcode wrote for it: two codes and a category
# renamed, a code the researcher named "Training (Support)" at the top, on purpose.
CODES = (code("Barriers", False, code("Training (Barriers)") + code("Other (Barriers)", False))
         + code("Support", False, code("Training (Support) (2)"))
         + code("Training") + code("Training (Support)"))
RENAMED = (["code", ["Barriers"], "Training (Barriers)", "Training"],
           ["category", ["Barriers"], "Other (Barriers)", "Other"],
           ["code", ["Support"], "Training (Support) (2)", "Training"])


def test_names_written_for_qualcoder_come_back_where_the_journal_entry_says(tmp_path):
    project = read_project_file(qualcoder_export(tmp_path / "back.qdpx", CODES,
                                                 journal=journal(*RENAMED)))
    assert tree(project) == [
        (("Barriers",), False), (("Barriers", "Other"), False),
        (("Barriers", "Training"), True), (("Support",), False),
        (("Support", "Training"), True), (("Training",), True),
        (("Training (Support)",), True)]
    said = "\n".join(project.warnings)
    assert ("code 'Training (Support) (2)' under 'Support' is 'Training' again: qcode "
            f"wrote it so for QualCoder, as its journal entry '{NOTE_NAME}' records") in said
    assert "category 'Other (Barriers)' under 'Barriers' is 'Other' again" in said
    assert said.count(" again: ") == 3
    # qcode's record is not the researcher's journal.
    assert project.memos == []
    assert f"the journal entry '{NOTE_NAME}' is qcode's record of those names" in said


def test_without_qcode_s_journal_entry_names_stay_as_written(tmp_path):
    """A code named "Training (Barriers)" under Barriers may be the researcher's name."""
    project = read_project_file(qualcoder_export(tmp_path / "back.qdpx", CODES))
    assert ("Barriers", "Training (Barriers)") in {p for p, _ in tree(project)}
    assert not any("again" in w for w in project.warnings)


def test_a_memo_named_as_qcode_s_entry_but_not_written_by_it_stays_a_memo(tmp_path):
    text = "My own notes on names.\n" + json.dumps(RENAMED[0])
    project = read_project_file(qualcoder_export(tmp_path / "back.qdpx", CODES,
                                                 journal=text))
    assert [m.text for m in project.memos] == [text]
    assert ("Barriers", "Training (Barriers)") in {p for p, _ in tree(project)}


def test_a_name_is_given_back_only_where_it_was_written(tmp_path):
    """Moved, renamed or made another kind in QualCoder, or its name taken there by a
    sibling: kept as the file has it, and said."""
    codes = (code("Barriers", False, code("Training (Barriers)") + code("Training"))
             + code("Support", False, code("Other (Barriers)", False)))
    project = read_project_file(qualcoder_export(
        tmp_path / "back.qdpx", codes, journal=journal(*RENAMED, ["code", ["Nowhere"]])))
    assert {p for p, _ in tree(project)} == {
        ("Barriers",), ("Barriers", "Training (Barriers)"), ("Barriers", "Training"),
        ("Support",), ("Support", "Other (Barriers)")}
    said = "\n".join(project.warnings)
    assert ("code 'Training (Barriers)' under 'Barriers' keeps that name: qcode wrote it "
            "for QualCoder as 'Training', but another code there is named so now") in said
    assert ("category 'Other (Barriers)' under 'Barriers' (named 'Other' in qcode before "
            "QualCoder) is no longer there under that name; kept as the file has it") in said
    assert "code 'Training (Support) (2)' under 'Support'" in said
    assert f"a line of the journal entry '{NOTE_NAME}' is not in the form qcode writes" in said


def test_a_case_link_is_found_by_the_text_of_qualcoder_s_copy_of_the_file(tmp_path):
    """QualCoder's SourceRef names its copy of the file, not the TextSource; the copy's
    text is one source's: linked, and said. A copy whose text two sources have links
    none; a case with no SourceRef (a link QualCoder stored over the text) is counted."""
    cases = ('<Cases>'
             '<Case guid="c0000001-0000-4000-8000-000000000000" name="P01">'
             '<SourceRef targetGUID="a0000001-0000-4000-8000-000000000000"/></Case>'
             '<Case guid="c0000002-0000-4000-8000-000000000000" name="P02">'
             '<SourceRef targetGUID="a0000002-0000-4000-8000-000000000000"/></Case>'
             '<Case guid="c0000003-0000-4000-8000-000000000000" name="P03"/>'
             '</Cases>')
    project = read_project_file(qualcoder_export(
        tmp_path / "back.qdpx", cases=cases, texts=(TEXT, OTHER, OTHER),
        copies={"a0000001-0000-4000-8000-000000000000": TEXT,
                "a0000002-0000-4000-8000-000000000000": OTHER}))
    names = {t.guid: t.name for t in project.transcripts}
    assert {c.name: [names[g] for g in c.transcripts] for c in project.cases} == {
        "P01": ["p0"], "P02": [], "P03": []}
    said = "\n".join(project.warnings)
    assert ("1 case link(s) found by the text of the file they name: QualCoder's export "
            "names a case's source by the GUID of its copy of the file") in said
    assert ("1 case link(s) not made: the file each names holds a text that several "
            "sources share, so which one is meant cannot be told (p1, p2)") in said
    assert ("2 case(s) came without transcripts (P02, P03): QualCoder's export writes a "
            "case's link to a text only when it is stored from position 0 to 0 "
            "(RefiExport.case_source_ref_xml in its refi.py)") in said


def test_qcode_s_export_for_qualcoder_reads_back_whole(tmp_path: Path):
    """Read back by qcode itself: names given back, each case linked once, and the links
    written from 0 to 0 for QualCoder are links, not empty selections."""
    runner = CliRunner()
    study, out = tmp_path / "study.qcode", tmp_path / "qc.qdpx"
    result = runner.invoke(cli, ["--project", str(study), "import-project",
                                 str(alike_names(tmp_path / "in.qdpx"))])
    assert result.exit_code == 0, result.output
    with Project.open(study) as project:
        project.set_transcript_case(project.transcripts()[0].name, "P01")
    result = runner.invoke(cli, ["--project", str(study), "export", "--for", "qualcoder",
                                 str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    assert 'startPosition="0" endPosition="0"' in qde
    back = read_project_file(out)
    original = read_project_file(tmp_path / "in.qdpx")
    assert tree(back) == tree(original)
    (case,) = back.cases
    assert case.transcripts == [back.transcripts[0].guid]
    assert not any("empty selection" in w for w in back.warnings)
    assert sum(" again: " in w for w in back.warnings) == 4


def test_a_case_link_from_0_to_0_is_a_link_in_another_tool_s_file_too(tmp_path: Path):
    """Read in one pass (another tool's file, whose counting of positions is weighed),
    an empty selection coded with a case is that case's link, as in qcode's own files,
    also in a text where the countings differ (a character beyond U+FFFF)."""
    text = "Interviewer: Why? \U0001F600\nP01: We had no budget."
    case = "cccccccc-0000-4000-8000-000000000001"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="back" origin="QualCoder 3.8">
  <Users><User guid="{USER}" name="ana"/></Users>
  <Cases><Case guid="{case}" name="P01"/></Cases>
  <Sources><TextSource plainTextPath="internal://t.txt" guid="b0000000-0000-4000-8000-000000000000"
      name="p0"><PlainTextSelection guid="d0000000-0000-4000-8000-000000000000"
      startPosition="0" endPosition="0" creatingUser="{USER}"><Coding
      guid="d0000000-0000-4000-8000-000000000001" creatingUser="{USER}"><CodeRef
      targetGUID="{case}"/></Coding></PlainTextSelection></TextSource></Sources>
</Project>"""
    with zipfile.ZipFile(tmp_path / "back.qdpx", "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/t.txt", text)
    back = read_project_file(tmp_path / "back.qdpx")
    (linked,) = back.cases
    assert linked.transcripts == [back.transcripts[0].guid]
    assert not any("empty selection" in w for w in back.warnings), back.warnings
