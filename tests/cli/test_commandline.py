"""How a command line is read (qcode/cli/commandline.py), on small commands made here:
the rules click users expect, and one line for every mistake."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from qcode.cli import commandline as cl
from tests.cli_runner import CliRunner


@cl.group(invoke_without_command=True)
@cl.option("--project", "-p", default="p.qcode", envvar="TEST_PROJECT",
           help="The project.")
@cl.pass_context
def root(ctx: cl.Context, project: str) -> None:
    """A test group."""
    ctx.obj = project


@root.command()
@cl.argument("files", nargs=-1, required=True)
@cl.argument("out")
@cl.option("--limit", default=50, show_default=True, help="Most to show.")
@cl.option("--json", "as_json", is_flag=True)
@cl.option("--tag", "tags", multiple=True)
@cl.option("--blind/--open", default=True)
@cl.option("--regex", "mode", flag_value="regex")
@cl.option("--fuzzy", "mode", flag_value="fuzzy")
@cl.option("--score", type=cl.FloatRange(0, 100), default=85.0)
@cl.option("--format", "form", type=cl.Choice(["csv", "md"]), default="csv")
@cl.pass_context
def take(ctx: cl.Context, **values) -> None:
    """Take files. A second sentence.

    A second paragraph."""
    cl.echo(repr(sorted({**values, "project": ctx.find_root().obj}.items())))


@root.command()
@cl.option("--coder", required=True, envvar="TEST_CODER")
@cl.argument("where", type=cl.Path(exists=True, dir_okay=False))
def need(coder: str, where: str) -> None:
    """Needs things, e.g. a coder."""
    cl.echo(f"{coder} {where}")


@root.group()
def memo() -> None:
    """Memos."""


@memo.command(name="add-one")
@cl.argument("text", required=False)
def add_one(text: str | None) -> None:
    raise cl.CommandError(f"no text: {text!r}")


def run(*args: str, **kwargs):
    return CliRunner().invoke(root, list(args), **kwargs)


def taken(*args: str) -> dict:
    result = run("take", *args)
    assert result.exit_code == 0, result.output
    return dict(eval(result.output))  # the command prints a repr of what it got


def test_options_anywhere_values_with_or_without_equals_and_the_defaults():
    got = taken("a.txt", "--limit=5", "b.txt", "--json", "--tag", "x", "out", "--tag=y")
    assert got == {"files": ("a.txt", "b.txt"), "out": "out", "limit": 5, "as_json": True,
                   "tags": ("x", "y"), "blind": True, "mode": None, "score": 85.0,
                   "form": "csv", "project": "p.qcode"}


def test_flags_on_off_and_shared_flag_values():
    assert taken("a", "o", "--open", "--fuzzy")["blind"] is False
    assert taken("a", "o", "--open", "--fuzzy")["mode"] == "fuzzy"
    assert taken("a", "o", "--regex")["mode"] == "regex"


def test_double_dash_ends_the_options():
    assert taken("--", "--json", "-x", "out")["files"] == ("--json", "-x")


def test_group_options_come_before_the_command_and_from_the_environment():
    assert taken("a", "o")["project"] == "p.qcode"
    assert dict(eval(run("-p", "q.qcode", "take", "a", "o").output))["project"] == "q.qcode"
    assert dict(eval(run("-pq.qcode", "take", "a", "o").output))["project"] == "q.qcode"
    got = run("take", "a", "o", env={"TEST_PROJECT": "env.qcode"}).output
    assert dict(eval(got))["project"] == "env.qcode"


@pytest.mark.parametrize("args, message", [
    (["take", "a", "o", "--limit", "x"], "Invalid value for '--limit': 'x' is not a valid "
     "integer."),
    (["take", "a", "o", "--score", "101"], "Invalid value for '--score': 101.0 is not in "
     "the range 0<=x<=100."),
    (["take", "a", "o", "--format", "pdf"], "Invalid value for '--format': 'pdf' is not "
     "one of 'csv', 'md'."),
    (["take", "o"], "Missing argument 'FILES...'."),  # the one given is OUT
    (["take", "a", "o", "--nope"], "No such option: --nope"),
    (["take", "a", "o", "--limit"], "Option '--limit' requires an argument."),
    (["take", "a", "o", "--json=yes"], "Option '--json' does not take a value."),
    (["need", "x"], "Missing option '--coder'."),
    (["-p"], "Option '-p' requires an argument."),
    (["tak"], "No such command 'tak'. Did you mean 'take'?"),
    (["memo", "add-one", "a", "b"], "Got unexpected extra argument (b)"),
])
def test_a_mistake_is_one_line_naming_it_with_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and message in result.output
    assert result.stdout == ""


def test_a_path_is_checked(tmp_path: Path):
    result = run("need", "--coder", "ana", str(tmp_path))
    assert result.exit_code == 2
    assert f"File '{tmp_path}' is a directory." in result.output
    missing = tmp_path / "gone.txt"
    assert f"File '{missing}' does not exist." in run("need", "--coder", "a",
                                                       str(missing)).output
    there = tmp_path / "here.txt"
    there.write_text("x")
    result = run("need", str(there), env={"TEST_CODER": "ben"})
    assert result.exit_code == 0 and result.output == f"ben {there}\n"


def test_a_command_error_is_one_line_with_exit_1():
    result = run("memo", "add-one")
    assert (result.exit_code, result.output) == (1, "Error: no text: None\n")


def test_a_group_without_its_command_shows_its_help_and_exit_2():
    result = run("memo")
    assert result.exit_code == 2
    assert "Usage: qcode memo [OPTIONS] COMMAND [ARGS]..." in result.output
    assert "add-one" in result.output


def test_help_lists_commands_one_line_each_and_options_with_defaults(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    page = run("--help").output
    assert run("--help").exit_code == 0
    commands = page.split("Commands:\n")[1].splitlines()
    assert [line.split()[0] for line in commands] == ["memo", "need", "take"]
    assert "Needs things, e.g. a coder." in page  # "e.g." does not end a sentence
    assert "Take files." in page and "second sentence" not in page
    help_page = run("take", "--help").output
    assert help_page.startswith("Usage: qcode take [OPTIONS] FILES... OUT\n")
    assert "A second paragraph." in help_page
    assert "--limit INTEGER" in help_page and "[default: 50]" in help_page
    assert "--blind / --open" in help_page
    assert "--format [csv|md]" in help_page
    assert max(len(line) for line in help_page.splitlines()) <= 80


def test_bold_reaches_only_a_terminal(capsys):
    cl.echo(cl.bold("strong"))
    assert capsys.readouterr().out == "strong\n"


def test_a_reader_that_leaves_ends_the_command_quietly(tmp_path: Path):
    """`qcode show P01 | head -1`: a broken pipe ends the command, with no traceback."""
    import shlex
    import subprocess

    repo = Path(__file__).resolve().parents[2]
    script = ("from qcode.cli import commandline as cl\n"
              "@cl.command()\n"
              "def many():\n"
              "    for n in range(200000):\n"
              "        cl.echo(f'line {n}')\n"
              "many([])\n")
    errors = tmp_path / "errors.txt"
    done = subprocess.run(
        f"{shlex.quote(sys.executable)} -c {shlex.quote(script)} 2>{errors} | head -1",
        shell=True, capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(repo)})
    assert done.stdout == "line 0\n"
    assert errors.read_text() == ""


@pytest.mark.parametrize("args, hint", [
    (["--nope"], "(see 'qcode --help')"),
    (["memo", "--nope"], "(see 'qcode memo --help')"),
])
def test_a_group_option_mistake_points_to_that_groups_help(args, hint):
    """`qcode memo --bogus` said "(see ' --help')": the group's own name was lost."""
    result = CliRunner().invoke(root, args)
    assert result.exit_code == 2
    assert result.output == f"Error: No such option: --nope {hint}\n"


def test_a_help_keeps_its_paragraphs_apart():
    """`qcode check --help` ran its second paragraph into the first."""
    page = run("take", "--help").output
    assert "\n  Take files. A second sentence.\n\n  A second paragraph.\n\nOptions:" in page


def test_a_help_says_the_range_a_number_must_be_in(monkeypatch):
    """`qcode report cooccurrence --help` no longer said that --top must be at least 1,
    as click's help did; an error was the first a user heard of it."""
    monkeypatch.setenv("COLUMNS", "80")
    page = run("take", "--help").output
    assert "--score FLOAT RANGE" in page and "[0<=x<=100]" in page


@memo.command()
@cl.option("--threshold", type=float, default=0.9)
def share(threshold: float) -> None:
    if threshold > 1:
        raise cl.UsageError("--threshold is a share between 0 and 1")


def test_a_usage_mistake_a_command_finds_itself_points_to_its_help():
    """`qcode agree --threshold 5` said no more than the mistake, unlike one the
    parser finds (and unlike click)."""
    result = run("memo", "share", "--threshold", "5")
    assert result.exit_code == 2
    assert result.output == ("Error: --threshold is a share between 0 and 1 "
                             "(see 'qcode memo share --help')\n")


def test_double_dash_before_the_command_ends_the_groups_options():
    """`qcode -p P.qcode -- search x` said "No such option: --"."""
    got = run("-p", "q.qcode", "--", "take", "a", "o")
    assert got.exit_code == 0, got.output
    assert dict(eval(got.output))["project"] == "q.qcode"
