"""How qcode's commands are declared and their command lines read: decorators that
record each command's options and arguments (`command`, `group`, `option`, `argument`),
the types that check a value (`Path`, `Choice`, `IntRange`, `FloatRange`, `File`), the
help, and the errors that end a command with one line.

Why not click: importing click costs about twice a bare Python start-up (it loads
inspect, typing, enum, uuid, pathlib and more before any command runs), and every
command paid it, `qcode --help` and `qcode search` most visibly (issue 16,
benchmarks/bench_startup.py). This module imports nothing outside `sys` and `os` at
the top; its declarations read like click's so that a newcomer who knows click reads
them at once, but it holds only what qcode's commands use.

Reading a command line, as click does: options may come before, between or after the
arguments; `--name=value` and `--name value` are the same; `--` ends the options;
option names are never abbreviated. A value is checked by its type after the line is
read, so every mistake is named the same way ("Invalid value for '--limit': ...")."""

from __future__ import annotations

import os
import sys

# typing.TYPE_CHECKING, without loading typing to start every command
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


# -- errors ---------------------------------------------------------------------------

class CommandError(Exception):
    """A command cannot do what was asked: shown as one line, "Error: ...", exit 1."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def show(self) -> None:
        echo(f"Error: {self.message}", err=True)


class UsageError(CommandError):
    """The command line itself is wrong: one line with where to find help, exit 2."""

    exit_code = 2

    def __init__(self, message: str, ctx: Context | None = None):
        super().__init__(message)
        self.ctx = ctx

    def show(self) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx else ""
        echo(f"Error: {self.message}{hint}", err=True)


class BadParameter(UsageError):
    """A value its parameter cannot take; `param_hint` names the parameter."""

    def __init__(self, message: str, ctx: Context | None = None,
                 param_hint: str | None = None):
        super().__init__(f"Invalid value for {param_hint}: {message}"
                         if param_hint else f"Invalid value: {message}", ctx)


class Abort(CommandError):
    """The person stopped the command (Ctrl-C, end of input, or no to a question)."""

    def __init__(self, message: str = "Aborted!"):
        super().__init__(message)

    def show(self) -> None:
        echo(self.message, err=True)


class Exit(Exception):
    """Leave the command with this exit code and nothing more said."""

    def __init__(self, code: int = 0):
        super().__init__(code)
        self.exit_code = code


# -- printing ---------------------------------------------------------------------------

def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """Write a line to standard output (or error), at once: a person watching a long
    command sees each line as it is made. Styles (`bold`) reach only a terminal."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # pythonw, or a closed stream: nothing to show it on
        return
    text = text + "\n" if nl else text
    if BOLD in text and not _is_terminal(stream):
        text = text.replace(BOLD, "").replace(PLAIN, "")
    stream.write(text)
    stream.flush()


BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def bold(text: str) -> str:
    return f"{BOLD}{text}{PLAIN}"


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# -- types ------------------------------------------------------------------------------

class ParamType:
    """Turns the text given on the command line into the value a command gets."""

    name = "TEXT"

    def convert(self, value: str, hint: str, ctx: Context):
        return value

    def fail(self, message: str, hint: str, ctx: Context):
        raise BadParameter(message, ctx, hint)


class _Number(ParamType):
    """A whole number (int) or a number with decimals (float)."""

    def __init__(self, kind: type, name: str, word: str):
        self.kind, self.name, self.word = kind, name, word

    def convert(self, value, hint, ctx):
        try:
            return self.kind(value)
        except ValueError:
            self.fail(f"{value!r} is not a valid {self.word}.", hint, ctx)


_INT = _Number(int, "INTEGER", "integer")
_FLOAT = _Number(float, "FLOAT", "float")


class _Range(ParamType):
    number: ParamType

    def __init__(self, min=None, max=None):
        self.min, self.max = min, max

    def convert(self, value, hint, ctx):
        number = self.number.convert(value, hint, ctx)
        if ((self.min is not None and number < self.min)
                or (self.max is not None and number > self.max)):
            self.fail(f"{number} is not in the range {self.describe()}.", hint, ctx)
        return number

    def describe(self) -> str:
        if self.max is None:
            return f"x>={self.min}"
        if self.min is None:
            return f"x<={self.max}"
        return f"{self.min}<=x<={self.max}"


class IntRange(_Range):
    name = "INTEGER RANGE"
    number = _INT


class FloatRange(_Range):
    name = "FLOAT RANGE"
    number = _FLOAT


class Choice(ParamType):
    """One of a fixed list of names."""

    def __init__(self, choices: Iterable[str]):
        self._choices = tuple(choices)

    @property
    def choices(self) -> tuple[str, ...]:
        return self._choices

    @property
    def name(self) -> str:
        return f"[{'|'.join(self.choices)}]"

    def convert(self, value, hint, ctx):
        if value not in self.choices:
            listed = ", ".join(repr(c) for c in self.choices)
            self.fail(f"{value!r} is not one of {listed}." if len(self.choices) > 1
                      else f"{value!r} is not {listed}.", hint, ctx)
        return value


class Path(ParamType):
    """A path, checked as click.Path checks one: `exists`, `file_okay`, `dir_okay`;
    given to the command as `path_type` (str unless said)."""

    def __init__(self, exists: bool = False, file_okay: bool = True,
                 dir_okay: bool = True, path_type: type | None = None):
        self.exists, self.file_okay, self.dir_okay = exists, file_okay, dir_okay
        self.path_type = path_type
        self.name = "FILE" if not dir_okay else "DIRECTORY" if not file_okay else "PATH"

    def convert(self, value, hint, ctx):
        kind = "File" if not self.dir_okay else "Directory" if not self.file_okay else "Path"
        if value != "-":  # standard input or output, for the command to handle
            if not os.path.exists(value):
                if self.exists:
                    self.fail(f"{kind} {value!r} does not exist.", hint, ctx)
            elif not self.dir_okay and os.path.isdir(value):
                self.fail(f"{kind} {value!r} is a directory.", hint, ctx)
            elif not self.file_okay and not os.path.isdir(value):
                self.fail(f"{kind} {value!r} is a file.", hint, ctx)
        return self.path_type(value) if self.path_type else value


class File(ParamType):
    """A file opened for the command ("-": standard input), closed when it ends."""

    name = "FILENAME"

    def __init__(self, mode: str = "r", encoding: str | None = None):
        self.mode, self.encoding = mode, encoding

    def convert(self, value, hint, ctx):
        if value == "-":
            return sys.stdin
        try:
            opened = open(value, self.mode, encoding=self.encoding)
        except OSError as exc:
            self.fail(f"{value!r}: {exc.strerror}", hint, ctx)
        ctx.call_on_close(opened.close)
        return opened


TYPES = {None: ParamType(), str: ParamType(), int: _INT, float: _FLOAT}


# -- parameters -------------------------------------------------------------------------

class Parameter:
    is_flag = False

    def __init__(self, name: str, type=None, required: bool = False, default=None,
                 multiple: bool = False, metavar: str | None = None,
                 callback: Callable | None = None, envvar: str | None = None):
        self.name = name
        if type is None and default is not None and not isinstance(default, (bool, tuple)):
            type = default.__class__  # as click does: --limit with default 50 is a number
        self.type = type if isinstance(type, ParamType) else TYPES[type]
        self.required, self.default, self.multiple = required, default, multiple
        self.metavar, self.callback, self.envvar = metavar, callback, envvar

    def value_from(self, given: list[str] | None, ctx: Context):
        """The value the command gets: what was given, else the environment's, else
        the default; checked by the type and passed through the callback."""
        if not given and self.envvar and os.environ.get(self.envvar):
            given = [os.environ[self.envvar]]
        if not given:
            if self.required:
                raise UsageError(f"Missing {self.describe()}.", ctx)
            value = self.default
            if isinstance(value, str) and not self.is_flag:
                value = self.type.convert(value, self.hint(), ctx)
            if self.multiple:
                value = tuple(value or ())
        elif self.multiple:
            value = tuple(self.type.convert(v, self.hint(), ctx) for v in given)
        else:
            value = self.type.convert(given[-1], self.hint(), ctx)
        return self.callback(ctx, self, value) if self.callback else value


class Option(Parameter):
    """`--name VALUE`, or a flag: `is_flag` (with `--on/--off` names, or a
    `flag_value` that several options share, as `--regex`/`--fuzzy` share `mode`)."""

    def __init__(self, decls: tuple[str, ...], help: str | None = None,
                 is_flag: bool = False, flag_value=None, show_default: bool = False,
                 **kwargs):
        names = [d for d in decls if d.startswith("-")]
        self.on, self.off = [], []
        for d in names:
            on, _, off = d.partition("/")
            self.on.append(on)
            if off:
                self.off.append(off)
        named = [d for d in decls if not d.startswith("-")]
        longest = max(self.on, key=len)
        super().__init__(named[0] if named else longest.lstrip("-").replace("-", "_"),
                         **kwargs)
        self.help, self.show_default = help, show_default
        self.is_flag = is_flag or flag_value is not None or bool(self.off)
        self.flag_value = True if flag_value is None else flag_value
        if self.is_flag and self.default is None and flag_value is None:
            self.default = False

    def hint(self) -> str:
        return f"'{max(self.on, key=len)}'"

    def describe(self) -> str:
        return f"option {self.hint()}"

    def takes_value(self) -> bool:
        return not self.is_flag

    def help_row(self) -> tuple[str, str]:
        names = ", ".join(sorted(self.on, key=len))
        if self.off:
            names = " / ".join([names, ", ".join(self.off)])
        if self.takes_value():
            names += f" {self.metavar or self.type.name}"
        # What a user must know to give a value: its default, its range, if required.
        notes = []
        if self.show_default and self.default not in (None, ""):
            notes.append(f"default: {self.shown_default()}")
        if isinstance(self.type, _Range):
            notes.append(self.type.describe())
        if self.required:
            notes.append("required")
        text = self.help or ""
        if notes:
            text += f"  [{'; '.join(notes)}]"
        return names, text.strip()

    def shown_default(self) -> str:
        if self.is_flag and self.off:
            return (self.on if self.default else self.off)[0].lstrip("-")
        return str(self.default)


class Argument(Parameter):
    """A positional value; `nargs=-1` takes every one left."""

    def __init__(self, name: str, nargs: int = 1, required: bool | None = None,
                 **kwargs):
        if required is None:
            required = nargs == 1 and kwargs.get("default") is None
        super().__init__(name, required=required, multiple=nargs == -1, **kwargs)
        self.nargs = nargs

    def hint(self) -> str:
        return f"'{self.shown()}'"

    def describe(self) -> str:
        return f"argument {self.hint()}"

    def shown(self) -> str:
        if self.metavar:
            return self.metavar
        return self.name.upper() + ("..." if self.nargs == -1 else "")

    def usage(self) -> str:
        shown = self.shown()
        return shown if self.required or self.metavar else f"[{shown}]"


def option(*decls: str, **kwargs):
    def declare(function):
        _declared(function).append(Option(decls, **kwargs))
        return function
    return declare


def argument(name: str, **kwargs):
    def declare(function):
        _declared(function).append(Argument(name, **kwargs))
        return function
    return declare


def pass_context(function):
    """The command's function gets the Context first."""
    function.__takes_context__ = True
    return function


def _declared(function) -> list[Parameter]:
    """Decorators run bottom up: the list is reversed when the command is made."""
    if not hasattr(function, "__params__"):
        function.__params__ = []
    return function.__params__


# -- contexts ---------------------------------------------------------------------------

class Context:
    """One command being run: its parameters, the command it was named in (`parent`),
    and what to close when it ends."""

    def __init__(self, command: Command, info_name: str, parent: Context | None = None):
        self.command, self.info_name, self.parent = command, info_name, parent
        self.params: dict = {}
        self.obj = parent.obj if parent else None
        self.invoked_subcommand: str | None = None
        self._on_close: list[Callable] = []

    @property
    def command_path(self) -> str:
        return f"{self.parent.command_path} {self.info_name}" if self.parent else self.info_name

    def find_root(self) -> Context:
        return self.parent.find_root() if self.parent else self

    def call_on_close(self, function: Callable) -> None:
        self._on_close.append(function)

    def close(self) -> None:
        while self._on_close:
            self._on_close.pop()()

    def exit(self, code: int = 0):
        raise Exit(code)

    def get_help(self) -> str:
        return self.command.help_text(self)


# -- commands ---------------------------------------------------------------------------

class Command:
    """A command: its function, its parameters and its help (the function's
    docstring)."""

    def __init__(self, name: str, callback: Callable | None,
                 params: list[Parameter] | None = None, help: str | None = None):
        self.name, self.callback = name, callback
        self.params = params or []
        self._help = help or (callback.__doc__ if callback else None) or ""

    @property
    def help(self) -> str:
        """The help's paragraphs, each on one line (the list and the help wrap them)."""
        return _paragraphs(self._help)

    @classmethod
    def of(cls, function: Callable, name: str | None = None, **attrs) -> Command:
        params = list(reversed(getattr(function, "__params__", [])))
        name = name or function.__name__.lower().strip("_").replace("_", "-")
        return cls(name, function, params, **attrs)

    def summary(self) -> str:
        """The first sentence of the help, as a list of commands shows it."""
        first = self.help.split("\n\n")[0]
        for end in range(len(first) - 2):  # a full stop, then a capital ("e.g. the": not)
            if first[end] == "." and first[end + 1] == " " and first[end + 2].isupper():
                return first[:end + 1]
        return first

    # Running.

    def main(self, args: list[str] | None = None, prog_name: str | None = None,
             standalone_mode: bool = True):
        """Run with `args` (else the process's), and exit with the command's code: 0,
        or the error's after one line about it."""
        args = list(sys.argv[1:] if args is None else args)
        ctx = Context(self, prog_name or self.name)
        try:
            try:
                self.run(ctx, args)
            finally:
                ctx.close()
        except Exit as exc:
            code = exc.exit_code
        except (KeyboardInterrupt, EOFError):
            echo("", err=True)
            Abort().show()
            code = 1
        except CommandError as exc:
            exc.show()
            code = exc.exit_code
        except BrokenPipeError:
            # The reader left (`qcode show P01 | head`): nothing more to say, and Python
            # must not complain when it flushes standard output at exit.
            sys.stdout = open(os.devnull, "w")
            code = 1
        else:
            code = 0
        if standalone_mode:
            sys.exit(code)
        return code

    __call__ = main

    def run(self, ctx: Context, args: list[str]) -> None:
        ctx.params = self.parse(ctx, args)
        self.invoke(ctx)

    def invoke(self, ctx: Context):
        if self.callback is None:
            return None
        try:
            if getattr(self.callback, "__takes_context__", False):
                return self.callback(ctx, **ctx.params)
            return self.callback(**ctx.params)
        except UsageError as exc:  # a command's own usage check points to its help too
            exc.ctx = exc.ctx or ctx
            raise

    def parse(self, ctx: Context, args: list[str]) -> dict:
        """The values of the parameters, from the command line, the environment and
        the defaults."""
        given, positional = self.read_line(ctx, args)
        values: dict = {}
        for param in self.params:
            if isinstance(param, Option):
                if param.name not in values or param.name in given:
                    values[param.name] = param.value_from(given.get(param.name), ctx)
        for param, taken in zip(self.arguments(), self.share(ctx, positional)):
            values[param.name] = param.value_from(taken, ctx)
        return values

    def read_line(self, ctx: Context, args: list[str]):
        """Options by name (a list of the texts given for each), and the rest."""
        given: dict[str, list] = {}
        positional: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                positional.extend(rest)
                break
            if not arg.startswith("-") or arg == "-":
                positional.append(arg)
                continue
            if arg == "--help":
                echo(self.help_text(ctx))
                raise Exit(0)
            name, has_value, value = arg.partition("=")
            if not has_value and not arg.startswith("--") and len(arg) > 2:
                name, value, has_value = arg[:2], arg[2:], True  # -pFILE
            param, flag = self.option_named(name, ctx)
            if param.takes_value():
                if not has_value:
                    value = next(rest, None)
                    if value is None:
                        raise UsageError(f"Option '{name}' requires an argument.", ctx)
                given.setdefault(param.name, []).append(value)
            elif has_value:
                raise UsageError(f"Option '{name}' does not take a value.", ctx)
            else:
                given[param.name] = [flag]
        return given, positional

    def option_named(self, name: str, ctx: Context):
        """The option `name` belongs to, and the value it gives a flag."""
        for param in self.params:
            if isinstance(param, Option):
                if name in param.on:
                    return param, param.flag_value
                if name in param.off:
                    return param, False
        raise UsageError(f"No such option: {name}", ctx)

    def arguments(self) -> list[Argument]:
        return [p for p in self.params if isinstance(p, Argument)]

    def share(self, ctx: Context, positional: list[str]) -> list[list[str]]:
        """The positional values of each argument, in order; one with nargs=-1 takes
        what the others leave."""
        arguments = self.arguments()
        shares, left = [], list(positional)
        for number, argument in enumerate(arguments):
            count = 1
            if argument.nargs == -1:  # all but what the single ones after it take
                after = sum(1 for a in arguments[number + 1:] if a.nargs != -1)
                count = max(len(left) - after, 0)
            shares.append(left[:count])
            left = left[count:]
        if left:
            word = "argument" if len(left) == 1 else "arguments"
            raise UsageError(f"Got unexpected extra {word} ({' '.join(left)})", ctx)
        return shares

    # Help.

    def usage(self, ctx: Context) -> str:
        pieces = [ctx.command_path, "[OPTIONS]"] + [a.usage() for a in self.arguments()]
        return "Usage: " + " ".join(pieces)

    def help_text(self, ctx: Context) -> str:
        width = _width()
        lines = [self.usage(ctx), ""]
        for paragraph in self.help.split("\n\n") if self.help else ():
            lines += [_indent(paragraph, width), ""]  # apart, as the docstring has them
        rows = [p.help_row() for p in self.params if isinstance(p, Option)]
        rows.append(("--help", "Show this message and exit."))
        lines += ["Options:", *_table(rows, width)]
        return "\n".join(lines)


class Group(Command):
    """A command that names another: `qcode memo add`. Its own options come before
    the command's name."""

    def __init__(self, *args, invoke_without_command: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands: dict[str, Command] = {}
        self.invoke_without_command = invoke_without_command

    def command(self, name: str | None = None, **attrs):
        return self._adding(Command, name, attrs)

    def group(self, name: str | None = None, **attrs):
        return self._adding(Group, name, attrs)

    def _adding(self, kind: type[Command], name: str | None, attrs: dict):
        """A decorator that makes the function a command of this group."""
        def make(function):
            made = kind.of(function, name, **attrs)
            self.commands[made.name] = made
            return made
        return make

    def list_commands(self) -> list[str]:
        return sorted(self.commands)

    def get_command(self, name: str) -> Command | None:
        return self.commands.get(name)

    def listed(self, name: str) -> str:
        """A command's summary, as the list of commands shows it."""
        return self.get_command(name).summary()

    def run(self, ctx: Context, args: list[str]) -> None:
        mine, name, rest = self.split_line(ctx, args)
        ctx.params = self.parse(ctx, mine)
        if name is None:
            if self.invoke_without_command:
                self.invoke(ctx)
                return
            echo(self.help_text(ctx))
            raise Exit(2)
        command = self.get_command(name)
        if command is None:
            raise UsageError(f"No such command {name!r}.{self.suggestion(name)}", ctx)
        ctx.invoked_subcommand = name
        self.invoke(ctx)
        self.run_command(Context(command, name, ctx), command, rest)

    def run_command(self, ctx: Context, command: Command, args: list[str]) -> None:
        try:
            command.run(ctx, args)
        finally:
            ctx.close()

    def split_line(self, ctx: Context, args: list[str]):
        """The group's own options, the command's name, and what follows it."""
        mine: list[str] = []
        rest = iter(args)
        for arg in rest:
            if not arg.startswith("-") or arg == "-":
                return mine, arg, list(rest)
            if arg == "--":  # the group's options end; the command's name follows
                return mine, next(rest, None), list(rest)
            mine.append(arg)
            name = arg.partition("=")[0]
            if "=" not in arg and name != "--help":
                param, _ = self.option_named(name[:2] if not name.startswith("--")
                                             else name, ctx)
                if param.takes_value() and (name.startswith("--") or len(arg) == 2):
                    value = next(rest, None)  # none: read_line says it is missing
                    mine += [] if value is None else [value]
        return mine, None, []

    def suggestion(self, name: str) -> str:
        import difflib

        close = difflib.get_close_matches(name, self.list_commands())
        return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""

    def usage(self, ctx: Context) -> str:
        return f"Usage: {ctx.command_path} [OPTIONS] COMMAND [ARGS]..."

    def help_text(self, ctx: Context) -> str:
        width = _width()
        rows = [(name, self.listed(name)) for name in self.list_commands()]
        # One line a command, so that the list can be read down its first column.
        room = width - 4 - max((len(name) for name, _ in rows), default=0)
        rows = [(name, _shortened(summary, room)) for name, summary in rows]
        return "\n".join([super().help_text(ctx), "", "Commands:", *_table(rows, width)])


def command(name: str | None = None, **attrs):
    return lambda function: Command.of(function, name, **attrs)


def group(name: str | None = None, cls: type[Group] = Group, **attrs):
    return lambda function: cls.of(function, name, **attrs)


# -- help layout ------------------------------------------------------------------------

def _width() -> int:
    """The terminal's width ($COLUMNS first, as shutil has it), kept readable."""
    try:
        columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
    except (ValueError, OSError):
        columns = 80
    return max(min(columns, 80) - 2, 50)


def _paragraphs(text: str) -> str:
    """A docstring's paragraphs (split at blank lines), each on one line."""
    paragraphs, words = [], []
    for line in text.splitlines():
        if line.strip():
            words += line.split()
        elif words:
            paragraphs.append(" ".join(words))
            words = []
    if words:
        paragraphs.append(" ".join(words))
    return "\n\n".join(paragraphs)


def _shortened(text: str, room: int) -> str:
    """`text` cut after a word to fit `room` characters, with "..." if cut."""
    if len(text) <= room:
        return text
    return text[:max(room - 3, 1)].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _wrapped(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters (a longer word alone), broken between
    words. (textwrap would compile its patterns for every command's start-up.)"""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def _indent(paragraph: str, width: int) -> str:
    return "\n".join("  " + line for line in _wrapped(paragraph, width - 2))


def _table(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Two columns, the second wrapped beside the first (or below a long first)."""
    first = min(max((len(name) for name, _ in rows), default=0), 30)
    lines = []
    for name, text in rows:
        wrapped = _wrapped(text, max(width - first - 4, 20)) or [""]
        if len(name) > first:
            lines.append(f"  {name}")
            lines += [f"  {'':{first}}  {line}" for line in wrapped]
            continue
        lines.append(f"  {name:{first}}  {wrapped[0]}".rstrip())
        lines += [f"  {'':{first}}  {line}" for line in wrapped[1:]]
    return lines
