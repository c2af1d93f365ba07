"""What the action server reads of the events, and the window of them it is sent (bot/core/history.py).

The readings on examples; ``window_start`` on examples; then, on long generated conversations
at every length, each reading (the project's and rasa-sdk's) gives the same answer on the
window as on all the events, for every action; and the actions' source reads the events only
through these readings, each action only those ``READINGS`` names for it.
"""

from __future__ import annotations

import ast
import inspect
import random
from typing import Any, Dict, List, Optional, Sequence, Set

import pytest
from rasa_sdk import Tracker

import actions
from bot import PROJECT_ROOT
from bot.core import history
from bot.core.history import recent_user_texts, replies_to_the_question, times_asked, window_start

Event = Dict[str, Any]
ITEMS = ["red_flags", "q1", "q2", "walking_minutes"]
ACTIONS = [*history.READINGS, None, "an_action_of_tomorrow"]


def listen() -> Event:
    return {"event": "action", "name": "action_listen"}


def user(text: str = "hi", channel: Optional[str] = "rest") -> Event:
    return {"event": "user", "text": text, "input_channel": channel, "parse_data": {"intent": {"name": "x"}}}


def action(name: str) -> Event:
    return {"event": "action", "name": name}


def ask(item: str) -> Event:
    return {"event": "bot", "text": "?", "data": {"custom": {"questionnaire": {"item": item, "step": 1, "of": 14}}}}


def bot(text: str = "ok") -> Event:
    return {"event": "bot", "text": text, "data": {"custom": None}}


def said(response: str) -> Event:
    return {"event": "bot", "text": "...", "data": {"custom": None}, "metadata": {"utter_action": response}}


def slot(name: str, value: Any) -> Event:
    return {"event": "slot", "name": name, "value": value}


RESET = action("action_sshq_reset")


# ------------------------------------------------------------------ the readings


def test_times_asked_counts_the_current_questionnaires_questions() -> None:
    events = [ask("q1"), RESET, ask("q1"), user(), ask("q1"), bot(), ask("q2")]
    assert times_asked(events, "q1") == 2
    assert times_asked(events, "q2") == 1
    assert times_asked(events, "q3") == 0
    assert times_asked([ask("q1"), user(), ask("q1")], "q1") == 2  # no reset: the whole conversation


def test_a_question_asked_again_after_a_wait_is_not_counted() -> None:
    wait, back = said("utter_sshq_wait"), said("utter_sshq_welcome_back")
    # "hold on", "the doorbell", "ok I'm back": the question three times more, none counted
    events = [RESET, ask("q3"), user(), wait, slot("q3", None), ask("q3"), user(), wait, ask("q3"), user(), back, ask("q3")]
    assert times_asked(events, "q3") == 1
    # the question after another response, or after the patient's message alone, is counted
    assert times_asked([RESET, ask("q3"), user(), said("utter_sshq_reask_yes_no"), ask("q3"), user(), ask("q3")], "q3") == 3
    # no more than MAX_WAITED of them: a patient who keeps waiting still reaches the cap
    endless = [RESET, ask("q3")] + [e for _ in range(6) for e in (user(), wait, ask("q3"))]
    assert times_asked(endless, "q3") == 1 + 6 - history.MAX_WAITED


def test_replies_to_the_question_looks_past_the_forms_own_run() -> None:
    assert replies_to_the_question([user(), action("action_extract_slots"), action("sshq_form"), slot("q1", 1)])
    assert not replies_to_the_question([user(), action("utter_faq_x"), action("sshq_form")])
    assert not replies_to_the_question([action("sshq_form")])
    assert not replies_to_the_question([])


def test_recent_user_texts_since_the_last_questionnaire_ended() -> None:
    events = [user("a"), action("action_sshq_result"), user("b"), user("c"), user("d"), user("e")]
    assert recent_user_texts(events) == ["e", "d", "c"]
    assert recent_user_texts(events[:4]) == ["c", "b"]
    assert recent_user_texts([user("a"), action("action_sshq_stopped")]) == []


# ------------------------------------------------------------------ the window, on examples


def knowledge(turns: int) -> List[Event]:
    return [e for _ in range(turns) for e in (listen(), user("q?"), action("utter_faq_x"), bot())]


def test_an_empty_conversation() -> None:
    assert window_start([]) == 0
    assert window_start([], "action_understand") == 0


def test_knowledge_questions_need_only_the_last_turn_or_the_last_three_messages() -> None:
    events = knowledge(100)
    assert window_start(events, "action_understand") == len(events) - 3  # from the latest user message
    assert window_start(events, "action_sshq_reset") == len(events) - 11  # the last three user messages
    assert window_start(events, "validate_sshq_form") == len(events) - 3  # no questionnaire: as action_understand
    assert window_start(events) == len(events) - 11  # any action: every reading


def test_the_questionnaire_form_needs_its_questions_since_the_latest_reset() -> None:
    run = [RESET, action("sshq_form"), ask("q1"), listen(), user("banana"), action("sshq_form"), ask("q1")]
    events = knowledge(50) + [RESET, ask("q1")] + knowledge(50) + run + knowledge(3)
    first_question = len(events) - len(knowledge(3)) - len(run) + 2
    # from the event before it (a question asked after "take your time" is not counted)
    assert window_start(events, "validate_sshq_form") == first_question - 1
    assert times_asked(events[first_question:], "q1") == times_asked(events, "q1") == 2
    assert window_start(events, "action_understand") == len(events) - 3


def test_without_a_reset_the_form_needs_every_question() -> None:
    events = [ask("q1")] + knowledge(20) + [ask("q1"), listen(), user()]
    assert window_start(events, "validate_sshq_form") == 0
    assert window_start(knowledge(20), "validate_sshq_form") == 80 - 3


def test_the_slots_at_the_end_are_kept_for_slots_to_validate() -> None:
    events = knowledge(5) + [action("consultation_form")] + [slot(f"s{i}", i) for i in range(6)]
    assert window_start(events, "validate_consultation_form") == len(events) - 6 - 1 - 3
    events = [slot(f"s{i}", i) for i in range(4)]
    assert window_start(events, "validate_consultation_form") == 0


def test_the_last_event_is_always_sent() -> None:
    events = knowledge(3) + [action("action_session_start"), {"event": "session_started"}]
    assert window_start(events, "action_understand") == len(events) - 5  # the latest user message
    assert window_start([listen(), bot()], "action_understand") == 1


# ------------------------------------------------------------------ the window, on generated conversations


TEXTS = ["yes", "no", "banana", "I'm typing for my husband", "skip", "how long is recovery?", ""]
OTHER_ACTIONS = ["utter_faq_x", "action_understand", "consultation_form", "utter_sshq_confirm_stop", "action_restart"]


def generated(rng: random.Random, length: int) -> List[Event]:
    """Questionnaire runs with re-asks and interruptions, ends, knowledge answers, slot runs,
    restarts, session starts, undone turns: every kind of event the readings stop or count at."""
    events: List[Event] = [listen()]
    while len(events) < length:
        kind = rng.random()
        if kind < 0.25:
            events += [listen(), user(rng.choice(TEXTS), rng.choice(["rest", "socketio", None]))]
        elif kind < 0.4:
            waited = [said(rng.choice(sorted(history.WAIT_RESPONSES)))] if rng.random() < 0.4 else []
            events += [action("sshq_form"), *waited, *([slot("q1", None)] if rng.random() < 0.3 else []),
                       ask(rng.choice(ITEMS)), slot("requested_slot", rng.choice(ITEMS))]
        elif kind < 0.47:
            events += [RESET, slot("q1", None)]
        elif kind < 0.52:
            events += [action(rng.choice(history.QUESTIONNAIRE_ENDS)), bot()]
        elif kind < 0.62:
            events += [action(rng.choice(history.FORM_RUN))] + [slot(rng.choice(ITEMS), rng.choice(["yes", None]))
                                                               for _ in range(rng.randint(0, 3))]
        elif kind < 0.75:
            events += [action(rng.choice(OTHER_ACTIONS)), bot()]
        elif kind < 0.8:
            events.append(rng.choice([{"event": "restart"}, {"event": "session_started"}, {"event": "rewind"},
                                      {"event": "undo"}, {"event": "followup", "name": "sshq_form"}]))
        else:
            events.append(slot(rng.choice(["contact_name", "q2", "requested_slot"]), rng.choice(["x", None])))
    return events


def readings(events: Sequence[Event], name: Optional[str]) -> Dict[str, Any]:
    """Every reading ``name`` makes of the events (every reading there is, for an action not named)."""
    sdk = Tracker("s", {}, {}, list(events), False, None, {}, None)
    found: Dict[str, Any] = {"slots_to_validate": sdk.slots_to_validate(),
                             "input_channel": sdk.get_latest_input_channel(),
                             "latest_event": sdk.current_state()["latest_event_time"]}
    # an action named in READINGS makes only the readings named there (checked on the actions' source below)
    reads = history.READINGS.get(name or "", history.EVERY_READING)
    if "times_asked" in reads:
        found.update({f"times_asked {item}": times_asked(events, item) for item in ITEMS})
    if "replies_to_the_question" in reads:
        found["replies_to_the_question"] = replies_to_the_question(events)
    if "recent_user_texts" in reads:
        found["recent_user_texts"] = recent_user_texts(events)
    return found


def with_time(events: List[Event]) -> List[Event]:
    return [{**e, "timestamp": float(i)} for i, e in enumerate(events)]


@pytest.mark.parametrize("seed", range(12))
def test_every_reading_is_the_same_on_the_window(seed: int) -> None:
    events = with_time(generated(random.Random(seed), 300))
    for end in range(len(events) + 1):
        prefix = events[:end]
        for name in ACTIONS:
            start = window_start(prefix, name)
            assert 0 <= start <= max(0, end - 1)
            assert readings(prefix[start:], name) == readings(prefix, name), (seed, end, name, start)


def test_the_window_is_small_when_it_can_be() -> None:
    """Not a condition of correctness: a guard against a window that quietly keeps everything."""
    events = generated(random.Random(0), 2000)
    sizes = [end - window_start(events[:end], "action_understand") for end in range(1000, 2000)]
    assert max(sizes) < 100


# ------------------------------------------------------------------ the actions' source


SDK_READINGS_NOT_KEPT = {"applied_events", "events_after_latest_restart", "idx_after_latest_restart",
                         "get_last_event_for", "last_executed_action_has", "current_state"}


def calls_of_readings(cls: type) -> Set[str]:
    """The project's readings called in the methods of ``cls`` and of its classes in actions/."""
    found: Set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("actions."):
            continue
        for node in ast.walk(ast.parse(inspect.getsource(klass))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in history.EVERY_READING:
                found.add(node.func.id)
    return found


def test_each_action_makes_only_the_readings_its_window_keeps() -> None:
    for class_name in actions.__all__:
        cls = getattr(actions, class_name)
        name = cls().name()
        assert name in history.READINGS, f"{name} is not in bot/core/history.py's READINGS"
        assert calls_of_readings(cls) <= history.READINGS[name], name


def test_the_actions_read_the_events_only_through_the_readings() -> None:
    wrong: List[str] = []
    for path in sorted((PROJECT_ROOT / "actions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        passed = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Name) and node.func.id in history.EVERY_READING for arg in node.args}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "events" and id(node) not in passed:
                wrong.append(f"{path.name}:{node.lineno} reads .events")
            if isinstance(node, ast.Attribute) and node.attr in SDK_READINGS_NOT_KEPT:
                wrong.append(f"{path.name}:{node.lineno} calls {node.attr}")
    assert not wrong, "\n".join(wrong)


def test_the_reply_to_do_you_want_to_stop_is_not_read_as_an_answer() -> None:
    # "actually no, keep going" answers the stop question: read by the form, it changed the last item
    asked = [action("utter_sshq_confirm_stop"), action("action_listen"), user()]
    assert not replies_to_the_question([*asked, action("sshq_form")])
    assert replies_to_the_question([action("utter_ask_q2"), action("action_listen"), user(), action("sshq_form")])
