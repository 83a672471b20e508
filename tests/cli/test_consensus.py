"""Places where two coders differ, listed and resolved into the consensus coder."""

from __future__ import annotations

import json

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.agreement.disagreements import places_in
from qcode.core.store import CONSENSUS, ProjectError
from tests.unit.test_coding_store import coded  # noqa: F401  (fixture)


@pytest.fixture
def two_coders(coded):  # noqa: F811
    project, tid, ids = coded
    project.add_coding(tid, ids["Training"], "ana", 13, 30)
    project.add_coding(tid, ids["Training"], "ben", 20, 36)
    project.add_coding(tid, ids["Fear"], "ana", 1, 5)
    project.add_coding(tid, ids["Fear"], "ben", 1, 5)
    project.add_coding(tid, ids["Resources"], "ben", 40, 48)
    return project, tid, ids


def test_places_and_resolution_with_undo(two_coders):
    project, tid, ids = two_coders
    places = places_in(project, "ana", "ben")
    assert [(p["code"], p["place"].start, p["place"].end, p["place"].kind)
            for p in places] == [("Training", 13, 36, "boundaries differ"),
                                 ("Resources", 40, 48, "only the second coder coded")]
    training = places[0]
    assert training["text"] == project.transcript_text(tid)[13:36]
    project.resolve(tid, ids["Training"], (13, 36), [(20, 30)], "intersection",
                    ("ana", "ben"))
    project.resolve(tid, ids["Training"], (13, 36), [(13, 36)], "union", ("ana", "ben"))
    assert [(c.start, c.end) for c in project.codings(tid, [CONSENSUS])] == [(13, 36)]
    assert places_in(project, "ana", "ben")[0]["resolution"] == "union"
    project.undo()
    assert [(c.start, c.end) for c in project.codings(tid, [CONSENSUS])] == [(20, 30)]
    assert places_in(project, "ana", "ben")[0]["resolution"] == "intersection"
    with pytest.raises(ProjectError, match="outside the place"):
        project.resolve(tid, ids["Training"], (13, 36), [(10, 20)], "edit", ("ana", "ben"))
    with pytest.raises(ValueError, match="no coder named 'zoe'"):
        places_in(project, "ana", "zoe")


def test_disagreements_command(two_coders):
    project, tid, ids = two_coders
    runner = CliRunner()
    args = ["--project", str(project.path)]
    result = runner.invoke(cli, [*args, "disagreements"])
    assert result.exit_code == 0, result.output
    assert "only ben coded" in result.output
    places = [line for line in result.output.splitlines() if "coded" in line or "differ:" in line]
    assert places and all("“" in line and "[" not in line for line in places)  # words
    assert "2 places where ana and ben differ; 0 resolved." in result.output
    result = runner.invoke(cli, [*args, "disagreements", "--coders", "ana,ben",
                                 "--codes", "Training", "--json"])
    [place] = json.loads(result.output)
    assert (place["start"], place["end"], place["ana"], place["ben"]) == (
        13, 36, [[13, 30]], [[20, 36]])
    result = runner.invoke(cli, [*args, "disagreements", "--coders", "ANA,Ben", "--json"])
    assert result.exit_code == 0 and "ana" in json.loads(result.output)[0]
    result = runner.invoke(cli, [*args, "disagreements", "--codes", "Nope"])
    assert result.exit_code == 1 and "no code named 'Nope'" in result.output
    result = runner.invoke(cli, [*args, "disagreements", "--coders", "ana"])
    assert result.exit_code == 2 and "--coders A,B" in result.output
