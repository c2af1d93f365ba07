"""The web widget's channel: Rasa 3.6's Socket.IO channel with three defects fixed.

1. Rasa emits a custom payload with ``sio.emit(evt, **payload)``, which raises and
   drops the rest of the turn. Here each bot message goes out as one object:
   ``{"text", "quick_replies", "custom"}`` (custom is the payload of
   message-contract.md, unchanged), so the widget shows an answer and its sources
   together.
2. With python-socketio >= 5.10 ``enter_room`` is a coroutine that Rasa does not
   await, so with ``session_persistence`` no bot message ever arrives. Awaited here.
3. Rasa accepts any origin and any data. Here the origins are those of
   ``RASA_CORS_ORIGINS``, a session id must look like one the widget makes, and a
   message that is not text gets a clear error event instead of an exception.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.limits import bounded

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ERROR_EVENT = "bot_error"


class ClinicSocketIOOutput(SocketIOOutput):
    """One Socket.IO event per bot message, custom payload included."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        out: Dict[str, Any] = {}
        if message.get("text"):
            out["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            out["quick_replies"] = [
                {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")}
                for b in buttons
            ]
        if isinstance(message.get("custom"), dict):
            out["custom"] = message["custom"]
        if message.get("image"):
            out["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
        if out:
            await self._send_message(recipient_id, out)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


def parse_origins(value: Any) -> List[str]:
    """``"https://a.example, https://b.example"`` or a YAML list -> a list of origins."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part) for part in value or []]


class ClinicSocketIOInput(SocketIOInput):
    """Socket.IO for the widget (credentials.yml: ``bot.channels.socketio.ClinicSocketIOInput``)."""

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

    def get_output_channel(self) -> Optional[ClinicSocketIOOutput]:
        return ClinicSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def _sender_id(self, sid: str, data: Dict[str, Any]) -> Optional[str]:
        if not self.session_persistence:
            return sid
        session_id = data.get("session_id")
        return session_id if isinstance(session_id, str) and SESSION_ID.match(session_id) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = bounded(on_new_message)  # over-long messages: bot/channels/limits.py
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

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and SESSION_ID.match(requested) else uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                await sio.emit(ERROR_EVENT, {"error": "bad_message",
                                             "detail": "send {\"message\": \"<text>\", \"session_id\": \"<id>\"}"},
                               room=sid, namespace=namespace)
                return
            sender_id = self._sender_id(sid, data)
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
