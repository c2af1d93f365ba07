"""Deleting conversations: at the patient's request ("forget me") and after N days (retention).

Conversations live in Rasa's SQL tracker store, table ``events`` (one row per
event, ``timestamp`` in Unix seconds). A conversation is deleted whole: every
row of its ``sender_id``. Retention deletes the conversations whose *last* event
is older than the cut-off, so a conversation still going on is never cut in half.
Consultation requests are deleted by ``bot.requests_store``.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional, Union

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# Set to true by action_forget_me once the patient's requests are gone; the tracker
# store (bot.stores) then deletes the conversation instead of saving the turn.
FORGOTTEN_SLOT = "forgotten"

events_table = sa.table(
    "events", sa.column("id"), sa.column("sender_id"), sa.column("timestamp"), sa.column("type_name"),
)


def conversation_forgotten(events: Iterable[Any]) -> bool:
    """Whether the latest turn (the events after the last user message) set the forgotten slot."""
    for event in reversed(list(events)):
        name = getattr(event, "type_name", None)
        if name == "slot" and getattr(event, "key", None) == FORGOTTEN_SLOT and getattr(event, "value", None):
            return True
        if name == "user":
            return False
    return False


def _engine(database: Union[str, Engine]) -> Engine:
    return database if isinstance(database, Engine) else sa.create_engine(database, future=True)


def _has_events_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def delete_conversation(database: Union[str, Engine], sender_id: str) -> int:
    """Delete every event of one conversation; returns how many rows went."""
    engine = _engine(database)
    try:
        if not _has_events_table(engine):
            return 0
        with engine.begin() as conn:
            result = conn.execute(sa.delete(events_table).where(events_table.c.sender_id == sender_id))
        return int(result.rowcount or 0)
    finally:
        if engine is not database:
            engine.dispose()


def delete_conversations_idle_for(database: Union[str, Engine], days: float,
                                  now: Optional[float] = None) -> tuple[int, int]:
    """Delete conversations with no event in the last ``days``; returns (conversations, events)."""
    if days < 0:
        raise ValueError("days must not be negative")
    cutoff = (time.time() if now is None else now) - days * 86400
    engine = _engine(database)
    try:
        if not _has_events_table(engine):
            return 0, 0
        idle = (sa.select(events_table.c.sender_id).group_by(events_table.c.sender_id)
                .having(sa.func.max(events_table.c.timestamp) < cutoff))
        with engine.begin() as conn:
            senders = [row[0] for row in conn.execute(idle)]
            removed = 0
            for start in range(0, len(senders), 500):
                chunk = senders[start:start + 500]
                result = conn.execute(sa.delete(events_table).where(events_table.c.sender_id.in_(chunk)))
                removed += int(result.rowcount or 0)
        return len(senders), removed
    finally:
        if engine is not database:
            engine.dispose()
