"""Bad input on the REST webhook and the Socket.IO channel: never a 5xx, always an answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.stack import Stack

pytestmark = pytest.mark.server

ODD_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=50),
    st.sampled_from(["", " ", "\n\t", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                     "😀😀😀", "Мой спина болит", "腰が痛い", "ٱلْعَرَبِيَّة", "\u202eevil", "\x00\x01",
                     "'; DROP TABLE events; --", "/restart", "/nlu_fallback", "/faq_unknown{\"x\":1}", "{{x}}"]),
)
ODD_SENDER = st.one_of(st.text(min_size=1, max_size=80), st.sampled_from(["", " ", "../../x", "a" * 500, "😀"]))


def raw_post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def webhook(stack: Stack, body: Any) -> int:
    return raw_post(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ODD_TEXT, sender=ODD_SENDER)
def test_odd_messages_and_senders_get_an_answer(stack: Stack, text: str, sender: str) -> None:
    status = webhook(stack, {"sender": sender, "message": text})
    assert status < 500


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=200), st.just(b"{"), st.just(b"null"), st.just(b"[]"),
                      st.just(b'{"message": 5}'), st.just(b'{"sender": null, "message": null}'),
                      st.just(b'{"message": ["a"]}'), st.just(b'{"sender": {"a": 1}, "message": "hi"}')))
def test_malformed_bodies_never_cause_a_server_error(stack: Stack, body: bytes) -> None:
    assert raw_post(f"{stack.rasa_url}/webhooks/rest/webhook", body) < 500


def test_a_one_megabyte_message_gets_a_friendly_reply(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "my back hurts " * 75_000, timeout=120)
    text = " ".join(m.get("text", "") for m in reply)
    assert "long" in text.lower()
    # and the server goes on answering
    assert stack.send(sender, "what is mild?")[0]["text"]


def test_the_server_still_answers_after_the_fuzzing(stack: Stack, sender: str) -> None:
    assert "mild" in stack.send(sender, "what is the mild procedure?")[0]["text"].lower()
