"""The researcher's list of identifiers: real values, their category and, optionally,
the pseudonym chosen for each. Read from CSV (value,category,pseudonym) or YAML
(a list of mappings with those keys)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from qcode.core.errors import QcodeError

# category -> the word used in generated pseudonyms, "[Person 3]"
CATEGORIES = {
    "person": "Person",
    "place": "Place",
    "organisation": "Organisation",
    "police force": "Force",
    "website": "Website",
    "phone": "Phone",
    "email": "Email",
    "handle": "Handle",
    "postcode": "Postcode",
    "url": "URL",
    "other": "Redacted",
}
ALIASES = {"organization": "organisation", "force": "police force", "police": "police force",
           "web site": "website", "telephone": "phone", "e-mail": "email",
           "social media handle": "handle", "post code": "postcode"}


class IdentifiersError(QcodeError):
    """A problem in an identifiers file; the message names the file and line."""


@dataclass(frozen=True)
class Identifier:
    value: str
    category: str
    pseudonym: str | None = None


def normalise_category(raw: str) -> str | None:
    category = " ".join(raw.lower().replace("_", " ").split())
    category = ALIASES.get(category, category)
    return category if category in CATEGORIES else None


def read_identifiers(path: str | Path) -> list[Identifier]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise IdentifiersError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise IdentifiersError(f"{path}: not a UTF-8 text file") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _yaml_rows(path, text)
    else:
        rows = _csv_rows(path, text)
    return _validate(path, rows)


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(text.splitlines())
    try:
        return _read_csv_rows(path, reader)
    except csv.Error as exc:  # a NUL, a cell past the csv module's limit
        raise IdentifiersError(f"{path}:{reader.line_num}: invalid CSV: {exc}") from None


def _read_csv_rows(path: Path, reader: csv.DictReader) -> list[tuple[int, dict]]:
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "value" not in columns or "category" not in columns:
        raise IdentifiersError(
            f"{path}:1: the header must have 'value' and 'category' columns "
            "(and optionally 'pseudonym')")
    rows = []
    for row in reader:
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
                 if k is not None}
        if not any(cells.values()):
            continue
        rows.append((reader.line_num, cells))
    return rows


def _yaml_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise IdentifiersError(f"{path}:{line}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:  # a NUL or other character YAML refuses
        raise IdentifiersError(f"{path}: invalid YAML: {' '.join(str(exc).split())}"
                               ) from None
    except RecursionError:
        raise IdentifiersError(f"{path}: invalid YAML: nested too deep") from None
    if node is None or not isinstance(node, yaml.SequenceNode):
        raise IdentifiersError(f"{path}:1: expected a list of identifiers")
    rows = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise IdentifiersError(f"{path}:{line}: each identifier must be a mapping")
        if not all(isinstance(n, yaml.ScalarNode) for pair in item.value for n in pair):
            raise IdentifiersError(f"{path}:{line}: each field of an identifier must be "
                                   "a name and a plain value")
        rows.append((line, {k.value.strip().lower(): str(v.value or "").strip()
                            for k, v in item.value}))
    return rows


def _validate(path: Path, rows: list[tuple[int, dict]]) -> list[Identifier]:
    seen: dict[str, tuple[int, Identifier]] = {}
    out: list[Identifier] = []
    for line, cells in rows:
        unknown = set(cells) - {"value", "category", "pseudonym"}
        if unknown:
            raise IdentifiersError(f"{path}:{line}: unknown field '{sorted(unknown)[0]}'")
        value = " ".join(cells.get("value", "").split())
        if not value:
            raise IdentifiersError(f"{path}:{line}: the value is empty")
        if len(value) < 2:
            # One character would be replaced inside every word that holds it.
            raise IdentifiersError(
                f"{path}:{line}: the value '{value}' is a single character, which would "
                "be replaced inside ordinary words; list the whole name")
        category = normalise_category(cells.get("category", ""))
        if category is None:
            raise IdentifiersError(
                f"{path}:{line}: unknown category '{cells.get('category', '')}' for "
                f"'{value}' (use one of: {', '.join(CATEGORIES)})")
        identifier = Identifier(value, category, cells.get("pseudonym") or None)
        key = value.casefold()
        if key in seen:
            first_line, first = seen[key]
            if (first.pseudonym, first.category) != (identifier.pseudonym, category):
                raise IdentifiersError(
                    f"{path}:{line}: '{value}' is listed again with a different "
                    f"category or pseudonym (first at line {first_line})")
            continue
        seen[key] = (line, identifier)
        out.append(identifier)
    return out
