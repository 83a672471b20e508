"""The codebook in the project: the theme tree, loading a codebook file, and editing
codes while coding (undoable)."""

from __future__ import annotations

from collections.abc import Mapping

from qcode.core.store.base import ProjectError, new_guid

# The model is imported where its objects are made (see store/__init__.py).
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without loading typing
if TYPE_CHECKING:
    from qcode.core.model import Code

# A code row's columns that a codebook file sets, in the order _Plan keeps them.
_PLACED = ("guid", "parent_id", "name", "definition", "when_to_use", "when_not_to_use",
           "example", "colour", "key", "sort_order", "codable")
_PARENT, _NAME, _KEY, _ORDER = 1, 2, 8, 9


class Codebook:
    def codes(self) -> list[Code]:
        """All codes in tree order (depth-first, by sort order), each with its depth."""
        children: dict[int | None, list[Code]] = {}
        for code in self._code_rows(""):
            children.setdefault(code.parent_id, []).append(code)
        ordered: list[Code] = []

        def walk(parent: int | None, depth: int) -> None:
            for code in children.get(parent, []):
                code.depth = depth
                ordered.append(code)
                walk(code.id, depth + 1)

        walk(None, 0)
        return ordered

    def _code_rows(self, where: str, params: tuple = ()) -> list[Code]:
        from qcode.core.model import Code

        return [Code(guid, name, parent_id, definition, when_to_use, when_not_to_use,
                     example, colour, key, order, bool(codable), code_id, codings)
                for code_id, guid, parent_id, name, definition, when_to_use,
                when_not_to_use, example, colour, key, order, codable, codings
                in self.conn.execute(
                    "SELECT id, guid, parent_id, name, definition, when_to_use,"
                    " when_not_to_use, example, colour, key, sort_order, codable,"
                    " (SELECT count(*) FROM codings WHERE code_id = codes.id)"
                    f" FROM codes {where} ORDER BY sort_order, id", params)]

    def load_codebook(self, codebook, under: str | None = None,
                      actor: str | None = None) -> dict:
        """Bring a codebook's codes into the project: matched by GUID, then by their path
        of names; matched codes take the file's fields, new ones are added, and nothing
        is deleted (codings are never lost). With `under`, the codebook becomes a theme
        of that name, so several codebooks can share one project.
        The codebook is validated first (codebook.validate, and against this project's
        codes and other GUIDs); a codebook that fails is refused whole and nothing
        changes. The project's codes are read once and written in bulk, so the time
        grows with the number of codes, not its square.
        The load is one action of `actor` (default: this project's coder), undone
        whole: the codes it added are removed (refused if one has been coded since) and
        the ones it changed get their fields and places back.
        Returns counts of added/updated/unchanged, and `keys_dropped`: shortcut keys
        not given because another code has them."""
        from qcode.core.codebook import Code, validate

        if under:
            codebook = type(codebook)(
                name=codebook.name, description=codebook.description,
                codes=[Code(name=under, definition=codebook.description,
                            codes=codebook.codes)],
                source=codebook.source,
            )
        with self.transaction():
            validate(codebook, taken=self.guids_of_other_kinds())
            # New codes take ids never used before, as every undoable insert does:
            # undoing an earlier deletion must find its code's id free.
            plan = _Plan(self.conn.execute(
                f"SELECT id, {', '.join(_PLACED)} FROM codes").fetchall(), codebook,
                self._new_ids("codes", 0))
            plan.place_all()
            plan.refuse_name_clashes()
            self._apply(plan)
            self._set_meta("last_id.codes", str(plan.next_id - 1))
            counts = plan.counts
            if not under:  # a codebook loaded as a theme does not name the project's
                self._set_meta("codebook_name", codebook.name)
            self._action(
                "load codebook",
                f"loaded codebook '{codebook.name}': {counts['added']} added, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged",
                plan.changes(), actor=actor, codebook=codebook.name, **counts,
            )
        return {**counts, "keys_dropped": plan.dropped}

    def _apply(self, plan: _Plan) -> None:
        """Write a plan: moved or renamed codes first step aside (a name no code can
        have), so codes that trade places never meet a sibling-name clash half-way."""
        columns = ", ".join(f"{c} = ?" for c in _PLACED)
        self.conn.executemany("UPDATE codes SET name = ? WHERE id = ?",
                              [("\x00" + str(row_id), row_id) for row_id in plan.moved])
        self.conn.executemany(
            f"INSERT INTO codes (id, {', '.join(_PLACED)}) VALUES "
            f"(?, {', '.join('?' for _ in _PLACED)})",
            [(row_id, *plan.rows[row_id]) for row_id in plan.added])
        self.conn.executemany(f"UPDATE codes SET {columns} WHERE id = ?",
                              [(*plan.rows[row_id], row_id) for row_id in plan.updated])

    def guids_of_other_kinds(self) -> dict[str, str]:
        """GUID -> what it belongs to ("a transcript", "a coder" ...), for every thing in
        the project that is not a code: a code must not take one of them."""
        return {guid: what for guid, (what, _) in self.guids_in_use().items()
                if what != "a code"}

    def guids_in_use(self) -> dict[str, tuple[str, str | None]]:
        """GUID (in capitals) -> (what it belongs to, its name where it has one), for
        everything in the project that a file's GUID could be mistaken for."""
        kinds = (("codes", "a code", "name"), ("coders", "a coder", "name"),
                 ("transcripts", "a transcript", "name"), ("cases", "a case", "name"),
                 ("memos", "a memo", "NULL"), ("codings", "a coding", "NULL"),
                 ("resolutions", "a resolution", "NULL"))
        return {guid: (what, name) for guid, what, name in self.conn.execute(
            " UNION ALL ".join(f"SELECT upper(guid), '{what}', {name} FROM {table}"
                               for table, what, name in kinds))}

    def code(self, code_id: int) -> Code:
        found = self._code_rows("WHERE id = ?", (code_id,))
        if not found:
            raise ProjectError(f"no code with id {code_id}")
        code = found[0]
        parent = code.parent_id
        while parent is not None:  # a codebook is a few levels deep: a query a level
            code.depth += 1
            parent = self.conn.execute("SELECT parent_id FROM codes WHERE id = ?",
                                       (parent,)).fetchone()[0]
        return code

    def _check_name(self, name: str, parent_id: int | None, code_id: int | None) -> str:
        from qcode.core.codebook import name_problem

        name = name.strip()
        if not name:
            raise ProjectError("a code needs a name")
        problem = name_problem(name)  # the rule a codebook file's names follow
        if problem:
            raise ProjectError(f"the code's name {problem}")
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
        if fields.get("codable") is False and code.codable:
            self._check_can_be_category(code)
        with self.transaction():
            if "name" in fields:
                fields["name"] = self._check_name(fields["name"], code.parent_id, code_id)
            self._check_key(fields.get("key"), code_id)
            changes: list = []
            self._update(changes, "codes", code_id, **fields)
            if changes:
                what = (f"renamed code {code.name} to {fields['name']}"
                        if "name" in changes[0][3] else f"edited code {code.name}")
                self._action("edit code", what, changes, code=code_id)

    def _check_can_be_category(self, code: Code) -> None:
        used = self.conn.execute("SELECT count(*) FROM codings WHERE code_id = ?",
                                 (code.id,)).fetchone()[0]
        if used:
            raise ProjectError(f"{code.name} has {used} codings, and a category cannot "
                               "have any: move them to another code first")

    def move_code(self, code_id: int, parent_id: int | None) -> None:
        """Put a code under another theme (None: make it a top-level theme)."""
        code = self.code(code_id)
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == code_id:
                raise ProjectError(f"cannot move {code.name} under itself or its children")
            ancestor = self.code(ancestor).parent_id
        with self.transaction():
            self._check_name(code.name, parent_id, code_id)
            order = self.conn.execute(
                "SELECT ifnull(max(sort_order) + 1, 0) FROM codes"
                " WHERE ifnull(parent_id, 0) = ?", (parent_id or 0,)).fetchone()[0]
            changes: list = []
            self._update(changes, "codes", code_id, parent_id=parent_id, sort_order=order)
            where = self._code_name(parent_id) if parent_id else "the top level"
            self._action("move code", f"moved code {code.name} to {where}", changes,
                         code=code_id)

    def merge_codes(self, source_id: int, target_id: int) -> int:
        """Merge `source` into `target`: its codings and child codes move to the
        target, then it is removed. Returns the number of codings moved."""
        if source_id == target_id:
            raise ProjectError("a code cannot be merged into itself")
        source, target = self.code(source_id), self.code(target_id)
        ancestor = target.parent_id
        while ancestor is not None:
            if ancestor == source_id:
                raise ProjectError(
                    f"cannot merge {source.name} into its own child {target.name}")
            ancestor = self.code(ancestor).parent_id
        with self.transaction():
            changes: list = []
            codings = [r[0] for r in self.conn.execute(
                "SELECT id FROM codings WHERE code_id = ?", (source_id,))]
            if codings and not target.codable:
                self._check_can_be_category(source)  # its codings cannot move there
            for coding_id in codings:
                self._update(changes, "codings", coding_id, code_id=target_id)
            for (child_id,) in self.conn.execute(
                    "SELECT id FROM codes WHERE parent_id = ?", (source_id,)).fetchall():
                self._check_name(self._code_name(child_id), target_id, child_id)
                self._update(changes, "codes", child_id, parent_id=target_id)
            self._move_code_memos(changes, source, target)
            self._delete(changes, "codes", source_id)
            self._action("merge codes", f"merged code {source.name} into "
                         f"{target.name} ({len(codings)} codings)", changes,
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
            raise ProjectError(f"{code.name} has {used[0]} codings: merge it into "
                               "another code instead")
        if used[1]:
            raise ProjectError(f"{code.name} has child codes: move or merge them first")
        with self.transaction():
            changes: list = []
            memos = self._drop_memos_about(changes, "code", code.guid)
            links = self._drop_links(changes, "code_id", code_id)
            self._delete(changes, "codes", code_id)
            self._action("delete code", f"deleted code {code.name}" + (
                f" (and {memos} memo(s) about it)" if memos else "") + (
                f" ({links} memo link(s) to it dropped)" if links else ""), changes)


def _trimmed(fields: dict) -> dict:
    """A code's guidance without surrounding white space, as every editor and codebook
    file gives it, so a code made through the API is one the files can carry."""
    guidance = ("definition", "when_to_use", "when_not_to_use", "example")
    return {k: v.strip() if k in guidance and isinstance(v, str) else v
            for k, v in fields.items()}


class _Plan:
    """What loading a codebook does to the project's codes, worked out in memory from
    one read of them: each file code matched to a row (by GUID, else by its parent and
    name) or given a new one, its fields and place, and the keys it cannot have."""

    def __init__(self, rows: list[tuple], codebook, first_id: int):
        from qcode.core.codebook import CODE_FIELDS

        self.fields = CODE_FIELDS
        self.codebook = codebook
        self.rows: dict[int, list] = {row[0]: list(row[1:]) for row in rows}
        self.by_guid = {values[0].upper(): row_id for row_id, values in self.rows.items()}
        self.by_place = {(v[_PARENT] or 0, v[_NAME]): i for i, v in self.rows.items()}
        self.key_holder = {v[_KEY]: i for i, v in self.rows.items() if v[_KEY]}
        self.top_order = {v[_NAME]: v[_ORDER] for v in self.rows.values()
                          if v[_PARENT] is None}
        self.next_id = max(first_id, max(self.rows, default=0) + 1)
        self.before: dict[int, list] = {}  # an updated row as it was, for undo
        # Rows a file code claims by GUID: no other file code may take them by place.
        self.guided = {self.by_guid[code.guid.upper()] for code, _ in codebook.walk()
                       if code.guid and code.guid.upper() in self.by_guid}
        self.claimed: dict[int, str] = {}  # row id -> the file code's path that took it
        self.added: list[int] = []
        self.updated: list[int] = []
        self.moved: list[int] = []
        self.dropped: list[str] = []
        self.counts = {"added": 0, "updated": 0, "unchanged": 0}

    def place_all(self) -> None:
        first = max((v[_ORDER] for v in self.rows.values() if v[_PARENT] is None),
                    default=-1) + 1
        stack = [(code, None, self.top_order.get(code.name, first + order), "")
                 for order, code in reversed(list(enumerate(self.codebook.codes)))]
        while stack:
            code, parent_id, order, parent_path = stack.pop()
            path = f"{parent_path} / {code.name}" if parent_path else code.name
            row_id = self.place(code, parent_id, order, path)
            stack.extend((child, row_id, child_order, path) for child_order, child
                         in reversed(list(enumerate(code.codes))))

    def match(self, code, parent_id: int | None) -> int | None:
        row_id = self.by_guid.get(code.guid.upper()) if code.guid else None
        if row_id is None:
            row_id = self.by_place.get((parent_id or 0, code.name))
            if row_id in self.guided:
                row_id = None  # another code of the file is that row, by its GUID
        return row_id

    def place(self, code, parent_id: int | None, order: int, path: str) -> int:
        from qcode.core.codebook import CodebookError, shown

        row_id = self.match(code, parent_id)
        if row_id in self.claimed:
            # Two file codes on one row would fold the tree into a loop or lose a theme.
            raise CodebookError(
                f"{self.source}: codes '{shown(self.claimed[row_id])}' and '{shown(path)}'"
                f" both match the project's code '{shown(self.rows[row_id][_NAME])}' (by "
                "GUID or by place); the codebook was refused")
        values = {f: getattr(code, f) for f in self.fields}
        if row_id is None:
            row_id = self.next_id
            self.next_id += 1
            values["key"] = self.free_key(values["key"], row_id, code.name)
            self.rows[row_id] = [(code.guid or new_guid()).upper(), parent_id, code.name,
                                 *(values[f] for f in self.fields), order,
                                 int(code.codable)]
            self.added.append(row_id)
            self.counts["added"] += 1
        else:
            values["key"] = self.free_key(values["key"], row_id, code.name)
            before = self.rows[row_id]
            after = [before[0], parent_id, code.name, *(values[f] for f in self.fields),
                     order, int(code.codable)]
            if after == before:
                self.counts["unchanged"] += 1
            else:
                if (before[_PARENT], before[_NAME]) != (parent_id, code.name):
                    self.moved.append(row_id)
                    if self.by_place.get((before[_PARENT] or 0, before[_NAME])) == row_id:
                        del self.by_place[before[_PARENT] or 0, before[_NAME]]
                self.before[row_id] = before
                self.rows[row_id] = after
                self.updated.append(row_id)
                self.counts["updated"] += 1
        self.by_place[parent_id or 0, code.name] = row_id
        self.claimed[row_id] = path
        return row_id

    def changes(self) -> list:
        """The plan as the journal's changes: the added rows (parents first, so undo
        removes children first), then each updated row's changed columns."""
        added = [["insert", "codes", {"id": row_id, **dict(zip(_PLACED, self.rows[row_id]))}]
                 for row_id in self.added]
        updated = []
        for row_id in self.updated:
            before, after = self.before[row_id], self.rows[row_id]
            changed = [i for i, column in enumerate(_PLACED) if before[i] != after[i]]
            updated.append(["update", "codes", row_id,
                            {_PLACED[i]: before[i] for i in changed},
                            {_PLACED[i]: after[i] for i in changed}])
        return added + updated

    def free_key(self, key: str | None, row_id: int, name: str) -> str | None:
        """The key, or None when another code has it (the code that had it first keeps
        it); a row that takes a new key frees the one it had."""
        holder = self.key_holder.get(key) if key else None
        if holder is not None and holder != row_id:
            self.dropped.append(f"key '{key}' of {name} already belongs to "
                                f"{self.rows[holder][_NAME]}; {name} has no key")
            key = None
        old = self.rows[row_id][_KEY] if row_id in self.rows else None
        if old and self.key_holder.get(old) == row_id:
            del self.key_holder[old]
        if key:
            self.key_holder[key] = row_id
        return key

    def refuse_name_clashes(self) -> None:
        """Two codes of one parent with one name after the load (a code matched by GUID
        moved or renamed onto a name its new siblings use): refused before writing."""
        from qcode.core.codebook import CodebookError, shown

        seen: dict[tuple[int, str], int] = {}
        for row_id, values in self.rows.items():
            place = (values[_PARENT] or 0, values[_NAME])
            if place in seen:
                where = (f"under '{shown(self.rows[place[0]][_NAME])}'" if place[0]
                         else "at the top")
                raise CodebookError(
                    f"{self.source}: not imported: a code would share its name "
                    f"'{shown(place[1])}' with another code {where}; rename one of them "
                    "and import again")
            seen[place] = row_id

    @property
    def source(self) -> str:
        return self.codebook.source or self.codebook.name
