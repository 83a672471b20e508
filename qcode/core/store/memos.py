"""Memos and the reflexive journal: one room for every memo (undoable).

A memo row is about the project, a transcript, a case or a code, or is an entry of
its author's journal (kind 'journal'); it may link codes, transcripts and passages. A
coding's memo is the coding's own text (codings.memo), reached here as "coding:ID" so
that every memo is listed, shown, edited and removed one way.

What removal does to memos (each part of the removing action, so undo brings it
back): a memo about a removed transcript, case or code goes with it; a link to a
removed code or transcript is dropped and the memo stays; merging a code into another
moves its memos and links to the one it merged into.
"""

from __future__ import annotations

from collections import namedtuple

from qcode.core.store.base import ProjectError, new_guid, now

ABOUT = ("transcript", "case", "code")  # what a memo row can be about (None: the project)
KINDS = ("project", "transcript", "case", "code", "coding", "journal")
_TABLES = {"transcript": "transcripts", "case": "cases", "code": "codes"}
CODING_REF = "coding:"


# Named tuples, not dataclasses (see store/__init__.py).
class Link(namedtuple("Link", "target_type target_id start end", defaults=(None, None))):
    """A link as given by a caller: a code or transcript by id ("code" or
    "transcript", its id), a passage with a span (start, end)."""

    __slots__ = ()


class MemoRow(namedtuple("MemoRow", "ref kind about author created modified name text"
                         " links code_ids transcript_ids place about_id",
                         defaults=(None, None))):
    """A memo as the list and the commands show it:
    - `ref`: the memo's id, or "coding:ID" for a coding's memo; `kind`: one of KINDS;
    - `about`: what it is about, in words; `author`, `created`, `modified` may be None;
    - `name`, `text`; `links`: each in words;
    - `code_ids`: the codes it is about or links; `transcript_ids`: the transcripts it
      is about, links or is coded in;
    - `place`: (transcript id, start, end) to show, or None;
    - `about_id`: the transcript, case, code or coding id, or None."""

    __slots__ = ()


class Memos:
    def add_memo(self, text: str, about: tuple[str, int] | None = None, *,
                 name: str = "", journal: bool = False, links: list[Link] = (),
                 author: str | None = None) -> str:
        """A new memo (about the project when `about` is None), or a journal entry;
        on ("coding", id) the coding's memo. Returns its reference."""
        text = _needs_text(text)
        author = author or self.coder
        if about is not None and about[0] == "coding":
            if links:
                raise ProjectError("a coding's memo has no links: write a memo on its "
                                   "transcript or code to link other things")
            if journal:
                raise ProjectError("a journal entry is about no one thing")
            if self.coding(about[1]).memo.strip():
                raise ProjectError(f"coding {about[1]} already has a memo: edit it with "
                                   f"'qcode memo edit {CODING_REF}{about[1]}'")
            self.set_coding_memo(about[1], text)
            return f"{CODING_REF}{about[1]}"
        if journal and about is not None:
            raise ProjectError("a journal entry is about no one thing: link it instead")
        if journal and not author:
            raise ProjectError("a journal entry needs its author: give --by or set your "
                               "coder name")
        target_type, target_guid, label = self._about(about)
        with self.transaction():
            changes: list = []
            stamp = now()
            memo_id = self._insert(changes, "memos", {
                "guid": new_guid(), "name": name.strip(), "text": text,
                "target_type": target_type, "target_guid": target_guid,
                "coder_id": self.coder_id(author) if author else None,
                "created": stamp, "kind": "journal" if journal else "memo",
                "modified": stamp})
            self._put_links(changes, memo_id, links)
            self._action("journal" if journal else "memo",
                         f"journal entry {memo_id}" if journal else
                         f"memo {memo_id} on {label}", changes, actor=author, memo=memo_id)
        return str(memo_id)

    def edit_memo(self, ref: str, text: str, links: list[Link] | None = None) -> None:
        """New text for a memo (and new links, when given)."""
        text = _needs_text(text)
        coding_id = _coding_id(ref)
        if coding_id is not None:
            self.coding(coding_id)
            if links:
                raise ProjectError("a coding's memo has no links")
            self.set_coding_memo(coding_id, text)
            return
        memo_id = self._memo_id(ref)
        with self.transaction():
            changes: list = []
            self._update(changes, "memos", memo_id, text=text, modified=now())
            if links is not None:
                self._drop_links(changes, "memo_id", memo_id)
                self._put_links(changes, memo_id, links)
            self._action("edit memo", f"edited memo {memo_id}", changes, memo=memo_id)

    def link_memo(self, ref: str, links: list[Link]) -> None:
        """Add links to a memo, keeping the ones it has (the journal screen's l)."""
        if _coding_id(ref) is not None:
            raise ProjectError("a coding's memo has no links")
        memo_id = self._memo_id(ref)
        with self.transaction():
            changes: list = []
            self._update(changes, "memos", memo_id, modified=now())
            self._put_links(changes, memo_id, links)
            self._action("link memo", f"linked memo {memo_id}", changes, memo=memo_id)

    def remove_memo(self, ref: str) -> None:
        coding_id = _coding_id(ref)
        if coding_id is not None:
            if not self.coding(coding_id).memo.strip():
                raise ProjectError(f"coding {coding_id} has no memo")
            self.set_coding_memo(coding_id, "")
            return
        memo_id = self._memo_id(ref)
        with self.transaction():
            changes: list = []
            self._drop_links(changes, "memo_id", memo_id)
            self._delete(changes, "memos", memo_id)
            self._action("remove memo", f"removed memo {memo_id}", changes, memo=memo_id)

    def memo_row(self, ref: str) -> MemoRow:
        coding_id = _coding_id(ref)
        if coding_id is not None:
            found = [m for m in self._coding_memos(coding_id)]
            if not found:
                self.coding(coding_id)
                raise ProjectError(f"coding {coding_id} has no memo")
            return found[0]
        memo_id = self._memo_id(ref)
        return self._memo_rows(memo_id)[0]

    def memo_rows(self, kind: str | None = None, author: str | None = None,
                  code_id: int | None = None, transcript_id: int | None = None,
                  search: str | None = None) -> list[MemoRow]:
        """Every memo (journal entries too), oldest first, kept to those of a kind, an
        author, about or linked to a code or a transcript, and holding `search` (in
        its name or text, ignoring case)."""
        if kind is not None and kind not in KINDS:
            raise ProjectError(f"no kind of memo '{kind}' (kinds: {', '.join(KINDS)})")
        rows = self._memo_rows() + self._coding_memos()
        rows.sort(key=_written_order)
        needle = (search or "").casefold()
        return [m for m in rows
                if (kind is None or m.kind == kind)
                and (author is None or (m.author or "").casefold() == author.casefold())
                and (code_id is None or code_id in m.code_ids)
                and (transcript_id is None or transcript_id in m.transcript_ids)
                and needle in f"{m.name}\n{m.text}".casefold()]

    def memo_authors(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT k.name FROM memos m JOIN coders k ON k.id = m.coder_id"
            " ORDER BY k.name")]

    def case_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ProjectError(f"no case named '{name}'")
        return row[0]

    def code_id_named(self, name: str) -> int:
        """A code by its name, else by its name ignoring case when one code fits."""
        rows = self.conn.execute("SELECT id, name FROM codes").fetchall()
        for wanted in (lambda n: n == name, lambda n: n.casefold() == name.casefold()):
            fits = [i for i, n in rows if wanted(n)]
            if len(fits) == 1:
                return fits[0]
            if fits:
                raise ProjectError(f"{len(fits)} codes are named '{name}': give its id")
        raise ProjectError(f"no code named '{name}'")

    # What removing things does to memos (called inside the removing action).

    def _drop_memos_about(self, changes: list, target_type: str, guid: str) -> int:
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM memos WHERE target_type = ? AND target_guid = ?",
            (target_type, guid)).fetchall()]
        for memo_id in ids:
            self._drop_links(changes, "memo_id", memo_id)
            self._delete(changes, "memos", memo_id)
        return len(ids)

    def _drop_links(self, changes: list, column: str, row_id: int) -> int:
        ids = [r[0] for r in self.conn.execute(
            f"SELECT id FROM memo_links WHERE {column} = ?", (row_id,)).fetchall()]
        for link_id in ids:
            self._delete(changes, "memo_links", link_id)
        return len(ids)

    def _move_code_memos(self, changes: list, source, target) -> None:
        for (memo_id,) in self.conn.execute(
                "SELECT id FROM memos WHERE target_type = 'code' AND target_guid = ?",
                (source.guid,)).fetchall():
            self._update(changes, "memos", memo_id, target_guid=target.guid)
        for (link_id,) in self.conn.execute(
                "SELECT id FROM memo_links WHERE code_id = ?", (source.id,)).fetchall():
            self._update(changes, "memo_links", link_id, code_id=target.id)

    # Inside.

    def _memo_id(self, ref: str) -> int:
        try:
            memo_id = int(str(ref).strip())
        except ValueError:
            raise ProjectError(f"'{ref}' is not a memo: give a memo's number, or "
                               f"{CODING_REF}ID for a coding's memo") from None
        if self.conn.execute("SELECT 1 FROM memos WHERE id = ?", (memo_id,)).fetchone() \
                is None:
            raise ProjectError(f"no memo {memo_id}")
        return memo_id

    def _about(self, about: tuple[str, int] | None) -> tuple[str | None, str | None, str]:
        if about is None:
            return None, None, "the project"
        target_type, target_id = about
        if target_type not in ABOUT:
            raise ProjectError(f"a memo cannot be about a {target_type}")
        row = self.conn.execute(f"SELECT guid, name FROM {_TABLES[target_type]}"
                                " WHERE id = ?", (target_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no {target_type} with id {target_id}")
        return target_type, row[0], f"{target_type} {row[1]}"

    def _put_links(self, changes: list, memo_id: int, links: list[Link]) -> None:
        for link in links:
            if link.target_type == "code":
                self._code_name(link.target_id)
                # Every column given: undo compares the stored row with this one.
                values = {"code_id": link.target_id, "transcript_id": None, "start": None,
                          "end": None}
            elif link.target_type == "transcript":
                if link.start is not None:
                    self._check_span(link.target_id, link.start, link.end)
                elif not self.conn.execute("SELECT 1 FROM transcripts WHERE id = ?",
                                           (link.target_id,)).fetchone():
                    raise ProjectError(f"no transcript with id {link.target_id}")
                values = {"code_id": None, "transcript_id": link.target_id,
                          "start": link.start, "end": link.end}
            else:
                raise ProjectError(f"a memo cannot link a {link.target_type}")
            self._insert(changes, "memo_links",
                         {"guid": new_guid(), "memo_id": memo_id, **values})

    def _memo_rows(self, memo_id: int | None = None) -> list[MemoRow]:
        where, params = ("WHERE m.id = ?", (memo_id,)) if memo_id is not None else ("", ())
        links = self._links_in_words(memo_id)
        out = []
        for (row_id, kind, target_type, target_guid, author, created, modified, name,
             text) in self.conn.execute(
                "SELECT m.id, m.kind, m.target_type, m.target_guid, k.name, m.created,"
                f" m.modified, m.name, m.text FROM memos m LEFT JOIN coders k"
                f" ON k.id = m.coder_id {where}", params).fetchall():
            words, code_ids, transcript_ids, place = links.get(row_id, ([], set(), set(),
                                                                        None))
            memo = MemoRow(str(row_id), "journal" if kind == "journal" else
                           target_type or "project", "the project", author, created,
                           modified, name, text, words, set(code_ids), set(transcript_ids),
                           place)
            out.append(self._with_about(memo, target_type, target_guid))
        return out

    def _with_about(self, memo: MemoRow, target_type: str | None,
                    target_guid: str | None) -> MemoRow:
        """The memo row with what it is about filled in (its ids sets take it too)."""
        if memo.kind == "journal":
            return memo._replace(about="journal")
        if target_type is None:
            return memo
        row = self.conn.execute(f"SELECT id, name FROM {_TABLES[target_type]}"
                                " WHERE guid = ?", (target_guid,)).fetchone()
        if row is None:  # left by a project made before memos were removed with it
            return memo._replace(about=f"{target_type} (removed)")
        memo = memo._replace(about_id=row[0], about=f"{target_type} {row[1]}")
        if target_type == "code":
            memo.code_ids.add(row[0])
        elif target_type == "transcript":
            memo.transcript_ids.add(row[0])
            memo = memo._replace(place=(row[0], 0, 0))
        else:
            first = self.conn.execute("SELECT id FROM transcripts WHERE case_id = ?"
                                      " ORDER BY name LIMIT 1", (row[0],)).fetchone()
            if first:
                memo.transcript_ids.add(first[0])
                memo = memo._replace(place=(first[0], 0, 0))
        return memo

    def _links_in_words(self, memo_id: int | None) -> dict:
        where, params = ("WHERE l.memo_id = ?", (memo_id,)) if memo_id is not None \
            else ("", ())
        out: dict = {}
        for owner, code_id, code, transcript_id, transcript, start, end in self.conn.execute(
                "SELECT l.memo_id, l.code_id, c.name, l.transcript_id, t.name, l.start,"
                f' l."end" FROM memo_links l LEFT JOIN codes c ON c.id = l.code_id'
                f" LEFT JOIN transcripts t ON t.id = l.transcript_id {where}"
                " ORDER BY l.id", params):
            words, code_ids, transcript_ids, place = out.setdefault(
                owner, [[], set(), set(), None])
            if code_id is not None:
                words.append(f"code {code}")
                code_ids.add(code_id)
                continue
            words.append(f"transcript {transcript}" if start is None
                         else f"passage {self.passage_in_words(transcript_id, start, end)}")
            transcript_ids.add(transcript_id)
            if place is None:
                out[owner][3] = (transcript_id, start or 0, end or 0)
        return out

    def _coding_memos(self, coding_id: int | None = None) -> list[MemoRow]:
        where = "AND c.id = ?" if coding_id is not None else ""
        rows = self.conn.execute(
            "SELECT c.id, c.code_id, d.name, c.transcript_id, t.name, c.start,"
            ' c."end", k.name, c.created, c.memo FROM codings c'
            " JOIN codes d ON d.id = c.code_id JOIN coders k ON k.id = c.coder_id"
            " JOIN transcripts t ON t.id = c.transcript_id"
            f" WHERE trim(c.memo) != '' {where}",
            (coding_id,) if coding_id is not None else ()).fetchall()
        places = self.passages_in_words([(t, start, end) for _, _, _, t, _, start, end, *_
                                         in rows])
        return [MemoRow(f"{CODING_REF}{row_id}", "coding", f"coding of {code}, {place}",
                        author, created, None, "", memo, [], {code_id}, {transcript_id},
                        (transcript_id, start, end), row_id)
                for (row_id, code_id, code, transcript_id, _, start, end, author, created,
                     memo), place in zip(rows, places)]


def _written_order(memo: MemoRow) -> tuple:
    """Oldest first; within one second, memo rows by number, then codings' memos."""
    coding = memo.ref.startswith(CODING_REF)
    return memo.created or "", coding, int(memo.ref.removeprefix(CODING_REF))


def _needs_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ProjectError("a memo needs text: nothing was written")
    return text


def _coding_id(ref: str) -> int | None:
    ref = str(ref).strip()
    if not ref.startswith(CODING_REF):
        return None
    try:
        return int(ref[len(CODING_REF):])
    except ValueError:
        raise ProjectError(f"'{ref}' is not a coding's memo: give {CODING_REF}ID") from None
