"""The project, reached from the UI through one background thread.

SQLite calls block, so none runs on the UI's event loop. One thread owns the
connection and runs calls in the order they were made: an action is shown as done
only once its transaction has committed there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from qcode.core.store import Project

T = TypeVar("T")


class Database:
    def __init__(self, path: Path, coder: str):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qcode-db")
        self.project: Project | None = None
        self.path = path
        self.coder = coder

    async def open(self) -> None:
        def connect() -> None:
            self.project = Project.open(self.path)
            self.project.coder = self.coder
        await asyncio.wrap_future(self._thread.submit(connect))

    async def __call__(self, call: Callable[..., T], *args, **kwargs) -> T:
        """Run `call(project, *args, **kwargs)` on the database thread."""
        return await asyncio.wrap_future(
            self._thread.submit(lambda: call(self.project, *args, **kwargs)))

    def close(self) -> None:
        def disconnect() -> None:
            if self.project is not None:
                self.project.close()
        self._thread.submit(disconnect).result()
        self._thread.shutdown()
