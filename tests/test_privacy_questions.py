"""Questions about privacy are answered and never start a deletion; requests to delete still do.

The set (tests/data/privacy_set.yml) was written by a helper from the contract and the README
before the ``ask_privacy`` training data, and was not read to write it: aggregates only.
Through the REST webhook, with the trained model; a reply is judged by the whole domain
response it is (``rendered``), not by a word in it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List

import pytest
import yaml

from bot import PROJECT_ROOT
from harness.stack import Stack, rendered

pytestmark = pytest.mark.server

TEST_SET = PROJECT_ROOT / "tests" / "data" / "privacy_set.yml"
# measured on 2026-12-05 (the first model with ask_privacy): 39 of 51 questions answered, none
# asked to delete; 34 of 35 requests asked to confirm; none of the 30 messages near them either
MIN_ANSWERED = 0.70
MIN_DELETION_CONFIRMED = 0.90


def what_it_is(reply: List[Dict[str, Any]]) -> str:
    texts = [m.get("text") for m in reply]
    for response in ("utter_privacy", "utter_ask_forget"):
        if any(text in rendered(response) for text in texts):
            return response
    return "other"


@pytest.fixture(scope="module")
def counts(stack: Stack) -> Dict[str, Counter]:
    data = yaml.safe_load(TEST_SET.read_text(encoding="utf-8"))
    found: Dict[str, Counter] = {}
    for kind in ("privacy_questions", "deletion_requests", "other_near"):
        found[kind] = Counter(what_it_is(stack.send(f"privacy-{kind}-{i}", text))
                              for i, text in enumerate(data[kind]))
        found[kind]["all"] = len(data[kind])
    print("\n" + "; ".join(f"{kind}: {dict(c)}" for kind, c in found.items()))  # aggregates only
    return found


def test_a_privacy_question_never_asks_to_delete(counts: Dict[str, Counter]) -> None:
    assert counts["privacy_questions"]["utter_ask_forget"] == 0, counts


def test_most_privacy_questions_get_the_privacy_answer(counts: Dict[str, Counter]) -> None:
    c = counts["privacy_questions"]
    assert c["utter_privacy"] / c["all"] >= MIN_ANSWERED, c


def test_a_request_to_delete_is_confirmed_first(counts: Dict[str, Counter]) -> None:
    c = counts["deletion_requests"]
    assert c["utter_ask_forget"] / c["all"] >= MIN_DELETION_CONFIRMED, c


def test_records_scans_and_private_pay_are_neither(counts: Dict[str, Counter]) -> None:
    c = counts["other_near"]
    assert c["utter_privacy"] == 0 and c["utter_ask_forget"] == 0, c
