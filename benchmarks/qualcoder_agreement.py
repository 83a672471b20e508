"""Time QualCoder's own two-coder comparison on a QualCoder project (issue 13).

Run with QualCoder's Python (see the README of the headless QualCoder client):

    $QUALCODER_PYTHON benchmarks/qualcoder_agreement.py CLIENT_DIR PROJECT.qda CODE CODER_A CODER_B

It calls ``DialogReportCoderComparisons.calculate_agreement_for_code`` itself, as the
dialog's Run button does for each code, with the project's connection, its file list as
the dialog's ``get_data`` reads it and the two coders selected; the dialog's window is
not built (no screen). Prints one line of JSON: seconds (CPU time) and QualCoder's
totals.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from types import SimpleNamespace


def main() -> None:
    client, project, code, first, second = sys.argv[1:6]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, client)
    import stub  # noqa: F401  (QualCoder's client: stands in for unused packages)
    from qualcoder.reports import DialogReportCoderComparisons

    conn = sqlite3.connect(os.path.join(project, "data.qda"))
    cid = conn.execute("select cid from code_name where name = ?", (code,)).fetchone()[0]
    files = conn.execute("select id, length(fulltext) from source "
                         "where fulltext is not null").fetchall()
    dialog = SimpleNamespace(app=SimpleNamespace(conn=conn), file_summaries=files,
                             selected_coders=[first, second], parent_textEdit=None)
    started = time.process_time()
    totals = DialogReportCoderComparisons.calculate_agreement_for_code(dialog, cid)
    seconds = time.process_time() - started
    print(json.dumps({"seconds": seconds, "totals": totals}))


if __name__ == "__main__":
    main()
