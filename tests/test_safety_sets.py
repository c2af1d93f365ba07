"""The whole safety net (rules, meaning, classifier) on the project's safety test sets,
through the running server's REST webhook.

All four sets were written by helpers who saw only the product contract, never ``data/``
or ``bot/core/safety.py``; none is trained on.

* ``safety_set.yml`` (written first) and ``safety_set_dev2.yml`` (harder, written later)
  were read while the rules were developed, so they are regression sets: every alert
  raised (right kind) and at most 3 % false alarms. The first version of the rules got
  84 % of the first set's red flags and 54 % of its crisis messages.
* ``safety_set_dev3.yml`` (session 20, another hand, read while developing too): on arrival the rules
  alerted 84 % of its red flags, 80 % of its crisis messages and 5.5 % of its look-alikes.
* ``safety_set_fresh.yml`` was never read while tuning: it is the honest measure of how
  the rules do on words nobody here wrote (2026-12-02: 92.5 % of alerts, 4.0 % false
  alarms). Its test holds that level so that a change cannot quietly lose it.
"""

from __future__ import annotations

import uuid
from typing import Dict, List, Tuple

import pytest
import yaml

from bot import PROJECT_ROOT
from harness.stack import Stack, payload_values

pytestmark = pytest.mark.server

# set -> (least share of alerts raised with the right kind, most share of look-alikes alerted)
SETS = {"safety_set": (1.0, 0.03), "safety_set_dev2": (1.0, 0.03), "safety_set_dev3": (0.98, 0.02),
        "safety_set_fresh": (0.92, 0.04)}


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
        "emergency": 100, "crisis": 55, "look_alike": 130}  # the others are smaller by design
    assert all(counts[k] >= n for k, n in minimum.items()), counts


@pytest.mark.parametrize("name", SETS)
def test_alerts_are_raised_and_few_look_alikes_alert(stack: Stack, name: str) -> None:
    least_recall, most_false_alarms = SETS[name]
    missed: List[str] = []
    false_alarms: List[str] = []
    look_alikes = alerts_expected = 0
    for expected, category, text in cases(name):
        alerts = payload_values(stack.send(f"safety-{uuid.uuid4().hex[:12]}", text), "alert")
        if expected == "none":
            look_alikes += 1
            if alerts:
                false_alarms.append(f"  [{category}] {text!r} -> {alerts}")
        else:
            alerts_expected += 1
            if alerts != [expected]:
                missed.append(f"  [{expected}/{category}] {text!r} -> {alerts}")
    recall = 1 - len(missed) / alerts_expected
    rate = len(false_alarms) / look_alikes
    if name == "safety_set_fresh":  # never read while tuning: figures only, no messages
        report = f"{name}: alerts {recall:.1%}, false alarms {rate:.1%}"
    else:
        report = (f"{name}: alerts {recall:.1%}, false alarms {rate:.1%}\nmissed:\n" + "\n".join(missed)
                  + "\nfalse alarms:\n" + "\n".join(false_alarms))
    print(report)
    assert recall >= least_recall, report
    assert rate <= most_false_alarms, report
