"""Run a qcode command in this process, as a person would from a shell, and keep what it
printed and how it ended: `CliRunner().invoke(cli, ["search", "fox"], input="y\\n")`.

Standard input is `input` (no terminal), standard output and error are captured
separately and together (`output`, in the order written), the environment is changed
only for the run, and the exit code is the one the command ends with."""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass


@dataclass
class Result:
    exit_code: int
    output: str
    stdout: str
    stderr: str
    exception: BaseException | None


class _Both(io.StringIO):
    """One of the two streams, also written to the combined output."""

    def __init__(self, combined: io.StringIO):
        super().__init__()
        self.combined = combined

    def write(self, text: str) -> int:
        self.combined.write(text)
        return super().write(text)

    def isatty(self) -> bool:
        return False


class CliRunner:
    def invoke(self, cli, args=(), input: str | bytes | None = None,
               env: dict[str, str | None] | None = None,
               catch_exceptions: bool = True) -> Result:
        if isinstance(input, bytes):
            input = input.decode("utf-8")
        combined = io.StringIO()
        out, err = _Both(combined), _Both(combined)
        saved_streams = sys.stdin, sys.stdout, sys.stderr
        saved_env = {name: os.environ.get(name) for name in env or {}}
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), out, err
        _set_environment(env or {})
        exception = None
        try:
            code = cli.main([str(a) for a in args], prog_name="qcode",
                            standalone_mode=False)
        except SystemExit as exc:  # a command that calls sys.exit itself
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:
            if not catch_exceptions:
                raise
            exception, code = exc, 1
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            _set_environment(saved_env)
        # As click's runner did: a CSV written with "\r\n" reads as lines here too.
        return Result(code, *(text.replace("\r\n", "\n") for text in
                              (combined.getvalue(), out.getvalue(), err.getvalue())),
                      exception)


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
