"""The marker slots' one event scan (bot/core/markers.py), on Rasa's event objects and on dicts alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, List

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

from bot.core.markers import FORGOTTEN_SLOT, STORE_UNAVAILABLE_SLOT, conversation_forgotten, marked, store_unavailable


def user(text: str = "hi") -> UserUttered:
    return UserUttered(text, {"name": "greet", "confidence": 1.0})


def as_dicts(events: List[Any]) -> List[Dict[str, Any]]:
    return [event.as_dict() for event in events]


FORGOTTEN_CASES = [
    ("set in the latest turn", [user(), ActionExecuted("action_forget_me"), SlotSet(FORGOTTEN_SLOT, True)], True),
    ("a message after it", [user(), SlotSet(FORGOTTEN_SLOT, True), ActionExecuted("action_listen"), user()], False),
    ("set false", [user(), SlotSet(FORGOTTEN_SLOT, False)], False),
    ("another slot", [user(), SlotSet(STORE_UNAVAILABLE_SLOT, True)], False),
    ("no user message at all", [SlotSet(FORGOTTEN_SLOT, True)], True),
    ("no events", [], False),
]
STORE_CASES = [
    ("the stand-in tracker", [SlotSet(STORE_UNAVAILABLE_SLOT, True), ActionExecuted("action_listen"), user()], True),
    ("set false", [user(), SlotSet(STORE_UNAVAILABLE_SLOT, False)], False),
    ("anywhere, not only the latest turn", [SlotSet(STORE_UNAVAILABLE_SLOT, True), user(), user()], True),
    ("another slot", [user(), SlotSet(FORGOTTEN_SLOT, True)], False),
    ("no events", [], False),
]


@pytest.mark.parametrize(("case", "events", "expected"), FORGOTTEN_CASES, ids=[c[0] for c in FORGOTTEN_CASES])
@pytest.mark.parametrize("form", ["objects", "dicts"])
def test_conversation_forgotten(case: str, events: List[Any], expected: bool, form: str) -> None:
    assert conversation_forgotten(events if form == "objects" else as_dicts(events)) is expected


@pytest.mark.parametrize(("case", "events", "expected"), STORE_CASES, ids=[c[0] for c in STORE_CASES])
@pytest.mark.parametrize("form", ["objects", "dicts"])
def test_store_unavailable(case: str, events: List[Any], expected: bool, form: str) -> None:
    assert store_unavailable(events if form == "objects" else as_dicts(events)) is expected


def test_marked_takes_any_iterable_once() -> None:
    assert marked(iter([user(), SlotSet("sshq_proxy", True)]), "sshq_proxy", latest_turn_only=True)


def test_the_kind_of_event_is_told_once_per_type_as_isinstance_tells_it() -> None:
    """markers remembers per type whether an event is a Mapping; a mix of kinds gives what each gives alone."""
    from collections import OrderedDict
    from types import MappingProxyType

    from bot.core import markers

    mark = SlotSet(STORE_UNAVAILABLE_SLOT, True).as_dict()
    for form in (dict, OrderedDict, MappingProxyType):
        assert store_unavailable([user(), form(mark)]) and not store_unavailable([form({**mark, "value": False})])
    assert store_unavailable([*as_dicts([user()]), SlotSet(STORE_UNAVAILABLE_SLOT, True), user().as_dict()])
    assert not store_unavailable([{"event": "user"}, user(), object(), None, "slot"])
    for seen, is_mapping in markers._MAPPING_TYPES.items():
        assert is_mapping is issubclass(seen, Mapping), seen
