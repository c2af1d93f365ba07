"""A message that nginx re-sends is handled once: the REST channel's request id.

When a Rasa instance dies after it has stored a turn but before its reply has
left, nginx re-sends the request to the next instance (``proxy_next_upstream
error timeout non_idempotent``, deploy/nginx/rasa-proxy.conf). nginx sets
``X-Request-ID: $request_id`` on every request it passes on, replacing any the
client sent, and keeps that value across its re-sends of one client request.

Here that id becomes the message's ``message_id``, which Rasa stores with the
``UserUttered`` event. Inside the conversation's lock (the one
``Agent.handle_message`` takes) the stored conversation is read first: when it
already holds a message with this id, nothing is parsed, predicted, run or
stored again, and the patient gets the replies that the first handling stored
(the bot messages after that message), so a re-send is not answered with
silence.

The id is looked up in the one conversation the message belongs to, so a
client cannot use it to drop anyone else's messages. A request without the
header (a direct REST call on one machine) is handled exactly as before.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

logger = logging.getLogger(__name__)

HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; anything else that is short and plain is accepted too
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

# The request id of the REST request being handled, set by the channel's request middleware.
current_request_id: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("rest_request_id", default=None)


def request_id_from(value: Optional[str]) -> Optional[str]:
    """The header's value when it can serve as a message id, else None (handled as without one)."""
    value = (value or "").strip()
    return value if _ACCEPTED.fullmatch(value) else None


def earlier_replies(events: Iterable[Any], message_id: str) -> Optional[List[Dict[str, Any]]]:
    """Whether the conversation already holds the message ``message_id``, and what it was answered.

    None: no message of the conversation has that id (it is new). Otherwise the bot
    messages stored after it, up to the next user message, in the form Rasa sends
    them to an output channel (``BotUttered.message()``); possibly an empty list.
    """
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            replies.append(event.message())
    return replies


def _running_agent() -> Any:
    from sanic import Sanic

    return Sanic.get_app().ctx.agent


def handled_once(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                 request_id: Callable[[], Optional[str]] = current_request_id.get,
                 agent: Any = None) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wrap a channel's ``on_new_message``: a message whose request id its conversation holds is not handled again.

    With a request id this does what Rasa's ``Agent.handle_message`` does (the
    conversation's lock, then the processor), with the look-up in between; without
    one it hands the message on unchanged.
    """

    async def handle(message: UserMessage) -> Any:
        key = request_id()
        running = agent or _running_agent()
        if not key or not running.is_ready():
            return await on_new_message(message)
        message.message_id = key
        async with running.lock_store.lock(message.sender_id):
            tracker = await running.tracker_store.retrieve(message.sender_id)
            replies = earlier_replies(tracker.events if tracker is not None else [], key)
            if replies is None:
                return await running.processor.handle_message(message)
            logger.info("A message re-sent with a request id already handled was not handled again; "
                        "%d earlier repl(ies) sent.", len(replies))
            for reply in replies:
                await message.output_channel.send_response(message.sender_id, reply)
            return None

    return handle
