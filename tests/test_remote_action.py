"""Rasa's calls of the action server (bot/rasa_ext/remote_action.py): the answers checked with the schema checked
once, the request with only the events the called action reads."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import jsonschema
import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, UserUttered

from bot.rasa_ext import remote_action

VALID: List[Dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "q1", "value": 3, "timestamp": None},
                {"event": "active_loop", "name": None}],
     "responses": [{"response": "utter_clarify", "buttons": [{"title": "a", "payload": "/b"}]}]},
    {},
]
INVALID: List[Dict[str, Any]] = [
    {"events": {"event": "slot"}},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"responses": ["utter_x"]},
    {"responses": {"response": "utter_x"}},
]


RASA_CALL_FORMAT = getattr(RemoteAction._action_call_format, "__wrapped__", RemoteAction._action_call_format)


@pytest.fixture()
def action() -> Iterator[RemoteAction]:
    remote_action.install()
    yield RemoteAction("action_understand", None)


def rasa_error(result: Dict[str, Any]) -> str:
    """What Rasa 3.6's own check (jsonschema.validate) says about this answer, or ''."""
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    except ValidationError as error:
        return error.message
    return ""


def test_rasa_uses_the_check_once_installed(action: RemoteAction) -> None:
    assert RemoteAction._validate_action_result is remote_action.validate_action_result
    assert RemoteAction._action_call_format.__wrapped__ is RASA_CALL_FORMAT  # type: ignore[attr-defined]
    remote_action.install()  # idempotent
    assert RemoteAction._validate_action_result is remote_action.validate_action_result
    assert RemoteAction._action_call_format.__wrapped__ is RASA_CALL_FORMAT  # type: ignore[attr-defined]


@pytest.mark.parametrize("result", VALID)
def test_valid_answers_pass_as_with_rasa(action: RemoteAction, result: Dict[str, Any]) -> None:
    assert rasa_error(result) == ""
    assert action._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_malformed_answers_are_refused_with_rasas_error(action: RemoteAction, result: Dict[str, Any]) -> None:
    expected = rasa_error(result)
    assert expected
    with pytest.raises(ValidationError) as raised:
        action._validate_action_result(result)
    assert raised.value.message.startswith(expected + ". Failed to validate Action server response from API")


def test_the_constant_schema_is_checked_once_not_per_answer(action: RemoteAction,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cls = validators.validator_for(RemoteAction.action_response_format_spec())
    checks: List[object] = []
    original = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, schema, **kw: (checks.append(schema),
                                                                                  original(schema, **kw))))
    monkeypatch.setattr(remote_action, "_validators", {})
    for _ in range(5):
        for result in VALID:
            action._validate_action_result(result)
    assert len(checks) == 1


def long_conversation() -> List[Event]:
    """A questionnaire begun, then many knowledge questions."""
    turns: List[Event] = [ActionExecuted("action_sshq_reset"), ActionExecuted("sshq_form"), ActiveLoop("sshq_form"),
                          BotUttered("?", {"custom": {"questionnaire": {"item": "q1"}}})]
    for n in range(200):
        turns += [ActionExecuted(ACTION_LISTEN_NAME),
                  UserUttered(f"question {n}", {"name": "faq_recovery_time", "confidence": 0.9}, [],
                              {"text": f"question {n}", "intent": {"name": "faq_recovery_time", "confidence": 0.9}},
                              input_channel="rest"),
                  ActionExecuted("utter_faq_recovery_time"), BotUttered("an answer")]
    return turns


@pytest.mark.parametrize("name", ["action_understand", "validate_sshq_form", "action_sshq_reset", "an_unknown_action"])
def test_rasa_sends_its_own_request_with_only_the_events_the_action_reads(name: str) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import PROJECT_ROOT
    from bot.core.history import window_start

    remote_action.install()
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("patient", long_conversation(), domain.slots)
    action = RemoteAction(name, None)
    rasa = RASA_CALL_FORMAT(action, tracker, domain)
    start = window_start([event.as_dict() for event in tracker.events], name)
    # the questionnaire's question, and the event before it (a "take your time" there means the question is not
    # counted), are read by the form's validation and by an action not known to read less
    assert start == 2 if name in ("validate_sshq_form", "an_unknown_action") else start > 780
    assert action._action_call_format(tracker, domain) == {
        **rasa, "tracker": {**rasa["tracker"], "events": rasa["tracker"]["events"][start:]}}
