"""Conversations through the REST webhook of a running server."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from bot.core.settings import load_settings
from harness.stack import Stack, http_json, payload_values, payloads, rendered

pytestmark = pytest.mark.server


def texts(reply: List[Dict[str, Any]]) -> str:
    return " ".join(m.get("text", "") for m in reply)


def all_events(stack: Stack, sender: str) -> List[Dict[str, Any]]:
    """The whole conversation, restarts included (the API's default starts after the last restart)."""
    return http_json("GET", f"{stack.rasa_url}/conversations/{sender}/tracker?include_events=ALL",
                     token=stack.token)["events"]


def last_turn(stack: Stack, sender: str) -> List[Dict[str, Any]]:
    """The events from the latest user message on."""
    events = all_events(stack, sender)
    start = max(i for i, e in enumerate(events) if e["event"] == "user")
    return events[start:]


def intent_and_responses(turn: List[Dict[str, Any]]) -> Tuple[str, List[str]]:
    """What the turn's message was understood as, and the domain responses that answered it."""
    said = [e["metadata"].get("utter_action") for e in turn if e["event"] == "bot"]
    return turn[0]["parse_data"]["intent"]["name"], said


def test_greeting_says_what_it_is_with_quick_replies(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "hello there!")
    settings = load_settings()
    text = texts(reply)
    assert settings.name in text
    assert "automated assistant" in text and "not medical advice" in text
    buttons = [b for m in reply for b in m.get("buttons", [])]
    assert {"What is mild?", "Talk to a person"} <= {b["title"] for b in buttons}
    assert all(b["payload"].startswith("/") for b in buttons)


def test_a_quick_reply_payload_gets_its_answer(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "/faq_what_is_mild")
    assert payloads(reply) == [
        {"topic": "what_is_mild", "sources": ["clinical-summary", "patient-guide", "anchor-healthcare", "procedure-atlas"]}
    ]


def test_help_lists_what_it_can_do(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "so what sorts of things can you help me with?")
    assert "not a clinician" in texts(reply)
    assert any(m.get("buttons") for m in reply)


def test_a_question_gets_the_answer_with_topic_and_sources(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "how big will the cut in my back be?")
    assert payloads(reply) == [{"topic": "incision_size", "sources": ["patient-guide", "anchor-healthcare"]}]
    assert "5.1 mm" in texts(reply)


def test_asking_for_a_person_gives_the_clinic_contact(stack: Stack, sender: str) -> None:
    settings = load_settings()
    text = texts(stack.send(sender, "I'd prefer to chat with somebody from your staff"))
    # request_human's own answer, not "are you a bot?" (utter_iamabot names the phone too)
    assert intent_and_responses(last_turn(stack, sender)) == ("request_human", ["utter_human_contact"])
    assert text in rendered("utter_human_contact")
    assert settings.phone in text and settings.booking_link in text


def test_are_you_human(stack: Stack, sender: str) -> None:
    text = texts(stack.send(sender, "am I talking to a human?"))
    assert "not a person" in text


def test_not_in_sources_gets_the_clinic_contact(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "how much does it cost?")
    assert payload_values(reply, "fallback") == ["not_in_sources"]
    assert load_settings().phone in texts(reply)


# (a message over the length limit gets its own reply: tests/test_security.py)
@pytest.mark.parametrize("text", ["", "   ", "asdkjh qwpoeiru zxmcnv", "🙂🙂🙂", "x" * 900])
def test_unusable_input_gets_a_friendly_not_understood(stack: Stack, sender: str, text: str) -> None:
    reply = stack.send(sender, text)
    assert payload_values(reply, "fallback") == ["not_understood"], reply
    assert payload_values(reply, "topic") == []


@pytest.mark.parametrize("first", ["could be"])
def test_a_message_no_rule_answers_gets_one_reply_and_the_talk_goes_on(stack: Stack, sender: str, first: str) -> None:
    """"stop" with no questionnaire running: RulePolicy's core fallback, once, then the assistant listens
    (it used to say "not understood" ten times, and then stay silent for good)."""
    stack.send(sender, first)
    reply = stack.send(sender, "stop now")
    assert intent_and_responses(last_turn(stack, sender)) == ("stop_questionnaire", ["utter_not_understood"])
    assert payloads(reply) == [{"fallback": "not_understood"}], reply
    last = last_turn(stack, sender)[-1]
    assert (last["event"], last.get("name")) == ("action", "action_listen")  # the turn ended: it listens
    reply = stack.send(sender, "could the back procedure harm me in any way")
    assert payload_values(reply, "topic") == ["risks"], reply


def test_markup_is_not_understood_not_executed(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "<img src=x onerror=alert(1)>")
    assert payloads(reply) == [{"fallback": "not_understood"}], reply
    assert "<img" not in texts(reply)


def test_an_alert_in_the_middle_of_another_question(stack: Stack, sender: str) -> None:
    stack.send(sender, "hey, hi!")
    reply = stack.send(sender, "how long is recovery? also I can't control my bladder since this morning")
    assert payload_values(reply, "alert") == ["emergency"]
    assert payload_values(reply, "topic") == []  # nothing else first
    assert load_settings().emergency_number in texts(reply)
    # the conversation goes on normally afterwards
    assert payload_values(stack.send(sender, "has mild been approved by the FDA?"), "topic") == ["fda_status"]


def test_crisis_message_gives_the_crisis_line(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "honestly I don't want to be alive anymore")
    assert payload_values(reply, "alert") == ["crisis"]
    assert load_settings().crisis_line in texts(reply)


def test_thanks_goodbye_and_restart(stack: Stack, sender: str) -> None:
    thanks = stack.send(sender, "thank you, this was useful")
    assert intent_and_responses(last_turn(stack, sender)) == ("thanks", ["utter_thanks"])
    assert texts(thanks) in rendered("utter_thanks")
    goodbye = stack.send(sender, "goodbye, take care")
    assert intent_and_responses(last_turn(stack, sender)) == ("goodbye", ["utter_goodbye"])
    assert texts(goodbye) in rendered("utter_goodbye") and payloads(goodbye) == []

    # something the conversation remembers, which a restart must forget
    http_json("POST", f"{stack.rasa_url}/conversations/{sender}/tracker/events",
              [{"event": "slot", "name": "contact_name", "value": "Ida Quill"}], token=stack.token)
    assert stack.tracker(sender)["slots"]["contact_name"] == "Ida Quill"
    restarted = stack.send(sender, "let's start the whole thing over again")
    turn = last_turn(stack, sender)
    assert intent_and_responses(turn) == ("start_over", ["utter_restart"])
    assert texts(restarted) in rendered("utter_restart")
    assert "restart" in [e["event"] for e in turn], turn
    # the conversation starts fresh: every slot as in a new conversation, nothing said since
    fresh = stack.tracker(f"{sender}-new")["slots"]
    assert stack.tracker(sender)["slots"] == fresh
    after = turn[max(i for i, e in enumerate(turn) if e["event"] == "restart"):]
    assert not [e for e in after if e["event"] in ("user", "bot", "slot")], after


def test_the_http_api_needs_the_token(stack: Stack, sender: str) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=10)
    assert error.value.code == 401
