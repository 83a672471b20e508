"""Start-up guard rails (issue 16): loading the CLI, and running `qcode search`, load
none of the heavy modules that only some commands use. Cheaper and steadier than timing
(benchmarks/bench_startup.py times it); each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.cli.group import LAZY_COMMANDS

REPO = Path(__file__).resolve().parents[2]
# Loaded by the commands that use them, never to start.
HEAVY = ("click", "numpy", "docx", "yaml", "textual", "rich", "sqlite_utils",
         "qcode.core.anonymise", "qcode.core.exchange", "qcode.core.reports",
         "qcode.core.agreement", "qcode.tui", "qcode.cli.exchange", "qcode.cli.writeup")
# What reading a file of each format needs; a search reads none.
PARSERS = ("qcode.core.importers.speakers", "qcode.core.importers.word",
           "qcode.core.importers.captions", "qcode.core.importers.plain")
# What the store imports only in the methods that need them: to make a GUID (uuid loads
# platform), to store or check a text (the importers), to name a passage, to tell the
# interviewer's turns, to auto-code by expression (regex), to read a codebook file.
STORE_LATER = ("uuid", "platform", "regex", "qcode.core.importers", "qcode.core.passages",
               "qcode.core.spans", "qcode.core.roles", "qcode.core.autocode",
               "qcode.core.codebook")
# Nor what making the model's objects needs: a search gives the store's own light
# record, and the store imports the model where its objects are made (dataclasses
# loads inspect, and the model's dataclasses each compile their methods).
MODEL = ("dataclasses", "inspect", "qcode.core.model")
# Nor does printing the help open a project.
NOT_TO_START = HEAVY + PARSERS + ("qcode.core.store",)
# Each loaded only when one of its commands is named (anonymise: by those that take its
# options).
COMMAND_MODULES = tuple(sorted({module for module, _, _ in LAZY_COMMANDS.values()}
                               | {"qcode.cli.anonymise"}))


def loaded_after(code: str, *args: str) -> set[str]:
    """The modules loaded by a fresh interpreter that runs `code` (which may print)."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def heavy_in(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


def test_loading_the_cli_loads_no_heavy_module():
    assert heavy_in(loaded_after("import qcode.cli"), NOT_TO_START) == []


def test_help_loads_no_heavy_module():
    code = ("from qcode.cli import cli\n"
            "try:\n    cli(['--help'], prog_name='qcode')\nexcept SystemExit:\n    pass")
    assert heavy_in(loaded_after(code), NOT_TO_START + COMMAND_MODULES) == []


def test_search_loads_the_store_and_nothing_heavy(tmp_path):
    transcript = tmp_path / "a.txt"
    transcript.write_text("Interviewer: How was it?\n\nP01: The quick brown fox.\n",
                          encoding="utf-8")
    project = str(tmp_path / "p.qcode")
    for args in (["init"], ["import", str(transcript)]):
        assert CliRunner().invoke(cli, ["--project", project, *args]).exit_code == 0
    code = ("import sys\nfrom qcode.cli import cli\n"
            "try:\n    cli(['--project', sys.argv[1], 'search', 'quick brown'])\n"
            "except SystemExit as exit:\n    assert not exit.code, exit.code")
    modules = loaded_after(code, project)
    assert "qcode.core.store" in modules
    assert heavy_in(modules, HEAVY + PARSERS + MODEL) == []
    # Only the module that defines `search`, which imports no other command module.
    assert heavy_in(modules, COMMAND_MODULES) == ["qcode.cli.search"]


def test_opening_a_project_to_search_loads_only_what_a_search_needs(tmp_path):
    from qcode.core.importers import parse_file
    from qcode.core.store import Project

    transcript = tmp_path / "a.txt"
    transcript.write_text("Interviewer: How was it?\n\nP01: The quick brown fox.\n",
                          encoding="utf-8")
    with Project.create(tmp_path / "p.qcode") as project:
        project.add_transcript(parse_file(transcript), source_file="a.txt")
    code = ("import sys\nfrom qcode.core.store import Project\n"
            "with Project.open(sys.argv[1]) as project:\n"
            "    assert [h.turn for h in project.search('quick brown')] == [2]")
    modules = loaded_after(code, str(tmp_path / "p.qcode"))
    assert heavy_in(modules, HEAVY + PARSERS + STORE_LATER + MODEL) == []


def test_lazy_commands_are_listed_with_their_own_short_help():
    """The help text kept for `qcode --help` is the command's own, at any width."""
    for name, (_, _, summary) in LAZY_COMMANDS.items():
        command = cli.get_command(name)
        assert command is not None and command.name == name
        assert command.summary() == summary, name


def test_help_lists_every_command():
    shown = CliRunner().invoke(cli, ["--help"]).output.split("Commands:\n")[1]
    listed = [line.split()[0] for line in shown.splitlines() if line.strip()]
    assert listed == sorted({*cli.commands, *LAZY_COMMANDS})
    assert {"export", "import-project", "quotes", "report", "search"} <= set(listed)


def test_a_typo_suggests_lazy_commands_too():
    result = CliRunner().invoke(cli, ["exprt"])
    assert result.exit_code == 2
    assert "No such command 'exprt'. Did you mean 'export' or 'report'?" in result.output


def test_the_category_choice_is_the_anonymisers():
    from qcode.core.anonymise.identifiers import CATEGORIES

    redact = cli.get_command("redact")
    category = next(p for p in redact.params if p.name == "category")
    assert list(category.type.choices) == list(CATEGORIES)
    result = CliRunner().invoke(cli, ["redact", "x", "--key", "k.json", "--category", "pet"])
    assert result.exit_code == 2 and "'pet' is not one of 'person'" in result.output


def test_agree_loads_no_report_it_does_not_draw():
    """The reports package imports a report when first asked for it (PEP 562): the
    agreement report needs its errors (its page frame and chart only for HTML), not
    quotes or networks."""
    code = ("import qcode.core.agreement.report, qcode.core.agreement.render, "
            "qcode.cli.agreement")
    assert heavy_in(loaded_after(code), (
        "qcode.core.reports.quotes", "qcode.core.reports.network",
        "qcode.core.reports.cooccurrence", "qcode.core.reports.frequencies",
        "qcode.core.reports.html_report", "qcode.core.reports.provenance")) == []


def test_the_reports_package_names_stay_the_functions():
    """Five submodules share their names with their functions; importing the
    submodule first must not turn the package's name into the module."""
    names = ("cooccurrence", "frequencies", "html_report", "network", "quotes")
    code = ("import qcode.core.reports.quotes, qcode.core.reports.html_report\n"
            f"from qcode.core.reports import {', '.join(names)}, CodeRef\n"
            f"assert all(callable(f) for f in ({', '.join(names)}))\n"
            f"assert [f.__name__ for f in ({', '.join(names)})] == {list(names)}\n"
            "import qcode.core.reports as r\nassert r.quotes is quotes")
    assert "qcode.core.reports.quotes" in loaded_after(code)
