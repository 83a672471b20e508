"""The review file of an anonymisation, filled in by the researcher. Sealed with the
key's passphrase when the key is encrypted, it cannot be opened in a spreadsheet or an
editor as it is: `review-file edit` unseals it into a private copy for the editor and
seals the result again in its place. The copy holds real names, so it lives in memory
where the system allows (/dev/shm), is readable by its owner only, and is removed
whatever happens."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qcode.cli import commandline as cl

from qcode.cli.anonymise import ask_passphrase
from qcode.cli.common import confirm, say
from qcode.core.errors import QcodeError

IN_MEMORY = Path("/dev/shm")  # a folder in memory on Linux: the copy never reaches a disk


@cl.group(name="review-file")
def review_file() -> None:
    """The review file an anonymising import writes (beside the key, or --report)."""


@review_file.command()
@cl.argument("file", type=cl.Path(dir_okay=False, path_type=Path))
@cl.option("--key", "key_path", type=cl.Path(dir_okay=False, path_type=Path),
           help="The key the file belongs to: its passphrase is asked for by its "
           "name, and it is never written over.")
def edit(file: Path, key_path: Path | None) -> None:
    """Fill in FILE's decision column in your editor ($VISUAL, $EDITOR, else vi). An
    encrypted file is unsealed with the key's passphrase (asked, or
    $QCODE_KEY_PASSPHRASE) into a private temporary copy, and sealed again in place
    when the editor closes."""
    from qcode.core.anonymise.key import is_encrypted
    from qcode.core.anonymise.review import (ENCRYPTED_REPORT, open_review_file,
                                             seal_review_file)

    if not file.is_file():
        raise cl.CommandError(f"{file}: no such file")
    if not is_encrypted(file, ENCRYPTED_REPORT):
        say(f"{file} is not encrypted: opening it as it is", err=True)
        run_editor(file)
        return
    passphrase = ask_passphrase(key_path or file)
    plain = open_review_file(file, passphrase)
    with private_copy(plain, file.name) as copy:
        while True:
            run_editor(copy)
            edited = copy.read_bytes()
            if edited == plain:
                say(f"{file}: nothing changed")
                return
            try:
                seal_review_file(file, edited, passphrase, key_path)
            except QcodeError as exc:  # a mistake in the file: say so, maybe edit again
                if not (sys.stdin.isatty() and confirm(
                        f"{exc}; edit it again?", default=True, err=True)):
                    raise
                continue
            break
    say(f"{file}: sealed again with the key's passphrase")


def run_editor(path: Path) -> None:
    import shlex
    import subprocess  # here, not at the top: `qcode --help` starts without it

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    command = shlex.split(editor)
    try:
        done = subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise cl.CommandError(f"cannot start the editor '{editor}' ({exc.strerror}); "
                              "set VISUAL or EDITOR") from None
    if done.returncode != 0:
        raise cl.CommandError(f"the editor '{editor}' ended with an error "
                              f"({done.returncode}); the review file is unchanged")


@contextmanager
def private_copy(data: bytes, name: str) -> Iterator[Path]:
    """`data` in a file only its owner can read, in a folder only its owner can enter,
    in memory where there is one; removed however the block ends."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="qcode-review-",
                                   dir=IN_MEMORY if IN_MEMORY.is_dir() else None))
    try:
        copy = folder / name
        descriptor = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)
