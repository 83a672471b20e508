"""Cases that come back from QualCoder without their transcripts, said once.

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

from qcode.core.exchange.project_model import ExchangeProject


def cases_unlinked(project: ExchangeProject, origin: str) -> list[str]:
    """One line when a QualCoder export holds cases with no transcript."""
    if not origin.lower().startswith("qualcoder"):
        return []
    alone = [case.name for case in project.cases if not case.transcripts]
    if not alone:
        return []
    shown = ", ".join(alone[:3]) + (f" and {len(alone) - 3} more" if len(alone) > 3 else "")
    return [f"{len(alone)} case(s) came without transcripts ({shown}): QualCoder's export "
            "writes a case's link to a text only when it is stored from position 0 to 0 "
            "(RefiExport.case_source_ref_xml in its refi.py), which a link made in "
            "QualCoder is not; link them again in qcode"]
