"""Where conversations and their locks live, chosen by environment variables only.

``DATABASE_URL`` picks the SQL tracker store's database (SQLite by default,
PostgreSQL for bigger clinics) and ``LOCK_STORE_URL`` the lock store
(``memory://`` in one process, ``sqlite:///<file>`` for several Sanic workers
on one machine, ``redis://host:6379/1`` for several Rasa instances). Rasa's own
SQL tracker store retries a database that is not there for ever, five seconds at
a time, and Rasa falls back to an in-memory store when a store cannot be loaded:
both would lose conversations without a word. So the database is checked first,
and a configured database that is missing stops start-up with an error that says
what to fix.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import os
import sqlite3
import time
from contextlib import asynccontextmanager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, AsyncIterator, ContextManager, Iterator, Optional
from urllib.parse import urlsplit

import sqlalchemy as sa
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.core.markers import STORE_UNAVAILABLE_SLOT, conversation_forgotten, store_unavailable
from bot.rasa_ext import prediction_states
from bot.rasa_ext.tracker_cache import TrackerCache
from bot.storage.retention import consultation_abandoned, delete_conversation, redact_contact_details

logger = logging.getLogger(__name__)

DEFAULT_WAIT_SECONDS = 30.0


class DatabaseSetupError(RuntimeError):
    """The configured database cannot be used; the message says what to fix."""


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable URL>"


def check_database(url: Optional[str], wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
    """Raise DatabaseSetupError unless ``url`` names a database that can be opened.

    A server that refuses connections is retried for ``wait_seconds`` (it may still be
    starting); a database, user or password that the server rejects fails at once.
    """
    if not url:
        raise DatabaseSetupError("DATABASE_URL is empty: set it, or leave it unset for the SQLite default")
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseSetupError(f"DATABASE_URL is not a database URL ({error})") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            if not folder.is_dir():
                raise DatabaseSetupError(f"the folder of the SQLite database does not exist: {folder}")
        return
    deadline = time.monotonic() + wait_seconds
    engine = sa.create_engine(url, pool_pre_ping=True)
    try:
        while True:
            try:
                with engine.connect():
                    return
            except OperationalError as error:
                reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
                refused = "could not connect" in reason or "Connection refused" in reason
                if not refused or time.monotonic() >= deadline:
                    raise DatabaseSetupError(
                        f"cannot use the database {safe_url(url)}: {reason}. Create it (see README, "
                        "Deployment) or correct DATABASE_URL"
                    ) from None
                time.sleep(1.0)
    finally:
        engine.dispose()


class CheckedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on ``url``, after a check that the database is there.

    While the database is unreachable, a conversation is not replaced by an empty
    one (Rasa's wrapper would do that, and later save to memory): ``retrieve`` gives
    a tracker that only carries the ``store_unavailable`` mark, the fault policy
    (bot/rasa_ext/policies.py) answers "having trouble, try again or call the clinic", and
    ``save`` does not store that turn. The stored conversation is untouched, and
    it goes on from where it was once the database is back.

    Retrieval goes through a per-process cache checked against the database at every
    retrieve (bot/rasa_ext/tracker_cache.py): a turn no longer re-reads and replays the
    whole conversation, and what it gets is still what the database holds. A
    conversation this process deletes leaves the cache with it. The dialogue steps a turn
    leaves for the next (bot/rasa_ext/prediction_states.py) are kept with the cache's entry.
    """

    def __init__(self, domain: Any = None, host: Optional[str] = None, event_broker: Any = None,
                 wait_seconds: float = DEFAULT_WAIT_SECONDS, cache_conversations: int = 1000,
                 cache_idle_seconds: float = 900.0, cache_sweep_seconds: float = 30.0, **kwargs: Any) -> None:
        check_database(host, float(wait_seconds))
        logger.info("Conversations are stored in %s", safe_url(host or ""))
        super().__init__(domain=domain, host=host, event_broker=event_broker, **kwargs)
        # connections that died with a restarted database are replaced, not used
        old = self.engine
        self.engine = sa.create_engine(old.url, pool_pre_ping=True, **create_engine_kwargs(old.url))
        self.sessionmaker = sessionmaker(bind=self.engine)
        old.dispose()
        self.cache = TrackerCache(int(cache_conversations), float(cache_idle_seconds), float(cache_sweep_seconds))

    async def retrieve(self, sender_id: str) -> Any:
        try:
            with self.engine.connect() as conn:
                rows = self.cache.refresh(conn, sender_id)
        except SQLAlchemyError as error:
            self.cache.drop(sender_id)
            logger.error("The conversation database is unreachable (%s); the patient is asked to try again.",
                         type(error).__name__)
            # listening, as after any turn, so that rules (red flags first) still apply to the message
            return DialogueStateTracker.from_events(
                sender_id, [SlotSet(STORE_UNAVAILABLE_SLOT, True), ActionExecuted(ACTION_LISTEN_NAME)],
                slots=self.domain.slots if self.domain else None)
        if rows is None or not self.domain:
            return None
        tracker = self.cache.tracker(sender_id, rows, self.domain.slots)
        if tracker is not None:  # the dialogue steps the last turn left, to go on from
            prediction_states.give_kept_steps(tracker, self.cache.carried(sender_id))
        return tracker

    async def save(self, tracker: Any) -> None:
        """Save the turn, or delete the whole conversation when the patient asked to be forgotten.

        A turn that ends a consultation request without keeping it (consent refused,
        stopped) also overwrites the contact details typed for it (bot/storage/retention.py).
        """
        if store_unavailable(tracker.events):
            return  # the stand-in of an unreachable database: nothing of it is stored
        if conversation_forgotten(tracker.events):
            self.cache.drop(tracker.sender_id)
            removed = delete_conversation(self.engine, tracker.sender_id)
            logger.info("Deleted a conversation (%d events) at the patient's request.", removed)
            return
        await self.stream_events(tracker)
        self._append_new_events(tracker)
        if consultation_abandoned(tracker.events):
            self.cache.drop(tracker.sender_id)  # read again, overwritten, at the next retrieve
            changed = redact_contact_details(self.engine, tracker.sender_id)
            logger.info("A consultation request was not made: %d event(s) with contact details overwritten.",
                        changed)
            return
        # kept with the conversation's cache entry, and gone with it
        self.cache.carry(tracker.sender_id, prediction_states.kept_steps(tracker))
        # the cache is not brought up to the save here: it would delay every reply, and a crash
        # between the commit and the reply makes nginx re-send the message (recognised then by its
        # request id, bot/rasa_ext/channels/once.py; README, Deployment)

    def _append_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` after its event streaming, in SQL statements prepared once.

        As in Rasa 3.6: the events stored since the latest session start are counted, the tracker's
        events after that many are added, one row each in their order, with the same columns and
        the same JSON, and committed together (the schema check of ``session_scope`` included).
        Rasa builds an ORM query and ORM objects for this at every save, in Python that holds the lock
        the other turns wait for: a turn's save took 2.1 ms of CPU that way and 1.05 ms so, most of the
        rest SQLite's commit (issue #17, README "Throughput"). ``tests/test_tracker_cache.py`` compares
        the rows with those Rasa's save adds, on SQLite and PostgreSQL.
        """
        with self.session_scope() as session:
            connection = session.connection()
            stored = connection.execute(self._count_since_session_start, {"sender_id": tracker.sender_id}).scalar()
            for event in itertools.islice(tracker.events, stored, len(tracker.events)):
                data = event.as_dict()
                connection.execute(self._insert_event, {
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            session.commit()

    @functools.cached_property
    def _count_since_session_start(self) -> Any:
        """``_event_query(session, sender_id, fetch_events_from_all_sessions=False).count()`` in Core."""
        events = self.SQLEvent.__table__
        sender = events.c.sender_id == sa.bindparam("sender_id")
        start = sa.select(sa.func.max(events.c.timestamp)).where(
            sender, events.c.type_name == SessionStarted.type_name).scalar_subquery()
        return sa.select(sa.func.count()).select_from(events).where(
            sender, sa.or_(events.c.timestamp >= start, start.is_(None)))

    @functools.cached_property
    def _insert_event(self) -> Any:
        return self.SQLEvent.__table__.insert()


class _WaitersKeepTheirPlace:
    """Rasa's ticket lock, with a waiting message that keeps its ticket valid.

    In Rasa 3.6 a waiting ticket expires ``lock_lifetime`` seconds after it was
    issued, like the one being served. When the ticket ahead belongs to an
    instance that died (or a turn that ran past the lifetime) and was issued
    less than one polling interval before the waiter's, both expire between two
    polls; the waiter then finds no ticket of its own and waits for ever (a
    conversation stalled until nginx gave up after 120 s, tests/test_scale_out.py).
    Here a waiter renews its own ticket at every poll, so only a ticket whose
    owner stopped polling (a dead instance, an over-long turn) expires.
    """

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[TicketLock]:
        store: Any = self
        ticket = store.issue_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._wait_for_turn(conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
        finally:
            store.cleanup(conversation_id, ticket)

    async def _wait_for_turn(self, conversation_id: str, ticket: int, lifetime: float,
                             wait_time_in_seconds: float) -> TicketLock:
        store: Any = self
        while True:
            with self._atomic():
                lock = store.get_lock(conversation_id)
                if lock is None:  # deleted: every ticket, ours included, was cleaned up
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                renew_ticket(lock, ticket, lifetime)
                store.save_lock(lock)
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def _atomic(self) -> ContextManager[Any]:
        """A read-modify-write of a lock that no other process interleaves (none needed in one process)."""
        return nullcontext()


def renew_ticket(lock: TicketLock, number: int, lifetime: float, now: Optional[float] = None) -> None:
    """Drop expired tickets, then keep ticket ``number`` valid for ``lifetime`` more seconds, in its place."""
    now = time.time() if now is None else now
    lock.tickets = type(lock.tickets)(t for t in lock.tickets if t.expires >= now or t.number == number)
    mine = next((t for t in lock.tickets if t.number == number), None)
    if mine is None:
        mine = Ticket(number, now)
        lock.tickets = type(lock.tickets)(sorted([*lock.tickets, mine], key=lambda t: t.number))
    mine.expires = max(mine.expires, now + lifetime)


class ClinicInMemoryLockStore(_WaitersKeepTheirPlace, InMemoryLockStore):
    """One process's locks (``memory://``)."""


class ClinicRedisLockStore(_WaitersKeepTheirPlace, RedisLockStore):
    """Locks shared by several Rasa instances (``redis://``)."""


class ClinicSQLiteLockStore(_WaitersKeepTheirPlace, LockStore):
    """Locks shared by the processes of one machine (``sqlite:///<file>``): several Sanic workers.

    One row per conversation with a lock, the ticket lock as JSON. Every read-modify-write
    (issuing a ticket, a waiter renewing its own, finishing a turn) is one ``BEGIN IMMEDIATE``
    transaction, so two processes never overwrite each other's tickets; the file is in WAL
    mode and nothing in it needs to survive a crash (tickets expire).
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._connection: Optional[sqlite3.Connection] = None
        self._pid = 0
        self._depth = 0

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():  # a forked worker opens its own
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS locks (conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)")
            self._connection, self._pid, self._depth = connection, os.getpid(), 0
        return self._connection

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        db = self._db()
        if self._depth == 0:
            db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                db.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            db.execute("COMMIT")

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        row = self._db().execute("SELECT lock FROM locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def save_lock(self, lock: TicketLock) -> None:
        self._db().execute("INSERT OR REPLACE INTO locks (conversation_id, lock) VALUES (?, ?)",
                           (lock.conversation_id, lock.dumps()))

    def delete_lock(self, conversation_id: str) -> None:
        self._db().execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._atomic():
            return super().issue_ticket(conversation_id, lock_lifetime)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._atomic():
            super().cleanup(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        with self._atomic():
            super().update_lock(conversation_id)


def sanic_workers(environ: Optional[dict] = None) -> int:
    """The number of Rasa server processes asked for (``SANIC_WORKERS``, Rasa's variable; 1 when unset)."""
    value = ((os.environ if environ is None else environ).get("SANIC_WORKERS") or "1").strip()
    try:
        return int(value)
    except ValueError:
        return 1


def lock_store_for_url(url: Optional[str], environ: Optional[dict] = None) -> LockStore:
    """``memory://`` (or nothing): one process's locks; ``sqlite:///<file>``: the processes of one
    machine; ``redis://[:pw@]host[:port][/db]``: Redis, for several machines."""
    if not url or url.startswith("memory://"):
        if sanic_workers(environ) > 1:
            # Rasa would start the workers anyway (it only refuses its own in-memory store), each
            # with its own locks: two messages of one conversation could then be handled at once
            raise DatabaseSetupError("SANIC_WORKERS above 1 needs locks the workers share: set LOCK_STORE_URL "
                                     "to sqlite:///<file> (one machine) or redis://host:6379/1")
        return ClinicInMemoryLockStore()
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseSetupError("LOCK_STORE_URL sqlite:///<file> needs a file, e.g. sqlite:////srv/mild/var/locks.db")
        return ClinicSQLiteLockStore(path)  # as SQLAlchemy reads it: sqlite:////abs/file, sqlite:///relative
    if parts.scheme not in ("redis", "rediss"):
        raise DatabaseSetupError(
            f"LOCK_STORE_URL must start with memory://, sqlite:/// or redis://, not {parts.scheme}://")
    db = parts.path.strip("/") or "1"
    if not db.isdigit():
        raise DatabaseSetupError("LOCK_STORE_URL's path must be a Redis database number, e.g. redis://host:6379/1")
    return ClinicRedisLockStore(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int(db),
        username=parts.username or None,
        password=parts.password or None,
        use_ssl=parts.scheme == "rediss",
    )


class LockStoreFromUrl:
    """``type: bot.rasa_ext.stores.LockStoreFromUrl`` in endpoints.yml: the lock store ``url`` names."""

    def __new__(cls, endpoint_config: EndpointConfig) -> LockStore:  # type: ignore[misc]
        return lock_store_for_url(endpoint_config.url)
