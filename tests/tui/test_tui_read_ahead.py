"""The transcript under the transcripts table's cursor is read ahead, and Enter shows
what was read only while the project is unchanged since: a coding written in between
(by this app or by another program) is shown, never a stale read."""

from __future__ import annotations

from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens import coding, transcripts
from qcode.tui.screens.transcripts import REST_S
from tests.tui_helpers import code_id, open_first, run, screen_text, settle, until


def reads_counted(monkeypatch) -> list[int]:
    """The transcript ids `read_opening` reads, in order."""
    read = coding.read_opening
    calls: list[int] = []

    def counted(project, transcript_id, coders):
        calls.append(transcript_id)
        return read(project, transcript_id, coders)

    monkeypatch.setattr(coding, "read_opening", counted)
    return calls


async def rest_on_the_table(pilot, app) -> None:
    """Leave the cursor on the first row until its transcript is read ahead."""
    await settle(pilot, app)
    await pilot.pause(REST_S + 0.1)
    await until(pilot, lambda: app._ahead is not None and app._ahead[1].done())


def opened_codings(path, monkeypatch, change=None) -> tuple[list[int], list[tuple]]:
    """Rest on the first transcript, run `change(app)` (if any), press Enter: the reads
    made, and the codings the coding screen shows (code id, coder, start, end)."""
    calls = reads_counted(monkeypatch)

    async def scenario():
        app = QcodeApp(path, "alice", remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await rest_on_the_table(pilot, app)
            if change is not None:
                await change(app)
            screen = await open_first(pilot, app)
            await until(pilot, lambda: screen.state == "saved")
            return [(c.code_id, c.coder_name, c.start, c.end) for c in screen.codings]
    shown = run(scenario())
    return calls, shown


def test_enter_shows_the_transcript_read_ahead_without_reading_it_again(path, monkeypatch):
    calls, shown = opened_codings(path, monkeypatch)
    assert calls == [1]  # read once, while the cursor rested on its row
    assert shown == []


def test_a_coding_written_by_another_program_after_the_read_ahead_is_shown(
        path, monkeypatch):
    training = code_id(path, "Lack of training")

    async def another_program(app) -> None:
        with Project.open(path) as other:
            other.add_coding(1, training, "alice", 10, 20)

    calls, shown = opened_codings(path, monkeypatch, another_program)
    assert calls == [1, 1]  # read ahead, then again at Enter
    assert shown == [(training, "alice", 10, 20)]


def test_a_change_made_in_this_app_after_the_read_ahead_is_shown(path, monkeypatch):
    resources = code_id(path, "Resources")

    async def through_the_app(app) -> None:
        await app.db.write(lambda project: project.add_coding(1, resources, "alice", 0, 11))

    calls, shown = opened_codings(path, monkeypatch, through_the_app)
    assert calls == [1, 1]
    assert shown == [(resources, "alice", 0, 11)]


def test_the_panel_shows_the_codebook_read_ahead_as_it_would_read_it(path, monkeypatch):
    """The panel's lines made ahead (off the UI's thread) are those it makes itself."""
    async def scenario():
        app = QcodeApp(path, "alice", remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await rest_on_the_table(pilot, app)
            screen = await open_first(pilot, app)
            panel = screen.panel
            ahead = {code_id: node.label.markup
                     for code_id, node in panel._code_nodes.items() if code_id}
            panel.show_codebook(list(panel.codes.values()), panel.counts)
            await settle(pilot, app)
            made = {code_id: node.label.markup
                    for code_id, node in panel._code_nodes.items() if code_id}
            return ahead, made
    ahead, made = run(scenario())
    assert ahead == made and len(ahead) == 6


def test_the_coding_screen_opened_from_a_read_ahead_looks_as_one_read_at_enter(
        path, monkeypatch):
    """The screen's text (panel, transcript, margin, status), the panel's cursor and
    the transcript's: the same."""
    def opened(rest: bool) -> str:
        async def scenario():
            app = QcodeApp(path, "alice", remember=False)
            async with app.run_test(size=(120, 40)) as pilot:
                if rest:
                    await rest_on_the_table(pilot, app)
                screen = await open_first(pilot, app)
                await until(pilot, lambda: screen.state == "saved")
                await settle(pilot, app)
                await pilot.press("down", "down")  # the cursor moves the same too
                await settle(pilot, app)
                panel = screen.panel
                return screen_text(app), panel.cursor_line, panel.highlighted_code, \
                    screen.view.cursor_offset
        return run(scenario())

    with_rest = opened(rest=True)
    monkeypatch.setattr(transcripts, "REST_S", 60.0)  # Enter before any read ahead
    calls = reads_counted(monkeypatch)
    without = opened(rest=False)
    assert calls == [1]  # read at Enter
    assert with_rest == without
