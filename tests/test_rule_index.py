"""RulePolicy's first pass over the rules through an index (bot/rasa_ext/rule_index.py).

On RulePolicy trained on the project's stories and rules: at every step of the project's stories
and rules and of long generated conversations, the indexed lookup returns the set RulePolicy's own
returns, in the same iteration order (which breaks ties between rules of equal length), for both
of its lookups; and the policy's predictions are equal.
"""

from __future__ import annotations

import random
from typing import Any, List

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import rule_index
from tests.test_prediction_states import conversation, project_trackers
from tests.test_states_read import rules  # noqa: F401 (the trained RulePolicy fixture)

RASAS = getattr(RulePolicy._get_possible_keys, "__wrapped__", RulePolicy._get_possible_keys)
INDEXED = rule_index.indexed(RASAS)


def every_state_list(policy: RulePolicy, domain: Domain) -> List[Any]:
    """The states RulePolicy reads at each prediction point of the project's stories and long conversations."""
    found = []
    plays = [events for _, events in project_trackers(domain)]
    plays += [conversation(domain, random.Random(900 + seed), 150) for seed in range(3)]
    for events in plays:
        tracker = DialogueStateTracker.from_events("t", [], domain.slots)
        for event in events:
            tracker.update(event)
            if isinstance(event, UserUttered | ActionExecuted):
                found.append(policy._prediction_states(tracker, domain, rule_only_data=policy._get_rule_only_data()))
    return found


def test_the_same_rules_in_the_same_order_as_rulepolicys(rules: tuple) -> None:  # noqa: F811
    policy, domain = rules
    matched = 0
    for states in every_state_list(policy, domain):
        for lookup in (policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
            expected = RASAS(policy, lookup, states)
            got = INDEXED(policy, lookup, states)
            assert got == expected and list(got) == list(expected), states
            matched += bool(got)
    assert matched > 200  # not vacuous: rules were found at many steps


def test_the_first_pass_tries_few_rules(rules: tuple, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    policy, domain = rules
    lookup = policy.lookup[RULES]
    tried: List[str] = []
    original = RulePolicy._is_rule_applicable

    def counted(self: RulePolicy, key: str, turn: int, state: Any) -> bool:
        if turn == 0:
            tried.append(key)
        return original(self, key, turn, state)

    monkeypatch.setattr(RulePolicy, "_is_rule_applicable", counted)
    states = every_state_list(policy, domain)[:200]
    for one in states:
        INDEXED(policy, lookup, one)
    assert len(lookup) > 200 and len(tried) < len(states) * len(lookup) / 3


def test_the_index_is_made_again_for_another_or_changed_lookup(rules: tuple) -> None:  # noqa: F811
    policy, _ = rules
    lookup = dict(policy.lookup[RULES])
    first = rule_index.index_for(policy, lookup)
    assert rule_index.index_for(policy, lookup) is first
    lookup.pop(next(iter(lookup)))
    second = rule_index.index_for(policy, lookup)
    assert second is not first
    key, action = lookup.popitem()  # another key in its place: the same size, other keys
    lookup[key + " "] = action  # the same rule written with a space more: another key
    assert rule_index.index_for(policy, lookup) is not second


def test_install_wraps_rulepolicy_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rule_index, "_installed", False)
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", RASAS)
    rule_index.install()
    installed = RulePolicy._get_possible_keys
    rule_index.install()
    assert RulePolicy._get_possible_keys is installed and installed.__wrapped__ is RASAS  # type: ignore[attr-defined]
