"""The theme tree beside the transcript, with this coder's counts."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Tree

from qcode.core.colours import distinct_colours
from qcode.core.model import Code
from qcode.tui.widgets.transcript_view import code_colour


class CodebookPanel(Tree):
    BINDINGS = [
        Binding("a", "screen.add_code(False)", "Add code", id="codebook.add"),
        Binding("A", "screen.add_code(True)", "Add child", id="codebook.add_child"),
        Binding("r", "screen.rename_code", "Rename", id="codebook.rename"),
        Binding("e", "screen.edit_code", "Edit fields", id="codebook.edit"),
        Binding("m", "screen.move_code", "Move under…", id="codebook.move"),
        Binding("M", "screen.merge_code", "Merge into…", id="codebook.merge"),
        Binding("d", "screen.delete_code", "Delete", id="codebook.delete"),
        Binding("g", "screen.retrieve_code", "Retrieve", id="codebook.retrieve"),
        Binding("w", "screen.code_memo", "Memo", id="codebook.memo"),
    ]
    _adding = False  # codes being added by show_codebook (Tree's set-up invalidates too)

    def __init__(self, **kwargs):
        super().__init__("Codebook", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.codes: dict[int, Code] = {}
        self.colours: dict[int, str] = {}
        self.counts: dict[int, int] = {}
        self._code_nodes: dict = {}
        self._totals: dict[int, int] = {}

    def show_codebook(self, codes: list[Code], counts: dict[int, int],
                      colours: dict[int, str] | None = None,
                      labels: dict[int, Text] | None = None) -> None:
        """`colours`: the codes' distinct colours, when the caller has them already
        (the transcript's margin shows the same); `labels`: `code_labels` of these
        codes, counts and colours, when worked out ahead (on opening a transcript)."""
        highlighted = self.highlighted_code
        self.codes = {code.id: code for code in codes}
        self.colours = distinct_colours(codes) if colours is None else colours
        self.counts = counts
        self._totals = self._roll_up()
        if labels is None:
            labels = {code.id: self._label(code) for code in codes}
        self.clear()
        self._code_nodes = {None: self.root}
        self._adding = True
        try:
            for code in codes:
                parent = self._code_nodes[code.parent_id]
                node = parent.add(labels[code.id], data=code.id, expand=True)
                self._code_nodes[code.id] = node
        finally:
            self._adding = False
        for code_id, node in self._code_nodes.items():
            if code_id is not None and not node.children:
                node.allow_expand = False
        self.root.expand()  # (invalidates the tree, once for all the codes added)
        if highlighted in self._code_nodes:
            self.select_code(highlighted)

    @classmethod
    def made_ahead(cls, codes: list[Code], counts: dict[int, int],
                   colours: dict[int, str], labels: dict[int, Text]) -> CodebookPanel:
        """A panel showing `codes`, its lines listed, before it is mounted: made while
        the researcher is on the transcripts table, so that opening a transcript does
        not (1,110 codes: 10-15 ms)."""
        panel = cls(id="codebook")
        panel.show_codebook(codes, counts, colours, labels)
        panel._build()  # (Tree lists its lines when first idle, otherwise)
        return panel

    def _invalidate(self) -> None:
        # Tree invalidates itself (and asks for a layout) on every node added: a
        # codebook of 1,110 codes did that 1,110 times on opening a transcript.
        if not self._adding:
            super()._invalidate()

    # Tree lists and measures its lines again (every code's) on every style change and
    # resize, though neither changes which codes are shown nor how wide they are: with
    # 1,110 codes, two of the three rebuilds on opening a transcript. Here they only drop
    # the lines as drawn. (An empty tree is as wide as the panel: that one is rebuilt.)
    def notify_style_update(self) -> None:
        if not self.root.children:
            super().notify_style_update()
            return
        super(Tree, self).notify_style_update()  # what Tree's adds to is kept
        self._line_cache.clear()
        self.refresh()

    def _on_resize(self, event: Resize) -> None:
        if not self.root.children:
            return  # Tree's own handler runs
        event.prevent_default()  # (Tree's would rebuild the lines)
        self._line_cache.grow(event.size.height)
        self._line_cache.clear()
        self.refresh()

    def process_label(self, label) -> Text:
        # Tree copies every label to cut it at its first line; ours are one line.
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def get_label_width(self, node) -> int:
        # As Tree's (the icon, then the label), without rendering every label to
        # measure it: the tree is measured whole whenever it changes.
        icon = ""
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
        return cell_len(icon) + node.label.cell_len

    def update_counts(self, counts: dict[int, int]) -> None:
        """Relabel only the codes whose counts changed (and their themes)."""
        changed = {c for c in set(counts) | set(self.counts)
                   if counts.get(c, 0) != self.counts.get(c, 0)}
        self.counts = counts
        self._totals = self._roll_up()
        touched = set()
        for code_id in changed:
            while code_id is not None and code_id in self.codes and code_id not in touched:
                touched.add(code_id)
                code_id = self.codes[code_id].parent_id
        for code_id in touched:
            self._code_nodes[code_id].set_label(self._label(self.codes[code_id]))

    def _roll_up(self) -> dict[int, int]:
        return roll_up(self.codes, self.counts)

    def _label(self, code: Code) -> Text:
        return code_label(code, self.colours.get(code.id) or code_colour(code),
                          self.counts.get(code.id, 0), self._totals.get(code.id, 0))

    @property
    def highlighted_code(self) -> int | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def select_code(self, code_id: int) -> None:
        node = self._code_nodes.get(code_id)
        if node is not None:
            # A rebuilt tree knows its nodes' lines only after the next refresh.
            self.call_after_refresh(self.move_cursor, node)


def roll_up(codes: dict[int, Code], counts: dict[int, int]) -> dict[int, int]:
    """Each code's codings plus those of every code under it."""
    totals = {code_id: counts.get(code_id, 0) for code_id in codes}
    # `codes` is in tree order, so walking it backwards meets children first.
    for code_id in reversed(list(codes)):
        parent = codes[code_id].parent_id
        if parent is not None:
            totals[parent] += totals[code_id]
    return totals


def code_label(code: Code, colour: str, own: int, total: int) -> Text:
    """A code's line in the panel: its colour, key, name, and this coder's codings of
    it (own) and of it with the codes under it (total)."""
    label = Text("■ ", style=colour)
    if code.key:  # before the name: a narrow panel cuts a long name, not the key
        label.append(f"[{code.key}] ", style="bold")
    label.append(code.name)  # appended as plain text: names are never markup
    if not code.codable:
        label.append(" (category)", style="italic dim")
    if total:
        label.append(f" {own}" if own == total else f" {own}/{total}", style="dim")
    return label


def code_labels(codes: list[Code], counts: dict[int, int], colours: dict[int, str]
                ) -> dict[int, Text]:
    """Every code's line in the panel, by id (as `CodebookPanel.show_codebook` would
    make them): pure data, so they can be made off the UI's thread, ahead of time."""
    totals = roll_up({code.id: code for code in codes}, counts)
    return {code.id: code_label(code, colours.get(code.id) or code_colour(code),
                                counts.get(code.id, 0), totals[code.id])
            for code in codes}
