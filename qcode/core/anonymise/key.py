"""The key: which pseudonym stands for which real value. It lives only in a file the
researcher chooses, never in the project, and can be encrypted with a passphrase
(scrypt-derived key, Fernet: AES-128-CBC with HMAC-SHA256)."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.errors import QcodeError
from qcode.core.anonymise.identifiers import CATEGORIES
from qcode.core.anonymise.patterns import canonical

PLAIN_FORMAT = "qcode-key"
ENCRYPTED_FORMAT = "qcode-key-encrypted"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
# What a file may ask of scrypt: a damaged or hostile file must neither fail deep inside
# the library nor make qcode work for minutes or take gigabytes of memory.
SCRYPT_BOUNDS = {"n": (2**14, 2**17), "r": (1, 16), "p": (1, 4)}
SCRYPT_MEMORY = 2**27  # bytes: 128 * n * r
# The pseudonyms a key makes, "[Person 3]": found in a project, they came from some key.
GENERATED = re.compile(r"\[(?:%s) \d+\]" % "|".join(map(re.escape, CATEGORIES.values())))


class KeyFileError(QcodeError):
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
    # Who the key is, for the project to record, and which project it belongs to: one
    # pseudonym must never name two people, as a second key for one project would do.
    key_id: str = field(default_factory=lambda: secrets.token_hex(6))
    project: str | None = None  # the project's GUID, once bound
    _pseudonyms: set[str] | None = field(default=None, init=False, repr=False,
                                         compare=False)

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
            used = self._used()
            while True:
                number += 1
                pseudonym = f"[{label} {number}]"
                if pseudonym not in used:
                    break
            self.counters[category] = number
        entry = KeyEntry(value, category, pseudonym)
        self.entries[canonical(value, category)] = entry
        self._used().add(pseudonym)
        return entry

    def _used(self) -> set[str]:
        """Every pseudonym given, kept as entries are added: gathering it again for each
        new value made a large review quadratic. `entries` changes only through
        `assign` once this is made (from_json fills it before)."""
        if self._pseudonyms is None:
            self._pseudonyms = {e.pseudonym for e in self.entries.values()}
        return self._pseudonyms

    def pseudonyms(self) -> list[str]:
        return sorted({e.pseudonym for e in self.entries.values()})

    def to_json(self) -> dict:
        return {
            "format": PLAIN_FORMAT, "version": 1, "key_id": self.key_id,
            "project": self.project,
            "entries": [vars(e) for e in sorted(self.entries.values(),
                                                key=lambda e: (e.category, e.pseudonym))],
            "counters": self.counters,
            "rejected": sorted(self.rejected),
        }

    @classmethod
    def from_json(cls, data: dict, path: Path) -> Key:
        try:
            key = cls(counters={str(k): int(v) for k, v in data.get("counters", {}).items()},
                      rejected=set(data.get("rejected", [])),
                      project=_optional_text(data.get("project")))
            # A key written before keys had ids gets one now; saving it keeps it.
            key.key_id = _optional_text(data.get("key_id")) or key.key_id
            for raw in data["entries"]:
                entry = KeyEntry(str(raw["value"]), str(raw["category"]),
                                 str(raw["pseudonym"]))
                if entry.category not in CATEGORIES:
                    raise ValueError(entry.category)
                key.entries[canonical(entry.value, entry.category)] = entry
        except (KeyError, TypeError, ValueError, AttributeError):
            raise KeyFileError(f"{path}: the key file is damaged (its entries cannot be read)")
        return key


def _optional_text(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(value)
    return value or None


def bind(key: Key, key_path: Path, project_path: Path, project_guid: str,
         project_key: str | None, holds_pseudonyms: Callable[[], bool]) -> str | None:
    """Bind the key to the project it anonymises, or refuse: a key of another project,
    or a new key for a project whose pseudonyms came from a key not given, would start
    again at '[Person 1]' and give one pseudonym to two people. Returns a note to show
    when a key that named no project is bound now. Call before the key is saved."""
    new = not Path(key_path).exists()
    if key.project and key.project != project_guid:
        raise KeyFileError(
            f"{key_path} is the key of another project ({key.project}), not of "
            f"{project_path} ({project_guid}); give {project_path}'s key file")
    if project_key and key.key_id != project_key:
        if new:
            raise KeyFileError(
                f"{key_path}: no such key file; {project_path}'s pseudonyms came from key "
                f"{project_key}; give that key file")
        raise KeyFileError(
            f"{key_path} is key {key.key_id}, but {project_path}'s pseudonyms came from "
            f"key {project_key}; give that key file")
    if new and not project_key and holds_pseudonyms():
        raise KeyFileError(
            f"{key_path}: no such key file, but {project_path} already holds pseudonyms "
            "from a key it did not record; give that key file")
    note = None
    if key.project is None and not new:
        note = (f"{key_path} named no project; it is now bound to {project_path} "
                f"({project_guid}) and will be refused for any other project")
    key.project = project_guid
    return note


def bind_to_project(key: Key, key_path: Path, project) -> str | None:
    """`bind` for an open project (qcode.core.store.Project). A project from before keys
    had ids records none: whether it holds pseudonyms is then read from its texts."""
    def holds_pseudonyms() -> bool:
        return any(GENERATED.search(project.transcript_text(t.id))
                   for t in project.transcripts())

    return bind(key, key_path, project.path, project.guid, project.key_id(),
                holds_pseudonyms)


def load_key(path: str | Path, passphrase: str | None = None) -> Key:
    """Read a key file; a missing file is an empty key (the first import makes it)."""
    path = Path(path)
    if not path.exists():
        return Key()
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        raise KeyFileError(f"{path}: not a qcode key file (not JSON)") from None
    except RecursionError:
        raise KeyFileError(f"{path}: not a qcode key file (nested too deep)") from None
    if not isinstance(data, dict) or data.get("format") not in (PLAIN_FORMAT,
                                                                  ENCRYPTED_FORMAT):
        raise KeyFileError(f"{path}: not a qcode key file (unknown format)")
    if data["format"] == ENCRYPTED_FORMAT:
        if passphrase is None:
            raise KeyFileError(f"{path}: the key is encrypted; give its passphrase")
        data = _decrypt(data, passphrase, path)
    return Key.from_json(data, path)


def is_encrypted(path: str | Path, form: str = ENCRYPTED_FORMAT) -> bool:
    try:
        return json.loads(Path(path).read_bytes()).get("format") == form
    except (OSError, ValueError, AttributeError, RecursionError):
        return False


def save_key(key: Key, path: str | Path, passphrase: str | None = None) -> None:
    """Write atomically (temp file, then rename) so a crash never leaves half a key."""
    path = Path(path)
    data = key.to_json()
    if passphrase:
        data = _encrypt(data, passphrase)
    payload = json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")
    if not path.parent.is_dir():
        raise KeyFileError(f"{path}: there is no folder {path.parent} to keep the key in; "
                           "create it first")
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
    return encrypt(json.dumps(data).encode("utf-8"), passphrase, ENCRYPTED_FORMAT)


def _decrypt(data: dict, passphrase: str, path: Path) -> dict:
    try:
        return json.loads(decrypt(data, passphrase, path, "key file"))
    except (ValueError, RecursionError):
        raise KeyFileError(f"{path}: the encrypted key file is damaged") from None


def encrypt(plain: bytes, passphrase: str, form: str) -> dict:
    """`plain` sealed with the passphrase, as a JSON object of format `form`; the
    review report beside an encrypted key is sealed the same way."""
    salt = os.urandom(16)
    token = _fernet(passphrase, salt, SCRYPT).encrypt(plain)
    return {"format": form, "version": 1, "kdf": "scrypt", **SCRYPT,
            "salt": base64.b64encode(salt).decode("ascii"), "token": token.decode("ascii")}


def decrypt(data: dict, passphrase: str, path: Path, what: str) -> bytes:
    from cryptography.fernet import InvalidToken

    damaged = f"{path}: the encrypted {what} is damaged"
    try:
        salt = base64.b64decode(data["salt"], validate=True)
        params = {k: int(data[k]) for k in ("n", "r", "p")}
        token = data["token"].encode("ascii")
    except (KeyError, ValueError, TypeError, AttributeError):
        raise KeyFileError(damaged) from None
    if data.get("kdf", "scrypt") != "scrypt":
        raise KeyFileError(f"{damaged} (it asks for a key derivation other than the "
                           "scrypt qcode writes)")
    if not _sound(params) or len(salt) < 8:
        raise KeyFileError(f"{damaged} (its scrypt settings n={params['n']}, "
                           f"r={params['r']}, p={params['p']} are not ones qcode writes)")
    try:
        return _fernet(passphrase, salt, params).decrypt(token)
    except InvalidToken:
        raise KeyFileError(f"{path}: wrong passphrase (or the {what} is damaged)") from None


def _sound(params: dict[str, int]) -> bool:
    n = params["n"]
    return (all(low <= params[k] <= high for k, (low, high) in SCRYPT_BOUNDS.items())
            and n & (n - 1) == 0 and 128 * n * params["r"] <= SCRYPT_MEMORY)

