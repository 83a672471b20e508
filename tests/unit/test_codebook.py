from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core import codebook
from qcode.core.codebook import CodebookError

SHIPPED = Path(__file__).resolve().parents[2] / "codebooks"

GOOD = """\
name: Study
description: A test codebook.
codes:
  - name: Barriers
    definition: Things in the way.
    when_to_use: Obstacles named by the participant.
    when_not_to_use: Wishes for the future; use Legislation.
    example: "We had no budget: none at all."
    colour: "#1f77b4"
    key: b
    codes:
      - name: Training
        key: t
      - name: Resources
  - name: Legislation
"""


def test_parse_builds_the_tree_with_every_field():
    book = codebook.parse(GOOD)
    assert book.name == "Study" and len(book) == 4
    barriers = book.codes[0]
    assert barriers.example == "We had no budget: none at all."
    assert barriers.colour == "#1F77B4" and barriers.key == "b"
    assert [(c.name, d) for c, d in book.walk()] == [
        ("Barriers", 0), ("Training", 1), ("Resources", 1), ("Legislation", 0)]


def test_yaml_round_trip_is_exact():
    book = codebook.parse(GOOD)
    again = codebook.parse(codebook.to_yaml(book))
    assert again == book
    assert codebook.to_yaml(again) == codebook.to_yaml(book)


@pytest.mark.parametrize("source, line, problem", [
    ("name: S\ncodes:\n  - name: A\n  - name: B\n  - name: a\n", 5,
     "duplicate code name 'a' under the codebook"),
    ("name: S\ncodes:\n  - name: A\n    codes:\n      - name: X\n      - name: X\n", 6,
     "duplicate code name 'X' under code 'A'"),
    ("name: S\ncodes:\n  - definition: no name\n", 3, "has no 'name'"),
    ("name: S\ncodes:\n  - name: A\n    colour: red\n", 4, "bad colour 'red'"),
    ("name: S\ncodes:\n  - name: A\n    colour: '#FF0000FF'\n", 4, "bad colour"),
    ("name: S\ncodes:\n  - name: A\n    defintion: typo\n", 4, "unknown field 'defintion'"),
    ("name: S\ncodes:\n  - name: A\n    key: ab\n", 4, "single character"),
    ("name: S\ncodes:\n  - name: A\n    key: a\n  - name: B\n    key: a\n", 6,
     "already used by the code at line 4"),
    ("name: S\ncodes:\n  - name: [A\n", 4, "invalid YAML"),
    ("name: S\ncodes: {a: 1}\n", 2, "must be a list"),
    ("codes: []\n", 1, "no 'name'"),
    ("name: S\nthemes: []\n", 2, "unknown field 'themes'"),
    ("name: S\ncodes:\n  - name: A\n    codable: no way\n", 4,
     "'codable' of code 'A' must be true or false"),
])
def test_errors_name_the_file_line_and_problem(source, line, problem):
    with pytest.raises(CodebookError) as err:
        codebook.parse(source, "book.yaml")
    message = str(err.value)
    assert message.startswith(f"book.yaml:{line}: "), message
    assert problem in message


def test_load_reports_missing_and_empty_files(tmp_path: Path):
    with pytest.raises(CodebookError, match="no such file"):
        codebook.load(tmp_path / "none.yaml")
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(CodebookError, match="empty"):
        codebook.load(tmp_path / "empty.yaml")


@pytest.mark.parametrize("name", ["asw-study", "exploitation-indicators", "texas-police",
                                  "beyond-the-gaze"])
def test_shipped_codebooks_are_complete(name):
    book = codebook.load(SHIPPED / f"{name}.yaml")
    codes = list(book.walk())
    assert len(codes) >= 10
    for code, _ in codes:
        assert code.definition and code.when_to_use and code.when_not_to_use, code.name
        assert code.example, code.name
    depth = max(d for _, d in codes)
    if name == "exploitation-indicators":
        assert depth == 0
    else:
        assert depth >= 2  # global > organising > basic themes


def test_shipped_codebooks_load_by_name_outside_a_checkout(tmp_path, monkeypatch):
    # A wheel install has no codebooks/ folder beside the user's files: the names work.
    monkeypatch.chdir(tmp_path)
    assert set(codebook.shipped()) == {"asw-study", "beyond-the-gaze",
                                       "exploitation-indicators", "texas-police"}
    book = codebook.load("texas-police")
    assert book.codes


def test_a_missing_codebook_file_names_the_shipped_ones(tmp_path):
    with pytest.raises(codebook.CodebookError, match="asw-study"):
        codebook.load(tmp_path / "nope.yaml")


CATEGORIES = """\
name: With categories
codes:
  - name: Barriers
    codable: false
    codes:
      - name: Cost
  - name: Trust
"""


def test_a_category_is_kept_by_the_yaml():
    book = codebook.parse(CATEGORIES)
    barriers, trust = book.codes
    assert (barriers.codable, barriers.codes[0].codable, trust.codable) == (False, True, True)
    written = codebook.to_yaml(book)
    assert written.count("codable") == 1 and "codable: false" in written
    assert codebook.parse(written) == book
