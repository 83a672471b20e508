"""Auto-coding: the turns a search reads, and the accepted hits of a search stored as
one coder's codings in one undoable action, each marked as auto-coded."""

from __future__ import annotations

import bisect
import json
from collections import namedtuple

from qcode.core.store.base import ProjectError, new_guid, now
from qcode.core.store.transcripts import _fts_phrase


# Named tuples, not dataclasses (see store/__init__.py).
class SpokenTurn(namedtuple("SpokenTurn",
                            "transcript_id transcript turn speaker start end text")):
    """A turn's utterance with where it stands: what auto-coding searches. `turn` is
    its number in the transcript (from 1), `speaker` may be None, `start`/`end` its
    span in the transcript's text."""

    __slots__ = ()


class Autocoded(namedtuple("Autocoded", "added already_coded")):
    """What storing accepted hits did: codings added, and hits left out because the
    coder had already coded that place with the code."""

    __slots__ = ()


class Autocoding:
    def spoken_turns(self, transcript_ids: list[int] | None = None,
                     words: str | None = None) -> list[SpokenTurn]:
        """Turns in transcript and turn order, with their text; with `words` (what a
        researcher typed), only the turns the search index says hold them all, in order.
        Each text is read once and cut into its turns here: SQLite's substr would read
        a whole transcript again for every turn."""
        sql = 'SELECT tu.transcript_id, tu.seq, tu.speaker, tu.start, tu."end"'
        params: list = []
        if words is not None:
            sql += (" FROM turns_fts JOIN turns tu ON tu.id = turns_fts.rowid"
                    " WHERE turns_fts MATCH ?")
            params.append(_fts_phrase(words))
        else:
            sql += " FROM turns tu WHERE 1"
        if transcript_ids is not None:
            sql += f" AND tu.transcript_id IN ({', '.join('?' for _ in transcript_ids)})"
            params += transcript_ids
        rows = self.conn.execute(sql, params).fetchall()
        texts = self._texts({row[0] for row in rows})
        rows.sort(key=lambda row: (texts[row[0]][0], row[1]))
        return [SpokenTurn(tid, texts[tid][0], seq, speaker, start, end,
                           texts[tid][1][start:end])
                for tid, seq, speaker, start, end in rows]

    def _texts(self, transcript_ids: set[int]) -> dict[int, tuple[str, str]]:
        """{id: (name, text)}, each text checked against its SHA-256 (once)."""
        rows = self.conn.execute(
            "SELECT id, name, text, sha256 FROM transcripts"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(transcript_ids)),))
        return {tid: (name, self.verified_text(tid, name, text, sha))
                for tid, name, text, sha in rows}

    def speakers(self, transcript_ids: list[int] | None = None) -> list[str]:
        """Every speaker label of these transcripts (default: all), by label."""
        sql = "SELECT DISTINCT speaker FROM turns WHERE speaker IS NOT NULL"
        params: list = []
        if transcript_ids is not None:
            sql += f" AND transcript_id IN ({', '.join('?' for _ in transcript_ids)})"
            params = list(transcript_ids)
        return [r[0] for r in self.conn.execute(sql + " ORDER BY speaker", params)]

    def add_autocodings(self, code_id: int, coder: str,
                        spans: list[tuple[int, int, int]], summary: str) -> Autocoded:
        """Code every (transcript id, start, end) with the code as `coder`'s, marked
        auto-coded, in one action that one undo takes back. Spans that overlap or touch
        are joined first; one that overlaps or touches the coder's own coding of the
        code is left out (that place is coded already, and joining it would make a
        hand coding auto-coded or the reverse)."""
        name = self._codable_name(code_id)
        lengths = self.transcript_lengths()
        for transcript_id, start, end in spans:
            if transcript_id not in lengths:
                raise ProjectError(f"no transcript with id {transcript_id}")
            if not 0 <= start < end <= lengths[transcript_id]:
                raise ProjectError(f"span [{start}, {end}) is not inside the transcript "
                                   f"(0 to {lengths[transcript_id]})")
        joined = _joined(spans)
        with self.transaction():  # a new coder too is undone if nothing is added
            coder_id = self.coder_id(coder)
            coded = self._coded_places(code_id, coder_id, {s[0] for s in joined})
            new = [s for s in joined if s[0] not in coded or not coded[s[0]].touch(s[1], s[2])]
            if not new:
                raise ProjectError(f"every hit is coded {name} by {coder} already; "
                                   "nothing was added")
            first = self._new_ids("codings", len(new))
            created = now()
            rows = [{"id": first + n, "guid": new_guid(), "transcript_id": tid,
                     "code_id": code_id, "coder_id": coder_id, "start": start, "end": end,
                     "memo": "", "created": created, "autocoded": 1}
                    for n, (tid, start, end) in enumerate(new)]
            columns = ", ".join(f'"{c}"' for c in rows[0])
            self.conn.executemany(
                f"INSERT INTO codings ({columns}) VALUES "
                f"({', '.join('?' for _ in rows[0])})", [tuple(r.values()) for r in rows])
            self._action("autocode", summary, [["insert", "codings", r] for r in rows],
                         actor=coder, code=code_id, codings=len(rows))
        return Autocoded(len(new), len(joined) - len(new))

    def _coded_places(self, code_id: int, coder_id: int, transcript_ids: set[int]
                      ) -> dict[int, _Places]:
        out: dict[int, _Places] = {}
        for tid, start, end in self.conn.execute(
                'SELECT transcript_id, start, "end" FROM codings WHERE code_id = ?'
                " AND coder_id = ? ORDER BY start", (code_id, coder_id)):
            if tid in transcript_ids:
                out.setdefault(tid, _Places()).add(start, end)
        return out


class _Places:
    """A transcript's coded spans in start order, asked whether a span overlaps or
    touches any of them in O(log n): imported codings may overlap, so the furthest end
    reached so far is kept beside each start."""

    def __init__(self):
        self.starts: list[int] = []
        self.reach: list[int] = []

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def touch(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.starts, end)
        return index > 0 and self.reach[index - 1] >= start


def _joined(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Spans that overlap or touch, joined into one, in transcript and text order."""
    out: list[list[int]] = []
    for tid, start, end in sorted(spans):
        if out and out[-1][0] == tid and start <= out[-1][2]:
            out[-1][2] = max(out[-1][2], end)
        else:
            out.append([tid, start, end])
    return [tuple(s) for s in out]
