"""Faults: the action server down, then back; the database down, then back; the database named but missing."""

from __future__ import annotations

import random
from typing import Iterator, List, Optional

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered

from bot.core.markers import STORE_UNAVAILABLE_SLOT
from bot.rasa_ext.policies import (
    STORE_DOWN_RESPONSE,
    TROUBLE_RESPONSE,
    listens_after_core_fallback,
    next_action_after_fault,
)
from bot.rasa_ext.stores import DatabaseSetupError, check_database, lock_store_for_url
from harness.services import Postgres
from harness.stack import Stack
from tests.test_questionnaire_e2e import asked, begin, texts

CUSTOM = ["action_sshq_reset", "sshq_form"]


def turn(*events):  # the events of a conversation, oldest first
    return [ActionExecuted("action_listen"), UserUttered("hi"), *events]


def test_the_core_fallback_ends_the_turn() -> None:
    assert listens_after_core_fallback(turn(ActionExecuted("utter_not_understood"), BotUttered("Sorry")))
    assert not listens_after_core_fallback(turn(ActionExecuted("utter_greet"), BotUttered("Hello")))
    assert not listens_after_core_fallback(turn())  # the latest action is action_listen
    assert not listens_after_core_fallback([])


def test_a_custom_action_as_the_last_event_failed() -> None:
    assert next_action_after_fault(turn(ActionExecuted("sshq_form")), CUSTOM) == TROUBLE_RESPONSE


def test_a_custom_action_that_left_events_ran() -> None:
    assert next_action_after_fault(turn(ActionExecuted("sshq_form"), SlotSet("q1", "yes")), CUSTOM) is None
    assert next_action_after_fault(turn(ActionExecuted("sshq_form"), BotUttered("Q?")), CUSTOM) is None


def test_responses_and_default_actions_are_not_faults() -> None:
    assert next_action_after_fault(turn(ActionExecuted("utter_greet")), CUSTOM) is None
    assert next_action_after_fault(turn(ActionExecuted("action_listen")), CUSTOM) is None
    assert next_action_after_fault([], CUSTOM) is None


def test_after_the_notice_it_listens() -> None:
    events = turn(ActionExecuted("sshq_form"), ActionExecuted(TROUBLE_RESPONSE), BotUttered("Sorry"))
    assert next_action_after_fault(events, CUSTOM) == "action_listen"


def test_an_unreachable_database_gets_its_notice_then_listens() -> None:
    stand_in = [SlotSet("store_unavailable", True), ActionExecuted("action_listen"), UserUttered("yes")]
    assert next_action_after_fault(stand_in, CUSTOM) == STORE_DOWN_RESPONSE
    said = [*stand_in, ActionExecuted(STORE_DOWN_RESPONSE), BotUttered("Sorry")]
    assert next_action_after_fault(said, CUSTOM) == "action_listen"
    assert next_action_after_fault(turn(SlotSet("store_unavailable", False)), CUSTOM) is None


def by_definition(events: List[Event], custom: List[str]) -> Optional[str]:
    """What next_action_after_fault decides, said plainly over whole lists (its specification)."""
    actions = [e for e in events if isinstance(e, ActionExecuted)]
    if any(isinstance(e, SlotSet) and e.key == STORE_UNAVAILABLE_SLOT and e.value for e in events):
        return ACTION_LISTEN_NAME if actions and actions[-1].action_name == STORE_DOWN_RESPONSE else STORE_DOWN_RESPONSE
    if not actions:
        return None
    if actions[-1].action_name == TROUBLE_RESPONSE:
        return ACTION_LISTEN_NAME
    return TROUBLE_RESPONSE if events[-1] is actions[-1] and actions[-1].action_name in custom else None


def test_the_fault_rule_at_every_length_of_long_conversations() -> None:
    """It looks for the latest action from the end: the same decision as over every action, as
    conversations grow (faults, notices, the database's mark set and unset, undone turns)."""
    from rasa.shared.core.domain import Domain

    from bot import PROJECT_ROOT
    from tests.test_prediction_states import conversation

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    decisions = set()
    for seed in range(6):
        rng = random.Random(seed)
        events: List[Event] = []
        for event in conversation(domain, rng, 300):
            events.append(event)
            if rng.random() < 0.1:
                events.append(rng.choice([ActionExecuted(rng.choice(CUSTOM)), ActionExecuted(TROUBLE_RESPONSE),
                                          ActionExecuted(STORE_DOWN_RESPONSE), BotUttered("Sorry"),
                                          SlotSet(STORE_UNAVAILABLE_SLOT, rng.random() < 0.3)]))
        for end in range(len(events) + 1):
            decision = next_action_after_fault(events[:end], CUSTOM)
            assert decision == by_definition(events[:end], CUSTOM), (seed, end)
            decisions.add(decision)
    assert decisions == {None, TROUBLE_RESPONSE, ACTION_LISTEN_NAME, STORE_DOWN_RESPONSE}


def test_database_checks_name_what_to_fix(tmp_path) -> None:
    check_database(f"sqlite:///{tmp_path}/rasa.db")
    with pytest.raises(DatabaseSetupError, match="folder"):
        check_database(f"sqlite:///{tmp_path}/missing/rasa.db")
    with pytest.raises(DatabaseSetupError, match="not a database URL"):
        check_database("no-scheme-at-all")
    with pytest.raises(DatabaseSetupError, match="empty"):
        check_database("")
    with pytest.raises(DatabaseSetupError, match="password@|cannot use the database"):
        check_database("postgresql://u:secret@127.0.0.1:1/x", wait_seconds=0)


def test_the_refused_database_message_hides_the_password() -> None:
    with pytest.raises(DatabaseSetupError) as error:
        check_database("postgresql://u:secret@127.0.0.1:1/x", wait_seconds=0)
    assert "secret" not in str(error.value)


def test_lock_store_urls_that_are_not_understood() -> None:  # the good ones: tests/test_lock_store.py
    with pytest.raises(DatabaseSetupError):
        lock_store_for_url("mongodb://x")
    with pytest.raises(DatabaseSetupError):
        lock_store_for_url("redis://localhost:6379/one")


@pytest.fixture
def actions_down(stack: Stack) -> Iterator[Stack]:
    stack.stop("actions")
    try:
        yield stack
    finally:
        if not stack.running("actions"):
            stack.start_actions()


@pytest.mark.server
def test_action_server_down_mid_questionnaire_then_back(stack: Stack, sender: str, actions_down: Stack) -> None:
    stack.start_actions()
    begin(stack, sender)
    reply = stack.send(sender, "no, not any of those")
    assert asked(reply)["item"] == "q1"
    stack.stop("actions")
    reply = stack.send(sender, "yes, that does happen to me")
    assert "having trouble" in texts(reply) and "+1 555 010 0199" in texts(reply)
    assert not asked(reply)
    # still down: the same notice, nothing lost
    assert "having trouble" in texts(stack.send(sender, "yes it does"))
    stack.start_actions()
    reply = stack.send(sender, "yeah, it does")
    assert asked(reply)["item"] == "q2", texts(reply)
    slots = stack.tracker(sender)["slots"]
    assert slots["q1"] == "yes" and slots["red_flags"] == "no"


@pytest.mark.server
def test_action_server_down_when_the_questionnaire_starts(stack: Stack, sender: str, actions_down: Stack) -> None:
    assert "not a diagnosis" in texts(stack.send(sender, "I'd like a symptom check, please"))
    reply = stack.send(sender, "sure, let's go")
    assert "having trouble" in texts(reply)
    stack.start_actions()
    reply = stack.send(sender, "yes, let's do that")
    assert asked(reply) == {"item": "red_flags", "step": 1, "of": 14}


@pytest.fixture
def on_postgres(trained_model, tmp_path) -> Iterator[tuple]:
    postgres = Postgres()
    stack = Stack(workdir=tmp_path, model_dir=trained_model, database_url=postgres.start().url())
    try:
        stack.start()
        yield stack, postgres
    finally:
        stack.stop()
        postgres.stop()


@pytest.mark.server
def test_database_down_mid_questionnaire_then_back(on_postgres: tuple, sender: str) -> None:
    stack, postgres = on_postgres
    begin(stack, sender)
    assert asked(stack.send(sender, "nope, nothing like that"))["item"] == "q1"
    postgres.pause()
    reply = stack.send(sender, "yes, I do")
    assert "can't open our conversation" in texts(reply) and "+1 555 010 0199" in texts(reply)
    assert not asked(reply)
    # red flags still get the emergency answer at once
    urgent = texts(stack.send(sender, "I can't control my bladder and my legs are numb"))
    assert "nearest emergency department now" in urgent and "can't open our conversation" not in urgent
    postgres.resume()
    # the conversation goes on where it was: nothing of the outage was stored over it
    reply = stack.send(sender, "yep, I have that")
    assert asked(reply)["item"] == "q2", texts(reply)
    slots = stack.tracker(sender)["slots"]
    assert slots["q1"] == "yes" and slots["red_flags"] == "no" and not slots["store_unavailable"]
