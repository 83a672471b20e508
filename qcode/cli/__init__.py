"""The `qcode` command, one module per topic: project, transcripts, privacy, codebook,
agreement (loaded with the group), and exchange, writeup and review_file (loaded only
when one of their commands is named; see group.LAZY_COMMANDS).

Each command is thin: open the project (common.open_project), call one core function,
print. Start-up time is part of every command, so modules load click and little else at
the top, and each command imports what it needs when it runs (tests/test_startup.py
holds that line)."""

from __future__ import annotations

from qcode.cli import agreement, codebook, design, privacy, project, transcripts  # noqa: F401,E501 (they add their commands)
from qcode.cli.group import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="qcode")
