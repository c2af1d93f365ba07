"""RulePolicy's debug text of the conversation's states, written out only when it is logged (issue #17).

Every time RulePolicy looks for a rule (twice a prediction) it formats every state of the
conversation into text for one debug log line (``Policy.format_tracker_states``), and copies that
text, whether or not debug logging is on: about 0.4 ms a call at 1,562 events, growing with the
conversation. Here RulePolicy gets a ``StatesText`` instead: the same text, made when the log line
is written (``str`` or ``repr``, as structlog's renderers do) and never when debug logging is off.
The text is not read for anything else (rasa/core/policies/rule_policy.py, ``_find_action_from_rules``).

``install()`` is called by the processes that run the Rasa server or shell
(``bot/app/launch.py``, ``bot/app/quiet.py``); it is idempotent.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, List, Optional

_installed = False


class StatesText:
    """``Policy.format_tracker_states(states)``, worked out when it is first read as text."""

    __slots__ = ("_format", "_states", "_text")

    def __init__(self, states: List[Dict[str, Any]], format_states: Callable[[List[Dict[str, Any]]], str]) -> None:
        self._states = states
        self._format = format_states
        self._text: Optional[str] = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._format(self._states)
        return self._text

    __repr__ = __str__

    def __deepcopy__(self, memo: Dict[int, Any]) -> StatesText:
        """Rasa copies the text before logging it; this stands for the text, so it is its own copy."""
        return self


def install() -> None:
    """RulePolicy's states text made only when logged (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.policies.policy import Policy
    from rasa.core.policies.rule_policy import RulePolicy

    format_states = Policy.format_tracker_states

    @functools.wraps(format_states)
    def format_tracker_states(states: List[Dict[str, Any]]) -> StatesText:
        return StatesText(states, format_states)

    RulePolicy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign,assignment]
    _installed = True
