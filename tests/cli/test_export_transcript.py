"""`qcode export-transcript NAME --format html|docx` end to end, read back as a reader
would get it: every coded passage's code beside the right text, memos beside their
codings, hostile names shown as text, the file guard, and no original identifier."""

from __future__ import annotations

import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from qcode.core.anonymise import lexicon
from qcode.core.store import Project
from tests.cli.test_anonymise_leaks import whole_word
from tests.cli.test_terminal_safety import HOSTILE as TERMINAL_HOSTILE
from tests.cli.test_terminal_safety import assert_safe, hostile  # noqa: F401 (a fixture)
from tests.conftest import cli_result
from tests.report_helpers import hand_built, text_of

# Ana's codings of a1 (tests/report_helpers.py): code path, start, end, turn.
ANA_A1 = [("Harm / Control / Threats", 0, 50, 0), ("Harm / Control / Debt", 20, 70, 0),
          ("Policing / Evidence", 110, 150, 1), ("Harm / Money", 210, 260, 2)]
HOSTILE = '<script>alert("x")</script>&amp;'
MEMO = "<img src=x onerror=alert(1)> why\nthis matters"


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.delenv("QCODE_CODER", raising=False)
    hand_built(tmp_path / "hand.qcode").close()
    return lambda *args, ok=True, **kw: cli_result(["-p", "hand.qcode", *args], ok, **kw)


class Turns(HTMLParser):
    """Per div.turn: its text, its margin, and the text marked for each passage
    number; and every tag seen."""

    def __init__(self):
        super().__init__()
        self.turns: list[dict] = []
        self.tags: set[str] = set()
        self.where: str | None = None
        self.marks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "turn":
            self.turns.append({"text": "", "margin": "", "marked": {}})
        elif tag == "div" and attrs.get("class") == "text" and self.turns:
            self.where = "text"
        elif tag == "aside" and self.turns:
            self.where = "margin"
        elif tag == "mark":
            self.marks = attrs["data-passages"].split()

    def handle_endtag(self, tag):
        if tag == "mark":
            self.marks = []
        elif tag in ("aside",) or (tag == "div" and self.where == "text"):
            self.where = None

    def handle_data(self, data):
        if self.where and self.turns:
            turn = self.turns[-1]
            turn[self.where] += data
            for n in self.marks:
                self.turns[-1]["marked"][n] = turn["marked"].get(n, "") + data


def turns_of(path: Path) -> Turns:
    parser = Turns()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_html_puts_each_code_beside_its_passage(run, tmp_path: Path):
    assert "wrote 'a1' with 4 coded passages to a1.html" in run(
        "export-transcript", "a1", "--coder", "ana", "--out", "a1.html").output
    page = turns_of(tmp_path / "a1.html")
    assert len(page.turns) == 3
    text = text_of("a1")
    marked = {}
    for turn in page.turns:
        marked.update(turn["marked"])
    for number, (code, start, end, turn) in enumerate(ANA_A1, 1):
        assert code in page.turns[turn]["margin"]
        assert all(code not in t["margin"] for i, t in enumerate(page.turns)
                   if i != turn and code != "Harm / Control / Threats")
        assert marked[str(number)] == text[start:end]
    assert "(ana)" in page.turns[0]["margin"]
    html = (tmp_path / "a1.html").read_text(encoding="utf-8")
    assert "export-transcript a1 --coder ana --format html --out a1.html" in html
    assert "Content-Security-Policy" in html


def comments_and_anchors(path: Path) -> list[tuple[str, str, str]]:
    """(comment text, author, the text it is anchored to) of each Word comment."""
    document = docx.Document(str(path))
    open_ranges: dict[str, str] = {}
    anchored: dict[str, str] = {}
    for element in document.element.body.iter():
        if element.tag == qn("w:commentRangeStart"):
            open_ranges[element.get(qn("w:id"))] = ""
        elif element.tag == qn("w:commentRangeEnd"):
            key = element.get(qn("w:id"))
            anchored[key] = open_ranges.pop(key)
        elif element.tag == qn("w:t"):
            for key in open_ranges:
                open_ranges[key] += element.text or ""
    return [(c.text, c.author, anchored[str(c.comment_id)]) for c in document.comments]


def test_word_puts_each_code_in_a_comment_on_its_passage(run, tmp_path: Path):
    run("export-transcript", "a1", "--coder", "ana", "--format", "docx", "--out", "a1.docx")
    text = text_of("a1")
    found = comments_and_anchors(tmp_path / "a1.docx")
    assert sorted(found) == sorted((code, "ana", text[start:end])
                                   for code, start, end, _ in ANA_A1)
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "a1.docx")).paragraphs]
    assert f"Interviewer: {text[:100]}" in paragraphs
    assert "Made from" in paragraphs


def test_pooled_coders_are_named_and_a_passage_may_run_across_turns(run, tmp_path: Path):
    project = Project.open(tmp_path / "hand.qcode")
    ids = {t.name: t.id for t in project.transcripts()}
    silence = next(c.id for c in project.codes() if c.name == "Silence")
    project.add_coding(ids["b1"], silence, "ben", 90, 210)
    project.close()
    run("export-transcript", "b1", "--coder", "all", "--out", "b1.docx")
    text = text_of("b1")
    found = comments_and_anchors(tmp_path / "b1.docx")
    assert ("Policing / Silence", "ben", text[90:100] + "P: " + text[100:200] + "P: "
            + text[200:210]) in found
    run("export-transcript", "b1", "--coder", "all", "--out", "b1.html")
    page = turns_of(tmp_path / "b1.html")
    assert "Policing / Silence" in page.turns[0]["margin"]
    assert "Policing / Silence" not in page.turns[1]["margin"]


def test_memos_and_hostile_names_are_text(run, tmp_path: Path):
    project = Project.open(tmp_path / "hand.qcode")
    money = next(c.id for c in project.codes() if c.name == "Money")
    project.edit_code(money, name=HOSTILE)
    coding = project.codings(1, code_ids=[money])[0]
    project.set_coding_memo(coding.id, MEMO)
    project.close()
    run("export-transcript", "a1", "--coder", "ana", "--out", "a1.html")
    page = turns_of(tmp_path / "a1.html")
    assert not page.tags & {"script", "img"}
    assert f"Harm / {HOSTILE}" in page.turns[2]["margin"]
    assert "onerror=alert(1)> why" in page.turns[2]["margin"]
    assert "why" not in page.turns[0]["margin"]
    run("export-transcript", "a1", "--coder", "ana", "--out", "a1.docx")
    found = comments_and_anchors(tmp_path / "a1.docx")
    assert (f"Harm / {HOSTILE}", "ana", text_of("a1")[210:260]) in found
    memo = [f for f in found if f[1] == "memo"]
    assert len(memo) == 1 and MEMO.replace("\n", "") in memo[0][0].replace("\n", "")


def test_the_file_guard_and_mistakes(run, tmp_path: Path):
    assert "give --out" in run("export-transcript", "a1", ok=False, one_line=True).output
    (tmp_path / "a1.html").write_text("mine")
    out = run("export-transcript", "a1", "--out", "a1.html", ok=False, one_line=True).output
    assert "already exists" in out and (tmp_path / "a1.html").read_text() == "mine"
    run("export-transcript", "a1", "--out", "a1.html", "--force")
    assert "<mark" in (tmp_path / "a1.html").read_text(encoding="utf-8")
    run("export-transcript", "zz", "--out", "z.html", ok=False, one_line=True)
    run("export-transcript", "a1", "--out", "a1.txt", ok=False, one_line=True)
    run("export-transcript", "a1", "--format", "docx", "--out", "x.html", ok=False,
        one_line=True)
    run("export-transcript", "a1", "--coder", "nobody", "--out", "n.html", ok=False,
        one_line=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a1.html", "hand.qcode"]


def test_an_exported_transcript_holds_no_original_identifier(tmp_path: Path, monkeypatch,
                                                           demo_copy: Path):
    from qcode.core.demo import demo_identifiers

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_CODER", raising=False)
    names = [t["name"] for t in json.loads(cli_result(
        ["-p", "demo.qcode", "transcripts", "--json"]).output)]
    parts: set[bytes] = set()   # each distinct part once: Word's own repeat in every file
    for i, name in enumerate(names):
        for ending in ("html", "docx"):
            out = tmp_path / f"t{i}.{ending}"
            cli_result(["-p", "demo.qcode", "export-transcript", name, "--out", out.name])
            if ending == "docx":  # its parts unzipped: compressed bytes mean nothing
                with zipfile.ZipFile(out) as archive:
                    parts |= {archive.read(n) for n in archive.namelist()}
            else:
                parts.add(out.read_bytes())
    data = b"\n".join(sorted(parts))
    assert data.count(b"<mark") > 10
    left = {}
    for identifier in demo_identifiers():
        common = " " not in identifier.value and lexicon.is_ordinary(identifier.value)
        hits = whole_word(identifier.value, data, case_sensitive=common)
        if hits:
            left[identifier.value] = hits[:2]
    assert left == {}


def test_what_it_says_is_terminal_safe(hostile, tmp_path: Path):
    """A transcript named with escape sequences is named safely in the line it prints."""
    name = f"p{TERMINAL_HOSTILE}"
    for ending in ("html", "docx"):
        output = cli_result(["export-transcript", name, "--coder", "all", "--out",
                             f"t.{ending}"]).output
        assert_safe(output)
        assert (tmp_path / f"t.{ending}").exists()


def test_the_transcripts_own_memos_come_first(tmp_path: Path, monkeypatch):
    """A transcript's free-standing memos open the page and the document; a coding's
    memo sits beside its turn (the project of the .qdpx export's tests)."""
    from tests.cli.test_exchange_project_export import build

    build(tmp_path / "study.qcode").close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_CODER", raising=False)
    for ending in ("html", "docx"):
        cli_result(["-p", "study.qcode", "export-transcript", "p01 & friends", "--coder",
                    "all", "--out", f"p01.{ending}"])
    html = (tmp_path / "p01.html").read_text(encoding="utf-8")
    memos = html.split("<h2>Transcript</h2>")[0]
    assert "<b>On the transcript:</b> On p01: Talkative." in memos
    page = turns_of(tmp_path / "p01.html")
    beside = [t["margin"] for t in page.turns if "Why ]]> & <this>?" in t["margin"]]
    assert len(beside) == 1 and "We had" not in beside[0]
    turn = next(t for t in page.turns if "Why ]]>" in t["margin"])
    assert "We had no budget" in turn["text"]
    document = docx.Document(str(tmp_path / "p01.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    assert "On the transcript: On p01: Talkative." in paragraphs
    assert paragraphs.index("On the transcript: On p01: Talkative.") < paragraphs.index(
        "Transcript")
    notes = [c.text for c in document.comments if c.author == "memo"]
    assert len(notes) == 1 and "Why ]]> & <this>?" in notes[0]  # a blank memo is none
