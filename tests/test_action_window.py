"""Every action gives the same answer with the events Rasa now sends as with every event.

Rasa's request carries the tracker's state with only the events ``bot.core.history.window_start``
keeps for the called action (``bot/rasa_ext/remote_action.py``). For the stories and rules of
``data/`` and for long generated conversations (questionnaire runs with re-asks and
interruptions, ends, consultation forms, knowledge answers, restarts, session starts, undone
turns), at every length of the conversation, and for the trackers Rasa's forms hand their
validation (``FormAction._temporary_tracker``): the request's state is Rasa's own but for the
events, which are the last of Rasa's; and each action of ``actions/``, run the rasa-sdk way
(``Tracker.from_dict`` of the JSON Rasa sends, a ``CollectingDispatcher``), returns the same
events, sends the same messages and stores the same requests given that state as given the
whole tracker's.
"""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from rasa.shared.core import events as ev
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions
from bot.core import names
from bot.core.questionnaire import ITEM_ORDER
from bot.rasa_ext import remote_action
from tests.test_prediction_states import project_trackers

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = [getattr(actions, name)() for name in actions.__all__]
CONTACT_SLOTS = ["contact_name", "contact_details", "contact_time", "contact_consent"]
TEXTS = ["yes", "no", "not sure", "yep", "nope", "banana", "purple", "skip", "about two blocks", "20 minutes",
         "I'm typing for my husband", "answering for my mother", "how long is the recovery?", "stop",
         "Ann Lee", "ann@example.com", "(555) 123-4567", "weekday mornings", "I agree", "", "physio and pills"]
INTENTS = ["affirm", "deny", "nlu_fallback", "faq_recovery_time", "start_questionnaire", "skip_question",
           "stop_questionnaire", "red_flag", "inform", "request_human", "greet"]


VALUES = {"walking_minutes": [5.0, 30.0], "conservative_care": [[], ["physio"]], "sshq_last_item": ["q1", "q2"],
          "contact_name": ["Ann Lee"], "contact_details": ["email:ann@example.com", "phone:555 123 4567"],
          "contact_time": ["mornings"], "contact_consent": ["yes", "no"]}


class Store:
    """The requests store, recording what it is given (the reference and time left out: they are drawn)."""

    def __init__(self) -> None:
        self.calls: List[Tuple[str, Any]] = []

    def add(self, request: Any) -> str:
        self.calls.append(("add", request.dict(exclude={"reference", "created_at"})))
        return "MILD-SAME01"

    def keep_for_retry(self, request: Any) -> None:
        self.calls.append(("keep", request.dict(exclude={"reference", "created_at"})))

    def delete_conversation(self, conversation_id: str) -> int:
        self.calls.append(("delete", conversation_id))
        return 0


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def domain_dict(domain: Domain) -> Dict[str, Any]:
    return json.loads(json.dumps(domain.as_dict()))


@pytest.fixture()
def store(monkeypatch: pytest.MonkeyPatch) -> Store:
    store = Store()
    monkeypatch.setattr("actions.consultation.get_store", lambda: store)
    monkeypatch.setattr("actions.privacy.get_store", lambda: store)
    return store


def sent(state: Dict[str, Any]) -> Dict[str, Any]:
    """The state as the action server decodes it."""
    return json.loads(json.dumps(state))


async def outcome(action: Any, state: Dict[str, Any], domain_dict: Dict[str, Any], store: Store) -> Dict[str, Any]:
    """What the action does with this state: its events, its messages, what it gives the store."""
    dispatcher = CollectingDispatcher()
    store.calls.clear()
    try:
        events = await action.run(dispatcher, Tracker.from_dict(state), domain_dict)
    except Exception as error:  # e.g. a result over an unvalidated candidate: it must fail alike
        events = [repr(error)]
    return {"events": json.loads(json.dumps(events or [])), "messages": dispatcher.messages,
            "stored": list(store.calls)}


async def assert_same_for_every_action(tracker: DialogueStateTracker, domain_dict: Dict[str, Any],
                                       store: Store, where: str) -> None:
    whole = tracker.current_state(EventVerbosity.ALL)
    for action in ACTIONS:
        slim = remote_action.slim_state(tracker, action.name())
        kept = len(slim["events"])
        assert {**slim, "events": None} == {**whole, "events": None}, (where, action.name())
        assert 0 < kept <= len(whole["events"]) or kept == len(whole["events"]) == 0
        assert slim["events"] == whole["events"][len(whole["events"]) - kept:], (where, action.name())
        expected = await outcome(action, sent(whole), domain_dict, store)
        assert await outcome(action, sent(slim), domain_dict, store) == expected, (where, action.name(), kept)


def validation_tracker(tracker: DialogueStateTracker, domain: Domain, rng: random.Random) -> DialogueStateTracker:
    """What Rasa's form hands its validation action: the events since the latest restart, the slot it
    asks, its own run and the slot candidates (``FormAction._temporary_tracker``)."""
    form = tracker.active_loop_name or rng.choice(["sshq_form", "consultation_form"])
    slots = CONTACT_SLOTS if form == "consultation_form" else list(ITEM_ORDER)
    requested = tracker.get_slot(REQUESTED_SLOT) or rng.choice(slots)
    text = (tracker.latest_message.text if tracker.latest_message else None) or rng.choice(TEXTS)
    candidates = [ev.SlotSet(slot, text) for slot in rng.sample(slots, rng.randint(0, 2))]
    return DialogueStateTracker.from_events(
        tracker.sender_id, tracker.events_after_latest_restart() + [ev.SlotSet(REQUESTED_SLOT, requested),
                                                                    ev.ActionExecuted(form)] + candidates,
        slots=domain.slots)


def check_every_length(events: List[ev.Event], domain: Domain, domain_dict: Dict[str, Any], store: Store,
                       name: str, rng: random.Random, validations: float = 0.3) -> None:
    async def check() -> None:
        tracker = DialogueStateTracker.from_events(name, [], domain.slots)
        await assert_same_for_every_action(tracker, domain_dict, store, f"{name} at 0")
        for at, event in enumerate(events, start=1):
            tracker.update(event)
            await assert_same_for_every_action(tracker, domain_dict, store, f"{name} at {at}")
            if rng.random() < validations:
                await assert_same_for_every_action(validation_tracker(tracker, domain, rng), domain_dict, store,
                                                   f"{name} at {at}, the form's validation tracker")

    asyncio.run(check())


def test_the_projects_stories_and_rules(domain: Domain, domain_dict: Dict[str, Any], store: Store) -> None:
    trackers = project_trackers(domain)
    assert len(trackers) > 20
    rng = random.Random(0)
    for name, events in trackers:
        check_every_length(events, domain, domain_dict, store, name, rng)


def asked(domain: Domain, item: str) -> ev.BotUttered:
    """The form's question for ``item``, as the message Rasa records (the item id in its custom payload)."""
    response = domain.responses[names.ask_response(item)][0]
    return ev.BotUttered(response["text"], {"buttons": response.get("buttons"), "custom": response.get("custom")},
                      {"utter_action": names.ask_response(item)})


def conversation(domain: Domain, rng: random.Random, length: int) -> List[ev.Event]:
    """A long conversation of the kinds of event the project's actions read, in the orders Rasa records."""
    items = list(ITEM_ORDER)
    item = rng.choice(items)
    events: List[ev.Event] = [ev.ActionExecuted("action_session_start"), ev.SessionStarted(),
                              ev.ActionExecuted(ACTION_LISTEN_NAME)]
    while len(events) < length:
        kind = rng.random()
        if kind < 0.3:  # the patient writes
            text, intent = rng.choice(TEXTS), rng.choice(INTENTS)
            confidence = rng.choice([0.3, 0.6, 0.95])
            events += [ev.ActionExecuted(ACTION_LISTEN_NAME),
                       ev.UserUttered(text, {"name": intent, "confidence": confidence}, [],
                                      {"text": text, "intent": {"name": intent, "confidence": confidence},
                                       "entities": []},
                                      input_channel=rng.choice(["rest", "socketio", "twilio"]))]
        elif kind < 0.38:  # a questionnaire starts (again)
            item = rng.choice(items[:3])
            events += [ev.ActionExecuted("action_sshq_reset"), *[ev.SlotSet(i, None) for i in items],
                       ev.SlotSet("sshq_proxy", rng.random() < 0.3), ev.ActionExecuted("sshq_form"),
                       ev.ActiveLoop("sshq_form"), ev.SlotSet(REQUESTED_SLOT, item), asked(domain, item)]
        elif kind < 0.55:  # the form goes on: the same question again (a re-ask) or the next
            if rng.random() < 0.5:
                events += [ev.ActionExecuted("action_extract_slots")]
            item = item if rng.random() < 0.6 else rng.choice(items)
            events += [ev.ActionExecuted("sshq_form"), ev.SlotSet("sshq_misses", float(rng.randint(0, 2))),
                       ev.SlotSet(REQUESTED_SLOT, item), asked(domain, item)]
            if rng.random() < 0.3:
                events += [ev.ActionExecutionRejected("sshq_form"), ev.LoopInterrupted(True)]
        elif kind < 0.6:  # the questionnaire ends
            events += [ev.ActionExecuted(rng.choice(["action_sshq_result", "action_sshq_stopped"])),
                       ev.BotUttered("done"), ev.ActiveLoop(None), ev.SlotSet(REQUESTED_SLOT, None)]
        elif kind < 0.66:  # the consultation form
            events += [ev.ActionExecuted("consultation_form"), ev.ActiveLoop("consultation_form"),
                       ev.SlotSet(REQUESTED_SLOT, rng.choice(CONTACT_SLOTS)), ev.BotUttered("your name?")]
        elif kind < 0.78:  # a knowledge answer, or another action
            events += [ev.ActionExecuted(rng.choice(["utter_faq_recovery_time", "action_understand", "utter_greet",
                                                     "utter_sshq_confirm_stop"])), ev.BotUttered("an answer")]
        elif kind < 0.88:  # slots, as a form's extraction or validation leaves them
            for _ in range(rng.randint(1, 3)):
                slot = rng.choice([*items, *CONTACT_SLOTS, "sshq_last_item"])
                events.append(ev.SlotSet(slot, rng.choice([None, *VALUES.get(slot, ["yes", "no"])])))
        elif kind < 0.91:
            events += [ev.ActionExecuted("action_restart"), ev.Restarted(), ev.ActionExecuted("action_session_start"),
                       ev.SessionStarted(), ev.ActionExecuted(ACTION_LISTEN_NAME)]
        elif kind < 0.94:
            events += [ev.ActionExecuted("action_session_start"), ev.SessionStarted(),
                       ev.SlotSet(REQUESTED_SLOT, rng.choice([None, item])), ev.ActionExecuted(ACTION_LISTEN_NAME)]
        elif kind < 0.97:
            events.append(rng.choice([ev.UserUtteranceReverted(), ev.ActionReverted()]))
        else:
            events.append(ev.FollowupAction(rng.choice(["sshq_form", "utter_offer_consultation"])))
    return events


@pytest.mark.parametrize("seed", range(6))
def test_long_generated_conversations(domain: Domain, domain_dict: Dict[str, Any], store: Store, seed: int) -> None:
    rng = random.Random(seed)
    check_every_length(conversation(domain, rng, 250), domain, domain_dict, store, f"generated {seed}", rng)


def test_the_generated_conversations_reach_the_readings_limits(domain: Domain) -> None:
    """The conversations above go where the readings' answers change: a question asked MAX_ASKS
    times in one questionnaire, proxy texts among the last messages, slot candidates at the end."""
    from bot.core.history import times_asked
    from bot.core.turns import MAX_ASKS

    events = [e.as_dict() for seed in range(6) for e in conversation(domain, random.Random(seed), 250)]
    assert max(times_asked(events[:end], item) for end in range(len(events)) for item in ITEM_ORDER) > MAX_ASKS

