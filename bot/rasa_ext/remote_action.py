"""Rasa's calls of the action server made cheaper: only the events it reads are sent, and
its answer's JSON schema is checked once per process.

**The request.** Rasa 3.6 sends every call the tracker's state with *every* event as JSON
(``RemoteAction._action_call_format``: ``tracker.current_state(EventVerbosity.ALL)``), and the
action server decodes them all: at 1,562 events a call cost six times what it did at turn 1.
Once installed, Rasa's request builder sends the same state (the slots, latest message, active
loop and the rest as Rasa works them out from the whole tracker) with only the events from
``bot.core.history.window_start`` on, which give every reading the called action makes of the
events the same answer (``tests/test_history.py``, ``tests/test_remote_action.py``). Events are
turned into dicts only as far back as that window's walks read (back to the start only for the
questionnaire form's validation in a conversation that never reset the questionnaire, or an
action ``READINGS`` does not name), and only the window is serialised and sent; the rest of the
request is Rasa's own code.

**The answer.** Rasa 3.6 checks every answer of the action server (``RemoteAction._validate_action_result``)
with ``jsonschema.validate(result, schema)``, and ``jsonschema.validate`` first checks the
*schema* itself against the JSON Schema meta-schema (Draft 2020-12) before it looks at the
answer. That first step took 35 to 40 ms on this machine, for a schema that is a constant of
Rasa's code: most of what one custom-action call cost (each form step, ``action_understand``).
Here the schema is checked once, the validator kept, and every answer checked against it as
before: the same errors (``best_match``, as ``jsonschema.validate`` picks), with Rasa's own
message added, so a malformed answer is still refused.

``install()`` is called by the processes that run the Rasa server or shell
(``bot/app/launch.py``, ``bot/app/quiet.py``); it is idempotent.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Type

from bot.core.history import window_start

_installed = False
_validators: Dict[Type[Any], Any] = {}


class _EventDicts(Sequence[Dict[str, Any]]):
    """The events' dict forms (``Event.as_dict()``), each made when first read."""

    def __init__(self, events: Sequence[Any]) -> None:
        self._events = list(events)
        self._dicts: List[Optional[Dict[str, Any]]] = [None] * len(self._events)

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        found = self._dicts[index]
        if found is None:
            found = self._dicts[index] = self._events[index].as_dict()
        return found


def slim_state(tracker: Any, action: str) -> Dict[str, Any]:
    """``tracker.current_state(EventVerbosity.ALL)`` with only the events ``action`` reads."""
    from rasa.shared.core.trackers import EventVerbosity

    state: Dict[str, Any] = tracker.current_state(EventVerbosity.NONE)
    events = _EventDicts(tracker.events)
    state["events"] = events[window_start(events, action):]
    return state


class _SlimTracker:
    """The tracker as Rasa's request builder sees it: its whole state with only the events read."""

    def __init__(self, tracker: Any, action: str) -> None:
        self._tracker = tracker
        self._action = action

    def current_state(self, event_verbosity: Any = None) -> Dict[str, Any]:
        from rasa.shared.core.trackers import EventVerbosity

        if event_verbosity == EventVerbosity.ALL:
            return slim_state(self._tracker, self._action)
        return self._tracker.current_state(event_verbosity)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)


def _slim_action_call_format(original: Callable[..., Dict[str, Any]]) -> Callable[..., Dict[str, Any]]:
    def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
        return original(self, _SlimTracker(tracker, self.name()), domain)

    _action_call_format.__doc__ = original.__doc__
    _action_call_format.__wrapped__ = original  # type: ignore[attr-defined]
    return _action_call_format


def _validator_for(action_class: Type[Any]) -> Any:
    """The checked schema's validator for this RemoteAction class (its schema is a constant)."""
    validator = _validators.get(action_class)
    if validator is None:
        from jsonschema import validators

        schema = action_class.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)  # what jsonschema.validate does on every call
        validator = _validators[action_class] = cls(schema)
    return validator


def validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` without checking the constant schema each time."""
    from jsonschema import exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(_validator_for(type(self)).iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Send only the events read, and check answers without re-checking the schema (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    rasa_format = RemoteAction._action_call_format
    RemoteAction._action_call_format = _slim_action_call_format(  # type: ignore[method-assign]
        getattr(rasa_format, "__wrapped__", rasa_format))
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    _installed = True
