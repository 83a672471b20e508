"""Real NVivo projects kept beside the repository (never copied into it): every coding
lands on the text NVivo showed. NVivo leaves selection names empty and counts an emoji
as two positions, so the evidence is where the codings start and end."""

from __future__ import annotations

import pytest

from qcode.core.exchange.qdpx_read import read_project_file
from tests.conftest import SHARED_FIXTURES

PROJECTS = sorted((SHARED_FIXTURES / "refi").glob("nvivo*.qdpx"))


def on_boundaries(text: str, start: int, end: int) -> bool:
    def boundary(at: int) -> bool:
        return at in (0, len(text)) or not (text[at - 1].isalnum() and text[at].isalnum())
    return boundary(start) and boundary(end)


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: p.name)
def test_every_nvivo_coding_lands_on_words(path):
    exchange = read_project_file(path)
    texts = {t.guid: t.text for t in exchange.transcripts}
    codings = [c for c in exchange.codings if c.end - c.start < len(texts[c.transcript])]
    if not codings:
        pytest.skip(f"{path.name} has no codings on part of a text")
    fitting = sum(on_boundaries(texts[c.transcript], c.start, c.end) for c in codings)
    assert fitting >= 0.95 * len(codings), exchange.warnings
    assert not any("too few to be sure" in w for w in exchange.warnings)

