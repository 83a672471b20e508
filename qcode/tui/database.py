"""The project, reached from the UI through one background thread.

SQLite calls block, so none runs on the UI's event loop. One thread owns the
connection and runs calls in the order they were made: an action is shown as done
only once its transaction has committed there.

A change another program keeps from being written (it holds the project for writing
longer than the store waits) is never dropped: `write` tells the screen, keeps trying
in the background and returns once it is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from qcode.core.store import Project
from qcode.core.store.journal import ProjectBusy

T = TypeVar("T")


class Database:
    # Between tries of a change the project was too busy to take; each try itself waits
    # out the store's busy timeout and retries, so this pause only spaces them out.
    retry_pause_s = 1.0
    # Shorter than the store's default: the researcher hears within seconds that a
    # change waits, and it keeps being tried all the same.
    lock_wait_s = 2.0

    def __init__(self, path: Path, coder: str):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qcode-db")
        # Changes are written in the order they were made, even while one waits.
        self._writing = asyncio.Lock()
        self.waiting = False  # a change is waiting for another program's write to end
        self.pending = 0  # changes asked for and not yet written (or refused)
        self.project: Project | None = None
        self.path = path
        self.coder = coder

    async def open(self) -> None:
        def connect() -> None:
            self.project = Project.open(self.path)
            self.project.coder = self.coder
            self.project.wait_for_lock(self.lock_wait_s)
        await asyncio.wrap_future(self._thread.submit(connect))

    async def __call__(self, call: Callable[..., T], *args, **kwargs) -> T:
        """Run `call(project, *args, **kwargs)` on the database thread."""
        return await asyncio.wrap_future(
            self._thread.submit(lambda: call(self.project, *args, **kwargs)))

    async def write(self, call: Callable[..., T], *args,
                    on_busy: Callable[[ProjectBusy], None] = lambda exc: None,
                    **kwargs) -> T:
        """Run a change like `__call__`; while the project is busy, call `on_busy` and
        try again until it is written (or refused for another reason)."""
        self.pending += 1
        try:
            async with self._writing:
                try:
                    while True:
                        try:
                            return await self(call, *args, **kwargs)
                        except ProjectBusy as exc:
                            self.waiting = True
                            on_busy(exc)
                        await asyncio.sleep(self.retry_pause_s)
                finally:
                    self.waiting = False
        finally:
            self.pending -= 1

    async def tried(self) -> bool:
        """Once no change is on its first try (each is written, or waits for another
        program to be done): whether none waits. The screen a change was made on must
        stay until then: leaving it cancels the change's worker, and with it the try,
        and the change is lost without a word."""
        while self.pending and not self.waiting:
            # (A first try lasts at most the store's lock wait, `lock_wait_s`.)
            await asyncio.sleep(0.02)
        return not self.waiting

    def close(self) -> None:
        def disconnect() -> None:
            if self.project is not None:
                self.project.close()
        self._thread.submit(disconnect).result()
        self._thread.shutdown()
