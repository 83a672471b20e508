"""A review made in a coder's copy comes back with the copy: reviews and their
threads are merged by GUID, once, onto the codings they are of."""

from __future__ import annotations

from pathlib import Path

from qcode.core.store import Project
from tests.tui_helpers import FIRST, parsed


def copies(tmp_path: Path) -> tuple[Path, Path]:
    """Ana's project with three codings of hers, and Ben's copy of it."""
    ana, ben = tmp_path / "ana.qcode", tmp_path / "ben.qcode"
    with Project.create(ana) as project:
        project.coder = "ana"
        project.add_transcript(parsed("p01", FIRST), "p01.txt")
        code = project.add_code("Trust")
        for start in (0, 20, 40):
            project.add_coding(1, code, "ana", start, start + 5)
        project.backup(ben)
    return ana, ben


def threads(project: Project) -> list[tuple]:
    return [(r.coder, r.reviewer, r.start, r.mark, r.outcome, r.decided_by,
             [(c.author, c.body) for c in r.comments]) for r in project.reviews()]


def test_reviews_and_answers_go_both_ways_and_merging_twice_adds_nothing(tmp_path: Path):
    ana, ben = copies(tmp_path)
    with Project.open(ben) as project:
        project.coder = "ben"
        first, second, third = (c.id for c in project.codings(1))
        project.mark_coding(first, "agreed")
        asked = project.mark_coding(second, "question", "Is this trust or fear?")
        dropped = project.mark_coding(third, "question", "Not about trust")
        project.coder = "ana"
        project.decide_review(dropped, "removed")
    with Project.open(ana) as project:
        report = project.merge(ben)
        assert (report["reviews"], report["comments"]) == (3, 2)
        assert any("removed after review in the other copy" in c and "still here" in c
                   for c in report["conflicts"])
        assert threads(project) == [
            ("ana", "ben", 0, "agreed", None, None, []),
            ("ana", "ben", 20, "question", None, None,
             [("ben", "Is this trust or fear?")]),
            ("ana", "ben", 40, "question", "removed", "ana", [("ben", "Not about trust")])]
        codings = {c.start: c.id for c in project.codings(1)}
        assert [r.coding_id for r in project.reviews()] == [codings[0], codings[20],
                                                           codings[40]]
        again = project.merge(ben)
        assert (again["reviews"], again["comments"], again["conflicts"]) == (0, 0, [
            c for c in report["conflicts"] if "still here" not in c])
        assert len(threads(project)) == 3
        # Ana answers in her copy, and keeps the coding ...
        project.coder = "ana"
        review = next(r.id for r in project.reviews() if r.start == 20)
        project.answer_review(review, "Trust: she says she relied on him.")
        project.decide_review(review, "kept")
    with Project.open(ben) as project:
        report = project.merge(ana)  # ... and her answer reaches Ben's thread
        assert report["comments"] == 1 and report["reviews"] == 0
        assert threads(project)[1][6] == [("ben", "Is this trust or fear?"),
                                          ("ana", "Trust: she says she relied on him.")]
        assert any("review of ana's coding in transcript p01 is question here and "
                   "question, kept in the other copy; kept this project's" in c
                   for c in report["conflicts"])
        assert project.review_figures().total.questioned == 2


def review_rows(path: Path) -> list:
    """Every review and comment as the project holds them, by GUID."""
    with Project.open(path) as project:
        return project.all_reviews()


def test_a_qdpx_round_trip_keeps_reviews_and_threads(tmp_path: Path):
    from tests.cli.test_exchange_round_trip import export_and_import

    ana, ben = copies(tmp_path)
    with Project.open(ana) as project:
        project.coder = "ben"
        first, second, third = (c.id for c in project.codings(1))
        asked = project.mark_coding(second, "question", "Is this trust or fear?")
        project.mark_coding(first, "agreed")
        dropped = project.mark_coding(third, "question", "Not about trust")
        project.coder = "ana"
        project.answer_review(asked, "Trust, I think.")
        project.decide_review(dropped, "removed")
    back = export_and_import(ana, tmp_path)
    held = review_rows(ana)
    assert len(held) == 3 and held[2].coding is None  # the removed coding's review
    assert review_rows(back) == held
    with Project.open(back) as there, Project.open(ana) as here:
        assert there.review_figures() == here.review_figures()
        report = there.merge(ana)  # the same reviews, known by GUID: nothing added
        assert (report["reviews"], report["comments"]) == (0, 0)


def test_reviews_are_anonymised_with_their_text_on_the_way_in(tmp_path: Path):
    from tests.cli_runner import CliRunner

    from qcode.cli import cli

    text = "P01: Kirsty Marsh runs it from Leeds, on her phone.\n"
    source = tmp_path / "raw.qcode"
    with Project.create(source) as project:
        project.coder = "ana"
        project.add_transcript(parsed("p01", text), "p01.txt")
        code = project.add_code("Control")
        start = text.index("runs")
        coding = project.add_coding(1, code, "ana", start, start + 18)
        project.coder = "ben"
        project.mark_coding(coding, "question", "Is Kirsty Marsh in Leeds the one?")
    runner = CliRunner()
    exported = tmp_path / "raw.qdpx"
    assert runner.invoke(cli, ["--project", str(source), "export", str(exported)]
                         ).exit_code == 0
    ids = tmp_path / "ids.csv"
    ids.write_text("value,category,pseudonym\nKirsty Marsh,person,\nLeeds,place,\n")
    target = tmp_path / "study.qcode"
    result = runner.invoke(cli, [
        "--project", str(target), "import-project", str(exported), "--anonymise", "--key",
        str(tmp_path / "k.key"), "--identifiers", str(ids), "--non-interactive"])
    assert result.exit_code == 0, result.output
    with Project.open(target) as project:
        stored = project.transcript_text(1)
        review = project.reviews()[0]
        assert stored[review.start:review.end].startswith("runs it from [")
        assert review.coding_id == project.codings(1)[0].id
        assert "Kirsty" not in review.comments[0].body and "[Person" in \
            review.comments[0].body
    for file in (target, target.with_name(target.name + "-wal")):
        if file.exists():
            data = file.read_bytes().lower()
            assert b"kirsty" not in data and b"leeds" not in data
