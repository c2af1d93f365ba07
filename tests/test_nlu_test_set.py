"""The independent NLU test set (tests/data/nlu_test.yml), through the REST webhook.

The set was written by someone outside this work and is never read to write
training data or to tune: this harness prints aggregate figures only, never a
message. Format: ``topics: {<topic id>: [messages]}``, ``not_in_sources: [...]``,
``off_topic: [...]``. Without the file the test is skipped.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.core.knowledge import get_catalog
from harness.nlu_scoring import Score
from harness.stack import Stack

pytestmark = pytest.mark.server

TEST_SET = PROJECT_ROOT / "tests" / "data" / "nlu_test.yml"

# The targets, asserted as they are (>= 95 % right, >= 98 % right or offered, <= 2 % wrong,
# >= 97 % of unanswerable or off-topic messages without a topic). Measured through REST on
# 2026-12-05 (step 12): right 97.1 %, right or offered 99.0 %, wrong 0.7 %, without a topic 97.5 %
# (118 of 121: one more topic answer fails). README, "Understanding questions".
MIN_ACCURACY = 0.95
MIN_RIGHT_OR_OFFERED = 0.98
MAX_WRONG = 0.02
MIN_SAFE = 0.97


@pytest.fixture(scope="module")
def score(stack: Stack) -> Score:
    if not TEST_SET.exists():
        pytest.skip("tests/data/nlu_test.yml is not here")
    data: Dict[str, Any] = yaml.safe_load(TEST_SET.read_text(encoding="utf-8"))
    result = Score()
    for n, (topic, messages) in enumerate((data.get("topics") or {}).items()):
        assert topic in get_catalog().topic_ids, "the test set names a topic the catalog lacks"
        for i, text in enumerate(messages):
            result.add_topic(topic, stack.send(f"nlu-test-{n}-{i}", text))
    for kind in ("not_in_sources", "off_topic"):
        for i, text in enumerate(data.get(kind) or []):
            result.add_no_topic(stack.send(f"nlu-test-{kind}-{i}", text))
    print("\n" + result.summary())  # aggregate figures only
    return result


def test_right_topic(score: Score) -> None:
    assert score.total > 0
    assert score.accuracy >= MIN_ACCURACY, score.summary()


def test_right_topic_or_a_clarifying_question_that_offers_it(score: Score) -> None:
    assert score.right_or_offered >= MIN_RIGHT_OR_OFFERED, score.summary()


def test_wrong_topic(score: Score) -> None:
    assert score.wrong_rate <= MAX_WRONG, score.summary()


def test_unanswerable_and_off_topic_get_no_topic(score: Score) -> None:
    assert score.no_topic > 0
    assert score.safe_rate >= MIN_SAFE, score.summary()
