"""Every codebook is validated before the project takes any of it, and `check` finds
the damage a codebook could do when it is already there. Each crafted file is made here,
and each is refused within 5 s with one line naming the file."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from qcode.core import codebook as codebooks
from qcode.core import pipeline
from qcode.core.codebook import Code, Codebook, CodebookError
from qcode.core.exchange.codebook_formats import read_codebook
from qcode.core.exchange.project_model import ExchangeProject
from qcode.core.exchange.safe_xml import ExchangeError
from qcode.core.model import Coder, Coding, Transcript
from qcode.core.store import Project
from tests.unit.test_store import transcript

PARENT = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"


def guid() -> str:
    return str(uuid.uuid4()).upper()


def refused_quickly(call, error=CodebookError) -> str:
    """The one line `call` is refused with, checked to come within 5 s."""
    started = time.monotonic()
    with pytest.raises(error) as caught:
        call()
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "\n" not in message
    return message


def snapshot(project: Project) -> list[tuple]:
    return project.conn.execute("SELECT * FROM codes ORDER BY id").fetchall()


# -- files refused as they are read --------------------------------------------------


def test_a_child_with_its_parents_guid_is_refused_naming_the_line():
    source = (f"name: S\ncodes:\n  - name: Theme\n    guid: {PARENT}\n    codes:\n"
              f"      - name: Child\n        guid: {PARENT.lower()}\n")
    message = refused_quickly(lambda: codebooks.parse(source, "book.yaml"))
    assert message.startswith("book.yaml:7: ") and "line 4" in message


def test_a_billion_laughs_yaml_is_refused_in_bounded_time():
    lines = ["name: S", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 30):
        lines.append(f"a{level}: &a{level} [*a{level - 1}, *a{level - 1}]")
    lines.append("codes: [{name: A, definition: *a29}]")
    message = refused_quickly(lambda: codebooks.parse("\n".join(lines), "bomb.yaml"))
    assert message.startswith("bomb.yaml:") and "aliases expand" in message


def test_an_alias_to_the_node_that_holds_it_is_refused():
    source = "name: S\ncodes: &loop\n  - name: A\n    codes: *loop\n"
    assert "holds it" in refused_quickly(lambda: codebooks.parse(source, "loop.yaml"))


def test_anchors_for_shared_guidance_still_load():
    source = ("name: S\ncodes:\n  - name: A\n    definition: &d Shared words.\n"
              "  - name: B\n    definition: *d\n")
    assert [c.definition for c in codebooks.parse(source).codes] == ["Shared words."] * 2


@pytest.mark.parametrize("source", [
    "[" * 10_000 + "]" * 10_000,
    "name: S\ncodes:\n" + "".join("  " * i + "- name: c\n" + "  " * i + "  codes:\n"
                                  for i in range(2_000)),
])
def test_deep_yaml_is_refused_with_one_line(source):
    message = refused_quickly(lambda: codebooks.parse(source, "deep.yaml"))
    assert message.startswith("deep.yaml:") and "levels deep" in message


def test_codes_deeper_than_the_limit_are_refused_in_yaml():
    depth = codebooks.MAX_DEPTH + 1
    source = "name: S\ncodes:\n" + "".join(
        "    " * i + "- name: c\n" + "    " * i + "  codes:\n" for i in range(depth))
    assert "levels deep" in refused_quickly(lambda: codebooks.parse(source, "d.yaml"))


def test_a_deep_csv_codebook_is_refused_with_one_line(tmp_path: Path):
    path = tmp_path / "deep.csv"
    path.write_text("path\n" + " / ".join(["x"] * 10_000) + "\n", encoding="utf-8")
    message = refused_quickly(lambda: read_codebook(path), ExchangeError)
    assert message.startswith(f"{path}:2: ") and "deep" in message


@pytest.mark.parametrize("name, problem", [
    ("tab\there", "control character"), ("bell\x07", "control character"),
    ("esc\x1b[2J", "control character"), ("x" * 300, "longer than"),
])
def test_names_that_are_not_sane_are_refused(name, problem):
    source = f'name: S\ncodes:\n  - name: "{name.encode("unicode_escape").decode()}"\n'
    message = refused_quickly(lambda: codebooks.parse(source, "names.yaml"))
    assert problem in message and "\x1b" not in message and "\x07" not in message


# -- the one validation step every codebook passes -------------------------------------


def test_validate_refuses_a_tree_deeper_than_python_could_walk():
    root = code = Code(name="c")
    for _ in range(10_000):
        child = Code(name="c")
        code.codes.append(child)
        code = child
    book = Codebook(name="deep", codes=[root], source="deep.qdc")
    message = refused_quickly(lambda: codebooks.validate(book))
    assert message.startswith("deep.qdc: ") and "32 levels" in message


@pytest.mark.parametrize("book, problem", [
    (Codebook("b", codes=[Code("A", guid=PARENT), Code("B", guid=PARENT)]), "guid"),
    (Codebook("b", codes=[Code("A", guid=PARENT, codes=[Code("B", guid=PARENT)])]), "guid"),
    (Codebook("b", codes=[Code("A", guid="not-a-guid")]), "bad guid"),
    (Codebook("b", codes=[Code("  ")]), "is empty"),
    (Codebook("b", codes=[Code("A", definition="nul\x00")]), "control character"),
])
def test_load_codebook_refuses_whole_and_changes_nothing(project: Project, book, problem):
    project.load_codebook(codebooks.parse("name: S\ncodes:\n  - name: Kept\n"))
    before = snapshot(project)
    book.source = "crafted.yaml"
    message = refused_quickly(lambda: project.load_codebook(book))
    assert message.startswith("crafted.yaml: ") and problem in message
    assert snapshot(project) == before and project.check() == []


def test_a_code_with_a_transcripts_guid_is_refused(project: Project):
    project.add_transcript(transcript(), "t1.txt")
    taken = project.conn.execute("SELECT guid FROM transcripts").fetchone()[0]
    book = Codebook("b", codes=[Code("A", guid=taken)], source="book.yaml")
    message = refused_quickly(lambda: project.load_codebook(book))
    assert "of a transcript in the project" in message
    assert snapshot(project) == []


def test_a_child_given_its_parents_guid_in_the_project_folds_nothing(project: Project):
    """The attack of issue 17: the parent is matched by its place, the child by the
    parent's GUID, and one row became its own parent: the codes under it vanished.
    The GUID wins, as it does everywhere: the row becomes the child, under a new theme
    of the old name, and every code stays in the tree."""
    project.load_codebook(codebooks.parse(
        f"name: S\ncodes:\n  - name: Theme\n    guid: {PARENT}\n    codes:\n"
        "      - name: Kept\n"))
    book = Codebook("S", source="hostile.yaml", codes=[
        Code("Theme", codes=[Code("Child", guid=PARENT)])])
    project.load_codebook(book)
    shown = [(c.name, c.depth, c.guid == PARENT) for c in project.codes()]
    assert shown == [("Theme", 0, False), ("Child", 1, True), ("Kept", 2, False)]
    assert project.check() == []


def test_two_file_codes_on_one_project_code_are_refused(project: Project):
    project.load_codebook(codebooks.parse("name: S\ncodes:\n  - name: Theme\n"))
    before = snapshot(project)
    book = Codebook("S", source="twice.qdc", codes=[Code("Theme"), Code("Theme")])
    message = refused_quickly(lambda: project.load_codebook(book))
    assert message == ("twice.qdc: codes 'Theme' and 'Theme' both match the project's "
                       "code 'Theme' (by GUID or by place); the codebook was refused")
    assert snapshot(project) == before


def test_codes_that_trade_names_by_guid_load(project: Project):
    project.load_codebook(codebooks.parse(
        f"name: S\ncodes:\n  - name: A\n    guid: {PARENT}\n  - name: B\n    guid: {OTHER}\n"))
    counts = project.load_codebook(codebooks.parse(
        f"name: S\ncodes:\n  - name: B\n    guid: {PARENT}\n  - name: A\n    guid: {OTHER}\n"))
    assert counts["updated"] == 2
    assert {(c.guid, c.name) for c in project.codes()} == {(PARENT, "B"), (OTHER, "A")}


def test_a_rename_onto_a_kept_sibling_is_refused(project: Project):
    project.load_codebook(codebooks.parse(
        f"name: S\ncodes:\n  - name: A\n    guid: {PARENT}\n  - name: B\n"))
    before = snapshot(project)
    book = Codebook("S", source="r.qdc", codes=[Code("B", guid=PARENT)])
    assert "would share its name 'B'" in refused_quickly(lambda: project.load_codebook(book))
    assert snapshot(project) == before


# -- a REFI-QDA project's users ---------------------------------------------------------


def exchange_by(user: Coder, project: Project) -> ExchangeProject:
    code = project.codes()[0].guid
    text = transcript(name="other", body="P02: Something else entirely.")
    text.guid = guid()
    return ExchangeProject(
        name="x", codebook=Codebook("x", codes=[Code("Kept", guid=code)]),
        coders=[user], transcripts=[text],
        codings=[Coding(guid(), text.guid, code, user.guid, 0, 3)])


def test_a_user_with_another_coders_guid_is_not_credited_to_them(project: Project):
    project.load_codebook(codebooks.parse("name: S\ncodes:\n  - name: Kept\n"))
    project.coder_id("alice")
    alice = project.conn.execute("SELECT guid FROM coders").fetchone()[0]
    exchange = exchange_by(Coder(alice, "mallory"), project)
    pipeline.import_project(project, exchange, "x.qdpx")
    assert any("user 'mallory' has the GUID" in w and "'alice'" in w
               for w in exchange.warnings)
    credited = project.conn.execute(
        "SELECT k.name FROM codings c JOIN coders k ON k.id = c.coder_id").fetchall()
    assert credited == [("mallory",)]
    assert project.check() == []


def test_a_user_with_a_transcripts_guid_gets_its_own(project: Project):
    project.load_codebook(codebooks.parse("name: S\ncodes:\n  - name: Kept\n"))
    project.add_transcript(transcript(), "t1.txt")
    taken = project.conn.execute("SELECT guid FROM transcripts").fetchone()[0]
    exchange = exchange_by(Coder(taken, "bob"), project)
    pipeline.import_project(project, exchange, "x.qdpx")
    assert any("of a transcript in the project" in w for w in exchange.warnings)
    assert project.check() == []


def test_an_imported_projects_code_with_a_transcripts_guid_is_refused(project: Project):
    project.load_codebook(codebooks.parse("name: S\ncodes:\n  - name: Kept\n"))
    project.add_transcript(transcript(), "t1.txt")
    taken = project.conn.execute("SELECT guid FROM transcripts").fetchone()[0]
    before = snapshot(project)
    exchange = ExchangeProject(name="x", codebook=Codebook("x", codes=[
        Code("New", guid=taken)], source="x.qdpx!project.qde"))
    message = refused_quickly(lambda: pipeline.import_project(project, exchange, "x.qdpx"))
    assert message.startswith("x.qdpx!project.qde: ")
    assert snapshot(project) == before


# -- check finds the damage already in a project -----------------------------------------


def damaged(project: Project, *statements: str) -> list[str]:
    project.load_codebook(codebooks.parse(
        "name: S\ncodes:\n  - name: A\n    codes:\n      - name: B\n  - name: C\n"))
    project.conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        project.conn.execute(statement)
    project.conn.commit()
    return project.check()


def test_check_finds_a_loop_of_parent_links(project: Project):
    problems = damaged(project, "UPDATE codes SET parent_id = (SELECT id FROM codes"
                                " WHERE name = 'B') WHERE name = 'A'")
    assert [p for p in problems if "loop" in p] == [
        "codebook: the parent links of codes 'A' (id 1), 'B' (id 2) go round in a loop"]


def test_check_finds_a_code_whose_parent_is_missing(project: Project):
    problems = damaged(project, "UPDATE codes SET parent_id = 99 WHERE name = 'C'")
    assert "codebook: code 'C' (id 3) has a parent (id 99) that is missing" in problems


def test_check_finds_one_guid_on_two_kinds_of_thing(project: Project):
    project.add_transcript(transcript(), "t1.txt")
    problems = damaged(project, "UPDATE codes SET guid = (SELECT guid FROM transcripts)"
                                " WHERE name = 'C'")
    assert any("is used by more than one thing: " in p and "code" in p and "transcript" in p
               for p in problems)
