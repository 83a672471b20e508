"""Every report on the demo project, checked against the demo's own material (its
codings file and participants), and the HTML report opened in a headless browser."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qcode.core.demo import DEMO_MATERIAL, read_demo_codings
from qcode.core.reports import (cooccurrence, frequencies, gather, html_report, network,
                                quotes, to_mermaid)
from qcode.core.store import Project
from tests.conftest import copy_demo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REMOTE = re.compile(r"https?:|//|url\(|@import|<script|<link|<img|<iframe|<object",
                    re.IGNORECASE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_template):
    with Project.open(copy_demo(demo_template, tmp_path_factory.mktemp("demo"))) as project:
        yield project


@pytest.fixture(scope="module")
def participants() -> dict[str, dict[str, str]]:
    with (DEMO_MATERIAL / "participants.csv").open(encoding="utf-8") as f:
        return {row["file"].rsplit(".", 1)[0]: row for row in csv.DictReader(f)}


def test_the_demo_is_pooled_from_its_two_coders(demo):
    material = gather(demo)
    assert material.choice.coders == ("Coder A", "Coder B")
    assert material.codings == len(read_demo_codings())
    assert len(material.segments) < material.codings


def test_frequencies_by_group_agree_with_the_codings_file(demo, participants):
    table = frequencies(demo, by="group")
    assert table.columns == ("Platform staff", "Police", "Sex workers")
    assert table.sizes == (2, 3, 1) and table.cases == 6
    rows = read_demo_codings()
    for row in table.rows:
        label = row.code.label.replace(" / ", " > ")
        within = {r["transcript"] for r in rows
                  if r["code"] == label or r["code"].startswith(label + " > ")}
        assert row.total.cases == len(within), label
        for value, cell in zip(table.columns, row.cells):
            assert cell.cases == sum(1 for t in within if participants[t]["group"] == value)
    assert next(r for r in table.rows if r.code.name == "Exploitation indicators").total.cases \
        == len({r["transcript"] for r in rows if r["code"].startswith("Exploitation")})


def test_cooccurrence_on_the_demo(demo):
    for within in ("overlap", "turn", "transcript"):
        matrix = cooccurrence(demo, within=within)
        assert matrix.codes and not matrix.outside_turns
        assert all(matrix.counts[i][j] == matrix.counts[j][i]
                   for i in range(len(matrix.codes)) for j in range(len(matrix.codes)))
    overlap = {(a.name, b.name) for a, b, _, _ in cooccurrence(demo).pairs()}
    assert ("Linking adverts to networks", "Same phone number across adverts") in overlap


def test_the_network_has_every_code_of_the_codebook(demo):
    net = network(demo)
    assert [r.code.name for r in net.roots] == [
        "Ecosystem of exploitation", "Regulation of Adult Service Websites",
        "Policing online exploitation", "Prevention and the risks of policing",
        "Exploitation indicators"]
    assert sum(1 for _ in net.nodes()) == len(demo.codes())
    assert to_mermaid(net).count("[\"") == len(demo.codes())


def test_quotes_are_the_coded_text_with_role_and_region(demo, participants):
    report = quotes(demo, "Same phone number across adverts", max_words=0)
    coded = [" ".join(r["quote"].split()) for r in read_demo_codings()
             if r["code"].endswith("Same phone number across adverts")]
    assert report.count > 0
    for quote in report.groups[0].quotes:
        assert any(quote.text in c or c in quote.text for c in coded), quote.text
        who = participants[quote.transcript]
        assert quote.attribution == f"{who['role']}, {who['region']}"
    police = quotes(demo, "Policing online exploitation", by="group")
    assert {g.value for g in police.groups} <= {"Police", "Platform staff", "Sex workers"}


def test_the_html_report_has_every_section_and_nothing_remote(demo, tmp_path: Path):
    page = html_report(demo).html
    for section in ("overview", "codebook", "frequencies", "cooccurrence", "network",
                    "agreement", "quotes", "made-from"):
        assert f'<section id="{section}">' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert REMOTE.findall(page) == []
    assert re.findall(r'(?:src|href)="([^"]*)"', page) == [
        f"#{s}" for s in ("overview", "codebook", "frequencies", "cooccurrence",
                          "network", "agreement", "quotes", "made-from")]
    assert page.count("<svg") == 5 + 1 + 1 + 1     # a chart per global theme, heatmap,
    assert "Coder A, Coder B: overall" in page     # network and agreement


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium to render the report with")
def test_the_html_report_renders_in_a_headless_browser(demo, tmp_path: Path):
    index = tmp_path / "index.html"
    index.write_text(html_report(demo).html, encoding="utf-8")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run"]
    dom = subprocess.run([*flags, "--dump-dom", index.as_uri()], capture_output=True,
                         text=True, timeout=120)
    assert "Sample quotes per theme" in dom.stdout
    assert dom.stdout.count("<svg") == 8
    shot = tmp_path / "report.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,3000",
                    index.as_uri()], capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000     # drawn, not a blank page
