"""Rasa's REST channel, for integrations: a token, a checked body, bounded input.

Rasa 3.6's REST channel takes anyone's request for any conversation id. Here:

- **A token, when one is configured** (``token`` in credentials.yml, the server's
  ``RASA_AUTH_TOKEN``): ``Authorization: Bearer <token>``, compared in constant
  time; without it, 401. ``make run`` sets one (var/auth_token).
- **Its own conversations only**: ``sender`` is required (no shared ``default``
  conversation) and may not name a messaging channel's conversation
  (``twilio:...``, ``telegram:...``: see bot/rasa_ext/channels/messaging.py), and
  ``input_channel`` cannot be chosen by the caller.
- **Bounded input** (bot/rasa_ext/channels/limits.py): a body over ``MAX_BODY_BYTES`` gets
  413, JSON nested too deep 400, a message over the length limit the
  "please keep it shorter" reply without reaching the NLU or the tracker store.
- **A message nginx re-sends is handled once**: nginx's ``X-Request-ID`` becomes the
  message id, and a message whose id its conversation already holds is answered with
  the replies stored for it, without being handled again (bot/rasa_ext/channels/once.py).
- A body that is not a JSON object (``null``, a list, broken JSON) or a message
  that is not text gets a 400 that says what to send (Rasa answers 500).
"""

from __future__ import annotations

import hmac
import json
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_ext.channels.limits import (
    MAX_BODY_BYTES,
    bounded,
    json_depth_problem,
    limit_request_size,
    off_the_loop,
)
from bot.rasa_ext.channels.messaging import belongs_to_messaging_channel
from bot.rasa_ext.channels.once import HEADER, current_request_id, handled_once, request_id_from

EXPECTED = 'send a JSON object: {"sender": "<conversation id>", "message": "<text>"}'
# a body up to this size is checked on the event loop (well under a millisecond); a larger one on
# the long-input thread (a 1 MB body: about 27 ms, bot/rasa_ext/channels/limits.py)
CHECKED_ON_THE_LOOP = 16 * 1024


def body_problem(raw: bytes) -> Optional[str]:
    """What is wrong with a REST webhook body, or None when Rasa can take it."""
    if len(raw or b"") > MAX_BODY_BYTES:
        return "the body is too large"
    depth = json_depth_problem(raw or b"")
    if depth:
        return depth
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if not isinstance(body.get("message", ""), str):
        return "message must be text"
    sender = body.get("sender")
    if sender is None or isinstance(sender, bool) or not isinstance(sender, str | int):
        return "sender (the conversation id) is required, as text"
    if not str(sender).strip():
        return "sender must not be empty"
    if belongs_to_messaging_channel(str(sender)):
        return "sender names a messaging channel's conversation, which only that channel can reach"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "metadata must be an object"
    return None


def bearer_token(request: Request) -> str:
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class ClinicRestInput(RestInput):
    token = ""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> ClinicRestInput:
        channel = cls()
        channel.token = str((credentials or {}).get("token") or "").strip()
        return channel

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # not the caller's choice: "twilio" here would pass for an SMS

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = limit_request_size(super().blueprint(bounded(handled_once(on_new_message))))

        @blueprint.middleware("request")
        async def check_request(request: Request) -> Optional[HTTPResponse]:
            # set for every request: one connection's requests share a task, and so this variable
            current_request_id.set(request_id_from(request.headers.get(HEADER)))
            if request.method != "POST":
                return None
            if self.token and not token_matches(bearer_token(request), self.token):
                return response.json({"error": "send the server's token: Authorization: Bearer <token>"},
                                     status=401)
            raw = request.body or b""
            problem = body_problem(raw) if len(raw) <= CHECKED_ON_THE_LOOP else await off_the_loop(body_problem, raw)
            if problem == "the body is too large":
                return response.json({"error": problem}, status=413)
            if problem:
                return response.json({"error": problem, "expected": EXPECTED}, status=400)
            return None

        return blueprint
