"""The user's settings file: the coder's name, remembered after it is asked once, and
remapped keys. TOML at $QCODE_CONFIG, else $XDG_CONFIG_HOME/qcode/config.toml.

    coder = "Ana"
    vim = true                   # h j k l move on the coding screen

    [keys]                       # binding id = keys, comma separated
    "coding.code" = "c,enter"
    "coding.undo" = "z"

`qcode keys` lists every binding id.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.errors import QcodeError


class SettingsError(QcodeError):
    pass


@dataclass
class Settings:
    coder: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    vim: bool = False


def settings_path() -> Path:
    if os.environ.get("QCODE_CONFIG"):
        return Path(os.environ["QCODE_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "qcode" / "config.toml"


def read_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not a valid settings file ({exc})") from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise SettingsError(f'{path}: [keys] must map binding ids to keys, e.g. '
                            f'"coding.code" = "c"')
    vim = data.get("vim", False)
    if not isinstance(vim, bool):
        raise SettingsError(f"{path}: vim must be true or false")
    coder = data.get("coder")
    return Settings(coder if isinstance(coder, str) and coder.strip() else None, keys, vim)


def remember_coder(name: str, path: Path | None = None) -> None:
    path = path or settings_path()
    settings = read_settings(path)
    settings.coder = name
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON strings are valid TOML basic strings.
    lines = [f"coder = {json.dumps(settings.coder)}"]
    if settings.vim:
        lines.append("vim = true")
    if settings.keys:
        lines += ["", "[keys]"] + [f"{json.dumps(k)} = {json.dumps(v)}"
                                   for k, v in sorted(settings.keys.items())]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
