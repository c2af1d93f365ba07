"""RulePolicy's debug text of the states (bot/rasa_ext/debug_text.py): the same text, made only when logged."""

from __future__ import annotations

import copy
import logging
import random
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import structlog
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import debug_text
from tests.test_prediction_states import conversation


@pytest.fixture(scope="module")
def states() -> List[Any]:
    domain = Domain.load(str(Path(__file__).resolve().parent.parent / "domain.yml"))
    tracker = DialogueStateTracker.from_events("debug", conversation(domain, random.Random(3), 120), domain.slots)
    return tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data={})


def test_the_same_text_made_only_when_read(states: List[Any]) -> None:
    calls: List[int] = []

    def counted(states: List[Any]) -> str:
        calls.append(1)
        return Policy.format_tracker_states(states)

    text = debug_text.StatesText(states, counted)
    assert copy.deepcopy(text) is text and calls == []  # Rasa's copy before logging: nothing made
    assert str(text) == repr(text) == Policy.format_tracker_states(states) and "previous action name" in str(text)
    assert str(text) is str(text) and calls == [1]  # made once


@pytest.fixture()
def uninstalled(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """RulePolicy as Rasa ships it, and as it was again afterwards."""
    monkeypatch.setattr(debug_text, "_installed", False)
    before = RulePolicy.__dict__.get("format_tracker_states")
    if before is not None:
        delattr(RulePolicy, "format_tracker_states")
    yield
    if "format_tracker_states" in RulePolicy.__dict__:
        delattr(RulePolicy, "format_tracker_states")
    if before is not None:
        RulePolicy.format_tracker_states = before  # type: ignore[method-assign]


def test_installed_rule_policy_logs_the_text_when_debug_is_on(states: List[Any], uninstalled: None) -> None:
    assert RulePolicy.format_tracker_states(states) == Policy.format_tracker_states(states)
    debug_text.install()
    installed = RulePolicy.format_tracker_states
    debug_text.install()
    assert RulePolicy.format_tracker_states is installed
    text = RulePolicy.format_tracker_states(states)
    assert isinstance(text, debug_text.StatesText)
    lines: List[str] = []
    structlog.configure(processors=[structlog.dev.ConsoleRenderer(colors=False)],
                        logger_factory=lambda *args: _Collect(lines),
                        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        structlog.get_logger().debug("rule_policy.actions.find", current_states=copy.deepcopy(text))
    finally:
        structlog.reset_defaults()
    assert len(lines) == 1 and Policy.format_tracker_states(states) in lines[0]


class _Collect:
    def __init__(self, lines: List[str]) -> None:
        self.lines = lines

    def msg(self, message: str) -> None:
        self.lines.append(message)

    debug = info = warning = error = msg
