"""The consensus: how places where two coders differed were resolved."""

from __future__ import annotations

from qcode.core.store.base import CONSENSUS, ProjectError, new_guid, now
from qcode.core.store.journal import PASSAGE

# One code's decision in a place: (code id, (start, end) of the place, spans kept).
Decision = tuple[int, tuple[int, int], list[tuple[int, int]]]


class Consensus:
    def resolve(self, transcript_id: int, code_id: int, place: tuple[int, int],
                spans: list[tuple[int, int]], choice: str, coders: tuple[str, str],
                consensus: str = CONSENSUS) -> None:
        """Write the consensus for one place where two coders differed: the consensus
        coder's codings of this code inside the place become `spans`, and the choice is
        recorded. Re-resolving a place replaces what was written before; undoable."""
        self.resolve_together(transcript_id, [(code_id, place, spans)], choice, coders,
                              consensus)

    def resolve_together(self, transcript_id: int, decisions: list[Decision],
                         choice: str, coders: tuple[str, str],
                         consensus: str = CONSENSUS, summary: str | None = None) -> None:
        """Resolve the places of several codes on one passage as one undoable action
        (a meeting decides the passage: "take ana's" keeps her code, drops his)."""
        for _, (start, end), spans in decisions:
            for low, high in spans:
                if not start <= low < high <= end:
                    raise ProjectError(f"[{low}, {high}) is outside the place [{start}, {end})")
            self._check_span(transcript_id, start, end)
        consensus_id = self.coder_id(consensus)
        names = [self._code_name(code_id) for code_id, _, _ in decisions]
        with self.transaction():
            changes: list = []
            for code_id, place, spans in decisions:
                self._write_decision(changes, transcript_id, code_id, place, spans, choice,
                                     coders, consensus_id)
            first_place = decisions[0][1]
            self._action("resolve", summary or
                         f"resolved {PASSAGE} for {', '.join(names)} by {choice}", changes,
                         code=decisions[0][0], transcript=transcript_id,
                         start=first_place[0], passage=[transcript_id, *first_place])

    def _write_decision(self, changes: list, transcript_id: int, code_id: int,
                        place: tuple[int, int], spans: list[tuple[int, int]], choice: str,
                        coders: tuple[str, str], consensus_id: int) -> None:
        start, end = place
        for (coding_id,) in self.conn.execute(
                'SELECT id FROM codings WHERE transcript_id = ? AND code_id = ? AND'
                ' coder_id = ? AND start < ? AND "end" > ?',
                (transcript_id, code_id, consensus_id, end, start)).fetchall():
            self._delete(changes, "codings", coding_id)
        for (row_id,) in self.conn.execute(
                'SELECT id FROM resolutions WHERE transcript_id = ? AND code_id = ?'
                ' AND first_coder = ? AND second_coder = ? AND start = ? AND "end" = ?',
                (transcript_id, code_id, *coders, start, end)).fetchall():
            self._delete(changes, "resolutions", row_id)
        for low, high in spans:
            self._insert(changes, "codings", {
                "guid": new_guid(), "transcript_id": transcript_id, "code_id": code_id,
                "coder_id": consensus_id, "start": low, "end": high, "memo": "",
                "created": now(), "autocoded": 0})  # the undo data is the whole row
        self._insert(changes, "resolutions", {
            "guid": new_guid(), "transcript_id": transcript_id, "code_id": code_id,
            "first_coder": coders[0], "second_coder": coders[1], "start": start,
            "end": end, "choice": choice, "resolved_by": self.coder, "created": now()})

    def resolutions(self, coders: tuple[str, str]) -> dict[tuple[int, int, int, int], str]:
        """(transcript id, code id, start, end) of each resolved place -> the choice."""
        return {tuple(r[:4]): r[4] for r in self.conn.execute(
            'SELECT transcript_id, code_id, start, "end", choice FROM resolutions'
            " WHERE first_coder = ? AND second_coder = ?", coders)}
