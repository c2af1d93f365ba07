"""Bad input on the REST webhook and the Socket.IO channel: an answer, or a refusal that says why; never a 5xx."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.rasa_ext.channels.limits import MAX_MESSAGE_CHARS
from bot.rasa_ext.channels.messaging import belongs_to_messaging_channel
from harness.stack import Stack, auth_headers, payload_values, payloads

pytestmark = pytest.mark.server

ODD_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=50),
    st.sampled_from(["", " ", "\n\t", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                     "😀😀😀", "Мой спина болит", "腰が痛い", "ٱلْعَرَبِيَّة", "\u202eevil", "\x00\x01",
                     "'; DROP TABLE events; --", "/restart", "/nlu_fallback", "/faq_unknown{\"x\":1}", "{{x}}"]),
)
ODD_SENDER = st.one_of(st.text(min_size=1, max_size=80), st.sampled_from(["", " ", "../../x", "a" * 500, "😀"]))


TOO_LONG = {"input": "too_long"}  # utter_message_too_long (bot/rasa_ext/channels/limits.py)
FOLLOW_UP = "so what exactly is this mild thing?"  # a question about the procedure after the odd input


def post(url: str, body: bytes, token: str = "") -> Tuple[int, Any]:
    """The status and the JSON answer (None when the answer is not JSON)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=auth_headers(token))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def webhook(stack: Stack, body: Any) -> Tuple[int, Any]:
    return post(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode(), stack.token)


def assert_a_refusal_that_says_why(status: int, answer: Any) -> None:
    """bot/rasa_ext/channels/rest.py: a request it cannot take gets 400 and {"error": "<what is wrong>", "expected": ...}."""
    assert status == 400, (status, answer)
    assert isinstance(answer, dict) and isinstance(answer.get("error"), str) and answer["error"], answer


def assert_an_answer(status: int, answer: Any) -> None:
    """200 and at least one bot message, each with text or a custom payload."""
    assert status == 200, (status, answer)
    assert isinstance(answer, list) and answer, answer
    assert all(isinstance(m, dict) and (m.get("text") or isinstance(m.get("custom"), dict)) for m in answer), answer


def user_texts(stack: Stack, conversation: str) -> list:
    return [e.get("text") for e in stack.tracker(conversation)["events"] if e["event"] == "user"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ODD_TEXT, sender=ODD_SENDER)
def test_odd_messages_and_senders_get_an_answer(stack: Stack, text: str, sender: str) -> None:
    status, answer = webhook(stack, {"sender": sender, "message": text})
    # the documented refusals (bot/rasa_ext/channels/rest.py): no conversation id, or a messaging channel's
    if not sender.strip() or belongs_to_messaging_channel(sender):
        assert_a_refusal_that_says_why(status, answer)
    else:
        assert_an_answer(status, answer)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=200), st.just(b"{"), st.just(b"null"), st.just(b"[]"),
                      st.just(b'{"message": 5}'), st.just(b'{"sender": null, "message": null}'),
                      st.just(b'{"message": ["a"]}'), st.just(b'{"sender": {"a": 1}, "message": "hi"}')))
def test_malformed_bodies_never_cause_a_server_error(stack: Stack, body: bytes) -> None:
    # none of these is a JSON object with a sender and a text message
    assert_a_refusal_that_says_why(*post(f"{stack.rasa_url}/webhooks/rest/webhook", body, stack.token))


def test_a_one_megabyte_message_gets_a_friendly_reply(stack: Stack, sender: str) -> None:
    status, answer = webhook(stack, {"sender": sender, "message": "my back hurts " * 75_000})
    assert status == 200 and payloads(answer) == [TOO_LONG], (status, str(answer)[:500])
    # and the server goes on answering; the long message never reached the conversation
    status, answer = webhook(stack, {"sender": sender, "message": FOLLOW_UP})
    assert status == 200 and payload_values(answer, "topic") == ["what_is_mild"], answer
    assert user_texts(stack, sender) == [FOLLOW_UP]


def test_the_server_still_answers_after_the_fuzzing(stack: Stack, sender: str) -> None:
    assert payload_values(stack.send(sender, FOLLOW_UP), "topic") == ["what_is_mild"]


# --- the Socket.IO channel (the widget's): a fresh connection and conversation per example ---

class SocketClient:
    """One page load of a widget: its own connection and its own conversation (session_request)."""

    def __init__(self, stack: Stack) -> None:
        import socketio

        self.events: List[Tuple[str, Any]] = []
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
        for name in ("bot_uttered", "bot_error", "session_confirm"):
            self.sio.on(name, lambda data, name=name: self.events.append((name, data)))
        self.sio.connect(stack.rasa_url, transports=["websocket"],
                         headers={"Origin": f"http://127.0.0.1:{stack.web_port}"})
        self.sio.emit("session_request", {"session_id": ""})
        self.wait_until(lambda got: any(name == "session_confirm" for name, _ in got))
        self.token = next(data for name, data in self.events if name == "session_confirm")

    @property
    def conversation(self) -> str:
        """The id the tracker store files this conversation under (bot/rasa_ext/channels/web_session.py)."""
        return self.token.split(".")[0]

    def wait_until(self, done: Callable[[List[Tuple[str, Any]]], bool], start: int = 0,
                   timeout: float = 60.0) -> List[Tuple[str, Any]]:
        """The events from ``start`` on, once ``done`` holds for them."""
        deadline = time.monotonic() + timeout
        while not done(self.events[start:]):
            assert self.sio.connected, "the server closed the connection"
            assert time.monotonic() < deadline, f"no such event; got {self.events[start:]!r:.500}"
            time.sleep(0.02)
        return self.events[start:]

    def emit_until(self, event: str, data: Any, done: Callable[[List[Tuple[str, Any]]], bool]) -> List[Tuple[str, Any]]:
        start = len(self.events)
        self.sio.emit(event, data)
        return self.wait_until(done, start)

    def close(self) -> None:
        self.sio.disconnect()


def bot_payloads(events: List[Tuple[str, Any]]) -> List[Dict[str, Any]]:
    return [data["custom"] for name, data in events if name == "bot_uttered" and isinstance(data.get("custom"), dict)]


def answered(events: List[Tuple[str, Any]]) -> bool:
    return any(name == "bot_uttered" and (data.get("text") or data.get("custom")) for name, data in events)


def topic_answered(events: List[Tuple[str, Any]]) -> bool:
    return any("topic" in p for p in bot_payloads(events))


@contextmanager
def widget(stack: Stack) -> Iterator[SocketClient]:
    client = SocketClient(stack)
    try:
        yield client
    finally:
        client.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ODD_TEXT)
def test_odd_messages_over_socketio_get_an_answer(stack: Stack, text: str) -> None:
    with widget(stack) as client:
        client.emit_until("user_uttered", {"message": text, "session_id": client.token}, answered)


ODD_DATA = st.one_of(
    st.none(), st.integers(), st.text(max_size=40), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["message", "session_id", "x"]),
                    st.one_of(st.none(), st.integers(), st.lists(st.text(max_size=5), max_size=2),
                              st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
                    min_size=1, max_size=3).filter(lambda d: not isinstance(d.get("message"), str)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=ODD_DATA)
def test_data_that_is_not_a_message_gets_an_error_event(stack: Stack, data: Any) -> None:
    with widget(stack) as client:
        got = client.emit_until("user_uttered", data, lambda events: any(n == "bot_error" for n, _ in events))
        assert [name for name, _ in got] == ["bot_error"], got
        assert got[0][1]["error"] == "bad_message", got
        # a real message afterwards is answered, and it is the only one the conversation holds
        client.emit_until("user_uttered", {"message": FOLLOW_UP, "session_id": client.token}, topic_answered)
        assert user_texts(stack, client.conversation) == [FOLLOW_UP]


def test_a_huge_socketio_message_gets_a_friendly_reply(stack: Stack) -> None:
    # half a megabyte: under Socket.IO's own 1 MB frame limit, far over the assistant's limit
    huge = "ouch " * 100_000
    assert len(huge) > MAX_MESSAGE_CHARS
    with widget(stack) as client:
        # the turn's payload comes last (after an alert's, if the message reported one)
        got = client.emit_until("user_uttered", {"message": huge, "session_id": client.token},
                                lambda events: bool(bot_payloads(events)))
        assert bot_payloads(got) == [TOO_LONG], got
        # and the connection goes on answering; the huge message never reached the conversation
        got = client.emit_until("user_uttered", {"message": FOLLOW_UP, "session_id": client.token}, topic_answered)
        assert [p["topic"] for p in bot_payloads(got)] == ["what_is_mild"], got
        assert user_texts(stack, client.conversation) == [FOLLOW_UP]
