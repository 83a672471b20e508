"""No command lets a terminal obey text that came from a file or a user: a project whose
transcript text, file name, case, attributes and code names hold escape sequences (a
title change, a screen wipe, a clipboard write, a C1 CSI, a bidi override) is printed
by every command with each of them written out visibly, never raw."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from qcode.core.anonymise.key import Key, save_key
from qcode.core.store import Project
from tests.conftest import REPO, cli_result

TITLE = "\x1b]0;owned\x07"
WIPE = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x1b\\"
C1_CSI = "\x9b31m"
OVERRIDE = "\u202e"
HOSTILE = TITLE + WIPE + CLIPBOARD + C1_CSI + OVERRIDE
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
SEEN = ("\\x1b]0;owned\\x07", "\\x1b[2J", "\\x9b", "\\u202e")


def assert_safe(output: str, visible: bool = True) -> None:
    for raw in RAW:
        assert raw not in output, f"{raw!r} reached the terminal: {output!r}"
    if visible:
        assert any(seen in output for seen in SEEN), output


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch):
    """A project built through the commands from hostile files, with two coders'
    differing codings, and a key whose real value is in the text."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    cli_result(["init"])
    (tmp_path / f"p{HOSTILE}.txt").write_text(
        f"INTERVIEWER: Tell me {HOSTILE} about it.\n\nP01: It was {HOSTILE} hard.\n",
        encoding="utf-8")
    (tmp_path / "people.csv").write_text(
        f"case,file,role{HOSTILE}\nc{HOSTILE},p{HOSTILE}.txt,r{HOSTILE}\n", encoding="utf-8")
    # A codebook's names and guidance may hold no control character (they are refused,
    # see the test below), but a bidi override is text, and must still not reach the
    # terminal raw.
    (tmp_path / "book.yaml").write_text(
        f"name: b{OVERRIDE}\ncodes:\n"
        f"  - name: \"Theme{OVERRIDE}\"\n"
        f"    definition: \"d{OVERRIDE}\"\n"
        f"    codes:\n"
        f"      - name: \"Code{OVERRIDE}\"\n", encoding="utf-8")
    imported = cli_result(["import", "--attributes", "people.csv", f"p{HOSTILE}.txt"])
    loaded = cli_result(["codebook", "import", "book.yaml"])
    with Project.open(tmp_path / "project.qcode") as project:
        code = next(c.id for c in project.codes() if c.parent_id is not None)
        text = project.transcript_text(1)
        start = text.index("It was")
        project.add_coding(1, code, "ana", start, len(text) - 1)
        project.add_coding(1, code, "ben", 0, 20)
    key = Key()
    key.assign(f"It was {HOSTILE} hard", "person")
    save_key(key, tmp_path / "key.json")
    return imported.output + loaded.output


def test_terminal_safe_commands(hostile):
    assert_safe(hostile)  # the import's and the codebook load's own lines
    name = f"p{HOSTILE}"
    commands = [
        ["transcripts"], ["show", name], ["search", "hard"], ["cases"],
        ["codebook", "show"], ["agree", "--resamples", "0"],
        ["disagreements", "--coders", "ana,ben"], ["quotes", f"Code{OVERRIDE}"],
        ["report", "frequencies"], ["report", "frequencies", "--format", "md"],
        ["report", "cooccurrence"], ["code", "--help"], ["check"],
        ["codebook", "export", "--format", "md"], ["status", "--coder", "ana"],
        ["autocode", "hard", "--code", f"Code{OVERRIDE}"],
    ]
    for args in commands:
        assert_safe(cli_result(args).output, visible=args[-1] not in ("--help", "check"))


def test_errors_and_warnings_name_hostile_things_safely(hostile, tmp_path: Path):
    for args in (["show", f"nothing{HOSTILE}"], ["quotes", f"none{HOSTILE}"],
                 ["verify-anonymised", "--key", "key.json"],
                 ["import", f"p{HOSTILE}.txt"]):
        assert_safe(cli_result(args, ok=False).output)
    (tmp_path / f"q{HOSTILE}.xyz").write_text("x", encoding="utf-8")
    assert_safe(cli_result(["import", f"q{HOSTILE}.xyz"], ok=False).output)


@pytest.mark.parametrize("args", [["show", f"p{HOSTILE}", "--json"],
                                  ["search", "hard", "--json"],
                                  ["autocode", "hard", "--code", f"Code{OVERRIDE}",
                                   "--json"],
                                  ["disagreements", "--coders", "ana,ben", "--json"],
                                  ["agree", "--resamples", "0", "--format", "json"]])
def test_json_stays_json_and_reads_back_the_same_text(hostile, args):
    output = cli_result(args).output
    assert_safe(output, visible=False)
    assert any(HOSTILE in text for text in strings_in(json.loads(output)))


def strings_in(data) -> list[str]:
    if isinstance(data, dict):
        return [*data, *(s for value in data.values() for s in strings_in(value))]
    if isinstance(data, list):
        return [s for value in data for s in strings_in(value)]
    return [data] if isinstance(data, str) else []


PRINTERS = {"cl.echo", "cl.bold", "print", "sys.stdout.write", "sys.stderr.write"}
ASKERS = {"prompt", "confirm"}  # the terminal's questions, asked through common's
# The printing layer itself: the helpers, the command line's `echo` and the terminal's
# questions, which the helpers call with text already made safe.
LAYER = {"common.py", "commandline.py", "terminal.py"}


def printing_calls(path: Path) -> list[str]:
    """Where `path` prints other than through qcode.cli.common: the command line's or
    the terminal's printing and asking, print(), or a write to sys.stdout or
    sys.stderr."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and ast.unparse(node.func) in PRINTERS:
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node.func)}")
        if (isinstance(node, ast.ImportFrom) and node.module == "qcode.cli.terminal"
                and ASKERS & {alias.name for alias in node.names}):
            found.append(f"{path.name}:{node.lineno}: a question from qcode.cli.terminal")
    return found


def test_commands_print_only_through_the_terminal_safe_helpers():
    offenders = [call for path in sorted((REPO / "qcode" / "cli").glob("*.py"))
                 if path.name not in LAYER for call in printing_calls(path)]
    assert not offenders, "print with common.say/ask/confirm: " + ", ".join(offenders)


def test_a_codebook_with_escapes_in_its_names_is_refused_in_one_safe_line(hostile,
                                                                       tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(
        f"name: b\ncodes:\n  - name: \"Code{json.dumps(HOSTILE)[1:-1]}\"\n",
        encoding="utf-8")
    result = cli_result(["codebook", "import", "bad.yaml"], ok=False, one_line=True)
    assert_safe(result.output, visible=False)
    assert "control character" in result.output
