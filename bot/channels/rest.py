"""Rasa's REST channel with its request body checked first.

Rasa 3.6 answers a body that is not a JSON object (``null``, a list, broken
JSON) or a message that is not text with a 500 and a stack trace. Here such a
request gets a 400 that says what to send; everything else is Rasa's channel.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

EXPECTED = 'send a JSON object: {"sender": "<conversation id>", "message": "<text>"}'


def body_problem(raw: bytes) -> Optional[str]:
    """What is wrong with a REST webhook body, or None when Rasa can take it."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if not isinstance(body.get("message", ""), str):
        return "message must be text"
    sender = body.get("sender")
    if sender is not None and not isinstance(sender, str | int):
        return "sender must be text"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "metadata must be an object"
    return None


class ClinicRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_body(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            problem = body_problem(request.body)
            if problem:
                return response.json({"error": problem, "expected": EXPECTED}, status=400)
            return None

        return blueprint
