"""The one table widget every qcode screen uses: Textual's DataTable, drawn again when
its columns widen."""

from __future__ import annotations

from textual.widgets import DataTable


class Table(DataTable):
    """A DataTable whose rows are never drawn cut to a column's old width.

    DataTable fits an auto-width column to its cells when it next goes idle, but keeps
    the lines it drew before then in its render cache. On a busy machine a frame can
    come between filling the table and that idle, and the transcripts table then showed
    "p01-detect" for "p01-detective" until something else cleared the cache. Textual is
    pinned, so reaching into its two private members here is safe, and tested.
    """

    async def _on_idle(self, event) -> None:
        before = [column.content_width for column in self.columns.values()]
        await super()._on_idle(event)
        if [column.content_width for column in self.columns.values()] != before:
            self._clear_caches()
            self.refresh()
