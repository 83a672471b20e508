"""pyqdpx, an independent REFI-QDA reader, opening qcode's exports: which Python runs it,
and what it finds in an archive. It imports only on Python 3.12 and later."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

# Each coded selection's text as pyqdpx gives it, by the selection's GUID, with the
# zero-width spaces it adds for its UTF-16 counting taken out again.
READ = """
import json, sys
from pyqdpx import QDPX
project = QDPX(sys.argv[1]).get_project()
found = {guid: [source.name, selection.text.replace("\\u200b", "")]
         for source in project.sources.values()
         for guid, selection in source.coded_selections.items()}
print(json.dumps(found))
"""


def reader_python() -> str | None:
    """The Python that runs pyqdpx: PYQDPX_PYTHON, else this one if pyqdpx imports here."""
    if os.environ.get("PYQDPX_PYTHON"):
        return os.environ["PYQDPX_PYTHON"]
    try:
        import pyqdpx  # noqa: F401
    except (ImportError, SyntaxError):  # SyntaxError: its f-strings need Python 3.12
        return None
    return sys.executable


PYTHON = reader_python()


def read_with_pyqdpx(archive: Path) -> dict[str, list[str]]:
    """{selection GUID: [source name, text]} as pyqdpx reads `archive`."""
    done = subprocess.run([PYTHON, "-c", READ, str(archive)], capture_output=True,
                          text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, f"pyqdpx could not read {archive.name}: {done.stderr}"
    # pyqdpx prints its warnings (a case link has no coder) before the result.
    return json.loads(done.stdout.strip().splitlines()[-1])


def selection_guid(coding_guid: str) -> str:
    from qcode.core.exchange.refi_write import QCODE_NS

    return str(uuid.uuid5(QCODE_NS, "selection:" + coding_guid))


def check_export(archive: Path) -> None:
    """Every coding of a qcode export, as qcode reads it back, is where pyqdpx finds it.

    Left out, as the two readers count differently there by design (docs/interop.md):
    another tool's archive, one whose texts keep CR LF (`--for maxqda`), and, in a
    standard export, a coding after a character beyond U+FFFF (pyqdpx counts UTF-16
    units, as NVivo does; tests/compat/test_pyqdpx.py checks that case)."""
    from qcode.core.exchange.qdpx_read import read_project_file
    from qcode.core.exchange.safe_xml import ExchangeError

    try:
        with zipfile.ZipFile(archive) as packed:
            qde = packed.read("project.qde").decode("utf-8", "replace")
            if any(b"\r" in packed.read(name) for name in packed.namelist()
                   if name.startswith("sources/")):
                return
        project = read_project_file(archive)
    except (zipfile.BadZipFile, KeyError, ExchangeError):
        return  # a test of bad input
    # qcode's selections have GUIDs derived from their codings' (a test's own archive,
    # written by hand to look like qcode's, has others): none of them, nothing to check.
    guids = {selection_guid(coding.guid) for coding in project.codings}
    if not guids & set(re.findall(r'PlainTextSelection guid="([0-9a-f-]{36})"', qde)):
        return
    head = qde[:4096]
    # `--for nvivo` says so in the origin: positions in UTF-16 units, as pyqdpx counts.
    utf16 = re.search(r'origin="qcode[^"]*for NVivo', head) is not None
    found = read_with_pyqdpx(archive)
    names = {t.guid: t.name for t in project.transcripts}
    texts = {t.guid: t.text for t in project.transcripts}
    for coding in project.codings:
        text = texts[coding.transcript]
        if not utf16 and any(ord(c) > 0xFFFF for c in text[:coding.end]):
            continue
        guid = selection_guid(coding.guid)
        assert guid in found, f"pyqdpx finds no selection {guid} in {archive.name}"
        assert found[guid] == [names[coding.transcript], text[coding.start:coding.end]], \
            f"pyqdpx reads selection {guid} of {archive.name} as {found[guid]}"
