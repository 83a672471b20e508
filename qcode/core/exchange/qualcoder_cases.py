"""Cases and their transcripts on the way back from QualCoder.

QualCoder's export names a case's text in a `SourceRef` by the GUID it gave its copy of
the source's file (`sources/<GUID>.txt`, `get_sources`), not by the GUID it then gives
the `TextSource` (`sources_xml` makes a new one): the reference points at no source. The
copy's text is the source's, so a link is recovered where that text is the text of
exactly one source, and said; a copy whose text several sources share links none, and
says so.

QualCoder's import stores a case's link to a text at the positions of the selection
that carries it (`RefiImport.clean_up_case_codes_and_case_text` in its refi.py), and its
own screens link a whole text (from 0 to its length). Its export writes a case's
`SourceRef` only for a link stored from 0 to 0 (`RefiExport.case_source_ref_xml`,
`where caseid=? and pos0=0 and pos1=0`), and nothing else of the others: no selection,
no attribute, no name says which texts they were. qcode's exports `--for qualcoder` also
write each link from 0 to 0, so those come back; for the rest there is no evidence to
recover them from, so the import says how many came back alone and why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from qcode.core.exchange.foreign import written_by
from qcode.core.exchange.project_model import ExchangeProject
from qcode.core.importers.base import normalise
from qcode.core.model import Transcript


class SourceCopies:
    """The transcripts QualCoder's SourceRefs mean, found by the text of the file each
    names; what was found, and what could not be, counted for one line each."""

    def __init__(self, transcripts: list[Transcript]):
        self.by_text: dict[str, list[Transcript]] = defaultdict(list)
        for transcript in transcripts:
            self.by_text[transcript.text].append(transcript)
        self.found = 0
        self.unclear = 0  # links whose copy holds a text several sources have
        self.shared: list[str] = []  # those sources' names

    def transcript(self, target: str, internal: Callable[[str], bytes | None],
                   decoded: Callable[[bytes, str | None], str]) -> str | None:
        """The GUID of the one transcript whose text is in `sources/<target>.txt`."""
        data = internal(f"internal://{target}.txt") if target else None
        if not data:
            return None
        alike = self.by_text.get(normalise(decoded(data, None)), [])
        if len(alike) != 1:
            self.unclear += 1 if alike else 0
            self.shared += [t.name for t in alike]
            return None
        self.found += 1
        return alike[0].guid

    def said(self) -> list[str]:
        lines = []
        if self.found:
            lines.append(
                f"{self.found} case link(s) found by the text of the file they name: "
                "QualCoder's export names a case's source by the GUID of its copy of the "
                "file, not the source's (RefiExport.case_source_ref_xml and sources_xml "
                "in its refi.py); each copy holds the text of exactly one source")
        if self.unclear:
            names = sorted(set(self.shared))
            lines.append(
                f"{self.unclear} case link(s) not made: the file each names holds a "
                "text that several sources share, so which one is meant cannot be told ("
                + ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3
                                          else "") + ")")
        return lines


def cases_unlinked(project: ExchangeProject, origin: str) -> list[str]:
    """One line when a QualCoder export holds cases with no transcript."""
    if not written_by(origin, "qualcoder"):
        return []
    alone = [case.name for case in project.cases if not case.transcripts]
    if not alone:
        return []
    shown = ", ".join(alone[:3]) + (f" and {len(alone) - 3} more" if len(alone) > 3 else "")
    return [f"{len(alone)} case(s) came without transcripts ({shown}): QualCoder's export "
            "writes a case's link to a text only when it is stored from position 0 to 0 "
            "(RefiExport.case_source_ref_xml in its refi.py), which a link made in "
            "QualCoder is not; link them again in qcode"]
