"""The layers, read from the source (the AST, not substrings): the domain layer never
depends on a user interface, and one room holds the SQL. Each offender is named by its
file and line, so a failure says what to move where (docs/architecture.md)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "qcode" / "core"
# The user interfaces and the libraries only they may use.
UI = ("textual", "rich", "click", "qcode.tui", "qcode.cli")
# The store package is the one room for SQL.
STORE = ("store/",)
EXECUTE = {"execute", "executemany", "executescript"}
# What SQL looks like, not words that merely occur in it: a statement's opening words
# together with the clause they need. Prose ("select the codes from ...") is lower case.
SQL = re.compile(r"^\s*(?:SELECT\b[\s\S]*\bFROM\b|INSERT\s+(?:OR\s+\w+\s+)?INTO\b|"
                 r"REPLACE\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|"
                 r"CREATE\s+(?:TEMP\w*\s+|UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b|"
                 r"DROP\s+(?:TABLE|INDEX|VIEW|TRIGGER)\b|ALTER\s+TABLE\b|PRAGMA\s+\w+|"
                 r"WITH\s+(?:RECURSIVE\s+)?\w+\s*(?:\([^)]*\)\s*)?AS\s*\()")
@cache  # parsed once for the checks below, which only read the trees
def core_modules() -> list[tuple[str, ast.Module]]:
    found = sorted(CORE.rglob("*.py"))
    assert found, "found no core modules to check"
    return [(path.relative_to(CORE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
            for path in found]


def imported(name: str, tree: ast.Module) -> list[tuple[int, str]]:
    """Every module the file `name` (relative to qcode/core) imports, with its line:
    relative imports resolved, and `from qcode import tui` read as qcode.tui."""
    package = ["qcode", "core", *name.split("/")[:-1]]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            out.append((node.lineno, module))
            out += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and _called(node) in ("__import__", "import_module")):
            out.append((node.lineno, node.args[0].value))
    return out


def _called(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(
        function, "id", "")


def is_ui(module: str) -> bool:
    return any(module == ui or module.startswith(ui + ".") for ui in UI)


def docstrings(tree: ast.Module) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                             ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def sql_in(tree: ast.Module) -> list[tuple[int, str]]:
    """Calls of execute, executemany or executescript, and strings that hold SQL (an
    f-string counts by its fixed parts); docstrings may describe SQL."""
    skip = docstrings(tree) | {id(part) for node in ast.walk(tree)
                               if isinstance(node, ast.JoinedStr) for part in node.values}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in EXECUTE:
            out.append((node.lineno, f".{node.func.attr}()"))
        elif isinstance(node, ast.JoinedStr):
            fixed = "".join(part.value for part in node.values
                            if isinstance(part, ast.Constant))
            if SQL.match(fixed):
                out.append((node.lineno, f"SQL {fixed.strip()[:40]!r}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in skip and SQL.match(node.value):
            out.append((node.lineno, f"SQL {node.value.strip()[:40]!r}"))
    return out


def in_room(name: str, rooms: tuple[str, ...]) -> bool:
    return any(name == room or name.startswith(room) for room in rooms)


def test_core_never_imports_a_user_interface():
    offenders = [f"qcode/core/{name}:{line}: imports {module}"
                 for name, tree in core_modules()
                 for line, module in imported(name, tree) if is_ui(module)]
    assert offenders == []


def test_only_the_store_runs_or_holds_sql():
    offenders = [f"qcode/core/{name}:{line}: {what}"
                 for name, tree in core_modules() if not in_room(name, STORE)
                 for line, what in sql_in(tree)]
    assert offenders == []


def test_the_interfaces_run_no_sql():
    """The terminal app and the commands ask the store (a read in the coding screen
    once ran its own SELECT)."""
    offenders = [f"{path.relative_to(ROOT)}:{line}: {what}"
                 for room in ("tui", "cli")
                 for path in sorted((ROOT / "qcode" / room).rglob("*.py"))
                 for line, what in sql_in(ast.parse(path.read_text(encoding="utf-8")))]
    assert offenders == []


def test_every_error_of_core_derives_from_qcode_error():
    bases: dict[str, list[str]] = {"QcodeError": []}
    where: dict[str, str] = {}
    for name, tree in core_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [getattr(b, "id", getattr(b, "attr", "")) for b in
                                    node.bases]
                where[node.name] = f"qcode/core/{name}:{node.lineno}"

    def reaches(cls: str, seen: frozenset = frozenset()) -> bool:
        return cls == "QcodeError" or any(
            reaches(b, seen | {cls}) for b in bases.get(cls, ()) if b not in seen)

    offenders = [f"{where[cls]}: {cls}" for cls in bases
                 if cls.endswith("Error") and cls in where
                 and not reaches(cls)]
    assert offenders == []


# -- the checks themselves ----------------------------------------------------------------


def test_the_checks_see_what_they_look_for():
    source = ast.parse(
        "from qcode import tui\nfrom qcode.cli.writeup import x\nimport rich.markup\n"
        "from ... import cli\nimportlib.import_module('textual.app')\n"
        "conn.execute(q)\nq = f'SELECT name FROM codes WHERE id = {i}'\n"
        "s = 'INSERT INTO codes VALUES (?)'\nt = 'select the codes from the list'\n"
        "u = 'UPDATE the codebook'\n")
    modules = [m for _, m in imported("reports/x.py", source) if is_ui(m)]
    assert modules == ["qcode.tui", "qcode.cli.writeup", "qcode.cli.writeup.x",
                       "rich.markup", "qcode.cli", "textual.app"]
    assert [line for line, _ in sql_in(source)] == [6, 7, 8]


# What a write or a check reports (counts, names), who has coded what (a status table
# of counts and marks), and the journal's free-form events: not records of the
# project, so not in the model.
REPORTS = {"load_codebook", "merge", "import_exchange", "remove_transcript", "events"}
# Reads of records that must give the model's objects (qcode/core/model.py). A search
# gives the store's own light record (transcripts.SearchHit): it is to start without
# loading the model's dataclasses (issue 16, tests/cli/test_startup.py).
RECORD_READS = {"codes": "Code", "code": "Code", "turns": "Turn", "all_cases": "Case",
                "all_codings": "Coding", "all_coders": "Coder", "all_memos": "Memo",
                "all_transcripts": "Transcript", "all_resolutions": "Resolution",
                "coding": "Coding", "codings": "Coding", "segments": "Segment",
                "transcripts": "TranscriptRow"}


def store_reads() -> dict[str, tuple[str, int, ast.expr | None]]:
    """Every public method of the store's rooms: name -> (file, line, return type)."""
    out = {}
    for name, tree in core_modules():
        if not name.startswith(STORE):
            continue
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)
                    and not n.name.startswith("_")):
            for node in cls.body:
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                    out[node.name] = (name, node.lineno, node.returns)
    return out


def gives_dicts(returns: ast.expr | None) -> bool:
    """`dict`, `dict | None` or `list[dict]`: a record read by string keys (a dict
    with typed keys and values, dict[int, int], is a mapping, not a record)."""
    text = ast.unparse(returns) if returns is not None else ""
    return bool(re.fullmatch(r"(?:list\[)?dict\]?(?: \| None)?", text))


def test_store_reads_return_model_objects():
    reads = store_reads()
    model = {n.name for n in ast.parse((CORE / "model.py").read_text()).body
             if isinstance(n, ast.ClassDef)}
    offenders = [f"{file}:{line} {name}() returns {ast.unparse(returns)}"
                 for name, (file, line, returns) in reads.items()
                 if gives_dicts(returns) and name not in REPORTS]
    assert not offenders, "return model objects (core/model.py):\n" + "\n".join(offenders)
    for name, kind in RECORD_READS.items():
        assert kind in model, f"core/model.py has no {kind}"
        file, line, returns = reads[name]
        assert returns is not None and kind in ast.unparse(returns), (
            f"{file}:{line} {name}() should be annotated to return {kind}")
