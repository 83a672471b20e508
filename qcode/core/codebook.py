"""The codebook: a tree of themes and codes, each with the fields a thematic-analysis
codebook carries. Loaded from and saved to the YAML format described in codebooks/README.md.

Validation works on YAML nodes rather than plain dicts so every error can name the line.
Every codebook, whatever file it came from, passes `validate` before the project takes
any of it: a file is untrusted, so its GUIDs, depth, size and names are checked first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qcode.core import model
from qcode.core.errors import QcodeError

CODE_FIELDS = ("definition", "when_to_use", "when_not_to_use", "example", "colour", "key")
TEXT_FIELDS = ("definition", "when_to_use", "when_not_to_use", "example")
# What the project keeps of a code besides its name and place: the text fields and
# whether it can be applied (a category groups codes and cannot).
CODE_COLUMNS = (*CODE_FIELDS, "codable")
ALLOWED_CODE_KEYS = {"name", "guid", "codes", "codable", *CODE_FIELDS}
ALLOWED_TOP_KEYS = {"name", "description", "codes"}
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
# Limits far above any real codebook (hundreds of codes, a handful of levels), low enough
# that a crafted file is refused in bounded time and memory.
MAX_DEPTH = 32
MAX_CODES = 500_000
MAX_NAME = 256
MAX_FIELD = 100_000
# A YAML node is a mapping or list: each level of codes is two (the code, its 'codes').
MAX_YAML_DEPTH = 2 * MAX_DEPTH + 8
# Nodes that aliases may add in all: anchors for shared guidance are fine, an alias
# bomb ("billion laughs") is not.
MAX_ALIAS_NODES = 100_000


class CodebookError(QcodeError):
    """A problem in a codebook file; the message names the file and line."""


@dataclass
class Code:
    name: str
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    colour: str | None = None
    key: str | None = None
    guid: str | None = None
    codes: list[Code] = field(default_factory=list)
    # False for a category: it groups the codes under it and is never applied to text
    # (REFI-QDA's isCodable="false", a category in QualCoder).
    codable: bool = True

    def walk(self, depth: int = 0):
        yield self, depth
        for child in self.codes:
            yield from child.walk(depth + 1)


@dataclass
class Codebook:
    name: str
    description: str = ""
    codes: list[Code] = field(default_factory=list)
    # The file it was read from, for the one line that refuses it.
    source: str = field(default="", compare=False)

    def walk(self):
        """Every code with its depth (0 = global theme), depth first."""
        for code in self.codes:
            yield from code.walk()

    def __len__(self) -> int:
        return sum(1 for _ in self.walk())


def shipped() -> dict[str, Path]:
    """The codebooks installed with qcode, by name ("asw-study"): loadable by name, so
    they work outside a source checkout too."""
    try:
        import qcode.codebooks
    except ModuleNotFoundError:
        # A source checkout run without installing: the files are at its top.
        folder = Path(__file__).resolve().parents[2] / "codebooks"
    else:
        folder = Path(qcode.codebooks.__file__).resolve().parent
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def load(path: str | Path) -> Codebook:
    path = Path(path)
    if not path.exists() and str(path) in shipped():
        path = shipped()[str(path)]
    try:
        source = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CodebookError(f"{path}: no such file (the shipped codebooks load by name: "
                            f"{', '.join(shipped())})") from None
    except UnicodeDecodeError:
        raise CodebookError(f"{path}: not a UTF-8 text file") from None
    return parse(source, str(path))


def parse(source: str, filename: str = "<codebook>") -> Codebook:
    try:
        root = yaml.compose(source, Loader=_BoundedLoader)
    except _Refused as exc:
        raise CodebookError(f"{filename}:{exc.problem_mark.line + 1}: {exc.problem}; "
                            "the codebook was refused") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise CodebookError(f"{filename}{line}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:  # a NUL or other character YAML refuses: one line
        raise CodebookError(f"{filename}: invalid YAML: {' '.join(str(exc).split())}"
                            ) from None
    book = _Reader(filename).codebook(root)
    book.source = filename
    return book


class _Refused(yaml.MarkedYAMLError):
    """A YAML file past a bound: nested too deep, or aliases that expand too far."""


class _BoundedLoader(yaml.SafeLoader):
    """Safe loading, with the nesting and what aliases expand to bounded while the file
    is composed: the reader walks aliases as copies, so a few lines of doubling aliases
    would otherwise cost billions of steps."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.alias_nodes = 0
        self.sizes: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded

    def compose_node(self, parent, index):
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self.sizes:
                raise _Refused(problem="an alias refers to a node that holds it",
                               problem_mark=mark)
            self.alias_nodes += self.sizes[id(node)]
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise _Refused(problem=f"aliases expand to more than {MAX_ALIAS_NODES} "
                               "nodes", problem_mark=mark)
            return node
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            raise _Refused(problem=f"nested more than {MAX_YAML_DEPTH} levels deep",
                           problem_mark=mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        self.sizes[id(node)] = 1 + sum(self.sizes.get(id(child), 1)
                                       for child in _children(node))
        return node


def _children(node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.keys_seen: dict[str, int] = {}
        self.guids_seen: dict[str, int] = {}
        self.count = 0

    def fail(self, node: yaml.Node | None, problem: str):
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        raise CodebookError(f"{self.filename}{line}: {problem}")

    def mapping(self, node: yaml.Node, allowed: set[str], what: str) -> dict:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of fields")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                self.fail(key_node, f"unknown field '{key}' in {what} "
                          f"(allowed: {', '.join(sorted(allowed))})")
            if key in out:
                self.fail(key_node, f"field '{key}' appears twice in {what}")
            out[key] = (key_node, value_node)
        return out

    def text(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> str:
        if entry is None:
            return ""
        key_node, node = entry
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"'{key_node.value}' of {what} must be text")
        return str(node.value).strip()

    def codebook(self, root: yaml.Node | None) -> Codebook:
        if root is None:
            self.fail(None, "the file is empty")
        fields = self.mapping(root, ALLOWED_TOP_KEYS, "the codebook")
        name = self.text(fields.get("name"), "the codebook")
        if not name:
            self.fail(root, "the codebook has no 'name'")
        if "codes" not in fields:
            self.fail(root, "the codebook has no 'codes' list")
        return Codebook(
            name=name,
            description=self.text(fields.get("description"), "the codebook"),
            codes=self.code_list(fields["codes"][1], "the codebook", 0),
        )

    def code_list(self, node: yaml.Node, parent: str, depth: int) -> list[Code]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'codes' of {parent} must be a list")
        codes: list[Code] = []
        names: dict[str, int] = {}
        if node.value and depth >= MAX_DEPTH:
            self.fail(node, f"codes under {parent} are nested more than {MAX_DEPTH} levels "
                      "deep")
        for item in node.value:
            code = self.code(item, parent, depth)
            folded = code.name.casefold()
            if folded in names:
                self.fail(item, f"duplicate code name '{code.name}' under {parent} "
                          f"(first at line {names[folded]})")
            names[folded] = item.start_mark.line + 1
            codes.append(code)
        return codes

    def code(self, node: yaml.Node, parent: str, depth: int) -> Code:
        self.count += 1
        if self.count > MAX_CODES:
            self.fail(node, f"more than {MAX_CODES} codes")
        fields = self.mapping(node, ALLOWED_CODE_KEYS, f"a code under {parent}")
        name = self.text(fields.get("name"), "a code")
        if not name:
            self.fail(node, f"a code under {parent} has no 'name'")
        problem = name_problem(name)
        if problem:
            self.fail(fields["name"][1], f"the name of a code under {parent} {problem}")
        what = f"code '{name}'"
        values = {f: self.text(fields.get(f), what) for f in CODE_FIELDS}
        for f in TEXT_FIELDS:
            problem = text_problem(values[f])
            if problem:
                self.fail(fields[f][1], f"the {f.replace('_', ' ')} of {what} {problem}")
        colour = values.pop("colour") or None
        if colour is not None and not COLOUR.match(colour):
            self.fail(fields["colour"][1],
                      f"bad colour '{colour}' for {what}: use #RRGGBB, e.g. #1F77B4")
        key = values.pop("key") or None
        if key is not None:
            if len(key) != 1 or not key.isprintable() or key.isspace():
                self.fail(fields["key"][1],
                          f"bad key '{key}' for {what}: use a single character")
            if key in self.keys_seen:
                self.fail(fields["key"][1], f"key '{key}' of {what} is already used by "
                          f"the code at line {self.keys_seen[key]}")
            self.keys_seen[key] = fields["key"][1].start_mark.line + 1
        guid = self.text(fields.get("guid"), what) or None
        if guid is not None:
            if not GUID.match(guid):
                self.fail(fields["guid"][1], f"bad guid '{guid}' for {what}")
            guid = guid.upper()
            line = fields["guid"][1].start_mark.line + 1
            if guid in self.guids_seen:
                self.fail(fields["guid"][1], f"guid {guid} of {what} is already the guid "
                          f"of the code at line {self.guids_seen[guid]}")
            self.guids_seen[guid] = line
        children = (self.code_list(fields["codes"][1], what, depth + 1)
                    if "codes" in fields else [])
        return Code(name=name, colour=colour.upper() if colour else None, key=key,
                    guid=guid, codes=children,
                    codable=self.codable(fields.get("codable"), what), **values)

    def codable(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> bool:
        if entry is None:
            return True
        node = entry[1]
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool"):
            self.fail(node, f"'codable' of {what} must be true or false")
        return yaml.safe_load(node.value) is True


def name_problem(name: str) -> str | None:
    """What is wrong with a code's name, said to follow "the name of ...", or None."""
    if not name.strip():
        return "is empty"
    if len(name) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "holds a control character (a line break, tab, NUL or escape)"
    return None


def text_problem(text: str) -> str | None:
    """What is wrong with a code's guidance (line breaks and tabs are fine), or None."""
    if len(text) > MAX_FIELD:
        return f"is longer than {MAX_FIELD} characters"
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text):
        return "holds a control character (a NUL or escape)"
    return None


def validate(book: Codebook, taken: Mapping[str, str] | None = None) -> None:
    """Refuse, with one line naming the file, a codebook the project must not take:
    too many codes, nested too deep, a name that is empty, too long or holds control
    characters, a malformed GUID, one GUID on two codes (a child given its parent's GUID
    would fold the tree into a loop), or a GUID that `taken` (GUID -> "a transcript",
    "a coder" ...) says is another kind of thing already in the project."""
    source = book.source or book.name
    seen: dict[str, str] = {}
    count = 0
    stack = [(code, 0, "") for code in reversed(book.codes)]
    while stack:  # not recursive: a tree built in memory may be deeper than Python allows
        code, depth, parent = stack.pop()
        path = f"{parent} / {code.name}" if parent else code.name
        count += 1
        if count > MAX_CODES:
            raise CodebookError(f"{source}: more than {MAX_CODES} codes; the codebook was "
                                "refused")
        if depth >= MAX_DEPTH:
            raise CodebookError(f"{source}: code '{shown(path)}' is nested more than "
                                f"{MAX_DEPTH} levels deep; the codebook was refused")
        problem = name_problem(code.name)
        if problem:
            where = f"under '{shown(parent)}'" if parent else "at the top"
            raise CodebookError(f"{source}: the name of a code {where} {problem}; the "
                                "codebook was refused")
        for f in TEXT_FIELDS:
            problem = text_problem(getattr(code, f) or "")
            if problem:
                raise CodebookError(f"{source}: the {f.replace('_', ' ')} of code "
                                    f"'{shown(path)}' {problem}; the codebook was refused")
        if code.guid:
            guid = code.guid.upper()
            if not GUID.match(guid):
                raise CodebookError(f"{source}: bad guid '{shown(guid)}' for code "
                                    f"'{shown(path)}'; the codebook was refused")
            if guid in seen:
                raise CodebookError(f"{source}: code '{shown(path)}' has the guid {guid} of "
                                    f"code '{shown(seen[guid])}'; each code needs its own, "
                                    "so the codebook was refused")
            if taken and guid in taken:
                raise CodebookError(f"{source}: code '{shown(path)}' has the guid {guid} of "
                                    f"{taken[guid]} in the project; the codebook was "
                                    "refused")
            seen[guid] = path
        stack.extend((child, depth + 1, path) for child in reversed(code.codes))


def shown(text: str, limit: int = 80) -> str:
    """A name from a file, short enough for one line of an error, control characters
    written out (\\x1b) rather than sent to the terminal."""
    text = "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c
                   for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def from_rows(name: str, rows: list[model.Code]) -> Codebook:
    """Rebuild the tree from the project's codes (as `Project.codes` returns them)."""
    by_id: dict[int, Code] = {}
    roots: list[Code] = []
    for row in rows:
        code = Code(name=row.name, guid=row.guid, codable=row.codable,
                    **{f: getattr(row, f) or (None if f in ("colour", "key") else "")
                       for f in CODE_FIELDS})
        by_id[row.id] = code
        (by_id[row.parent_id].codes if row.parent_id else roots).append(code)
    return Codebook(name=name, codes=roots)


def to_yaml(codebook: Codebook) -> str:
    def code_dict(code: Code) -> dict:
        out: dict = {"name": code.name}
        for f in CODE_FIELDS:
            value = getattr(code, f)
            if value:
                out[f] = value
        if not code.codable:
            out["codable"] = False
        if code.guid:
            out["guid"] = code.guid
        if code.codes:
            out["codes"] = [code_dict(c) for c in code.codes]
        return out

    data: dict = {"name": codebook.name}
    if codebook.description:
        data["description"] = codebook.description
    data["codes"] = [code_dict(c) for c in codebook.codes]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


# -- the project's codes, as rows in tree order (Project.codes()) --------------------


def code_paths(codes: list[model.Code], separator: str = " > ") -> dict[int, str]:
    """Each code's path of names from its global theme, by code id. `codes` must be in
    tree order (a parent before its children), as Project.codes() gives them."""
    paths: dict[int, str] = {}
    for code in codes:
        parent = paths.get(code.parent_id)
        paths[code.id] = f"{parent}{separator}{code.name}" if parent else code.name
    return paths


def codes_below(codes: list[model.Code], code_id: int) -> list[int]:
    """The code and every code under it, in tree order (`codes` as for code_paths)."""
    below = [code_id]
    wanted = {code_id}
    for code in codes:
        if code.parent_id in wanted:
            wanted.add(code.id)
            below.append(code.id)
    return below
