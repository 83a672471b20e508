"""A scripted coding session for the robustness tests, run as its own process:

    python -m tests.tui_session PROJECT CODER ACTIONS [OFFSET]

It codes ACTIONS words through the headless app, one key press at a time, and prints
"done CODE START END" only once the coding shows on screen, then "finished". Any error
message the app shows is printed as "ERROR ..."."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from qcode.tui.app import QcodeApp
from tests.tui_helpers import settle

KEYS = {"1": "Lack of training", "2": "Resources", "3": "Fear of deportation"}


async def session(path: Path, coder: str, actions: int, offset: int) -> None:
    app = QcodeApp(path, coder, remember=False)
    shown = app.notify

    def notify(message, *args, severity="information", **kwargs):
        if severity == "error":
            print(f"ERROR {message}", flush=True)
        return shown(message, *args, severity=severity, **kwargs)

    app.notify = notify
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.open_transcript(1)
        await settle(pilot, app)
        screen = app.screen
        text = screen.view.lines.text
        words = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i].isalpha()]
        for number in range(actions):
            # Every third word, so no two codings of one code touch and join.
            position = words[(offset + 3 * number) % len(words)]
            key = "123"[number % 3]
            screen.view.move_to(position)
            await pilot.press("w", key)
            start, end = screen.view.selected_span()
            code_id = next(c for c in screen.codes.values() if c.name == KEYS[key]).id
            for _ in range(200):
                if any(c.code_id == code_id and c.start <= start and end <= c.end
                       and c.coder_name == coder for c in screen.codings):
                    break
                await pilot.pause(0.01)
            else:
                print(f"ERROR coding {start}-{end} never shown", flush=True)
                return
            print(f"done {code_id} {start} {end}", flush=True)
    print("finished", flush=True)


if __name__ == "__main__":
    asyncio.run(session(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                        int(sys.argv[4]) if len(sys.argv) > 4 else 0))
