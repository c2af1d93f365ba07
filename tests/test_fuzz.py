"""Bad input on the REST webhook and the Socket.IO channel: never a 5xx, always an answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.limits import MAX_MESSAGE_CHARS
from bot.stack import Stack, auth_headers, payloads

pytestmark = pytest.mark.server

ODD_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=50),
    st.sampled_from(["", " ", "\n\t", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                     "😀😀😀", "Мой спина болит", "腰が痛い", "ٱلْعَرَبِيَّة", "\u202eevil", "\x00\x01",
                     "'; DROP TABLE events; --", "/restart", "/nlu_fallback", "/faq_unknown{\"x\":1}", "{{x}}"]),
)
ODD_SENDER = st.one_of(st.text(min_size=1, max_size=80), st.sampled_from(["", " ", "../../x", "a" * 500, "😀"]))


TOO_LONG = {"input": "too_long"}


def raw_post(url: str, body: bytes, token: str = "") -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=auth_headers(token))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def webhook(stack: Stack, body: Any) -> int:
    return raw_post(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode(), stack.token)


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
    assert raw_post(f"{stack.rasa_url}/webhooks/rest/webhook", body, stack.token) < 500


def test_a_one_megabyte_message_gets_a_friendly_reply(stack: Stack, sender: str) -> None:
    reply = stack.send(sender, "my back hurts " * 75_000, timeout=120)
    assert payloads(reply) == [TOO_LONG]
    # and the server goes on answering
    assert stack.send(sender, "what is mild?")[0]["text"]


def test_the_server_still_answers_after_the_fuzzing(stack: Stack, sender: str) -> None:
    assert "mild" in stack.send(sender, "what is the mild procedure?")[0]["text"].lower()


# --- the Socket.IO channel (the widget's), with one browser-like connection ---

class SocketClient:
    def __init__(self, stack: Stack) -> None:
        import socketio

        self.events: list = []
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
        self.sio.on("bot_uttered", lambda data: self.events.append(("bot_uttered", data)))
        self.sio.on("bot_error", lambda data: self.events.append(("bot_error", data)))
        self.sio.on("session_confirm", lambda data: self.events.append(("session_confirm", data)))
        self.sio.connect(stack.rasa_url, transports=["websocket"],
                         headers={"Origin": f"http://127.0.0.1:{stack.web_port}"})

    def emit_and_wait(self, event: str, data: Any, timeout: float = 60.0) -> list:
        import time

        start = len(self.events)
        self.sio.emit(event, data)
        deadline = time.monotonic() + timeout
        while len(self.events) == start:
            assert self.sio.connected, "the server closed the connection"
            assert time.monotonic() < deadline, f"no answer to {event} {data!r:.200}"
            time.sleep(0.02)
        time.sleep(0.3)  # the rest of the turn
        return self.events[start:]


@pytest.fixture(scope="module")
def widget(stack: Stack) -> Any:
    client = SocketClient(stack)
    client.emit_and_wait("session_request", {"session_id": "fuzz-socket-session"})
    yield client
    client.sio.disconnect()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ODD_TEXT)
def test_odd_messages_over_socketio_get_an_answer(widget: SocketClient, text: str) -> None:
    got = widget.emit_and_wait("user_uttered", {"message": text, "session_id": "fuzz-socket-session"})
    assert any(name == "bot_uttered" and (data.get("text") or data.get("custom")) for name, data in got), got


ODD_DATA = st.one_of(
    st.none(), st.integers(), st.text(max_size=40), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["message", "session_id", "x"]),
                    st.one_of(st.none(), st.integers(), st.lists(st.text(max_size=5), max_size=2),
                              st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
                    min_size=1, max_size=3).filter(lambda d: not isinstance(d.get("message"), str)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=ODD_DATA)
def test_data_that_is_not_a_message_gets_an_error_event(widget: SocketClient, data: Any) -> None:
    got = widget.emit_and_wait("user_uttered", data)
    assert [name for name, _ in got] == ["bot_error"], got


def test_a_huge_socketio_message_gets_a_friendly_reply(widget: SocketClient) -> None:
    # half a megabyte: under Socket.IO's own 1 MB frame limit, far over the assistant's limit
    assert len("ouch " * 100_000) > MAX_MESSAGE_CHARS
    got = widget.emit_and_wait("user_uttered", {"message": "ouch " * 100_000, "session_id": "fuzz-socket-session"})
    assert any(data.get("custom") == TOO_LONG for name, data in got if name == "bot_uttered"), got
    # and the connection goes on answering
    got = widget.emit_and_wait("user_uttered", {"message": "what is mild?", "session_id": "fuzz-socket-session"})
    assert any(data.get("custom", {}).get("topic") == "what_is_mild" for name, data in got if name == "bot_uttered")
