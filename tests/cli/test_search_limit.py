"""`qcode search --limit`: a limit that shows no hit is a mistake, not an answer."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_a_limit_below_one_is_refused_not_answered(run, tmp_path: Path, limit: str):
    """`--limit 0` said 'No transcript contains "fox".' of a phrase that is there, and
    `--limit -1` showed every hit."""
    (tmp_path / "p01.txt").write_text("Interviewer: Where was the fox?\n"
                                      "P01: The fox was in town.\n", encoding="utf-8")
    run("init")
    run("import", "p01.txt")
    result = run("search", "fox", "--limit", limit, ok=False)
    assert result.exit_code == 2
    assert "Invalid value for '--limit'" in result.output
    assert "No transcript contains" not in result.output
    assert "2 hit(s)" in run("search", "fox", "--limit", "2").output
