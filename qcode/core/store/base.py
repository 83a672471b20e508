"""What every room of the store shares: its error, GUIDs and timestamps."""

from __future__ import annotations

from datetime import datetime, timezone

from qcode.core.errors import QcodeError


CONSENSUS = "consensus"  # the coder whose codings are the agreed version


class ProjectError(QcodeError):
    """A problem a user can act on; the message is a sentence for them."""


def new_guid() -> str:
    import uuid  # loads `platform`: only when something is made, not to read a project

    return str(uuid.uuid4()).upper()


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
