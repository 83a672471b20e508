"""The store: the project file, and the only package in qcode that runs SQL.

Callers use `Project` (open or create a project) and the names below; the modules
inside are the rooms of `Project`, one per concern.
"""

from qcode.core.store.base import CONSENSUS, ProjectError, new_guid, now
from qcode.core.store.project import Project
from qcode.core.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, SQLITE_HEADER

__all__ = ["APPLICATION_ID", "CONSENSUS", "MIGRATIONS", "SCHEMA_VERSION", "SQLITE_HEADER",
           "Project", "ProjectError", "new_guid", "now"]
