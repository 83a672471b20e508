"""The one base of the errors qcode raises on purpose.

Every error a researcher can cause, or that a pure function raises for data it cannot
use, derives from QcodeError, so a caller that wants "any of qcode's own errors" names
one class. Each room keeps its own subclass beside the code that raises it (ReportError
in reports/, AgreementDataError in agreement/, CodebookError in codebook.py, ...): the
subclass says where the problem lies, its message says what to do."""

from __future__ import annotations


class QcodeError(Exception):
    """A problem qcode recognised; the message is a sentence for the researcher."""
