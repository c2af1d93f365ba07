"""The conversation lock: a message waiting behind a dead instance's turn gets its turn.

Rasa 3.6's ticket lock lets a waiting ticket expire like the one being served. When
an instance dies just after taking a conversation's ticket and the next message
(re-sent by nginx) takes its own within the same polling interval, both tickets
expire between two polls and the waiter waits for ever: two conversations stalled
for 120 s in tests/test_scale_out.py. bot.rasa_ext.stores' lock stores renew a waiter's ticket.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import deque
from pathlib import Path
from typing import Iterator, Optional

import pytest
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore

from bot.rasa_ext.stores import (
    ClinicInMemoryLockStore,
    ClinicRedisLockStore,
    ClinicSQLiteLockStore,
    DatabaseSetupError,
    lock_store_for_url,
    renew_ticket,
)
from harness.services import Redis

LIFETIME = 1.0
POLL = 0.5


async def wait_behind_a_dead_turn(store: LockStore, conversation: str, gap: float = 0.05,
                                  dead: Optional[LockStore] = None) -> float:
    """A dead instance's ticket, then ours ``gap`` seconds later: seconds until we hold the lock.

    ``dead``: the dead instance's own store on the shared locks (Redis, a SQLite file); by
    default the same store as ours.
    """
    (dead or store).issue_ticket(conversation, LIFETIME)  # taken by an instance that then died: never cleaned up
    await asyncio.sleep(gap)
    started = time.monotonic()

    async def take() -> float:
        async with store.lock(conversation, LIFETIME, POLL):
            return time.monotonic() - started

    return await asyncio.wait_for(take(), timeout=4 * LIFETIME)


def test_a_message_behind_a_dead_instances_turn_gets_the_lock_once_that_turn_expires() -> None:
    waited = asyncio.run(wait_behind_a_dead_turn(ClinicInMemoryLockStore(), "c1"))
    assert LIFETIME - 0.1 <= waited <= LIFETIME + POLL + 0.2


def test_rasas_own_lock_store_waits_for_ever_there() -> None:
    """Why bot.rasa_ext.stores has its own: the stock store never gives the lock (here: cut off after 4 s)."""
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(wait_behind_a_dead_turn(InMemoryLockStore(), "c1"))


def test_a_live_turn_ahead_still_holds_the_waiter_back() -> None:
    store = ClinicInMemoryLockStore()
    order = []

    async def turn(name: str, seconds: float) -> None:
        async with store.lock("c1", 30, 0.05):
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    async def both() -> None:
        first = asyncio.create_task(turn("first", 0.3))
        await asyncio.sleep(0.02)
        await turn("second", 0)
        await first

    asyncio.run(both())
    assert order == ["first in", "first out", "second in", "second out"]
    assert store.get_lock("c1") is None  # cleaned up: nobody waits


def test_renewing_keeps_the_waiters_ticket_in_its_place_and_drops_expired_ones() -> None:
    lock = TicketLock("c", deque([Ticket(1, 99.0), Ticket(2, 105.0), Ticket(3, 120.0)]))
    renew_ticket(lock, 2, 20.0, now=100.0)
    assert [(t.number, t.expires) for t in lock.tickets] == [(2, 120.0), (3, 120.0)]
    renew_ticket(lock, 3, 5.0, now=101.0)  # never shortened
    assert [(t.number, t.expires) for t in lock.tickets] == [(2, 120.0), (3, 120.0)]


def test_an_expired_waiters_ticket_is_put_back_in_number_order() -> None:
    now = time.time()
    lock = TicketLock("c", deque([Ticket(1, now + 100), Ticket(3, now + 100)]))
    renew_ticket(lock, 2, 20.0, now=now)
    assert [(t.number, t.expires) for t in lock.tickets] == [(1, now + 100), (2, now + 20), (3, now + 100)]
    assert lock.now_serving == 1 and lock.is_locked(2)


def test_lock_store_urls_give_the_renewing_stores() -> None:
    assert type(lock_store_for_url("memory://")) is ClinicInMemoryLockStore
    assert type(lock_store_for_url(None)) is ClinicInMemoryLockStore
    assert type(lock_store_for_url("redis://127.0.0.1:1/2")) is ClinicRedisLockStore


@pytest.fixture(scope="module")
def redis() -> Iterator[Redis]:
    server = Redis().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.server
def test_with_redis_a_message_behind_a_dead_instances_turn_gets_the_lock(redis: Redis) -> None:
    """Two instances share Redis: one takes the ticket and dies, the other takes the next one."""
    dead, survivor = lock_store_for_url(redis.url()), lock_store_for_url(redis.url())
    waited = asyncio.run(wait_behind_a_dead_turn(survivor, "scale-18", dead=dead))
    assert LIFETIME - 0.1 <= waited <= LIFETIME + POLL + 0.2
    assert survivor.get_lock("scale-18") is None


# --- sqlite:///<file>: the processes of one machine (several Sanic workers) ---

def test_sqlite_and_worker_settings_give_the_right_store(tmp_path: Path) -> None:
    store = lock_store_for_url(f"sqlite:///{tmp_path}/locks.db", environ={"SANIC_WORKERS": "2"})
    assert type(store) is ClinicSQLiteLockStore and store.path == f"{tmp_path}/locks.db"
    assert type(lock_store_for_url("memory://", environ={"SANIC_WORKERS": "1"})) is ClinicInMemoryLockStore
    for url in ("memory://", None):
        with pytest.raises(DatabaseSetupError, match="SANIC_WORKERS above 1 needs locks the workers share"):
            lock_store_for_url(url, environ={"SANIC_WORKERS": "2"})
    with pytest.raises(DatabaseSetupError, match="needs a file"):
        lock_store_for_url("sqlite:///")


def test_with_sqlite_a_message_behind_a_dead_processs_turn_gets_the_lock(tmp_path: Path) -> None:
    dead, survivor = (lock_store_for_url(f"sqlite:///{tmp_path}/locks.db") for _ in range(2))
    waited = asyncio.run(wait_behind_a_dead_turn(survivor, "c1", dead=dead))
    assert LIFETIME - 0.1 <= waited <= LIFETIME + POLL + 0.2
    assert survivor.get_lock("c1") is None and dead.get_lock("c1") is None


def _take_turns(path: str, log: str, turns: int) -> None:
    """One worker: ``turns`` turns of conversation c1, each noting when it starts and ends."""
    store = lock_store_for_url(f"sqlite:///{path}")

    async def run() -> None:
        for _ in range(turns):
            async with store.lock("c1", 30, 0.002):
                with open(log, "a", encoding="utf-8") as out:
                    out.write("in\n")
                await asyncio.sleep(0.002)
                with open(log, "a", encoding="utf-8") as out:
                    out.write("out\n")

    asyncio.run(run())


def test_with_sqlite_the_workers_of_one_machine_never_hold_one_conversation_at_once(tmp_path: Path) -> None:
    """Four processes, 40 turns each of one conversation: never two turns at once, none lost."""
    log = tmp_path / "turns.log"
    context = multiprocessing.get_context("fork")  # as Sanic starts its workers
    workers = [context.Process(target=_take_turns, args=(str(tmp_path / "locks.db"), str(log), 40))
               for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    lines = log.read_text(encoding="utf-8").split()
    assert lines == ["in", "out"] * 160
    assert lock_store_for_url(f"sqlite:///{tmp_path}/locks.db").get_lock("c1") is None  # cleaned up
