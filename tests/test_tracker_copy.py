"""A tracker copied from its state (bot/rasa_ext/tracker_copy.py) is the tracker Rasa's replay makes.

At every length of the project's stories and rules and of long generated conversations (restarts,
session starts, reverted messages and actions, loops started, rejected and interrupted, follow-up
actions, slots of every kind, pauses, changed featurisation of the user's message), the state copy
is compared with Rasa's ``copy()`` (every event replayed) attribute by attribute; then events are
applied to the copy, which must change neither the tracker it was copied from nor share anything
with it that a replayed copy would not.
"""

from __future__ import annotations

import copy
import random
from typing import Any, Dict, List, Sequence

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import tracker_copy
from tests.test_prediction_states import conversation, project_trackers

ROOT_DOMAIN = "domain.yml"


@pytest.fixture(scope="module")
def domain() -> Domain:
    from pathlib import Path

    return Domain.load(str(Path(__file__).resolve().parent.parent / ROOT_DOMAIN))


def rasa_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """Rasa's own copy, every event replayed, whether or not this process installed the state copy."""
    original = getattr(DialogueStateTracker.copy, "__wrapped__", DialogueStateTracker.copy)
    return original(tracker)  # type: ignore[no-any-return]


def described(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """Everything a tracker holds, events by identity, the rest by value (and which attributes it has)."""
    state = {key: value for key, value in tracker.__dict__.items() if key not in ("events", "slots")}
    return {
        "attributes": sorted(tracker.__dict__),
        "events": [id(event) for event in tracker.events],
        "events_maxlen": tracker.events.maxlen,
        "slots_type": type(tracker.slots),
        "slots": {name: dict(slot.__dict__) for name, slot in tracker.slots.items()},
        "latest_message_id": id(tracker.latest_message) if any(e is tracker.latest_message for e in tracker.events)
        else None,
        "latest_bot_utterance_id": id(tracker.latest_bot_utterance)
        if any(e is tracker.latest_bot_utterance for e in tracker.events) else None,
        "active_loop": copy.deepcopy(tracker.active_loop),
        **{key: stand_in(value) if key in ("latest_message", "latest_bot_utterance") else value
           for key, value in state.items() if key != "active_loop"},
    }


def stand_in(event: Any) -> Any:
    """An event by what it holds, but for the time a stand-in was made."""
    return None if event is None else (type(event), {k: v for k, v in event.__dict__.items() if k != "timestamp"})


def shares_with(a: DialogueStateTracker, b: DialogueStateTracker) -> List[str]:
    """The mutable parts of the trackers' state that are the same object (not events: those are shared)."""
    shared = [name for name in a.slots if name in b.slots and a.slots[name] is b.slots[name]]
    for key in ("latest_action", "active_loop"):
        if getattr(a, key) is not None and getattr(a, key) is getattr(b, key):
            shared.append(key)
    if a.events is b.events or a.slots is b.slots:
        shared.append("containers")
    return shared


def more_events(domain: Domain, rng: random.Random) -> List[Event]:
    loop = rng.choice(list(domain.form_names))
    slot = rng.choice(list(domain.slots))
    return [ActionExecuted("action_listen"), UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
            DefinePrevUserUtteredFeaturization(True), SlotSet(slot.name, "changed"), ActiveLoop(loop),
            LoopInterrupted(True), ActionExecuted(loop), ConversationPaused(), ConversationResumed(),
            ActiveLoop(None)]


def assert_copies(domain: Domain, events: Sequence[Event], name: str, rng: random.Random) -> None:
    tracker = DialogueStateTracker.from_events(name, [], domain.slots)
    tracker.model_id = "model"  # as the processor sets it: Rasa's copy does not carry it over
    for at, event in enumerate(events):
        tracker.update(event)
        if tracker.followup_action and rng.random() < 0.5:
            tracker.clear_followup_action()  # as the processor does, with no event, before running it
        expected, copied = rasa_copy(tracker), tracker_copy.state_copy(tracker)
        assert described(copied) == described(expected), (name, at, event)
        assert shares_with(copied, tracker) == shares_with(expected, tracker) == [], (name, at)
        if at % 7 == 0:  # the copy goes its own way, and the tracker stays as it was
            before = described(tracker)
            for extra in more_events(domain, rng):
                copied.update(extra)
                expected.update(copy.copy(extra))
                assert described(tracker) == before, (name, at, extra)
            assert [e.as_dict() for e in copied.events] == [e.as_dict() for e in expected.events]
            assert copied.current_state() == expected.current_state(), (name, at)


def test_the_projects_stories_and_rules(domain: Domain) -> None:
    rng = random.Random(1)
    trackers = project_trackers(domain)
    assert len(trackers) > 20
    for name, events in trackers:
        assert_copies(domain, events, name, rng)


@pytest.mark.parametrize("seed", range(8))
def test_long_generated_conversations(domain: Domain, seed: int) -> None:
    rng = random.Random(seed)
    events = conversation(domain, rng, 200)
    for at in rng.sample(range(len(events)), 12):  # pauses too
        events.insert(at, rng.choice([ConversationPaused(), ConversationResumed()]))
    assert_copies(domain, events, f"generated {seed}", rng)


def test_a_follow_up_action_cleared_by_the_processor_is_in_the_copy(domain: Domain) -> None:
    """``MessageProcessor._predict_next_with_tracker`` clears it without an event, then copies the tracker
    for the action: Rasa's replayed copy names the action again, and so must this one."""
    tracker = DialogueStateTracker.from_events("followup", [ActionExecuted("action_listen"),
                                                            UserUttered("hi", {"name": "greet", "confidence": 1.0}),
                                                            FollowupAction("utter_greet")], domain.slots)
    tracker.clear_followup_action()
    assert tracker_copy.state_copy(tracker).followup_action == rasa_copy(tracker).followup_action == "utter_greet"


def test_a_tracker_without_a_domains_slots_and_with_a_history_limit() -> None:
    tracker = DialogueStateTracker("any", None, max_event_history=5)
    for number in range(12):
        tracker.update(UserUttered(f"message {number}", {"name": "greet", "confidence": 1.0}))
        tracker.update(SlotSet("free", number))
        expected, copied = rasa_copy(tracker), tracker_copy.state_copy(tracker)
        assert described(copied) == described(expected)


def test_a_copy_shares_no_stand_in_message_or_list_with_its_tracker() -> None:
    """A replayed copy makes its own stand-in message after a reset and its own list for a list slot
    set to one value: changing the copy's in place must not reach the tracker (found by review)."""
    slots = Domain.from_dict({"slots": {"items": {"type": "list", "mappings": [{"type": "custom"}]}}}).slots
    tracker = DialogueStateTracker("reset", slots)
    for event in (SessionStarted(), SlotSet("items", "a"), ActionExecuted("action_listen")):
        tracker.update(event)
    copied = tracker_copy.state_copy(tracker)
    assert described(copied) == described(rasa_copy(tracker))
    copied.update(EntitiesAdded([{"entity": "thing", "value": "x"}]))
    copied.slots["items"].value.append("b")
    assert tracker.latest_message.entities == [] and tracker.get_slot("items") == ["a"]  # type: ignore[union-attr]
