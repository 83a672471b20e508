"""Every file a command writes goes through here, so that none of them can replace the
project, its WAL, or the key (a report naming the project file once overwrote it with
real names), nor, unless asked with --force, any other file that is already there.

A file is written beside its target under a temporary name and then renamed, so a
failure leaves nothing half-written; only its owner may read it, as with the project
it came from."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qcode.core.errors import QcodeError

KEY_MARK = b'"qcode-key'  # the start of a key file's format name, plain or encrypted


class OutputError(QcodeError):
    """A file that may not be written, or could not be; the message is for the user."""


def check(target: Path, project: Path | None = None, key: Path | None = None,
          force: bool = False) -> None:
    """Refuse, before any work is done, a target that is the project (or its WAL or
    shared memory), the key, a folder, or an existing file without `force`."""
    if project is not None:
        for own in (project, Path(f"{project}-wal"), Path(f"{project}-shm")):
            if _same(target, own):
                what = "the project itself" if own == project else f"the project's {own}"
                raise OutputError(f"{target} is {what}; choose another file to write")
    if (key is not None and _same(target, key)) or _is_key(target):
        raise OutputError(f"{target} is a key file; choose another file to write (a key "
                          "replaced is every pseudonym's meaning lost)")
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give a file name")
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; give --force to replace it")
    if not target.parent.is_dir():
        raise OutputError(f"{target}: there is no folder {target.parent} to write it in")


@contextmanager
def replacing(target: Path, project: Path | None = None, key: Path | None = None,
              force: bool = False) -> Iterator[Path]:
    """Check `target`, then give an empty file (mode 0600) beside it to write; once the
    block ends it takes the target's place. On any failure it is removed."""
    check(target, project, key, force)
    _remove_stale_parts(target)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        yield partial
        os.replace(partial, target)
    except BaseException as exc:
        # With the SQLite journal a failed backup leaves beside it (a full disk).
        for leftover in (partial, *(partial.with_name(partial.name + sidecar)
                                    for sidecar in ("-journal", "-wal", "-shm"))):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass  # its folder vanished: nothing of ours is left either way
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise


def _remove_stale_parts(target: Path) -> None:
    """Remove what a killed write to `target` left beside it: our own `.part` files
    whose process is gone. Another process's, still writing, is left alone."""
    prefix = f".{target.name}."
    for leftover in target.parent.glob(f"{glob.escape(prefix)}*.part"):
        pid = leftover.name[len(prefix):-len(".part")]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                leftover.unlink()
            except OSError:
                pass  # gone already, or not ours to remove: the write goes on


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: alive, and not ours to judge
    return True


def write(target: Path, content: str | bytes, project: Path | None = None,
          key: Path | None = None, force: bool = False) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    with replacing(target, project, key, force) as partial:
        with partial.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it takes the target's place


def _same(target: Path, other: Path) -> bool:
    if target.exists() and other.exists():
        return os.path.samefile(target, other)
    return target.resolve() == other.resolve()


def _is_key(target: Path) -> bool:
    """A key file by its content: whoever names it, replacing it loses the key."""
    try:
        with target.open("rb") as stream:
            return KEY_MARK in stream.read(64)
    except OSError:
        return False
