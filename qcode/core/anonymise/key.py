"""The key: which pseudonym stands for which real value. It lives only in a file the
researcher chooses, never in the project, and can be encrypted with a passphrase
(scrypt-derived key, Fernet: AES-128-CBC with HMAC-SHA256)."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.anonymise.identifiers import CATEGORIES
from qcode.core.anonymise.patterns import canonical

PLAIN_FORMAT = "qcode-key"
ENCRYPTED_FORMAT = "qcode-key-encrypted"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}


class KeyFileError(Exception):
    """A problem with the key file; the message is a sentence for the user."""


@dataclass
class KeyEntry:
    value: str
    category: str
    pseudonym: str


@dataclass
class Key:
    """Real value -> pseudonym, consistent across every transcript of a project."""

    entries: dict[str, KeyEntry] = field(default_factory=dict)  # by canonical value
    counters: dict[str, int] = field(default_factory=dict)
    rejected: set[str] = field(default_factory=set)  # reviewed: not identifiers

    def lookup(self, value: str, category: str = "person") -> KeyEntry | None:
        return self.entries.get(canonical(value, category))

    def assign(self, value: str, category: str, pseudonym: str | None = None) -> KeyEntry:
        """The pseudonym for `value`, made on first sight: chosen, or the next
        '[Category N]' not yet used."""
        existing = self.lookup(value, category)
        if existing is not None:
            return existing
        if not pseudonym:
            label = CATEGORIES[category]
            number = self.counters.get(category, 0)
            used = {e.pseudonym for e in self.entries.values()}
            while True:
                number += 1
                pseudonym = f"[{label} {number}]"
                if pseudonym not in used:
                    break
            self.counters[category] = number
        entry = KeyEntry(value, category, pseudonym)
        self.entries[canonical(value, category)] = entry
        return entry

    def pseudonyms(self) -> list[str]:
        return sorted({e.pseudonym for e in self.entries.values()})

    def to_json(self) -> dict:
        return {
            "format": PLAIN_FORMAT, "version": 1,
            "entries": [vars(e) for e in sorted(self.entries.values(),
                                                key=lambda e: (e.category, e.pseudonym))],
            "counters": self.counters,
            "rejected": sorted(self.rejected),
        }

    @classmethod
    def from_json(cls, data: dict, path: Path) -> Key:
        try:
            key = cls(counters={str(k): int(v) for k, v in data.get("counters", {}).items()},
                      rejected=set(data.get("rejected", [])))
            for raw in data["entries"]:
                entry = KeyEntry(str(raw["value"]), str(raw["category"]),
                                 str(raw["pseudonym"]))
                if entry.category not in CATEGORIES:
                    raise ValueError(entry.category)
                key.entries[canonical(entry.value, entry.category)] = entry
        except (KeyError, TypeError, ValueError, AttributeError):
            raise KeyFileError(f"{path}: the key file is damaged (its entries cannot be read)")
        return key


def load_key(path: str | Path, passphrase: str | None = None) -> Key:
    """Read a key file; a missing file is an empty key (the first import makes it)."""
    path = Path(path)
    if not path.exists():
        return Key()
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        raise KeyFileError(f"{path}: not a qcode key file (not JSON)") from None
    if not isinstance(data, dict) or data.get("format") not in (PLAIN_FORMAT,
                                                                  ENCRYPTED_FORMAT):
        raise KeyFileError(f"{path}: not a qcode key file (unknown format)")
    if data["format"] == ENCRYPTED_FORMAT:
        if passphrase is None:
            raise KeyFileError(f"{path}: the key is encrypted; give its passphrase")
        data = _decrypt(data, passphrase, path)
    return Key.from_json(data, path)


def is_encrypted(path: str | Path) -> bool:
    try:
        return json.loads(Path(path).read_bytes()).get("format") == ENCRYPTED_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def save_key(key: Key, path: str | Path, passphrase: str | None = None) -> None:
    """Write atomically (temp file, then rename) so a crash never leaves half a key."""
    path = Path(path)
    data = key.to_json()
    if passphrase:
        data = _encrypt(data, passphrase)
    payload = json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fernet(passphrase: str, salt: bytes, params: dict):
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8"))))


def _encrypt(data: dict, passphrase: str) -> dict:
    salt = os.urandom(16)
    token = _fernet(passphrase, salt, SCRYPT).encrypt(json.dumps(data).encode("utf-8"))
    return {"format": ENCRYPTED_FORMAT, "version": 1, "kdf": "scrypt", **SCRYPT,
            "salt": base64.b64encode(salt).decode("ascii"), "token": token.decode("ascii")}


def _decrypt(data: dict, passphrase: str, path: Path) -> dict:
    from cryptography.fernet import InvalidToken

    try:
        salt = base64.b64decode(data["salt"])
        params = {k: int(data[k]) for k in ("n", "r", "p")}
        token = data["token"].encode("ascii")
    except (KeyError, ValueError, TypeError, AttributeError):
        raise KeyFileError(f"{path}: the encrypted key file is damaged") from None
    try:
        plain = _fernet(passphrase, salt, params).decrypt(token)
    except InvalidToken:
        raise KeyFileError(f"{path}: wrong passphrase (or the key file is damaged)") from None
    try:
        return json.loads(plain)
    except ValueError:
        raise KeyFileError(f"{path}: the encrypted key file is damaged") from None

