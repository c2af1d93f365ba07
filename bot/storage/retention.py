"""Deleting conversations: at the patient's request ("forget me") and after N days (retention).

Conversations live in Rasa's SQL tracker store, table ``events`` (one row per
event, ``timestamp`` in Unix seconds). A conversation is deleted whole: every
row of its ``sender_id``. Retention deletes the conversations whose *last* event
is older than the cut-off, so a conversation still going on is never cut in half.
Consultation requests are deleted by ``bot.storage.requests``.

A consultation request that is refused (consent "no") or abandoned (stop, start
over, a red flag) keeps nothing either: ``redact_contact_details`` overwrites, in
the stored events, what the patient typed for their name, contact and preferred
time (the user messages and the slot values), so "I haven't stored any of your
details" is true. The events themselves stay, so the conversation goes on.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.core import names

events_table = sa.table(
    "events", sa.column("id"), sa.column("sender_id"), sa.column("timestamp"), sa.column("type_name"),
    sa.column("data"),
)

CONTACT_FORM = "consultation_form"
# What the patient types into the consultation form (the consent answer is only yes or no; its message is
# overwritten only when its wish holds an address or a number: redacted_event).
TYPED_CONTACT_SLOTS = ("contact_name", "contact_details", "contact_time", "contact_kept")
# Responses that mean the request was kept (stored, or spooled for a retry).
REQUEST_KEPT_RESPONSES = (names.UTTER_CONSULTATION_STORED, names.UTTER_CONSULTATION_KEPT_FOR_RETRY)
# Messages that are never a contact detail (the slot mappings exclude them) and are kept as said.
ALERT_INTENTS = names.ALERT_INTENTS
REDACTED = "[removed]"
# the consent answer with an address or a number in its wish ("yes, only by email: ann@..."); "No" stays as said
_HOLDS_DETAILS = re.compile(r"@|\bat\b.*\bdot\b|\d{3}", re.I)


def _loop_after(event: Any, loop: Optional[str]) -> Optional[str]:
    name = getattr(event, "type_name", None)
    if name == "active_loop":
        return getattr(event, "name", None)
    if name == "restart":
        return None
    return loop


def consultation_abandoned(events: Iterable[Any]) -> bool:
    """Whether the latest turn ended the consultation form without the request being kept.

    Consent refused, stop, start over, a red flag or crisis words: the form was active
    when the patient's last message came, it is not any more, and no "request sent" reply
    was given.
    """
    events = list(events)
    # both read from the end: the tracker store asks at every save, and a conversation grows
    last_user = next((i for i in range(len(events) - 1, -1, -1)
                      if getattr(events[i], "type_name", None) == "user"), -1)
    if last_user < 0:
        return False
    # the loop then: set by the latest loop event or restart before that message
    loop: Optional[str] = next((_loop_after(event, None) for event in reversed(events[:last_user])
                                if getattr(event, "type_name", None) in ("active_loop", "restart")), None)
    if loop != CONTACT_FORM:
        return False
    for event in events[last_user:]:
        loop = _loop_after(event, loop)
        if getattr(event, "type_name", None) == "bot" and \
                (getattr(event, "metadata", None) or {}).get("utter_action") in REQUEST_KEPT_RESPONSES:
            return False
    return loop != CONTACT_FORM


def redacted_event(event: Dict[str, Any], loop: Optional[str], requested: Optional[str]) -> Optional[Dict[str, Any]]:
    """The event with the patient's contact details overwritten, or None when it holds none."""
    kind = event.get("event")
    if kind == "slot" and event.get("name") in TYPED_CONTACT_SLOTS and event.get("value") is not None:
        return {**event, "value": None}
    if kind == "user" and loop == CONTACT_FORM and (requested in TYPED_CONTACT_SLOTS or requested == "contact_consent"
                                                    and _HOLDS_DETAILS.search(str(event.get("text") or ""))):
        parse = dict(event.get("parse_data") or {})
        if (parse.get("intent") or {}).get("name") in ALERT_INTENTS or event.get("text") == REDACTED:
            return None
        parse.update(text=REDACTED, entities=[])
        return {**event, "text": REDACTED, "parse_data": parse}
    return None


def lengthened_if_same(changes: List[Tuple[int, str, str]]) -> List[Tuple[int, str, str]]:
    """The rewrites (row id, old data, new data), with a space added to the last one's JSON when
    together they would leave the conversation's total length unchanged: each Rasa process's
    tracker cache (bot/rasa_ext/tracker_cache.py) sees a rewrite by the sum of the lengths, and
    must not go on serving contact details that were overwritten elsewhere."""
    if not changes or sum(len(new) for _, _, new in changes) != sum(len(old) for _, old, _ in changes):
        return changes
    row_id, old, new = changes[-1]
    return [*changes[:-1], (row_id, old, new + " ")]


def redact_contact_details(database: Union[str, Engine], sender_id: str) -> int:
    """Overwrite the contact details typed in one conversation's consultation form(s); returns the events changed."""
    engine = _engine(database)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(sa.text("PRAGMA secure_delete = ON"))  # old bytes zeroed, not left in free pages
            rows = conn.execute(sa.select(events_table.c.id, events_table.c.data)
                                .where(events_table.c.sender_id == sender_id).order_by(events_table.c.id))
            loop: Optional[str] = None
            requested: Optional[str] = None
            changes = []
            for row_id, data in rows:
                event = json.loads(data or "{}")
                kind = event.get("event")
                if kind == "active_loop":
                    loop = event.get("name")
                elif kind == "restart":
                    loop = requested = None
                elif kind == "slot" and event.get("name") == "requested_slot":
                    requested = event.get("value")
                new = redacted_event(event, loop, requested)
                if new is not None:
                    changes.append((row_id, data or "", json.dumps(new)))
            changes = lengthened_if_same(changes)
            for row_id, _, data in changes:
                conn.execute(sa.update(events_table).where(events_table.c.id == row_id).values(data=data))
        return len(changes)
    finally:
        if engine is not database:
            engine.dispose()


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
