"""The codebook: a tree of themes and codes, each with the fields a thematic-analysis
codebook carries. Loaded from and saved to the YAML format described in codebooks/README.md.

Validation works on YAML nodes rather than plain dicts so every error can name the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qcode.core.errors import QcodeError

CODE_FIELDS = ("definition", "when_to_use", "when_not_to_use", "example", "colour", "key")
# What the project keeps of a code besides its name and place: the text fields and
# whether it can be applied (a category groups codes and cannot).
CODE_COLUMNS = (*CODE_FIELDS, "codable")
ALLOWED_CODE_KEYS = {"name", "guid", "codes", "codable", *CODE_FIELDS}
ALLOWED_TOP_KEYS = {"name", "description", "codes"}
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


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
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise CodebookError(f"{filename}{line}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{filename}: invalid YAML: {exc}") from None
    return _Reader(filename).codebook(root)


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.keys_seen: dict[str, int] = {}

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
            codes=self.code_list(fields["codes"][1], "the codebook"),
        )

    def code_list(self, node: yaml.Node, parent: str) -> list[Code]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'codes' of {parent} must be a list")
        codes: list[Code] = []
        names: dict[str, int] = {}
        for item in node.value:
            code = self.code(item, parent)
            folded = code.name.casefold()
            if folded in names:
                self.fail(item, f"duplicate code name '{code.name}' under {parent} "
                          f"(first at line {names[folded]})")
            names[folded] = item.start_mark.line + 1
            codes.append(code)
        return codes

    def code(self, node: yaml.Node, parent: str) -> Code:
        fields = self.mapping(node, ALLOWED_CODE_KEYS, f"a code under {parent}")
        name = self.text(fields.get("name"), "a code")
        if not name:
            self.fail(node, f"a code under {parent} has no 'name'")
        what = f"code '{name}'"
        values = {f: self.text(fields.get(f), what) for f in CODE_FIELDS}
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
        if guid is not None and not GUID.match(guid):
            self.fail(fields["guid"][1], f"bad guid '{guid}' for {what}")
        children = (self.code_list(fields["codes"][1], what) if "codes" in fields else [])
        return Code(name=name, colour=colour.upper() if colour else None, key=key,
                    guid=guid.upper() if guid else None, codes=children,
                    codable=self.codable(fields.get("codable"), what), **values)

    def codable(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> bool:
        if entry is None:
            return True
        node = entry[1]
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool"):
            self.fail(node, f"'codable' of {what} must be true or false")
        return yaml.safe_load(node.value) is True


def from_rows(name: str, rows: list[dict]) -> Codebook:
    """Rebuild the tree from the project's code rows (as `Project.codes` returns them)."""
    by_id: dict[int, Code] = {}
    roots: list[Code] = []
    for row in rows:
        code = Code(name=row["name"], guid=row["guid"], codable=bool(row["codable"]),
                    **{f: row[f] or (None if f in ("colour", "key") else "")
                       for f in CODE_FIELDS})
        by_id[row["id"]] = code
        (by_id[row["parent_id"]].codes if row["parent_id"] else roots).append(code)
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


def code_paths(codes: list[dict], separator: str = " > ") -> dict[int, str]:
    """Each code's path of names from its global theme, by code id. `codes` must be in
    tree order (a parent before its children), as Project.codes() gives them."""
    paths: dict[int, str] = {}
    for code in codes:
        parent = paths.get(code["parent_id"])
        paths[code["id"]] = f"{parent}{separator}{code['name']}" if parent else code["name"]
    return paths


def codes_below(codes: list[dict], code_id: int) -> list[int]:
    """The code and every code under it, in tree order (`codes` as for code_paths)."""
    below = [code_id]
    wanted = {code_id}
    for code in codes:
        if code["parent_id"] in wanted:
            wanted.add(code["id"])
            below.append(code["id"])
    return below
