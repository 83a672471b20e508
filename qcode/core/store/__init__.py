"""The store: the project file, and the only package in qcode that runs SQL.

Callers use `Project` (open or create a project) and the names below; the modules
inside are the rooms of `Project`, one per concern.

Every command, `qcode search` first, pays for importing the store, and importing
`dataclasses` (with inspect, ast and dis) and building the model's classes cost more
than a search (issue 16). So the rooms import the model where they make its objects,
and the records that are the store's own (search hits, undo steps, memo rows and links,
auto-coding's) are named tuples; tests/cli/test_startup.py holds that line.
"""

from qcode.core.store.base import CONSENSUS, ProjectError, new_guid, now
from qcode.core.store.project import Project
from qcode.core.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, SQLITE_HEADER

__all__ = ["APPLICATION_ID", "CONSENSUS", "MIGRATIONS", "SCHEMA_VERSION", "SQLITE_HEADER",
           "Project", "ProjectError", "new_guid", "now"]
