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

    def set_attributes(self, case: str, values: Mapping[str, str]) -> None:
        """Set attributes of a case (created if new); an empty value removes one."""
        with self.transaction():
            case_id = self._case_id(case, create=True)
            for name, value in values.items():
                if value == "":
                    self.conn.execute(
                        "DELETE FROM attributes WHERE case_id = ? AND name = ?",
                        (case_id, name),
                    )
                else:
                    self.conn.execute(
                        "INSERT INTO attributes (case_id, name, value, type) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (case_id, name) "
                        "DO UPDATE SET value = excluded.value, type = excluded.type",
                        (case_id, name, value, _attribute_type(value)),
                    )
            shown = ", ".join(f"{k}={v!s}" for k, v in values.items())
            self.record("set attributes", f"case {case}: {shown}", case=case,
                        attributes=dict(values))

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
