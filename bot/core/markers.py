"""Marker slots: a slot set only to tell the tracker store or a policy something about a turn.

* ``forgotten`` (``FORGOTTEN_SLOT``): set by ``action_forget_me`` once the patient's requests
  are gone; the tracker store (bot.rasa_ext.stores) deletes the conversation instead of
  saving the turn. Only the latest turn counts: a later message starts a new conversation.
* ``store_unavailable`` (``STORE_UNAVAILABLE_SLOT``): carried only by the stand-in tracker of
  an unreachable database (never stored); the fault policy (bot.rasa_ext.policies) then says
  so, and the tracker store does not try to save.

``marked`` is the one scan of events for them. It reads Rasa's event objects (``type_name``,
``key``, ``value``) and their dict form (``event``, ``name``, ``value``) alike, so the tracker
store, the policies, the actions and retention all agree.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from bot.core.names import FORGOTTEN_SLOT, STORE_UNAVAILABLE_SLOT

__all__ = ["FORGOTTEN_SLOT", "STORE_UNAVAILABLE_SLOT", "conversation_forgotten", "marked", "store_unavailable"]


_MAPPING_TYPES: Dict[type, bool] = {}


def _is_mapping(event: Any) -> bool:
    """``isinstance(event, Mapping)``, worked out once per type of event: the abstract class's check
    was most of the time of a scan of a long conversation (the fault policy scans it every turn)."""
    found = _MAPPING_TYPES.get(type(event))
    if found is None:
        found = _MAPPING_TYPES[type(event)] = isinstance(event, Mapping)
    return found


def _fields(event: Any) -> Tuple[Optional[str], Optional[str], Any]:
    """(kind, slot, value) of an event object or its dict: ("slot", "forgotten", True), ("user", None, None)."""
    if _is_mapping(event):
        return event.get("event"), event.get("name"), event.get("value")
    return getattr(event, "type_name", None), getattr(event, "key", None), getattr(event, "value", None)


def marked(events: Iterable[Any], slot: str, *, latest_turn_only: bool = False) -> bool:
    """Whether ``slot`` was set to a true value in ``events`` (with ``latest_turn_only``: after
    the last user message)."""
    for event in reversed(list(events)):
        # the kind first: most events are not slots, and reading the rest of each is most of a long scan
        kind = event.get("event") if _is_mapping(event) else getattr(event, "type_name", None)
        if kind == "slot":
            _, key, value = _fields(event)
            if key == slot and value:
                return True
        elif latest_turn_only and kind == "user":
            return False
    return False


def store_unavailable(events: Iterable[Any]) -> bool:
    """Whether these are the events of the stand-in tracker for an unreachable database."""
    return marked(events, STORE_UNAVAILABLE_SLOT)


def conversation_forgotten(events: Iterable[Any]) -> bool:
    """Whether the latest turn (the events after the last user message) set the forgotten slot."""
    return marked(events, FORGOTTEN_SLOT, latest_turn_only=True)
