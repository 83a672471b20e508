"""Merging a coder's copy of the project, and bringing in a project read from another
tool's export (laid out in memory, then merged the same way)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qcode.core.store.base import new_guid, now
from qcode.core.store.schema import _open_read_only
from qcode.core.store.cases import _attribute_type

# Codings inserted at a time by a merge: an import brings hundreds of thousands.
MERGE_BATCH = 10_000

_REVIEW_NAMES = ("id", "guid", "coding_id", "transcript_id", "code_id", "start", "end",
                 "coder", "reviewer", "mark", "outcome", "decided_by", "decided", "created")
_REVIEW_COLUMNS = ", ".join(f'"{c}"' for c in _REVIEW_NAMES)


def _verdict(mark: str, outcome: str | None) -> str:
    return f"{mark}, {outcome}" if outcome else mark


class Merging:
    def merge(self, other_path: str | Path) -> dict:
        """Bring in another copy of this project (a coder's blind copy): coders, cases
        and attributes, transcripts, codes and codings, matched by GUID, then by name
        (coders, cases), name and text hash (transcripts) or path of names (codes).
        Everything new is added; nothing here is changed or deleted; what disagrees is
        reported. Merging the same copy twice adds nothing."""
        other = _open_read_only(Path(other_path))
        try:
            return self._merge_from(other, "merge", f"merged {Path(other_path).name}")
        finally:
            other.close()

    def _merge_from(self, other: sqlite3.Connection, action: str, summary: str) -> dict:
        report: dict = {"coders": 0, "cases": 0, "transcripts": 0, "codes": 0,
                        "codings": 0, "memos": 0, "marks": 0, "reviews": 0, "comments": 0,
                        "conflicts": []}
        conflicts = report["conflicts"]
        with self.transaction():
            coders = self._merge_by_name(other, "coders", report,
                                         ("guid", "name", "created"))
            cases = self._merge_by_name(other, "cases", report, ("guid", "name"))
            self._merge_attributes(other, cases, conflicts)
            transcripts = self._merge_transcripts(other, cases, report)
            codes = self._merge_codes(other, report)
            self._merge_codings(other, transcripts, codes, coders, report)
            self._merge_memos(other, coders, cases, transcripts, codes, report)
            self._merge_resolutions(other, transcripts, codes)
            self._merge_assignments(other, transcripts, coders, report)
            self._merge_reviews(other, transcripts, codes, report)
            self.record(action, f"{summary}: " + ", ".join(f"{report[k]} {k}" for k in (
                            "transcripts", "codes", "codings", "coders")),
                        **{k: v for k, v in report.items() if k != "conflicts"},
                        conflicts=len(conflicts))
        return report

    def _merge_by_name(self, other, table: str, report: dict, columns) -> dict[int, int]:
        """Rows matched by GUID, then by their unique name; returns other id -> our id."""
        mapping = {}
        for row in other.execute(f"SELECT id, {', '.join(columns)} FROM {table}"):
            values = dict(zip(columns, row[1:]))
            # The GUID first: a name alone may belong to someone else's row.
            found = self.conn.execute(
                f"SELECT id FROM {table} WHERE guid = ? UNION ALL "
                f"SELECT id FROM {table} WHERE name = ? LIMIT 1",
                (values["guid"], values["name"])).fetchone()
            if found is None:
                found = (self._put_new(table, values),)
                report[table] += 1
            mapping[row[0]] = found[0]
        return mapping

    def _put_new(self, table: str, values: dict) -> int:
        columns = ", ".join(f'"{c}"' for c in values)
        return self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in values)})",
            tuple(values.values())).lastrowid

    def _merge_attributes(self, other, cases: dict[int, int], conflicts: list) -> None:
        for case_id, name, value, kind in other.execute(
                "SELECT case_id, name, value, type FROM attributes"):
            ours = self.conn.execute(
                "SELECT value FROM attributes WHERE case_id = ? AND name = ?",
                (cases[case_id], name)).fetchone()
            if ours is None:
                self.conn.execute(
                    "INSERT INTO attributes (case_id, name, value, type) VALUES (?, ?, ?, ?)",
                    (cases[case_id], name, value, kind))
            elif ours[0] != value:
                case = self.conn.execute("SELECT name FROM cases WHERE id = ?",
                                         (cases[case_id],)).fetchone()[0]
                conflicts.append(f"case {case}: {name} is '{ours[0]}' here and '{value}' "
                                 f"in the other copy; kept '{ours[0]}'")

    def _merge_transcripts(self, other, cases: dict[int, int], report: dict
                           ) -> dict[int, int]:
        mapping, added = {}, set()
        columns = ("guid", "name", "case_id", "source_file", "source_format", "encoding",
                   "text", "sha256", "word_count", "imported")
        for row in other.execute(f"SELECT id, {', '.join(columns)} FROM transcripts"):
            values = dict(zip(columns, row[1:]))
            found = self._same_transcript(values)
            if found is not None:
                if found[1] != values["sha256"]:
                    report["conflicts"].append(
                        f"transcript {found[2]}: its text differs in the other copy (a "
                        "redaction on one side?); its codings there were not merged")
                    continue
                mapping[row[0]] = found[0]
                continue
            if self.conn.execute("SELECT 1 FROM transcripts WHERE name = ?",
                                 (values["name"],)).fetchone():
                renamed = f"{values['name']} ({values['guid'][:8]})"
                report["conflicts"].append(
                    f"transcript {values['name']}: this project has another text of that "
                    f"name; the other copy's is added as '{renamed}'")
                values["name"] = renamed
            values["case_id"] = cases.get(values["case_id"])
            twins = [name for twin_id, name in self.conn.execute(
                "SELECT id, name FROM transcripts WHERE sha256 = ? ORDER BY name",
                (values["sha256"],)) if twin_id not in added]
            if twins:
                report["conflicts"].append(
                    f"transcript {values['name']}: the same text as transcript {twins[0]} "
                    "here, but another source (its GUID and name differ); kept as two "
                    "transcripts")
            transcript_id = self._put_new("transcripts", values)
            added.add(transcript_id)
            turns = other.execute(
                'SELECT seq, speaker, start, "end", label_start, begin_time, end_time'
                " FROM turns WHERE transcript_id = ? ORDER BY seq", (row[0],)).fetchall()
            # In two statements, as add_transcript does: a project brings thousands.
            self.conn.executemany(
                'INSERT INTO turns (transcript_id, seq, speaker, start, "end",'
                " label_start, begin_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(transcript_id, *turn) for turn in turns])
            turn_ids = self.conn.execute(
                "SELECT id FROM turns WHERE transcript_id = ? ORDER BY seq",
                (transcript_id,)).fetchall()
            self.conn.executemany(
                "INSERT INTO turns_fts (rowid, text) VALUES (?, ?)",
                [(turn_id, values["text"][turn[2]:turn[3]])
                 for (turn_id,), turn in zip(turn_ids, turns)])
            mapping[row[0]] = transcript_id
            report["transcripts"] += 1
        return mapping

    def _same_transcript(self, values: dict) -> tuple | None:
        """(id, text hash, name) of the transcript here that is the other's: the one of
        its GUID; else, as when each coder imported the same file, the one of its name
        and text. Another name with the same text is another source."""
        return self.conn.execute(
            "SELECT id, sha256, name FROM transcripts WHERE guid = ? UNION ALL"
            " SELECT id, sha256, name FROM transcripts WHERE name = ? AND sha256 = ?"
            " LIMIT 1", (values["guid"], values["name"], values["sha256"])).fetchone()

    def _merge_codes(self, other, report: dict) -> dict[int, int]:
        from qcode.core.codebook import CODE_COLUMNS

        columns = ("guid", "parent_id", "name", *CODE_COLUMNS, "sort_order")
        rows = other.execute(
            f"SELECT id, {', '.join(columns)} FROM codes ORDER BY id").fetchall()
        by_id = {row[0]: dict(zip(columns, row[1:])) for row in rows}
        mapping: dict[int, int] = {}

        def place(other_id: int) -> int:
            if other_id in mapping:
                return mapping[other_id]
            values = dict(by_id[other_id])
            parent = place(values["parent_id"]) if values["parent_id"] else None
            found = self.conn.execute(
                f"SELECT id, name, {', '.join(CODE_COLUMNS)} FROM codes WHERE guid = ?",
                (values["guid"],)).fetchone()
            if found is not None:
                if found[1] != values["name"]:
                    report["conflicts"].append(
                        f"code '{found[1]}' is named '{values['name']}' in the other copy;"
                        f" kept '{found[1]}'")
                changed = [f.replace("_", " ") for f, ours in zip(CODE_COLUMNS, found[2:])
                           if ours != values[f]]
                if changed:
                    report["conflicts"].append(
                        f"code '{found[1]}': its {', '.join(changed)} differ in the other "
                        "copy; kept this project's")
                mapping[other_id] = found[0]
                return found[0]
            found = self.conn.execute(
                "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ?",
                (parent or 0, values["name"])).fetchone()
            if found is not None:
                mapping[other_id] = found[0]
                return found[0]
            values["parent_id"] = parent
            if values["key"] and self.conn.execute(
                    "SELECT 1 FROM codes WHERE key = ?", (values["key"],)).fetchone():
                values["key"] = None
            mapping[other_id] = self._put_new("codes", values)
            report["codes"] += 1
            return mapping[other_id]

        for other_id in by_id:
            place(other_id)
        return mapping

    def _merge_codings(self, other, transcripts, codes, coders, report: dict) -> None:
        # What is here already, read once: a copy or an import can bring tens of
        # thousands of codings, and a query per coding would dominate the merge.
        known = {r[0]: (tuple(r[1:6]), r[6]) for r in self.conn.execute(
            'SELECT guid, transcript_id, code_id, coder_id, start, "end", memo FROM codings')}
        made = {place for place, _ in known.values()}
        new, differ = [], 0
        for row in other.execute(
                'SELECT guid, transcript_id, code_id, coder_id, start, "end", memo, created,'
                " autocoded FROM codings"):
            guid, transcript_id, code_id, coder_id, start, end, memo, created, auto = row
            if transcript_id not in transcripts:
                continue  # a transcript whose text differs: reported above
            place = (transcripts[transcript_id], codes[code_id], coders[coder_id], start, end)
            if guid in known:
                differ += known[guid] != (place, memo)
                continue
            if place in made:
                continue  # the same coding made twice (e.g. before the copies parted)
            made.add(place)  # (a GUID is unique in the other copy too: not kept)
            new.append({"guid": guid, "transcript_id": place[0], "code_id": place[1],
                        "coder_id": place[2], "start": start, "end": end, "memo": memo,
                        "created": created, "autocoded": auto})
            if len(new) == MERGE_BATCH:  # an import's 300,000 rows need not wait whole
                report["codings"] += len(new)
                self._insert_many("codings", new)
                new.clear()
        self._insert_many("codings", new)
        report["codings"] += len(new)
        if differ:
            report["conflicts"].append(
                f"{differ} coding(s) have another span, code, coder or memo in the other "
                "copy than here (the same GUID); kept this project's")

    def _merge_resolutions(self, other, transcripts, codes) -> None:
        """The record of how places were resolved, so consensus progress survives."""
        known = {r[0] for r in self.conn.execute("SELECT guid FROM resolutions")}
        new = [{"guid": guid, "transcript_id": transcripts[transcript_id],
                "code_id": codes[code_id], "first_coder": first, "second_coder": second,
                "start": start, "end": end, "choice": choice, "resolved_by": by,
                "created": created}
               for guid, transcript_id, code_id, first, second, start, end, choice, by,
               created in other.execute(
                   "SELECT guid, transcript_id, code_id, first_coder, second_coder, start,"
                   ' "end", choice, resolved_by, created FROM resolutions')
               if guid not in known and transcript_id in transcripts]
        self._insert_many("resolutions", new)

    def _merge_assignments(self, other, transcripts, coders, report: dict) -> None:
        """Who codes what: an assignment or a coded mark in the other copy is added
        here (a coder marks transcripts in their own copy); none is taken away.
        `marks` counts the assignments and coded marks added."""
        for transcript_id, coder_id, assigned, marked in other.execute(
                "SELECT transcript_id, coder_id, assigned, marked_coded FROM assignments"):
            if transcript_id not in transcripts:
                continue
            key = (transcripts[transcript_id], coders[coder_id])
            row = self.conn.execute(
                "SELECT id, assigned, marked_coded FROM assignments WHERE transcript_id = ?"
                " AND coder_id = ?", key).fetchone()
            if row is None:
                self._insert_many("assignments", [{
                    "guid": new_guid(), "transcript_id": key[0], "coder_id": key[1],
                    "assigned": assigned, "marked_coded": marked}])
                report["marks"] += bool(assigned) + bool(marked)
                continue
            added = {"assigned": 1} if assigned and not row[1] else {}
            if marked and not row[2]:
                added["marked_coded"] = marked
            if added:
                self._set_columns("assignments", row[0], added)
                report["marks"] += len(added)

    def _merge_reviews(self, other, transcripts, codes, report: dict) -> None:
        """A review made in a coder's copy, and the thread under it, matched by GUID
        (then by its coding and reviewer); the coding it is of is found here by the
        coding's GUID, or by its place when the review removed it. Comments are added to
        a review known here too (the coder answered in one copy, the reviewer in the
        other); a mark or outcome that differs is reported and this project's kept."""
        if not other.execute("SELECT 1 FROM reviews LIMIT 1").fetchone():
            return
        their_codings = dict(other.execute("SELECT id, guid FROM codings"))
        our_codings = dict(self.conn.execute("SELECT guid, id FROM codings"))
        reviews: dict[int, int] = {}
        for row in other.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews ORDER BY id"):
            review = dict(zip(_REVIEW_NAMES, row))
            if review["transcript_id"] not in transcripts:
                continue  # a transcript whose text differs: reported above
            review.update(transcript_id=transcripts[review["transcript_id"]],
                          code_id=codes[review["code_id"]])
            review["coding_id"] = our_codings.get(their_codings.get(review["coding_id"])) \
                or self._reviewed_coding(review)
            ours = self.conn.execute(
                "SELECT id, mark, outcome FROM reviews WHERE guid = ? UNION ALL SELECT id,"
                " mark, outcome FROM reviews WHERE coding_id = ? AND reviewer = ? LIMIT 1",
                (review["guid"], review["coding_id"], review["reviewer"])).fetchone()
            other_id = review.pop("id")
            if ours is None:
                reviews[other_id] = self._put_new("reviews", review)
                report["reviews"] += 1
                if review["outcome"] == "removed" and review["coding_id"] in \
                        our_codings.values():
                    report["conflicts"].append(
                        f"{review['coder']}'s coding in transcript "
                        f"{self.transcript_name(review['transcript_id'])} was removed "
                        "after review in the other copy; a merge removes nothing, so it "
                        "is still here")
                continue
            reviews[other_id] = ours[0]
            if (ours[1], ours[2]) != (review["mark"], review["outcome"]):
                report["conflicts"].append(
                    f"{review['reviewer']}'s review of {review['coder']}'s coding in "
                    f"transcript {self.transcript_name(review['transcript_id'])} is "
                    f"{_verdict(ours[1], ours[2])} here and "
                    f"{_verdict(review['mark'], review['outcome'])} in the other copy; "
                    "kept this project's")
        known = {r[0] for r in self.conn.execute("SELECT guid FROM review_comments")}
        new = [{"guid": guid, "review_id": reviews[review_id], "author": author,
                "body": body, "created": created}
               for guid, review_id, author, body, created in other.execute(
                   "SELECT guid, review_id, author, body, created FROM review_comments"
                   " ORDER BY created, id")
               if guid not in known and review_id in reviews]
        self._insert_many("review_comments", new)
        report["comments"] += len(new)

    def _reviewed_coding(self, review: dict) -> int:
        """The coding a review is of when the other copy no longer has it (removed as
        the outcome): the same place here, else an id no coding will ever have, so the
        review still counts in the figures without pointing at another coding."""
        found = self.conn.execute(
            'SELECT c.id FROM codings c JOIN coders k ON k.id = c.coder_id WHERE'
            ' c.transcript_id = ? AND c.code_id = ? AND c.start = ? AND c."end" = ?'
            " AND k.name = ?", (review["transcript_id"], review["code_id"],
                                review["start"], review["end"], review["coder"])).fetchone()
        return found[0] if found else self._new_ids("codings", 1)

    def _merge_memos(self, other, coders, cases, transcripts, codes, report: dict) -> None:
        # A memo's target is named by GUID; the thing it names may be known here by
        # another one (a transcript matched by its text, a code by its path). Links
        # name their code or transcript by id, mapped the same way.
        ours = {}
        for table, mapping in (("transcripts", transcripts), ("codes", codes),
                               ("cases", cases)):
            here = dict(self.conn.execute(f"SELECT id, guid FROM {table}"))
            ours.update({guid: here[mapping[other_id]] for other_id, guid in
                         other.execute(f"SELECT id, guid FROM {table}")
                         if other_id in mapping})
        memos = {}
        for (memo_id, guid, name, text, target_type, target_guid, coder_id, created, kind,
             modified) in other.execute(
                "SELECT id, guid, name, text, target_type, target_guid, coder_id, created,"
                " kind, modified FROM memos"):
            if self.conn.execute("SELECT 1 FROM memos WHERE guid = ?", (guid,)).fetchone():
                continue
            memos[memo_id] = self._put_new("memos", {
                "guid": guid, "name": name, "text": text, "target_type": target_type,
                "target_guid": ours.get(target_guid, target_guid),
                "coder_id": coders.get(coder_id), "created": created, "kind": kind,
                "modified": modified})
            report["memos"] += 1
        for guid, memo_id, code_id, transcript_id, start, end in other.execute(
                'SELECT guid, memo_id, code_id, transcript_id, start, "end" FROM memo_links'):
            if memo_id in memos:
                self._put_new("memo_links", {
                    "guid": guid, "memo_id": memos[memo_id],
                    "code_id": codes.get(code_id), "transcript_id": transcripts.get(
                        transcript_id), "start": start, "end": end})

    def import_exchange(self, project, source: str) -> dict:
        """Bring in a project read from another tool's export (an ExchangeProject): it
        is first laid out as a qcode project in memory, then merged like a coder's
        copy, so it is matched to what is here by GUID, name and text hash, and path of
        names exactly as `merge` does, and nothing here is changed or deleted. A
        project with nothing in it yet also takes the file's identity (GUID, creation
        date, codebook name), so an export imported back is the same project."""
        empty = self._empty()
        staging = self._staging()
        staged = type(self).create(staging)
        # A scratch copy: if the machine stops, it is thrown away, never read, so
        # nothing is written twice (a write-ahead log) or waited for.
        staged.conn.execute("PRAGMA journal_mode = MEMORY")
        staged.conn.execute("PRAGMA synchronous = OFF")
        try:
            staged._lay_out(project)
            with self.transaction():  # the merge and the identity: all or nothing
                report = self._merge_from(staged.conn, "import project",
                                          f"imported project {source}")
                if empty:
                    for key, value in (("project_guid", project.guid),
                                       ("created", project.created),
                                       ("codebook_name", project.codebook.name)):
                        if value:
                            self._set_meta(key, value)
        finally:
            staged.close()
            if staging != ":memory:":
                from qcode.core.store.project import _remove_made

                _remove_made(staging)
        return report

    def _staging(self) -> Path | str:
        """Where an import is laid out before it is merged: a file beside the project,
        private as the project is and removed after, so that a project of hundreds of
        thousands of codings is not held in memory twice (in memory only for a project
        that is itself in memory)."""
        if str(self.path) == ":memory:":
            return ":memory:"
        return self.path.with_name(f".{self.path.name}.import-{new_guid()[:8]}")

    def _lay_out(self, project) -> None:
        """Write an ExchangeProject's rows into this (new, empty) project as they are."""
        with self.transaction():
            if project.codebook.codes:
                self.load_codebook(project.codebook)
            coder_ids = {}
            for coder in project.coders:
                coder_ids[coder.guid] = self.conn.execute(
                    "INSERT INTO coders (guid, name, created) VALUES (?, ?, ?)",
                    (coder.guid, coder.name, coder.created or now())).lastrowid
            transcript_ids = {}
            # Rows only: this project is a staging area that is merged, never searched,
            # so the search index is built once, where the merge puts the text.
            for transcript in project.transcripts:
                transcript_id = transcript_ids[transcript.guid] = self.conn.execute(
                    "INSERT INTO transcripts (guid, name, source_file, source_format,"
                    " encoding, text, sha256, word_count, imported)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (transcript.guid, transcript.name,
                     transcript.source_file or transcript.name, transcript.source_format,
                     transcript.encoding, transcript.text, transcript.sha256,
                     transcript.word_count, transcript.imported or now())).lastrowid
                self.conn.executemany(
                    'INSERT INTO turns (transcript_id, seq, speaker, start, "end",'
                    " label_start, begin_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(transcript_id, seq, t.speaker, t.start, t.end, t.label_start,
                      t.begin_time, t.end_time)
                     for seq, t in enumerate(transcript.turns or [], 1)])
            for case in project.cases:
                case_id = self.conn.execute("INSERT INTO cases (guid, name) VALUES (?, ?)",
                                            (case.guid, case.name)).lastrowid
                self.conn.executemany(
                    "INSERT INTO attributes (case_id, name, value, type) VALUES (?, ?, ?, ?)",
                    # Typed as qcode types every value, whatever the file called it.
                    [(case_id, name, value, _attribute_type(value))
                     for name, (value, _) in case.attributes.items()])
                for guid in case.transcripts:
                    self.conn.execute("UPDATE transcripts SET case_id = ? WHERE id = ?",
                                      (case_id, transcript_ids[guid]))
            code_ids = dict(self.conn.execute("SELECT guid, id FROM codes"))
            self.conn.executemany(
                'INSERT INTO codings (guid, transcript_id, code_id, coder_id, start, "end",'
                " memo, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((c.guid, transcript_ids[c.transcript], code_ids[c.code], coder_ids[c.coder],
                  c.start, c.end, c.memo, c.created or now()) for c in project.codings))
            self._lay_out_memos(project.memos, coder_ids, transcript_ids, code_ids)
            self._lay_out_reviews(project.reviews, transcript_ids, code_ids)
            self.conn.executemany(
                "INSERT INTO resolutions (guid, transcript_id, code_id, first_coder,"
                ' second_coder, start, "end", choice, resolved_by, created)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.guid, transcript_ids[r.transcript], code_ids[r.code], r.first_coder,
                  r.second_coder, r.start, r.end, r.choice, r.resolved_by,
                  r.created or now()) for r in project.resolutions
                 if r.transcript in transcript_ids and r.code in code_ids])

    def _lay_out_memos(self, memos, coder_ids: dict, transcript_ids: dict,
                       code_ids: dict) -> None:
        for m in memos:
            memo_id = self.conn.execute(
                "INSERT INTO memos (guid, name, text, target_type, target_guid, coder_id,"
                " created, kind, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (m.guid, m.name, m.text, m.target_type, m.target_guid,
                 coder_ids.get(m.coder), m.created or now(), m.kind,
                 m.modified or m.created)).lastrowid
            # A link to something the file does not hold is left out, not guessed.
            self.conn.executemany(
                'INSERT INTO memo_links (guid, memo_id, code_id, transcript_id, start,'
                ' "end") VALUES (?, ?, ?, ?, ?, ?)',
                [(new_guid(), memo_id, code_ids.get(link.guid) if link.target_type == "code"
                  else None, transcript_ids.get(link.guid) if link.target_type ==
                  "transcript" else None, link.start, link.end) for link in m.links
                 if (code_ids if link.target_type == "code" else transcript_ids
                     ).get(link.guid)])

