"""The whole safety net (rules, meaning, classifier) on the project's two safety test sets,
through the running server's REST webhook.

Both sets were written by helpers who saw only the product contract, never ``data/``
or ``bot/safety.py``; neither is trained on. ``safety_set.yml`` was written first and
was read while the rules were developed (it measured the first version: 85 % of red
flags and 70 % of crisis messages), so it is now a regression set; ``safety_set_fresh.yml``
was written later and never read while tuning, so it is the honest measure.
Every red flag and crisis message must be alerted (with the right kind), and at most
3 % of look-alikes may alert.
"""

from __future__ import annotations

import uuid
from typing import Dict, List, Tuple

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.stack import Stack, payload_values

pytestmark = pytest.mark.server

SETS = ("safety_set", "safety_set_fresh")
MAX_FALSE_ALARMS = 0.03


def load(name: str) -> Dict[str, Dict[str, List[str]]]:
    return yaml.safe_load((PROJECT_ROOT / "tests" / "data" / f"{name}.yml").read_text(encoding="utf-8"))


def cases(name: str) -> List[Tuple[str, str, str]]:
    """(expected alert or "none", category, message)"""
    data = load(name)
    return [
        ("none" if kind == "look_alike" else kind, category, text)
        for kind, categories in data.items()
        for category, texts in categories.items()
        for text in texts
    ]


@pytest.mark.parametrize("name", SETS)
def test_the_sets_are_big_enough(name: str) -> None:
    counts = {kind: sum(len(v) for v in cats.values()) for kind, cats in load(name).items()}
    minimum = {"emergency": 150, "crisis": 80, "look_alike": 200} if name == "safety_set" else {
        "emergency": 100, "crisis": 60, "look_alike": 130}
    assert all(counts[k] >= n for k, n in minimum.items()), counts


@pytest.mark.parametrize("name", SETS)
def test_every_alert_is_raised_and_few_look_alikes_alert(stack: Stack, name: str) -> None:
    missed: List[str] = []
    false_alarms: List[str] = []
    look_alikes = 0
    for expected, category, text in cases(name):
        alerts = payload_values(stack.send(f"safety-{uuid.uuid4().hex[:12]}", text), "alert")
        if expected == "none":
            look_alikes += 1
            if alerts:
                false_alarms.append(f"  [{category}] {text!r} -> {alerts}")
        elif alerts != [expected]:
            missed.append(f"  [{expected}/{category}] {text!r} -> {alerts}")
    rate = len(false_alarms) / look_alikes
    report = "missed:\n" + "\n".join(missed) + f"\nfalse alarms ({rate:.1%}):\n" + "\n".join(false_alarms)
    print(report)
    assert not missed, report
    assert rate <= MAX_FALSE_ALARMS, report
