"""The transcript view's quick soft wrap gives exactly Textual's wrap (rows, their
offsets and tab widths), on plain lines and on the lines it leaves to Textual."""

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.document._document import Document
from textual.document._wrapped_document import WrappedDocument

from qcode.tui.widgets.wrapping import QuickWrappedDocument, plain

# Words and runs of spaces, with a few characters the quick wrap leaves to Textual
# (a tab, a wide character, a no-break space, a zero-width joiner).
PIECES = st.sampled_from(["a", "word", "interview", "x" * 30, " ", "  ", " " * 12,
                          "’", "é", "\t", "漢", "\u00a0", "\u200d", "\n", ".", "?"])
TEXTS = st.lists(PIECES, max_size=80).map("".join)


def wrapped(cls, text: str, width: int):
    document = cls(Document(text), tab_width=4)
    document.wrap(width)
    return (document._wrap_offsets, document._offset_to_line_info,
            document._line_index_to_offsets, document._tab_width_cache, document.height)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=40))
def test_quick_wrap_is_textuals_wrap(text: str, width: int) -> None:
    assert wrapped(QuickWrappedDocument, text, width) == wrapped(WrappedDocument, text,
                                                                 width)


def test_plain_lines_are_those_of_one_cell_characters_and_plain_spaces() -> None:
    narrow: set[str] = set()
    assert plain("Interviewer: So, how did it go? ’Fine’.", narrow)
    assert not plain("a\tb", narrow)
    assert not plain("漢字", narrow)
    assert not plain("a\u00a0b", narrow)


def test_the_height_is_kept_after_an_edit() -> None:
    document = QuickWrappedDocument(Document("one two three\nfour"), tab_width=4)
    document.wrap(5)
    assert document.height == 4
    result = document.document.replace_range((1, 0), (1, 4), "four five six")
    document.wrap_range((1, 0), (1, 4), result.end_location)
    assert document.height == sum(len(o) + 1 for o in document._wrap_offsets)


def test_a_long_transcript_is_wrapped_once_on_opening_at_the_width_beside_its_scrollbar(
        tmp_path, monkeypatch):
    from qcode.core.store import Project
    from qcode.tui.app import QcodeApp
    from qcode.tui.widgets import wrapping
    from tests.tui_helpers import open_saved, parsed, run

    body = "\n\n".join(f"{'Interviewer' if i % 2 else 'P01'}: " + " ".join(
        f"Sentence {i}.{j} says a little about the work." for j in range(6))
        for i in range(60)) + "\n"
    path = tmp_path / "long.qcode"
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    with Project.create(path) as project:
        project.add_transcript(parsed("long", body), "long.txt", case="P01")
    widths = []
    original = wrapping.QuickWrappedDocument.wrap

    def wrap(self, width, tab_width=None):
        if len(self.document.lines) > 100 and width:
            widths.append(width)
        original(self, width, tab_width)

    monkeypatch.setattr(wrapping.QuickWrappedDocument, "wrap", wrap)

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            view = (await open_saved(pilot, app)).view
            assert view.show_vertical_scrollbar
            assert widths == [view.wrap_width]
            fresh = WrappedDocument(Document(body), tab_width=4)
            fresh.wrap(view.wrap_width)
            assert view.wrapped_document._wrap_offsets == fresh._wrap_offsets
    run(scenario())
