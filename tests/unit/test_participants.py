from pathlib import Path

import pytest

from qcode.core.participants import ParticipantsError, read_participants


def test_reads_cases_files_and_attributes(tmp_path: Path):
    path = tmp_path / "p.csv"
    path.write_text("\ufeffcase,file,role,region\nP01,a.vtt,Detective Sergeant,Southeast\n"
                    "P02,, Analyst ,\n", encoding="utf-8")
    first, second = read_participants(path)
    assert (first.case, first.file, first.attributes) == (
        "P01", "a.vtt", {"role": "Detective Sergeant", "region": "Southeast"})
    assert (second.file, second.attributes) == (None, {"role": "Analyst"})


@pytest.mark.parametrize("content, problem", [
    ("name,role\nP01,DS\n", "p.csv:1: no 'case' column"),
    ("case,role,role\nP01,DS,DC\n", "p.csv:1: a column name appears twice"),
    ("case,role\nP01,DS\n,DC\n", "p.csv:3: the 'case' cell is empty"),
    ("case,role\nP01,DS,extra\n", "p.csv:2: the row has more cells than columns"),
    ("case,file\nP01,a.txt\nP02,a.txt\n", "p.csv:3: file 'a.txt' is already given"),
])
def test_errors_name_the_file_and_line(tmp_path: Path, content, problem):
    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParticipantsError) as err:
        read_participants(path)
    assert str(err.value).startswith(str(tmp_path / problem.split(":")[0]))
    assert problem.split(":", 1)[1] in str(err.value)
