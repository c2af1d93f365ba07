"""The web widget's channel: Rasa 3.6's Socket.IO channel, made safe and standard.

1. **Standard message shapes.** Each bot message goes out the way Rasa's stock
   Socket.IO channel sends text: ``{"text"}``, or ``{"text", "quick_replies"}``
   when it has buttons, so every Socket.IO widget (rasa-webchat included) shows
   it. Its custom payload (message-contract.md, unchanged) follows right after,
   in the same turn, as a message of its own: ``{"custom": {...}}``. The
   clinic's widget (web/widget.js) joins the two again. Rasa's own
   ``send_custom_json`` raised and dropped the rest of the turn.
2. **A conversation id is not a credential.** ``session_request`` answers with a
   signed token (bot/rasa_ext/channels/web_session.py), and only that token resumes a conversation:
   an id alone, or any other string, gets a fresh one. The connection is bound to
   its conversation there; ``session_id`` in a later message cannot move it.
3. **One CORS layer.** The origins of ``RASA_CORS_ORIGINS`` are checked here, by
   python-engineio, for polling and WebSocket alike (Rasa's ``--cors`` must not be
   set as well: two ``Access-Control-Allow-Origin`` headers make browsers refuse).
4. With python-socketio >= 5.10 ``enter_room`` is a coroutine that Rasa does not
   await: awaited here. A message that is not text gets an error event instead of
   an exception. "Start over" and "delete my data" send ``conversation_cleared``,
   so the widget forgets the history it kept in the browser.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.core import names
from bot.rasa_ext.channels import web_session
from bot.rasa_ext.channels.limits import bounded

logger = logging.getLogger(__name__)

ERROR_EVENT = "bot_error"
CLEARED_EVENT = "conversation_cleared"
# responses after which the conversation's history is gone (start over, forget me)
CLEARING_RESPONSES = frozenset({names.UTTER_RESTART, names.UTTER_FORGOTTEN})


def socketio_messages(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One bot message of Rasa -> the Socket.IO messages that carry it, in order."""
    out: List[Dict[str, Any]] = []
    text = message.get("text") or ""
    buttons = message.get("quick_replies") or message.get("buttons") or []
    if buttons:
        out.append({"text": text, "quick_replies": [
            {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in buttons]})
    elif text:
        out.append({"text": text})
    if isinstance(message.get("custom"), dict) and message["custom"]:
        out.append({"custom": message["custom"]})
    if message.get("image"):
        out.append({"attachment": {"type": "image", "payload": {"src": message["image"]}}})
    return out


class ClinicSocketIOOutput(SocketIOOutput):
    """Stock message shapes; the custom payload as a message of its own."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        for out in socketio_messages(message):
            await self._send_message(recipient_id, out)
        if message.get("utter_action") in CLEARING_RESPONSES:
            await self.sio.emit(CLEARED_EVENT, {}, room=recipient_id)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


def parse_origins(value: Any) -> List[str]:
    """``"https://a.example, https://b.example"`` or a YAML list -> a list of origins."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part) for part in value or []]


class ClinicSocketIOInput(SocketIOInput):
    """Socket.IO for the widget (credentials.yml: ``bot.rasa_ext.channels.socketio.ClinicSocketIOInput``)."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> ClinicSocketIOInput:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            bool(credentials.get("session_persistence", True)),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )
        channel.allowed_origins = parse_origins(credentials.get("cors_allowed_origins"))
        return channel

    allowed_origins: List[str] = []
    _secret: Optional[bytes] = None

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = web_session.load_secret()
        return self._secret

    def get_output_channel(self) -> Optional[ClinicSocketIOOutput]:
        return ClinicSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = bounded(on_new_message)  # over-long messages: bot/rasa_ext/channels/limits.py
        _ = self.secret  # a bad secret stops start-up, not the first patient
        # an empty list would switch python-engineio's origin check off: same-origin then
        origins: Any = self.allowed_origins or None
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins)
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self.jwt_key:
                return True
            from rasa.core.channels.channel import decode_bearer_token

            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        async def bind(sid: str, token: Any) -> str:
            """Join the conversation ``token`` resumes, or a fresh one; the token to use."""
            conversation = web_session.conversation_of(self.secret, token)
            if conversation is None:
                token = web_session.new_token(self.secret)
                conversation = web_session.conversation_of(self.secret, token)
            async with sio.session(sid, namespace=namespace) as session:
                old = session.get("conversation")
                session["conversation"] = conversation
            if old and old != conversation:
                await sio.leave_room(sid, old, namespace=namespace)
            await sio.enter_room(sid, conversation, namespace=namespace)
            return token

        async def bound(sid: str) -> Optional[str]:
            if not self.session_persistence:
                return sid
            session = await sio.get_session(sid, namespace=namespace)
            return session.get("conversation")

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            if not self.session_persistence:
                await sio.emit("session_confirm", sid, room=sid, namespace=namespace)
                return
            requested = data.get("session_id") if isinstance(data, dict) else None
            token = await bind(sid, requested)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                await sio.emit(ERROR_EVENT, {"error": "bad_message",
                                             "detail": "send {\"message\": \"<text>\", \"session_id\": \"<token>\"}"},
                               room=sid, namespace=namespace)
                return
            sender_id = await bound(sid)
            if sender_id is None and web_session.conversation_of(self.secret, data.get("session_id")):
                # a client that skipped session_request but holds a valid token
                await bind(sid, data["session_id"])
                sender_id = await bound(sid)
            if sender_id is None:
                await sio.emit(ERROR_EVENT, {"error": "no_session",
                                             "detail": "ask for a session with session_request first"},
                               room=sid, namespace=namespace)
                return
            metadata = data.get(self.metadata_key)
            message = UserMessage(
                data.get("message", ""),
                ClinicSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        return blueprint
