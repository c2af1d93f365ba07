"""The widget's Socket.IO channel: standard message shapes, signed conversations, one CORS layer."""

from __future__ import annotations

import base64
import os
import time
from typing import Any, Callable, Dict, List, Optional

import pytest
import socketio

from harness.stack import Stack

pytestmark = pytest.mark.server

STOCK_SHAPES = ({"text"}, {"text", "quick_replies"}, {"custom"})


class Widget:
    """What a Socket.IO widget does, from Python: one page load = one connection."""

    def __init__(self, stack: Stack, session_id: Optional[str] = None) -> None:
        self.received: List[Dict[str, Any]] = []
        self.errors: List[Dict[str, Any]] = []
        self.confirmed: List[str] = []
        self.cleared: List[Any] = []
        # the Origin header a browser sends, and only that one
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
        self.sio.on("bot_uttered", self.received.append)
        self.sio.on("bot_error", self.errors.append)
        self.sio.on("session_confirm", self.confirmed.append)
        self.sio.on("conversation_cleared", self.cleared.append)
        self.sio.connect(stack.rasa_url, transports=["websocket"],
                         headers={"Origin": f"http://127.0.0.1:{stack.web_port}"})
        self.sio.emit("session_request", {"session_id": session_id or ""})
        wait_for(lambda: self.confirmed)

    @property
    def token(self) -> str:
        return self.confirmed[-1]

    def say(self, text: str, until: Callable[[List[Dict[str, Any]]], bool]) -> List[Dict[str, Any]]:
        start = len(self.received)
        self.sio.emit("user_uttered", {"message": text, "session_id": self.token})
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


def customs(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [m["custom"] for m in messages if "custom" in m]


def conversation_id(token: str) -> str:
    """The id the tracker store files the conversation under."""
    return token.split(".")[0]


def test_messages_have_the_stock_shapes_and_the_custom_payload_follows_its_text(stack: Stack) -> None:
    widget = Widget(stack)
    try:
        reply = widget.say("so what exactly is the mild procedure?", has("topic"))
        assert all(set(m) in STOCK_SHAPES for m in reply), reply
        at = next(i for i, m in enumerate(reply) if "topic" in m.get("custom", {}))
        assert at > 0 and reply[at - 1].get("text"), "the custom payload comes right after its text"
        assert reply[at]["custom"]["sources"]
        # a question with buttons: {text, quick_replies} in Rasa's shape, then its payload
        widget.say("/start_questionnaire", lambda m: any("quick_replies" in r for r in m))
        step = widget.say("/affirm", has("questionnaire"))
        assert all(set(m) in STOCK_SHAPES for m in step), step
        at = next(i for i, m in enumerate(step) if "questionnaire" in m.get("custom", {}))
        question = step[at - 1]
        assert set(question) == {"text", "quick_replies"} and question["text"]
        assert all(set(b) == {"content_type", "title", "payload"} and b["content_type"] == "text"
                   for b in question["quick_replies"])
    finally:
        widget.close()
    # and the turn is in the tracker store as one bot event with its payload
    events = stack.tracker(conversation_id(widget.token))["events"]
    bot_payloads = [e.get("data", {}).get("custom") for e in events if e["event"] == "bot"]
    assert next(c for c in customs(reply) if "topic" in c) in bot_payloads


def test_an_emergency_is_a_plain_text_message(stack: Stack) -> None:
    widget = Widget(stack)
    try:
        reply = widget.say("/red_flag", has("alert"))
        at = next(i for i, m in enumerate(reply) if "alert" in m.get("custom", {}))
        assert reply[at]["custom"] == {"alert": "emergency"}
        assert set(reply[at - 1]) == {"text"} and reply[at - 1]["text"]
    finally:
        widget.close()


def test_a_reloaded_page_continues_the_same_conversation_with_its_token(stack: Stack) -> None:
    first = Widget(stack)
    token = first.token
    first.say("/start_questionnaire", lambda m: bool(m))
    step = first.say("/affirm", has("questionnaire"))
    assert customs(step)[-1]["questionnaire"]["step"] == 1
    first.close()

    reloaded = Widget(stack, token)
    try:
        assert reloaded.confirmed == [token]
        step = reloaded.say("no, none of those", has("questionnaire"))
        assert customs(step)[-1]["questionnaire"]["step"] == 2
    finally:
        reloaded.close()


def test_a_conversation_id_alone_does_not_take_a_conversation_over(stack: Stack) -> None:
    victim = Widget(stack)
    attackers: List[Widget] = []
    try:
        victim.say("/start_questionnaire", lambda m: bool(m))
        known = conversation_id(victim.token)
        forged_mac = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        for guess in (known, f"{known}.{forged_mac}", victim.token.swapcase()):
            attacker = Widget(stack, guess)
            attackers.append(attacker)
            assert attacker.token != victim.token
            assert conversation_id(attacker.token) != known
        # a message naming the victim's conversation stays in the attacker's own
        attackers[0].sio.emit("user_uttered", {"message": "/deny", "session_id": victim.token.split(".")[0]})
        wait_for(lambda: attackers[0].received)
        victim.say("/affirm", has("questionnaire"))
        # A message leaked to an attacker would be sent on its connection before the reply to
        # its own next message (one connection delivers in order): wait for that reply.
        for attacker in attackers:
            attacker.say("/help", lambda m: bool(m))
        for attacker in attackers:
            assert not any("questionnaire" in m.get("custom", {}) for m in attacker.received)
    finally:
        for widget in [victim, *attackers]:
            widget.close()
    said = [e.get("text") for e in stack.tracker(known)["events"] if e["event"] == "user"]
    assert "/deny" not in said


def test_start_over_tells_the_page_to_clear_its_history(stack: Stack) -> None:
    widget = Widget(stack)
    try:
        widget.say("/start_questionnaire", lambda m: bool(m))
        widget.sio.emit("user_uttered", {"message": "/start_over", "session_id": widget.token})
        wait_for(lambda: widget.cleared)
    finally:
        widget.close()


def test_data_that_is_not_a_message_gets_an_error_event(stack: Stack) -> None:
    widget = Widget(stack)
    try:
        for bad in (["a", "list"], {"message": 42, "session_id": widget.token}, {"session_id": widget.token}):
            before = len(widget.errors)
            widget.sio.emit("user_uttered", bad)
            wait_for(lambda before=before: len(widget.errors) > before)
        assert {e["error"] for e in widget.errors} == {"bad_message"}
        # and the connection still works
        assert widget.say("hello there", lambda m: bool(m))[0]["text"]
    finally:
        widget.close()

    # a connection that never asked for a session, with a made-up id
    bare = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
    errors: List[Dict[str, Any]] = []
    bare.on("bot_error", errors.append)
    bare.connect(stack.rasa_url, transports=["websocket"], headers={"Origin": f"http://127.0.0.1:{stack.web_port}"})
    try:
        bare.emit("user_uttered", {"message": "hi there, anyone home?", "session_id": "0" * 32})
        wait_for(lambda: errors)
        assert errors[0]["error"] == "no_session"
    finally:
        bare.disconnect()


def test_a_made_up_session_id_gets_a_fresh_one(stack: Stack) -> None:
    widget = Widget(stack, "../../etc/passwd")
    try:
        assert widget.token != "../../etc/passwd" and len(conversation_id(widget.token)) == 32
    finally:
        widget.close()
