"""action_understand, the rasa-sdk way: a Tracker whose latest message carries
TopicUnderstanding's decision, a CollectingDispatcher, the messages asserted."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.understanding import ActionUnderstand
from bot import PROJECT_ROOT

DOMAIN: Dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def said(understanding: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    latest: Dict[str, Any] = {"text": "...", "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": []}
    if understanding is not None:
        latest["understanding"] = {**understanding, "confidence": 0.3}
    tracker = Tracker("patient", {}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionUnderstand().run(dispatcher, tracker, DOMAIN)) == []
    return dispatcher.messages


def test_unsure_asks_did_you_mean_with_a_reply_per_topic_and_something_else() -> None:
    [message] = said({"kind": "clarify", "intent": None, "topics": ["recovery_time", "return_to_work"]})
    assert message["response"] == "utter_clarify"
    assert message["custom"] == {"clarify": ["recovery_time", "return_to_work"]}
    assert [b["payload"] for b in message["buttons"]] == [
        "/faq_recovery_time", "/faq_return_to_work", "/ask_not_in_sources",
    ]
    # the quick replies say the topic's question and the domain's "something else"
    assert message["buttons"][0]["title"] == "How long is the recovery?"
    assert message["buttons"][-1]["title"] == DOMAIN["responses"]["utter_clarify_something_else"][0]["text"]


def test_one_topic_offered_asks_did_you_mean_this() -> None:
    [message] = said({"kind": "clarify", "intent": None, "topics": ["return_to_work"]})
    assert message["response"] == "utter_clarify_one"  # not "one of these" beside a single topic
    assert message["custom"] == {"clarify": ["return_to_work"]}
    assert [b["payload"] for b in message["buttons"]] == ["/faq_return_to_work", "/ask_not_in_sources"]


def test_several_questions_get_each_answer_in_order() -> None:
    messages = said({"kind": "topics", "intent": None, "topics": ["procedure_duration", "anesthesia"]})
    assert [m["response"] for m in messages] == ["utter_faq_procedure_duration", "utter_faq_anesthesia"]


def test_nothing_close_is_not_understood() -> None:
    assert [m["response"] for m in said({"kind": "not_understood", "intent": None, "topics": []})] == [
        "utter_not_understood"
    ]
    # the safety net's own nlu_fallback (gibberish, empty, too long) carries no decision
    assert [m["response"] for m in said(None)] == ["utter_not_understood"]
