"""Bounded input, checked by every channel before the NLU pipeline sees a message.

- **Message length**: a message over ``MAX_MESSAGE_CHARS`` is not handed to Rasa
  at all (so nothing of it is classified or stored). The patient gets the domain
  response ``utter_message_too_long`` (custom payload ``{"input": "too_long"}``)
  and the conversation stays where it was. A red-flag or crisis report in such a
  message is still answered: the first ``SAFETY_SCAN_CHARS`` are read by
  ``bot.core.safety`` and its alert response is sent first.
- **Request body**: ``MAX_BODY_BYTES`` (Sanic refuses bigger bodies with 413;
  the widget's Socket.IO frames have their own 1 MB limit).
- **JSON depth**: ``json_depth_problem`` refuses JSON nested deeper than
  ``MAX_JSON_DEPTH`` before ``json.loads`` can hit Python's recursion limit.

The work that grows with an oversized input (the safety scan of an over-long message: about
220 ms for its first 20,000 characters; the checks of a large REST body) runs on a thread of its
own, ``off_the_loop``, one at a time: on the event loop it held every other conversation up for
that long, several times a turn when others kept sending 1 MB messages (README, "Throughput
beside a stock Rasa bot").
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar

from rasa.core.channels.channel import UserMessage

from bot.core import language, names, safety
from bot.rasa_ext.worker_thread import WorkerThread

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = language.MAX_MESSAGE_CHARS
MAX_BODY_BYTES = 2 * 1024 * 1024  # a 1 MB message still gets its friendly reply; nginx: 2m too
MAX_JSON_DEPTH = 20
SAFETY_SCAN_CHARS = 20_000
TOO_LONG_RESPONSE = names.UTTER_MESSAGE_TOO_LONG
ALERT_RESPONSES = {safety.Alert.EMERGENCY: names.UTTER_EMERGENCY, safety.Alert.CRISIS: names.UTTER_CRISIS}
LONG_INPUT_THREAD = "mild-long-input"
LONG_INPUT = WorkerThread(LONG_INPUT_THREAD)  # started at the first oversized input
T = TypeVar("T")


async def off_the_loop(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` on the long-input thread, the event loop serving other conversations meanwhile."""
    return await LONG_INPUT.run(work, *args)


def too_long(text: Optional[str]) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS


def responses_for_long_message(text: str) -> List[str]:
    """The domain responses that answer an over-long message: an alert first, if it reports one."""
    alert = safety.assess(text[:SAFETY_SCAN_CHARS]).alert
    return ([ALERT_RESPONSES[alert]] if alert in ALERT_RESPONSES else []) + [TOO_LONG_RESPONSE]


def json_depth_problem(raw: bytes, limit: int = MAX_JSON_DEPTH) -> Optional[str]:
    """Say so when brackets outside strings nest deeper than ``limit`` (no parsing needed)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return f"the JSON is nested more than {limit} levels deep"
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return None


def _running_agent() -> Any:
    from sanic import Sanic

    return Sanic.get_app().ctx.agent


async def answer_too_long(message: UserMessage, agent: Any = None) -> None:
    """Send the responses for an over-long message, rendered by the server's NLG (clinic values filled in)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    agent = agent or _running_agent()
    tracker = DialogueStateTracker(message.sender_id or "", agent.domain.slots if agent.domain else [])
    for name in await off_the_loop(responses_for_long_message, message.text or ""):
        rendered: Optional[Dict[str, Any]] = await agent.nlg.generate(name, tracker, message.input_channel or "")
        if rendered and message.output_channel is not None:
            await message.output_channel.send_response(message.sender_id, rendered)


def bounded(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wrap a channel's ``on_new_message``: over-long messages are answered here and never reach Rasa."""

    async def handle(message: UserMessage) -> Any:
        if too_long(message.text):
            logger.info("A message of %d characters was refused (limit %d).", len(message.text or ""),
                        MAX_MESSAGE_CHARS)
            await answer_too_long(message)
            return None
        return await on_new_message(message)

    return handle


def limit_request_size(blueprint: Any) -> Any:
    """Lower the server's request size limit (Sanic's default is 100 MB) to ``MAX_BODY_BYTES``: 413 above it."""

    @blueprint.listener("before_server_start")
    async def limit(app: Any, _loop: Any) -> None:
        if app.config.REQUEST_MAX_SIZE > MAX_BODY_BYTES:
            app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    return blueprint
