"""How another tool counted positions, decided from the evidence: NVivo counts an emoji
as two (UTF-16) and a Windows line break as two, ATLAS.ti and QualCoder count code
points. NVivo leaves selection names empty, so word and line boundaries are the
evidence; each .qdpx here is built in the test."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.exchange.qdpx_read import read_project_file
from qcode.core.exchange.safe_xml import ExchangeError

NS = "urn:QDA-XML:project:1.0"
SOURCE = "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"
CODE = "9c3e7d21-0b4f-4e8a-a1c2-6d5f8e9a0b12"
USER = "0e2c6a4e-5c1b-4f7a-9a55-3b7e3c1d2a10"
LINES = ["Interviewer: How did the move go? 😀",
         "P01: It was hard 🎉 but the neighbours helped a lot.",
         "Interviewer: And work? 🙂",
         "P01: I found a job 🚀 after three months of looking.",
         "P01: The pay is low 💷 and the hours are long.",
         "Interviewer: Anything else? 🤔",
         "P01: My family 👪 is the reason I stay here."]
WORDS = ["neighbours helped", "found a job", "three months", "pay is low", "hours are long",
         "My family", "the reason", "stay here", "Anything else", "And work"]


def text(crlf: bool) -> str:
    return ("\r\n" if crlf else "\n").join(LINES) + ("\r\n" if crlf else "\n")


def utf16(raw: str, at: int) -> int:
    return len(raw[:at].encode("utf-16-le")) // 2


def spans(raw: str, units: bool, crlf_two: bool) -> list[tuple[int, int, str]]:
    """Where each of WORDS is, counted as a tool counts."""
    counted = raw if crlf_two else raw.replace("\r\n", "\n")
    out = []
    for part in WORDS:
        start = counted.index(part)
        end = start + len(part)
        if units:
            start, end = utf16(counted, start), utf16(counted, end)
        out.append((start, end, part))
    return out


def qdpx(path: Path, raw: str, places: list[tuple[int, int, str]], origin: str,
         names: bool = False) -> Path:
    selections = "".join(
        f'<PlainTextSelection guid="00000000-0000-4000-8000-{n:012d}" '
        f'name="{part if names else ""}" startPosition="{start}" endPosition="{end}" '
        f'creatingUser="{USER}"><Coding guid="00000000-0000-4000-9000-{n:012d}" '
        f'creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>'
        "</PlainTextSelection>" for n, (start, end, part) in enumerate(places))
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="move" origin="{origin}">
  <Users><User guid="{USER}" name="ana"/></Users>
  <CodeBook><Codes><Code guid="{CODE}" name="Support" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{SOURCE}" name="p01" plainTextPath="internal://{SOURCE}.txt">
    {selections}</TextSource></Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("project.qde", qde)
        out.writestr(f"sources/{SOURCE}.txt", raw.encode("utf-8"))
    return path


def coded(path: Path) -> tuple[list[str], list[str]]:
    exchange = read_project_file(path)
    body = exchange.transcripts[0].text
    return [body[c.start:c.end] for c in exchange.codings], exchange.warnings


def test_nvivo_with_emoji_and_windows_line_breaks_and_no_names(tmp_path: Path):
    raw = text(crlf=True)
    path = qdpx(tmp_path / "nvivo.qdpx", raw, spans(raw, units=True, crlf_two=True),
                "NVivo 12.6 for Windows")
    texts, warnings = coded(path)
    assert texts == WORDS
    assert ("positions read as UTF-16 code units, each CR LF as two (the origin's "
            "counting): 10 of 10 selections start and end on word boundaries or hold "
            "their quoted text that way") in "\n".join(warnings)


def test_code_points_stay_when_another_tool_counts_them_despite_emoji(tmp_path: Path):
    # ATLAS.ti and QualCoder count code points; the emoji must not tempt the chooser.
    raw = text(crlf=False)
    for origin in ("ATLAS.ti 23.2.3", "QualCoder 3.6", ""):
        path = qdpx(tmp_path / "qc.qdpx", raw, spans(raw, units=False, crlf_two=False),
                    origin)
        texts, warnings = coded(path)
        assert texts == WORDS, origin
        assert not any("too few to be sure" in w for w in warnings)


def test_the_evidence_overrules_the_origin(tmp_path: Path):
    raw = text(crlf=False)
    # Said to be NVivo, but counted in code points: every selection shows it.
    path = qdpx(tmp_path / "a.qdpx", raw, spans(raw, units=False, crlf_two=False), "NVivo 14")
    texts, warnings = coded(path)
    assert texts == WORDS
    assert any(w.startswith("positions read as code points: 10 of 10") for w in warnings)
    # An unknown tool that counts UTF-16.
    path = qdpx(tmp_path / "b.qdpx", raw, spans(raw, units=True, crlf_two=False), "Tool 1")
    texts, warnings = coded(path)
    assert texts == WORDS
    assert any(w.startswith("positions read as UTF-16 code units: 10 of 10") for w in warnings)


def test_quoted_names_decide_with_windows_line_breaks(tmp_path: Path):
    raw = text(crlf=True)
    path = qdpx(tmp_path / "atlas.qdpx", raw, spans(raw, units=False, crlf_two=False),
                "ATLAS.ti 9", names=True)
    texts, warnings = coded(path)
    assert texts == WORDS
    assert any(w.startswith("positions read as code points, each CR LF as one: 10 of 10")
               for w in warnings)


def test_weak_evidence_keeps_the_standard_and_says_so(tmp_path: Path):
    raw = text(crlf=False)
    before = [(raw.index(part), raw.index(part) + len(part), part)
              for part in ("How did", "the move")]  # before any emoji: every reading agrees
    after = spans(raw, units=True, crlf_two=False)[:2]  # two that fit UTF-16 only
    texts, warnings = coded(qdpx(tmp_path / "w.qdpx", raw, before + after, "Tool 1"))
    assert texts[:2] == ["How did", "the move"]
    assert any("code points: 2 of 4" in w for w in warnings)
    assert any("UTF-16 code units would fit 2 more of the 2 selections" in w
               and "too few to be sure" in w for w in warnings)


def test_a_reading_that_leaves_some_off_is_warned_about(tmp_path: Path):
    raw = text(crlf=False)
    places = spans(raw, units=True, crlf_two=False)
    places[:2] = [(start + 2, end, part) for start, end, part in places[:2]]  # mid-word
    texts, warnings = coded(qdpx(tmp_path / "s.qdpx", raw, places, "NVivo 12"))
    assert texts[2:] == WORDS[2:]
    assert any("only 8 of 10 selections fit" in w for w in warnings)


def test_positions_that_fit_no_counting_are_refused(tmp_path: Path):
    raw = text(crlf=True)
    places = [(start + 2, end + 2, part) for start, end, part in
              spans(raw, units=False, crlf_two=False)]  # inside words under every reading
    path = qdpx(tmp_path / "bad.qdpx", raw, places, "NVivo 12")
    with pytest.raises(ExchangeError, match="fit no way of counting"):
        read_project_file(path)
    target = tmp_path / "study.qcode"
    result = CliRunner().invoke(cli, ["--project", str(target), "import-project", str(path)])
    assert result.exit_code != 0
    assert "fit no way of counting" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not target.exists()


def test_a_position_inside_an_emoji_is_an_error_not_rounded(tmp_path: Path):
    raw = text(crlf=False)
    places = spans(raw, units=True, crlf_two=False)
    emoji = utf16(raw, raw.index("🚀"))
    places.append((emoji + 1, emoji + 8, "half"))  # the second half of 🚀
    path = qdpx(tmp_path / "half.qdpx", raw, places, "NVivo 12")
    with pytest.raises(ExchangeError, match="between the two UTF-16 halves"):
        read_project_file(path)


def test_an_export_for_nvivo_counts_utf16_and_comes_back_the_same(tmp_path: Path):
    from qcode.core.store import Project

    raw = text(crlf=False)
    source = qdpx(tmp_path / "in.qdpx", raw, spans(raw, units=False, crlf_two=False),
                  "QualCoder 3.6")
    study, back = tmp_path / "study.qcode", tmp_path / "back.qcode"
    runner = CliRunner()
    assert runner.invoke(cli, ["--project", str(study), "import-project",
                               str(source)]).exit_code == 0
    out = tmp_path / "for-nvivo.qdpx"
    result = runner.invoke(cli, ["--project", str(study), "export", "--for", "nvivo",
                                 str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    family = spans(raw, units=True, crlf_two=False)[WORDS.index("My family")]
    assert f'startPosition="{family[0]}" endPosition="{family[1]}"' in qde
    result = runner.invoke(cli, ["--project", str(back), "import-project", str(out)])
    assert result.exit_code == 0, result.output

    def codings(path: Path) -> list[tuple[int, int, str]]:
        with Project.open(path) as project:
            transcript = project.transcripts()[0]
            body = project.transcript_text(transcript.id)
            return sorted((c.start, c.end, body[c.start:c.end])
                          for c in project.codings(transcript.id))

    assert codings(back) == codings(study)
    assert sorted(t for _, _, t in codings(back)) == sorted(WORDS)


def test_an_export_for_maxqda_writes_crlf_and_counts_each_as_one(tmp_path: Path):
    from qcode.core.store import Project

    raw = text(crlf=False)
    source = qdpx(tmp_path / "in.qdpx", raw, spans(raw, units=False, crlf_two=False),
                  "QualCoder 3.6")
    study, back = tmp_path / "study.qcode", tmp_path / "back.qcode"
    runner = CliRunner()
    assert runner.invoke(cli, ["--project", str(study), "import-project",
                               str(source)]).exit_code == 0
    written = {}
    for tool in ("standard", "maxqda"):
        out = tmp_path / f"for-{tool}.qdpx"
        result = runner.invoke(cli, ["--project", str(study), "export", "--for", tool,
                                     str(out)])
        assert result.exit_code == 0, result.output
        with zipfile.ZipFile(out) as archive:
            texts = [archive.read(n) for n in archive.namelist() if n.endswith(".txt")]
            qde = archive.read("project.qde").decode("utf-8")
        written[tool] = (texts, re.findall(r'(?:start|end)Position="\d+"', qde))
    (standard, positions), (maxqda, same) = written["standard"], written["maxqda"]
    assert positions == same  # a line break is one position either way
    assert maxqda == [t.replace(b"\n", b"\r\n") for t in standard] and b"\r\n" in maxqda[0]
    result = runner.invoke(cli, ["--project", str(back), "import-project",
                                 str(tmp_path / "for-maxqda.qdpx")])
    assert result.exit_code == 0, result.output
    assert "read as counting each Windows line break (CR LF) as one" in result.output
    with Project.open(study) as one, Project.open(back) as other:
        assert [(c.start, c.end) for c in one.codings()] == \
            [(c.start, c.end) for c in other.codings()]
