"""Rasa's check of the action server's answers, with the schema checked once (bot/rasa_ext/remote_action.py)."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List

import jsonschema
import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction

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
    remote_action.install()  # idempotent
    assert RemoteAction._validate_action_result is remote_action.validate_action_result


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


@pytest.mark.parametrize("module", ["launch", "quiet"])
def test_the_server_and_the_shell_install_it(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.__main__

    from bot.app import launch, quiet

    monkeypatch.setattr(RemoteAction, "_validate_action_result", lambda self, result: True)
    monkeypatch.setattr(remote_action, "_installed", False)
    monkeypatch.setattr(rasa.__main__, "main", lambda: None)
    monkeypatch.setattr("sys.argv", ["x", "run"])
    for name in (launch.TOKEN_ENV, launch.REST_TOKEN_ENV):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    umask = os.umask(0o022)
    try:
        (launch.main if module == "launch" else quiet.main)()
    finally:
        os.umask(umask)
    assert RemoteAction._validate_action_result is remote_action.validate_action_result
