"""A per-process cache of conversations for the SQL tracker store, checked against the database.

Rasa's SQL tracker store reads every event of a conversation's latest session at every
turn, JSON-decodes it, builds an event object from it and replays it (88 ms for 1,563
events, nearly all of it decoding and building; the replay itself is about 1 ms). Here a
process keeps, per conversation, the event objects it last read or saved, with a
fingerprint of what the database held then: the number of the conversation's rows, their
highest id and the sum of their lengths (one aggregate query, about 0.3 ms for 1,563 rows
on SQLite). A retrieve that finds the same fingerprint builds the tracker from copies of
the kept events; one that finds only new rows after the kept ones (the turn just saved,
or turns another instance saved) reads and decodes only those; anything else (rows
deleted, a row rewritten, such as contact details overwritten) reads the conversation
again. So what is returned is always what the database holds at that query, never an
older copy.

The kept event objects are never handed out: each retrieve gets shallow copies (Rasa
changes events in place, e.g. ``DefinePrevUserUtteredFeaturization`` on the latest user
message) in a new tracker. The kept events are replayed once, and that replay is brought
forward over the rows appended since; a retrieve takes the state it reached (``from_replayed``,
as bot/rasa_ext/tracker_copy.py copies a tracker from its state) instead of replaying every
event again: 1 ms at 1,560 events (issue #17). A conversation with ``EntitiesAdded`` (which
extends a message's list of entities in place, a list the copies share) is replayed as before.
Entries idle for ``idle_seconds`` or beyond ``max_conversations`` are dropped; a conversation
deleted by this process is dropped at once (bot/rasa_ext/stores.py); one deleted elsewhere (``python -m bot forget``, retention,
another instance) leaves the cache at the next sweep, a query for which kept conversations
still have rows, run at most every ``sweep_seconds`` by the next retrieve or save of any
conversation.

An entry also carries what the last turn left for the next one (``carry``: the dialogue steps of
bot/rasa_ext/prediction_states.py), opaque here. It goes with the entry, so it is never kept for a
conversation the cache does not hold, and is gone whenever the entry is: deleted, read again whole
(rows deleted or rewritten), idle, evicted or swept. Rows only appended since keep it.
"""

from __future__ import annotations

import copy
import json
import operator
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from rasa.shared.core.events import EntitiesAdded, Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Connection

from bot.rasa_ext.tracker_copy import slot_copy, stand_in_copy

EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("timestamp"),
                  sa.column("type_name"), sa.column("data"))

Fingerprint = Tuple[int, Optional[int], int]  # rows, highest id, sum of the data's lengths


@dataclass
class _Row:
    id: int
    timestamp: Optional[float]
    type_name: str
    length: int
    event: Optional[Event]  # None: a row Rasa would skip too (no "event" key, unknown kind)


@dataclass
class _Entry:
    fingerprint: Fingerprint
    rows: List[_Row]  # the latest session's, as Rasa's query returns them
    used: float
    carried: Any = None  # what the last turn left for the next one (``carry``)
    replayed: Optional[Replayed] = None  # the kept events replayed, brought forward as rows are appended


@dataclass
class Replayed:
    """A tracker with the first ``rows`` kept rows' events replayed (the kept objects: never handed out)."""

    tracker: DialogueStateTracker
    slots: Any  # what it was made with
    rows: int


def _row(row: Any) -> _Row:
    data = row.data or ""
    parsed = json.loads(data) if data else {}
    event = Event.from_parameters(parsed) if "event" in parsed else None
    return _Row(int(row.id), row.timestamp, row.type_name, len(data), event)


def latest_session(rows: Sequence[_Row]) -> List[_Row]:
    """The rows Rasa's ``SQLTrackerStore._event_query`` keeps: from the latest session start on, by timestamp."""
    starts = [r.timestamp for r in rows if r.type_name == SessionStarted.type_name and r.timestamp is not None]
    if not starts:
        return list(rows)
    start = max(starts)
    return [r for r in rows if r.timestamp is not None and r.timestamp >= start]


def fresh_events(rows: Iterable[_Row]) -> List[Event]:
    """Shallow copies of the rows' events: the kept objects are never handed out."""
    copies = []
    new = object.__new__
    for row in rows:
        event = row.event
        if event is None:
            continue
        made = new(event.__class__)
        made.__dict__ = event.__dict__.copy()  # its own attributes, the values shared (a shallow copy)
        copies.append(made)
    return copies


def _at_same_place(value: Any, replayed: Sequence[Event], events: Sequence[Event]) -> Any:
    """The event of ``events`` where ``value`` is in ``replayed`` (looked for from the end), else a copy
    of ``value`` with nothing shared: a stand-in a reset left (``UserUttered.empty()``), which a replay
    makes anew."""
    if value is None:
        return None
    for at in range(len(replayed) - 1, -1, -1):
        if replayed[at] is value:
            return events[at]
    return stand_in_copy(value)


def from_replayed(replayed: DialogueStateTracker, sender_id: str, events: List[Event], slots: Any) -> DialogueStateTracker:
    """What ``DialogueStateTracker.from_events(sender_id, events, slots)`` returns, from a tracker that
    replayed equal events (``events`` are shallow copies of its own): a replay ends in a state that is
    a function of the events, so the new tracker takes ``events`` and a copy of that state (each slot
    copied, with a value of its own where it can change in place; the latest action and loop their own objects; the
    latest user message and bot utterance the copies at their places), as bot/rasa_ext/tracker_copy.py
    copies a tracker from its state."""
    new = DialogueStateTracker(sender_id, slots)
    new.events.extend(events)
    new.slots = type(new.slots)((name, slot_copy(slot)) for name, slot in replayed.slots.items())
    new._paused = replayed._paused
    new.followup_action = replayed.followup_action
    new.latest_action = copy.copy(replayed.latest_action)
    new.active_loop = copy.copy(replayed.active_loop)
    new.latest_message = _at_same_place(replayed.latest_message, replayed.events, events)
    new.latest_bot_utterance = _at_same_place(replayed.latest_bot_utterance, replayed.events, events)
    return new


def _replays_alike(event: Event) -> bool:
    """An event a replay applies the same way to the kept object and to its copies. ``EntitiesAdded``
    extends the latest message's list of entities, which the copies share: not replayed here."""
    return not isinstance(event, EntitiesAdded)


class TrackerCache:
    """The last state read or saved per conversation, with the fingerprint it had in the database."""

    def __init__(self, max_conversations: int = 1000, idle_seconds: float = 900.0,
                 sweep_seconds: float = 30.0) -> None:
        self.max_conversations = int(max_conversations)
        self.idle_seconds = float(idle_seconds)
        self.sweep_seconds = float(sweep_seconds)
        self._swept = time.monotonic()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self.hits = self.appends = self.reads = 0  # how retrieves were served, for tests and benchmarks

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, sender_id: object) -> bool:
        return sender_id in self._entries

    def drop(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def clear(self) -> None:
        self._entries.clear()

    def carry(self, sender_id: str, carried: Any) -> None:
        """Keep ``carried`` with the conversation's entry until the next turn, if the cache holds it."""
        entry = self._entries.get(sender_id)
        if entry is not None:
            entry.carried = carried

    def carried(self, sender_id: str) -> Any:
        """What the conversation's last turn left for the next one (None: nothing, or not held)."""
        entry = self._entries.get(sender_id)
        return None if entry is None else entry.carried

    def _expire(self, now: float) -> None:
        while self._entries:
            sender, entry = next(iter(self._entries.items()))
            if len(self._entries) <= self.max_conversations and now - entry.used <= self.idle_seconds:
                break
            del self._entries[sender]

    def _sweep(self, conn: Connection) -> None:
        """Drop idle entries, and those whose conversation was deleted since (by anyone)."""
        now = time.monotonic()
        if now - self._swept < self.sweep_seconds:
            return
        self._swept = now
        self._expire(now)
        kept = list(self._entries)
        present = set()
        for start in range(0, len(kept), 500):
            chunk = kept[start:start + 500]
            present.update(row[0] for row in conn.execute(
                sa.select(EVENTS.c.sender_id).where(EVENTS.c.sender_id.in_(chunk)).group_by(EVENTS.c.sender_id)))
        for sender in kept:
            if sender not in present:
                self.drop(sender)

    def _keep(self, sender_id: str, fingerprint: Fingerprint, rows: List[_Row], carried: Any = None,
              replayed: Optional[Replayed] = None) -> None:
        if self.max_conversations <= 0:
            return
        now = time.monotonic()
        self._entries[sender_id] = _Entry(fingerprint, rows, now, carried, replayed)
        self._entries.move_to_end(sender_id)
        self._expire(now)

    @staticmethod
    def fingerprint(conn: Connection, sender_id: str) -> Fingerprint:
        count, highest, length = conn.execute(
            sa.select(sa.func.count(EVENTS.c.id), sa.func.max(EVENTS.c.id),
                      sa.func.coalesce(sa.func.sum(sa.func.coalesce(sa.func.length(EVENTS.c.data), 0)), 0))
            .where(EVENTS.c.sender_id == sender_id)).one()
        return int(count), (None if highest is None else int(highest)), int(length)

    @staticmethod
    def _rows(conn: Connection, sender_id: str, after: Optional[int] = None) -> List[_Row]:
        query = sa.select(EVENTS.c.id, EVENTS.c.timestamp, EVENTS.c.type_name, EVENTS.c.data) \
            .where(EVENTS.c.sender_id == sender_id)
        if after is not None:
            query = query.where(EVENTS.c.id > after)
        return [_row(r) for r in conn.execute(query.order_by(EVENTS.c.id))]

    def refresh(self, conn: Connection, sender_id: str) -> Optional[List[_Row]]:
        """The latest session's rows as the database holds them now (None: no conversation), kept for next time."""
        self._sweep(conn)
        fingerprint = self.fingerprint(conn, sender_id)
        entry = self._entries.get(sender_id)
        if fingerprint[0] == 0:
            self.drop(sender_id)
            return None
        if entry is not None and entry.fingerprint == fingerprint:
            self.hits += 1
            entry.used = time.monotonic()
            self._entries.move_to_end(sender_id)
            return entry.rows
        if entry is not None and entry.fingerprint[1] is not None and fingerprint[1] is not None \
                and fingerprint[1] > entry.fingerprint[1]:
            tail = self._rows(conn, sender_id, after=entry.fingerprint[1])
            expected = (entry.fingerprint[0] + len(tail), tail[-1].id if tail else None,
                        entry.fingerprint[2] + sum(r.length for r in tail))
            if tail and expected == fingerprint:  # only appended since: nothing kept was deleted or rewritten
                self.appends += 1
                rows = latest_session([*entry.rows, *tail])
                replayed = entry.replayed
                if replayed is not None and (len(rows) < replayed.rows or not all(
                        map(operator.is_, rows[:replayed.rows], entry.rows[:replayed.rows]))):
                    replayed = None  # a new session left earlier rows out
                self._keep(sender_id, fingerprint, rows, entry.carried, replayed)
                return rows
        # first read, or rows deleted or rewritten: the whole conversation, fingerprinted from what was read
        self.reads += 1
        everything = self._rows(conn, sender_id)
        if not everything:
            self.drop(sender_id)
            return None
        read = (len(everything), everything[-1].id, sum(r.length for r in everything))
        rows = latest_session(everything)
        self._keep(sender_id, read, rows)
        return rows

    def tracker(self, sender_id: str, rows: Sequence[_Row], slots: Any) -> Optional[DialogueStateTracker]:
        """A new tracker from copies of the rows' events (None when none is an event, as Rasa does).

        For the rows the cache holds, the kept events are replayed once, and brought forward over the
        rows appended since (``Replayed``); each retrieve then takes the state that replay reached
        (``from_replayed``) instead of replaying every event again. The copies are made after the
        replay, which changes some kept events in place as it changes the copies Rasa replays
        (``DefinePrevUserUtteredFeaturization``: the user message's featurisation, which is not stored)."""
        entry = self._entries.get(sender_id)
        replayed = self._brought_forward(entry, sender_id, rows, slots) if entry is not None and entry.rows is rows \
            else None
        events = fresh_events(rows)
        if not events:
            return None
        if replayed is None:
            return DialogueStateTracker.from_events(sender_id, events, slots)
        return from_replayed(replayed.tracker, sender_id, events, slots)

    @staticmethod
    def _brought_forward(entry: _Entry, sender_id: str, rows: Sequence[_Row], slots: Any) -> Optional[Replayed]:
        """The entry's replay over all its rows (None: not replayed here)."""
        replayed, entry.replayed = entry.replayed, None  # put back once brought forward without a fault
        if replayed is None or replayed.slots is not slots:
            replayed = Replayed(DialogueStateTracker(sender_id, slots), slots, 0)
        for row in rows[replayed.rows:]:
            if row.event is None:
                continue
            if not _replays_alike(row.event):
                return None
            replayed.tracker.update(row.event)
        replayed.rows = len(rows)
        entry.replayed = replayed
        return replayed
