"""RulePolicy tries only the rules whose last step can match the conversation's last step (issue #17).

To find the rules that apply, RulePolicy 3.6 (``_get_possible_keys``) checks every rule against the
conversation's last state, then the survivors against the state before, and so on. The first pass
is the costly one: all 249 rules of this project, about 1 ms of Python a turn on the event loop.
A rule whose last state names a previous action (``action_name``) can only match a conversation
whose last state names the same one: ``_does_rule_match_state`` requires every set value of the
rule's state to be equal in the conversation's, and ``_is_rule_applicable`` refuses a rule with a
previous action for a state without one.

``RuleIndex`` groups a lookup's rules by that action once; the first pass then checks, with
RulePolicy's own ``_is_rule_applicable``, the rules of the conversation's action and those that
name none (conversation starts, text actions), and skips only rules that could not match. The
result is the same set, built the same way: the candidates are taken in the order of
``set(lookup.keys())``, as RulePolicy's filter takes them, so even the set's iteration order, which
decides between rules of equal length (``max(rule_keys, key=len)``), is RulePolicy's. Later passes
are RulePolicy's own. ``tests/test_rule_index.py`` compares the sets and their order with RulePolicy's
at every step of the project's stories and rules and of long generated conversations.

``install()`` is called by the processes that run the Rasa server or shell (``runtime.py``).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, List, Set

from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.nlu.constants import ACTION_NAME

_installed = False
INDEXES = "_mild_rule_indexes"  # on each RulePolicy: id(lookup) -> RuleIndex


def _action_of(state: Any) -> Any:
    """The previous action's name a state requires (None: it names none it could be told by)."""
    previous = state.get(PREVIOUS_ACTION) if isinstance(state, dict) else None
    name = previous.get(ACTION_NAME) if isinstance(previous, dict) else None
    if not name or name == SHOULD_NOT_BE_SET or not isinstance(name, str):
        return None
    return name


class RuleIndex:
    """One lookup's rule keys, in ``set(lookup.keys())`` order, grouped by their last state's action."""

    def __init__(self, lookup: Dict[str, Any], rule_states: Callable[[str], List[Dict[str, Any]]]) -> None:
        self.lookup = lookup  # kept, so that its id is not reused by another dict while indexed
        self.keys = frozenset(lookup)
        keys = list(set(lookup.keys()))  # the order RulePolicy's first filter goes through
        actions = {key: _action_of(states[-1]) if (states := rule_states(key)) else None for key in keys}
        self.any_action: List[str] = [key for key in keys if actions[key] is None]
        # per action: its rules and those that name none, each list in that same order
        self.by_action: Dict[str, List[str]] = {
            action: [key for key in keys if actions[key] in (action, None)]
            for action in {action for action in actions.values() if action is not None}
        }

    def candidates(self, state: Dict[str, Any]) -> List[str]:
        """The rules that might match ``state`` as the conversation's last, in RulePolicy's order."""
        action = _action_of(state)
        return self.by_action.get(action, self.any_action) if action is not None else self.any_action


def index_for(policy: Any, lookup: Dict[str, Any]) -> RuleIndex:
    """The policy's index of ``lookup``, made again when the lookup is another dict or has other keys
    (RulePolicy drops contradicting rules from its lookup in place while it trains)."""
    indexes: Dict[int, RuleIndex] = policy.__dict__.setdefault(INDEXES, {})
    index = indexes.get(id(lookup))
    if index is None or index.lookup is not lookup or lookup.keys() != index.keys:
        index = indexes[id(lookup)] = RuleIndex(lookup, policy._rule_key_to_state)
    return index


def indexed(original: Callable[..., Set[str]]) -> Callable[..., Set[str]]:
    """RulePolicy's ``_get_possible_keys`` with the first pass over the index's candidates only."""

    @functools.wraps(original)
    def _get_possible_keys(self: Any, lookup: Dict[str, Any], states: List[Dict[str, Any]]) -> Set[str]:
        if not states or not isinstance(lookup, dict):
            return original(self, lookup, states)
        last = states[-1]
        possible = set(filter(lambda key: self._is_rule_applicable(key, 0, last),
                              index_for(self, lookup).candidates(last)))
        for turn, state in enumerate(reversed(states[:-1]), start=1):
            possible = set(filter(lambda key, t=turn, s=state: self._is_rule_applicable(key, t, s), possible))
        return possible

    return _get_possible_keys


def install() -> None:
    """RulePolicy looks rules up through the index (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.policies.rule_policy import RulePolicy

    RulePolicy._get_possible_keys = indexed(RulePolicy._get_possible_keys)  # type: ignore[method-assign]
    _installed = True
