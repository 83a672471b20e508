"""Full-text search across every transcript; Enter jumps to the hit."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from qcode.core.store import Project, ProjectError


def search(project: Project, phrase: str):
    hits = project.search(phrase, limit=200)
    ids = {t.name: t.id for t in project.transcripts()}
    out = []
    for hit in hits:
        text = project.transcript_text(ids[hit.transcript])[hit.start:hit.end]
        found = text.casefold().find(" ".join(phrase.split()).casefold())
        start = hit.start + max(found, 0)
        out.append({"transcript_id": ids[hit.transcript], "transcript": hit.transcript,
                    "turn": hit.turn, "speaker": hit.speaker, "snippet": hit.snippet,
                    "start": start, "end": start + (len(phrase.strip()) if found >= 0 else 0)})
    return out


class SearchScreen(ModalScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Close", id="search.close"),
                Binding("down", "focus_hits", "Hits", show=False, id="search.hits")]

    def __init__(self):
        super().__init__()
        self.hits: list[dict] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Input(placeholder="search every transcript (words, in order)")
            yield OptionList()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    def action_focus_hits(self) -> None:
        self.query_one(OptionList).focus()

    @work(exclusive=True, exit_on_error=False)
    async def run_search(self, phrase: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        try:
            self.hits = await self.app.db(search, phrase)
        except ProjectError as exc:
            self.notify(str(exc), severity="warning")
            return
        for number, hit in enumerate(self.hits):
            label = Text(f"{hit['transcript']} · turn {hit['turn']} · {hit['speaker'] or ''}\n",
                         style="bold")
            # The snippet marks hits with \x02 and \x03 (see Project.search).
            for part, marked in _marked(hit["snippet"]):
                label.append(part, style="reverse" if marked else "")
            options.add_option(Option(label, id=str(number)))
        if not self.hits:
            self.notify("No hits", timeout=2)
        else:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[int(event.option.id)]
        self.app.pop_screen()
        self.app.open_transcript(hit["transcript_id"], (hit["start"], hit["end"]))


def _marked(snippet: str):
    marked = False
    for part in snippet.replace("\x03", "\x02").split("\x02"):
        yield part, marked
        marked = not marked
