"""The `qcode` command, one module per topic: project, transcripts, privacy, codebook,
agreement, exchange, writeup and review_file, each loaded only when one of its commands
is named (see group.LAZY_COMMANDS): `qcode --help` loads none of them.

Each command is thin: open the project (common.open_project), call one core function,
print. Start-up time is part of every command, so modules load the command line (commandline.py) and little else at
the top, and each command imports what it needs when it runs (tests/cli/test_startup.py
holds that line)."""

from __future__ import annotations

from qcode.cli.group import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="qcode")
