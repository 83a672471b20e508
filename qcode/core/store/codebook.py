"""The codebook in the project: the theme tree, loading a codebook file, and editing
codes while coding (undoable)."""

from __future__ import annotations

from collections.abc import Mapping

from qcode.core.store.base import ProjectError, new_guid


class Codebook:
    def codes(self) -> list[dict]:
        """All codes in tree order (depth-first, by sort order), each with its depth."""
        rows = self.conn.execute(
            "SELECT id, guid, parent_id, name, definition, when_to_use, when_not_to_use,"
            " example, colour, key, sort_order,"
            " (SELECT count(*) FROM codings WHERE code_id = codes.id), codable"
            " FROM codes ORDER BY sort_order, id"
        ).fetchall()
        keys = ("id", "guid", "parent_id", "name", "definition", "when_to_use",
                "when_not_to_use", "example", "colour", "key", "sort_order", "codings",
                "codable")
        children: dict[int | None, list[dict]] = {}
        for row in rows:
            code = dict(zip(keys, row))
            code["codable"] = bool(code["codable"])
            children.setdefault(code["parent_id"], []).append(code)
        ordered: list[dict] = []

        def walk(parent: int | None, depth: int) -> None:
            for code in children.get(parent, []):
                code["depth"] = depth
                ordered.append(code)
                walk(code["id"], depth + 1)

        walk(None, 0)
        return ordered

    def load_codebook(self, codebook, under: str | None = None) -> dict:
        """Bring a codebook's codes into the project: matched by GUID, then by their path
        of names; matched codes take the file's fields, new ones are added, and nothing
        is deleted (codings are never lost). With `under`, the codebook becomes a theme
        of that name, so several codebooks can share one project.
        Returns counts of added/updated/unchanged, and `keys_dropped`: shortcut keys
        not given because another code has them."""
        from qcode.core.codebook import CODE_COLUMNS, Code

        if under:
            codebook = type(codebook)(
                name=codebook.name, description=codebook.description,
                codes=[Code(name=under, definition=codebook.description,
                            codes=codebook.codes)],
            )
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        dropped: list[str] = []
        with self.transaction():
            by_guid = {r[0]: r[1] for r in self.conn.execute("SELECT guid, id FROM codes")}

            def place(code, parent_id: int | None, order: int) -> None:
                row_id = by_guid.get(code.guid.upper()) if code.guid else None
                if row_id is None:
                    found = self.conn.execute(
                        "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ?",
                        (parent_id or 0, code.name),
                    ).fetchone()
                    row_id = found[0] if found else None
                values = {f: getattr(code, f) for f in CODE_COLUMNS}
                values["codable"] = int(values["codable"])
                if values["key"]:
                    holder = self.conn.execute(
                        "SELECT id, name FROM codes WHERE key = ? AND id IS NOT ?",
                        (values["key"], row_id)).fetchone()
                    if holder:
                        # One key, one code: the code that had it first keeps it.
                        dropped.append(f"key '{values['key']}' of {code.name} already "
                                       f"belongs to {holder[1]}; {code.name} has no key")
                        values["key"] = None
                if row_id is None:
                    row_id = self.conn.execute(
                        "INSERT INTO codes (guid, parent_id, name, definition, when_to_use,"
                        " when_not_to_use, example, colour, key, sort_order, codable)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ((code.guid or new_guid()).upper(), parent_id, code.name,
                         values["definition"], values["when_to_use"],
                         values["when_not_to_use"], values["example"], values["colour"],
                         values["key"], order, values["codable"]),
                    ).lastrowid
                    counts["added"] += 1
                else:
                    before = self.conn.execute(
                        "SELECT parent_id, name, definition, when_to_use, when_not_to_use,"
                        " example, colour, key, sort_order, codable FROM codes WHERE id = ?",
                        (row_id,),
                    ).fetchone()
                    after = (parent_id, code.name, values["definition"],
                             values["when_to_use"], values["when_not_to_use"],
                             values["example"], values["colour"], values["key"], order,
                             values["codable"])
                    if tuple(before) == after:
                        counts["unchanged"] += 1
                    else:
                        self.conn.execute(
                            "UPDATE codes SET parent_id = ?, name = ?, definition = ?,"
                            " when_to_use = ?, when_not_to_use = ?, example = ?,"
                            " colour = ?, key = ?, sort_order = ?, codable = ? WHERE id = ?",
                            (*after, row_id),
                        )
                        counts["updated"] += 1
                for child_order, child in enumerate(code.codes):
                    place(child, row_id, child_order)

            first = self.conn.execute(
                "SELECT ifnull(max(sort_order) + 1, 0) FROM codes WHERE parent_id IS NULL"
            ).fetchone()[0]
            for order, code in enumerate(codebook.codes):
                found = self.conn.execute(
                    "SELECT sort_order FROM codes WHERE parent_id IS NULL AND name = ?",
                    (code.name,),
                ).fetchone()
                place(code, None, found[0] if found else first + order)
            if not under:  # a codebook loaded as a theme does not name the project's
                self._set_meta("codebook_name", codebook.name)
            self.record(
                "load codebook",
                f"loaded codebook '{codebook.name}': {counts['added']} added, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged",
                codebook=codebook.name, **counts,
            )
        return {**counts, "keys_dropped": dropped}

    def code(self, code_id: int) -> dict:
        row = self._row("codes", code_id)
        if row is None:
            raise ProjectError(f"no code with id {code_id}")
        return row

    def _check_name(self, name: str, parent_id: int | None, code_id: int | None) -> str:
        name = name.strip()
        if not name:
            raise ProjectError("a code needs a name")
        clash = self.conn.execute(
            "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ?",
            (parent_id or 0, name),
        ).fetchone()
        if clash and clash[0] != code_id:
            where = f"under '{self._code_name(parent_id)}'" if parent_id else "at the top"
            raise ProjectError(f"there is already a code named '{name}' {where}")
        return name

    def _check_key(self, key: str | None, code_id: int | None) -> None:
        if not key:
            return
        holder = self.conn.execute("SELECT name FROM codes WHERE key = ? AND id IS NOT ?",
                                   (key, code_id)).fetchone()
        if holder:
            raise ProjectError(f"the key '{key}' already belongs to {holder[0]}")

    def _check_fields(self, fields: Mapping[str, str | None]) -> None:
        from qcode.core.codebook import CODE_COLUMNS, COLOUR

        unknown = set(fields) - set(CODE_COLUMNS) - {"name"}
        if unknown:
            raise ProjectError(f"codes have no field {', '.join(sorted(unknown))}")
        colour = fields.get("colour")
        if colour and not COLOUR.match(colour):
            raise ProjectError(f"colour '{colour}' is not of the form #RRGGBB")
        key = fields.get("key")
        if key and (len(key) != 1 or not (key.isdigit() or key.islower())):
            raise ProjectError(f"shortcut key '{key}' must be one lowercase letter or digit")

    def add_code(self, name: str, parent_id: int | None = None, **fields) -> int:
        fields = _trimmed(fields)
        self._check_fields(fields)
        with self.transaction():
            name = self._check_name(name, parent_id, None)
            self._check_key(fields.get("key"), None)
            order = self.conn.execute(
                "SELECT ifnull(max(sort_order) + 1, 0) FROM codes"
                " WHERE ifnull(parent_id, 0) = ?", (parent_id or 0,)).fetchone()[0]
            changes: list = []
            code_id = self._insert(changes, "codes", {
                "guid": new_guid(), "parent_id": parent_id, "name": name,
                "definition": "", "when_to_use": "", "when_not_to_use": "", "example": "",
                "colour": None, "key": None, "sort_order": order, "codable": True,
                **fields})
            self._action("add code", f"added code {name}", changes, code=code_id)
        return code_id

    def edit_code(self, code_id: int, **fields) -> None:
        """Rename a code or change its definition, guidance, example, colour or key."""
        fields = _trimmed(fields)
        self._check_fields(fields)
        code = self.code(code_id)
        if fields.get("codable") is False and code["codable"]:
            self._check_can_be_category(code)
        with self.transaction():
            if "name" in fields:
                fields["name"] = self._check_name(fields["name"], code["parent_id"], code_id)
            self._check_key(fields.get("key"), code_id)
            changes: list = []
            self._update(changes, "codes", code_id, **fields)
            if changes:
                what = (f"renamed code {code['name']} to {fields['name']}"
                        if "name" in changes[0][3] else f"edited code {code['name']}")
                self._action("edit code", what, changes, code=code_id)

    def _check_can_be_category(self, code: dict) -> None:
        used = self.conn.execute("SELECT count(*) FROM codings WHERE code_id = ?",
                                 (code["id"],)).fetchone()[0]
        if used:
            raise ProjectError(f"{code['name']} has {used} codings, and a category cannot "
                               "have any: move them to another code first")

    def move_code(self, code_id: int, parent_id: int | None) -> None:
        """Put a code under another theme (None: make it a top-level theme)."""
        code = self.code(code_id)
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == code_id:
                raise ProjectError(f"cannot move {code['name']} under itself or its children")
            ancestor = self.code(ancestor)["parent_id"]
        with self.transaction():
            self._check_name(code["name"], parent_id, code_id)
            order = self.conn.execute(
                "SELECT ifnull(max(sort_order) + 1, 0) FROM codes"
                " WHERE ifnull(parent_id, 0) = ?", (parent_id or 0,)).fetchone()[0]
            changes: list = []
            self._update(changes, "codes", code_id, parent_id=parent_id, sort_order=order)
            where = self._code_name(parent_id) if parent_id else "the top level"
            self._action("move code", f"moved code {code['name']} to {where}", changes,
                         code=code_id)

    def merge_codes(self, source_id: int, target_id: int) -> int:
        """Merge `source` into `target`: its codings and child codes move to the
        target, then it is removed. Returns the number of codings moved."""
        if source_id == target_id:
            raise ProjectError("a code cannot be merged into itself")
        source, target = self.code(source_id), self.code(target_id)
        ancestor = target["parent_id"]
        while ancestor is not None:
            if ancestor == source_id:
                raise ProjectError(
                    f"cannot merge {source['name']} into its own child {target['name']}")
            ancestor = self.code(ancestor)["parent_id"]
        with self.transaction():
            changes: list = []
            codings = [r[0] for r in self.conn.execute(
                "SELECT id FROM codings WHERE code_id = ?", (source_id,))]
            if codings and not target["codable"]:
                self._check_can_be_category(source)  # its codings cannot move there
            for coding_id in codings:
                self._update(changes, "codings", coding_id, code_id=target_id)
            for (child_id,) in self.conn.execute(
                    "SELECT id FROM codes WHERE parent_id = ?", (source_id,)).fetchall():
                self._check_name(self._code_name(child_id), target_id, child_id)
                self._update(changes, "codes", child_id, parent_id=target_id)
            self._delete(changes, "codes", source_id)
            self._action("merge codes", f"merged code {source['name']} into "
                         f"{target['name']} ({len(codings)} codings)", changes,
                         code=target_id)
        return len(codings)

    def delete_code(self, code_id: int) -> None:
        """Remove a code that has no codings and no children (merge one that has)."""
        code = self.code(code_id)
        used = self.conn.execute(
            "SELECT (SELECT count(*) FROM codings WHERE code_id = ?),"
            " (SELECT count(*) FROM codes WHERE parent_id = ?)", (code_id, code_id)
        ).fetchone()
        if used[0]:
            raise ProjectError(f"{code['name']} has {used[0]} codings: merge it into "
                               "another code instead")
        if used[1]:
            raise ProjectError(f"{code['name']} has child codes: move or merge them first")
        with self.transaction():
            changes: list = []
            self._delete(changes, "codes", code_id)
            self._action("delete code", f"deleted code {code['name']}", changes)


def _trimmed(fields: dict) -> dict:
    """A code's guidance without surrounding white space, as every editor and codebook
    file gives it, so a code made through the API is one the files can carry."""
    guidance = ("definition", "when_to_use", "when_not_to_use", "example")
    return {k: v.strip() if k in guidance and isinstance(v, str) else v
            for k, v in fields.items()}
