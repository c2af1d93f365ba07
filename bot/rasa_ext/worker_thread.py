"""Named threads for one kind of work, started at their first use, awaited from the event loop.

``nlu_thread.py`` reads messages on two (``mild-nlu``), ``channels/limits.py`` checks oversized
input on one (``mild-long-input``): a fixed number each, so the work of one kind never runs more
often at once than its code allows, and the loop serves other conversations meanwhile (issue #17).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")


class WorkerThread:
    def __init__(self, name: str, threads: int = 1) -> None:
        if threads < 1:
            raise ValueError("a worker needs at least one thread")
        self.name = name
        self.threads = threads
        self._executor: Optional[ThreadPoolExecutor] = None
        self._lock = threading.Lock()

    def executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix=self.name)
            return self._executor

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on one of these threads; the event loop goes on until it is done."""
        return await asyncio.get_running_loop().run_in_executor(self.executor(), work, *args)
