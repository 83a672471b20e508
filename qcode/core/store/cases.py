"""Coders, cases (participants) and their attributes."""

from __future__ import annotations

from collections.abc import Mapping

from qcode.core.store.base import new_guid, now


class Cases:
    def coder_id(self, name: str) -> int:
        """The coder's id, creating the coder on first use."""
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO coders (guid, name, created) VALUES (?, ?, ?)",
                (new_guid(), name, now()),
            )
            self.record("add coder", f"added coder {name}", coder=name)
        return cursor.lastrowid

    def coders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM coders ORDER BY name")]

    def _case_id(self, name: str, create: bool) -> int | None:
        row = self.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        if not create:
            return None
        return self.conn.execute(
            "INSERT INTO cases (guid, name) VALUES (?, ?)", (new_guid(), name)
        ).lastrowid

    def set_attributes(self, case: str, values: Mapping[str, str],
                       actor: str | None = None) -> None:
        """Set attributes of a case (created if new); an empty value removes one. One
        undoable action of `actor` (default: this coder)."""
        with self.transaction():
            changes: list = []
            case_id = self._case_id(case, create=False)
            if case_id is None:
                case_id = self._insert(changes, "cases", {"guid": new_guid(), "name": case})
            for name, value in values.items():
                row = {"case_id": case_id, "name": name}
                before = self._keyed_row("attributes", row)
                if before is not None and before["value"] == value:
                    continue
                self._delete_keyed(changes, "attributes", row)
                if value != "":
                    self._insert_keyed(changes, "attributes", {
                        **row, "value": value, "type": _attribute_type(value)})
            shown = ", ".join(f"{k}={v!s}" for k, v in values.items())
            if not changes:  # every value was already so: nothing to undo
                self.record("set attributes", f"case {case}: {shown} (unchanged)",
                            actor=actor, case=case, attributes=dict(values))
                return
            self._action("set attributes", f"case {case}: {shown}", changes, actor=actor,
                         case=case, attributes=dict(values))

    def attribute_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT name FROM attributes ORDER BY name")]


def _attribute_type(value: str) -> str:
    try:
        int(value)
        return "integer"
    except ValueError:
        pass
    try:
        float(value)
        return "float"
    except ValueError:
        return "text"
