"""A message that nginx re-sends is handled once, against a real Rasa server and action server.

nginx gives every request an ``X-Request-ID`` and keeps it when it re-sends that
request to the next instance (deploy/nginx/rasa-proxy.conf). Here the re-send is
made by hand: the same message, with the same id, twice. The second gets the same
replies, and nothing is stored or done twice (bot/rasa_ext/channels/once.py).
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any, Dict, List, Optional

import pytest

from harness.scripted import questionnaire_with_request
from harness.stack import Stack, auth_headers, payloads

pytestmark = pytest.mark.server


def send(stack: Stack, sender: str, text: str, request_id: Optional[str]) -> List[Dict[str, Any]]:
    headers = auth_headers(stack.token)
    if request_id:
        headers["X-Request-ID"] = request_id
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{stack.rasa_url}/webhooks/rest/webhook", data=body, method="POST",
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def user_messages(stack: Stack, sender: str) -> List[Dict[str, Any]]:
    return [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def requests(stack: Stack, sender: str) -> int:
    return stack.count("SELECT COUNT(*) FROM consultation_requests WHERE conversation_id = :s", sender)


def test_a_consent_re_sent_with_its_request_id_makes_one_request_and_gets_the_same_reply(
        stack: Stack, sender: str) -> None:
    ids: List[str] = []

    def with_fresh_id(text: str) -> List[Dict[str, Any]]:
        ids.append(uuid.uuid4().hex)
        return send(stack, sender, text, ids[-1])

    done = questionnaire_with_request(with_fresh_id, "Ann Lee", "ann.lee@example.com")
    assert done.reference and requests(stack, sender) == 1
    stored = len(stack.tracker(sender)["events"])
    said = [m["text"] for m in user_messages(stack, sender)]
    assert said == done.sent
    assert [m["message_id"] for m in user_messages(stack, sender)] == ids

    again = send(stack, sender, "Yes, I agree", ids[-1])  # what nginx sends after the instance died

    assert again == done.replies[-1]
    assert payloads(again) and payloads(again) == payloads(done.replies[-1])
    assert [m["text"] for m in user_messages(stack, sender)] == said  # one "Yes, I agree"
    assert len(stack.tracker(sender)["events"]) == stored  # nothing else stored either
    assert requests(stack, sender) == 1  # the action server was not asked again


def test_a_yes_re_sent_mid_questionnaire_answers_one_question_only(stack: Stack, sender: str) -> None:
    send(stack, sender, "can you check my symptoms?", uuid.uuid4().hex)
    first_question = send(stack, sender, "yes", uuid.uuid4().hex)
    key = uuid.uuid4().hex
    second_question = send(stack, sender, "no", key)
    assert payloads(second_question) != payloads(first_question)
    assert send(stack, sender, "no", key) == second_question
    assert [m["text"] for m in user_messages(stack, sender)] == ["can you check my symptoms?", "yes", "no"]


def test_the_id_counts_in_its_own_conversation_only(stack: Stack, sender: str) -> None:
    key = uuid.uuid4().hex
    send(stack, sender, "what is mild?", key)
    other = f"{sender}-other"
    reply = send(stack, other, "what is mild?", key)  # another client naming the same id
    assert any(p.get("topic") == "what_is_mild" for p in payloads(reply))
    assert [m["text"] for m in user_messages(stack, other)] == ["what is mild?"]


def test_without_a_request_id_every_send_is_handled(stack: Stack, sender: str) -> None:
    first = send(stack, sender, "what is mild?", None)
    second = send(stack, sender, "what is mild?", None)
    assert payloads(first) and payloads(second)
    assert [m["text"] for m in user_messages(stack, sender)] == ["what is mild?", "what is mild?"]
