"""Clarifying questions and several questions in one message, through the REST webhook."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from harness.stack import Stack, payload_values

pytestmark = pytest.mark.server

# vague follow-ups that name no topic; which of them a given training run is unsure about
# varies, so the tests take the first that gets a clarifying question (none: the tests fail)
VAGUE = ["what about afterwards", "and after it?", "what about the back thing", "is it bad",
         "what is it like afterwards", "so what then"]


@pytest.fixture(scope="module")
def unsure(stack: Stack) -> str:
    for i, text in enumerate(VAGUE):
        if payload_values(stack.send(f"vague-{i}", text), "clarify"):
            return text
    raise AssertionError(f"none of {VAGUE} got a clarifying question")


def clarify(reply: List[Dict[str, Any]]) -> List[str]:
    [offered] = payload_values(reply, "clarify")
    return offered


def test_two_questions_get_both_answers_in_order(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "how long does the procedure take and will I be asleep?")
    assert payload_values(reply, "topic") == ["procedure_duration", "anesthesia"]
    reply = stack.send(sender, "Do I need an MRI first? Is mild FDA approved?")
    assert payload_values(reply, "topic") == ["imaging_required", "fda_status"]


def test_unsure_asks_did_you_mean_and_a_quick_reply_picks_the_answer(stack: Stack, sender: str, unsure: str) -> None:
    reply = stack.send(sender, unsure)
    offered = clarify(reply)
    assert 1 <= len(offered) <= 3 and payload_values(reply, "topic") == []
    buttons = [b for m in reply for b in m.get("buttons") or []]
    assert [b["payload"] for b in buttons] == [f"/faq_{t}" for t in offered] + ["/ask_not_in_sources"]
    reply = stack.send(sender, buttons[1]["payload"] if len(offered) > 1 else buttons[0]["payload"])
    assert payload_values(reply, "topic") == [offered[1] if len(offered) > 1 else offered[0]]


def test_something_else_gets_the_not_in_sources_reply(stack: Stack, sender: str, unsure: str) -> None:
    reply = stack.send(sender, unsure)
    clarify(reply)
    something_else = [b for m in reply for b in m.get("buttons") or []][-1]["payload"]
    reply = stack.send(sender, something_else)
    assert payload_values(reply, "fallback") == ["not_in_sources"]
    assert payload_values(reply, "topic") == []


def test_a_plain_yes_to_did_you_mean_answers_the_first_topic_offered(stack: Stack, sender: str, unsure: str) -> None:
    offered = clarify(stack.send(sender, unsure))
    reply = stack.send(sender, "yeah, that is what I meant")
    assert payload_values(reply, "topic")[:1] == [offered[0]]


def test_nothing_close_is_not_understood(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "purple monkey dishwasher")
    assert payload_values(reply, "clarify") == [] and payload_values(reply, "topic") == []


def test_a_red_flag_is_never_a_clarifying_question(stack: Stack, sender: str, unsure: str) -> None:
    reply = stack.send(sender, f"{unsure} I can't control my bladder since this morning")
    assert payload_values(reply, "alert") == ["emergency"]
    assert payload_values(reply, "clarify") == [] and payload_values(reply, "topic") == []
