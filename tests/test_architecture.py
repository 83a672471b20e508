"""The domain layer never depends on the UI."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "qcode" / "core"


def test_core_never_imports_textual():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names
                          if n == "textual" or n.startswith("textual.")]
    assert list(CORE.rglob("*.py")), "found no core modules to check"
    assert offenders == []


def test_only_the_store_writes_sql():
    writers = []
    for path in CORE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "store" not in path.relative_to(CORE).parts and ("INSERT INTO" in source or "UPDATE " in source
                                        or ".execute(" in source):
            writers.append(path.name)
    assert writers == []
