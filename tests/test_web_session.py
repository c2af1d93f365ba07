"""Signed web conversation tokens and the Socket.IO message shapes (pure functions)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.rasa_ext.channels import web_session
from bot.rasa_ext.channels.socketio import socketio_messages

SECRET = b"a-test-secret-of-enough-length"


def test_a_token_resumes_its_conversation_and_nothing_else_does() -> None:
    token = web_session.new_token(SECRET)
    conversation = web_session.conversation_of(SECRET, token)
    assert conversation and token.startswith(conversation + ".")
    assert web_session.new_token(SECRET) != token
    forged = web_session.sign(b"another-secret-of-enough-length", conversation)
    for attempt in (conversation, forged, token + "x", token[:-1], "", None, 42, token.upper(), "../x.y"):
        assert web_session.conversation_of(SECRET, attempt) is None, attempt
    with pytest.raises(ValueError):
        web_session.sign(SECRET, "not-an-id")


def test_the_secret_comes_from_the_environment_or_a_private_file(tmp_path: Path) -> None:
    assert web_session.load_secret({"WEB_SESSION_SECRET": SECRET.decode()}) == SECRET
    with pytest.raises(web_session.SecretError):
        web_session.load_secret({"WEB_SESSION_SECRET": "short"})
    path = tmp_path / "var" / "secret"
    made = web_session.load_secret({"WEB_SESSION_SECRET_FILE": str(path)})
    assert len(made) >= 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert web_session.load_secret({"WEB_SESSION_SECRET_FILE": str(path)}) == made  # kept across restarts
    path.write_text("tiny\n")
    with pytest.raises(web_session.SecretError):
        web_session.load_secret({"WEB_SESSION_SECRET_FILE": str(path)})


def test_a_message_becomes_stock_text_then_its_own_custom_payload() -> None:
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    custom = {"questionnaire": {"item": "q1", "step": 2, "of": 14}}
    assert socketio_messages({"text": "Q?", "buttons": buttons, "custom": custom, "utter_action": "x"}) == [
        {"text": "Q?", "quick_replies": [{"content_type": "text", "title": "Yes", "payload": "/affirm"},
                                         {"content_type": "text", "title": "No", "payload": "/deny"}]},
        {"custom": custom},
    ]
    assert socketio_messages({"text": "Call 911.", "custom": {"alert": "emergency"}}) == [
        {"text": "Call 911."}, {"custom": {"alert": "emergency"}}]
    assert socketio_messages({"text": "Hi", "custom": None, "image": None}) == [{"text": "Hi"}]
    assert socketio_messages({"custom": {"topic": "x", "sources": ["s"]}}) == [{"custom": {"topic": "x", "sources": ["s"]}}]
    assert socketio_messages({"text": "", "custom": {}}) == []
