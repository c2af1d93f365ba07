"""Rasa's check of the action server's answer, with its JSON schema checked once per process.

Rasa 3.6 checks every answer of the action server (``RemoteAction._validate_action_result``)
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

from typing import Any, Dict, Type

_installed = False
_validators: Dict[Type[Any], Any] = {}


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
    """Replace Rasa's per-call check with the one above (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    _installed = True
