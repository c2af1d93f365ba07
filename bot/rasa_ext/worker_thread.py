"""One named thread for one kind of work, started at its first use, awaited from the event loop.

``nlu_thread.py`` reads messages on one (``mild-nlu``), ``channels/limits.py`` checks oversized
input on another (``mild-long-input``): one thread each, so the work of one kind never runs twice
at once, and the loop serves other conversations meanwhile (issue #17).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")


class WorkerThread:
    def __init__(self, name: str) -> None:
        self.name = name
        self._executor: Optional[ThreadPoolExecutor] = None
        self._lock = threading.Lock()

    def executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.name)
            return self._executor

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on this thread; the event loop goes on until it is done."""
        return await asyncio.get_running_loop().run_in_executor(self.executor(), work, *args)
