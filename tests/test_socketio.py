"""The widget's Socket.IO channel: custom payloads and session persistence (Rasa 3.6 defects)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, List

import pytest
import socketio

from bot.stack import Stack

pytestmark = pytest.mark.server


class Widget:
    """What web/widget.js does, from Python: one page load = one connection."""

    def __init__(self, stack: Stack, session_id: str) -> None:
        self.session_id = session_id
        self.received: List[Dict[str, Any]] = []
        self.errors: List[Dict[str, Any]] = []
        self.confirmed: List[str] = []
        # the Origin header a browser sends, and only that one
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
        self.sio.on("bot_uttered", self.received.append)
        self.sio.on("bot_error", self.errors.append)
        self.sio.on("session_confirm", self.confirmed.append)
        self.sio.connect(stack.rasa_url, transports=["websocket"],
                         headers={"Origin": f"http://127.0.0.1:{stack.web_port}"})
        self.sio.emit("session_request", {"session_id": session_id})
        wait_for(lambda: self.confirmed)

    def say(self, text: str, until: Callable[[List[Dict[str, Any]]], bool]) -> List[Dict[str, Any]]:
        start = len(self.received)
        self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})
        wait_for(lambda: until(self.received[start:]))
        return self.received[start:]

    def close(self) -> None:
        self.sio.disconnect()


def wait_for(condition: Callable[[], Any], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "no answer over Socket.IO"
        time.sleep(0.05)


def has(key: str) -> Callable[[List[Dict[str, Any]]], bool]:
    return lambda messages: any(key in m.get("custom", {}) for m in messages)


@pytest.fixture
def session_id() -> str:
    return uuid.uuid4().hex


def test_an_answer_arrives_with_its_custom_payload_in_one_message(stack: Stack, session_id: str) -> None:
    widget = Widget(stack, session_id)
    try:
        [answer] = widget.say("what is the mild procedure?", has("topic"))
        assert answer["custom"]["topic"] == "what_is_mild"
        assert answer["custom"]["sources"] and answer["text"]
        # the turn after it still arrives (Rasa's emit(**payload) dropped it)
        reply = widget.say("/start_questionnaire", lambda m: any(r.get("quick_replies") for r in m))
        assert [b["title"] for b in reply[-1]["quick_replies"]] == ["Yes, let's start", "Not now"]
    finally:
        widget.close()
    # and the turn is in the tracker store
    events = stack.tracker(session_id)["events"]
    bot_payloads = [e.get("data", {}).get("custom") for e in events if e["event"] == "bot"]
    assert {"topic": "what_is_mild", "sources": answer["custom"]["sources"]} in bot_payloads


def test_a_reloaded_page_continues_the_same_conversation(stack: Stack, session_id: str) -> None:
    first = Widget(stack, session_id)
    first.say("/start_questionnaire", lambda m: bool(m))
    step = first.say("yes", has("questionnaire"))
    assert step[-1]["custom"]["questionnaire"] == {"item": "red_flags", "step": 1, "of": 14}
    first.close()

    reloaded = Widget(stack, session_id)  # same session id: session_persistence
    try:
        assert reloaded.confirmed == [session_id]
        step = reloaded.say("no", has("questionnaire"))
        assert step[-1]["custom"]["questionnaire"]["item"] == "q1"
    finally:
        reloaded.close()


def test_data_that_is_not_a_message_gets_an_error_event(stack: Stack, session_id: str) -> None:
    widget = Widget(stack, session_id)
    try:
        for bad in (["a", "list"], {"message": 42, "session_id": session_id}, {"message": "hi", "session_id": "x"}):
            before = len(widget.errors)
            widget.sio.emit("user_uttered", bad)
            wait_for(lambda before=before: len(widget.errors) > before)
        assert {e["error"] for e in widget.errors} == {"bad_message", "no_session"}
        # and the connection still works
        assert widget.say("hello", lambda m: bool(m))[0]["text"]
    finally:
        widget.close()


def test_a_made_up_session_id_gets_a_fresh_one(stack: Stack) -> None:
    widget = Widget(stack, "../../etc/passwd")
    try:
        assert widget.confirmed[0] != "../../etc/passwd" and len(widget.confirmed[0]) == 32
    finally:
        widget.close()


def test_other_origins_are_refused(stack: Stack) -> None:
    url = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling"
    allowed = urllib.request.Request(url, headers={"Origin": f"http://127.0.0.1:{stack.web_port}"})
    with urllib.request.urlopen(allowed, timeout=10) as response:
        assert response.status == 200
    other = urllib.request.Request(url, headers={"Origin": "https://attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(other, timeout=10)
    assert refused.value.code == 400
