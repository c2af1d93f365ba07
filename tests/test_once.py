"""A message re-sent with the same request id is handled once (bot/rasa_ext/channels/once.py).

The look-up over stored events, and the wrapper around a channel's ``on_new_message``
with a fake agent: no server needed. tests/test_resend.py does the same against a
real Rasa server.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.channels.once import earlier_replies, handled_once, request_id_from


def bot(text: str, **data: Any) -> BotUttered:
    return BotUttered(text, data)


CONVERSATION = [
    SessionStarted(),
    ActionExecuted("action_listen"),
    UserUttered("hi", message_id="r1"),
    bot("Hello!"),
    ActionExecuted("action_listen"),
    UserUttered("can you check my symptoms?", message_id="r2"),
    SlotSet("questionnaire", "started"),
    bot("This is not a diagnosis.", custom={"questionnaire": {"item": "red_flags"}}),
    bot("Any numbness?", buttons=[{"title": "Yes", "payload": "/affirm"}]),
    ActionExecuted("action_listen"),
    UserUttered("yes", message_id="r3"),
    ActionExecuted("action_listen"),
]


def test_a_new_id_is_not_a_repeat() -> None:
    assert earlier_replies(CONVERSATION, "r9") is None
    assert earlier_replies([], "r1") is None


def test_a_repeat_gets_the_bot_messages_stored_after_it_and_before_the_next_message() -> None:
    replies = earlier_replies(CONVERSATION, "r2")
    assert [r["text"] for r in replies] == ["This is not a diagnosis.", "Any numbness?"]
    assert replies[0]["custom"] == {"questionnaire": {"item": "red_flags"}}
    assert replies[1]["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
    assert [r["text"] for r in earlier_replies(CONVERSATION, "r1")] == ["Hello!"]


def test_a_repeat_that_was_answered_with_nothing_is_still_a_repeat() -> None:
    assert earlier_replies(CONVERSATION, "r3") == []


def test_only_plain_short_header_values_serve_as_message_ids() -> None:
    assert request_id_from("224ba14732911a8a6cdf5b6df1293ebc") == "224ba14732911a8a6cdf5b6df1293ebc"
    assert request_id_from(" 9f-1 ") == "9f-1"
    for unusable in (None, "", "   ", "a b", "x" * 129, "id\nX-Other: 1", "ü"):
        assert request_id_from(unusable) is None, unusable


class FakeAgent:
    """What handled_once uses of Rasa's Agent: a lock store, a tracker store, a processor."""

    def __init__(self, events: List[Any]) -> None:
        self.events = events
        self.handled: List[UserMessage] = []
        self.locked: List[str] = []
        self.lock_store = self
        self.tracker_store = self
        self.processor = self

    def is_ready(self) -> bool:
        return True

    @asynccontextmanager
    async def lock(self, sender_id: str) -> AsyncIterator[None]:
        self.locked.append(sender_id)
        yield None

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return DialogueStateTracker.from_events(sender_id, self.events) if self.events else None

    async def handle_message(self, message: UserMessage) -> None:
        assert self.locked, "handled outside the conversation's lock"
        self.handled.append(message)
        self.events.append(UserUttered(message.text, message_id=message.message_id))
        await message.output_channel.send_response(message.sender_id, {"text": "handled"})


def run(agent: FakeAgent, text: str, request_id: Optional[str]) -> List[Dict[str, Any]]:
    passed_on: List[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        passed_on.append(message)

    collector = CollectingOutputChannel()
    handle = handled_once(on_new_message, request_id=lambda: request_id, agent=agent)
    asyncio.run(handle(UserMessage(text, collector, "c1")))
    return ["on_new_message" for _ in passed_on] + [m["text"] for m in collector.messages if m.get("text")]


def test_a_new_message_with_an_id_is_handled_in_the_lock_and_stored_with_that_id() -> None:
    agent = FakeAgent(list(CONVERSATION))
    assert run(agent, "no", "r4") == ["handled"]
    assert agent.locked == ["c1"] and [m.message_id for m in agent.handled] == ["r4"]


def test_a_repeat_is_answered_with_the_earlier_replies_and_not_handled_again() -> None:
    agent = FakeAgent(list(CONVERSATION))
    assert run(agent, "can you check my symptoms?", "r2") == ["This is not a diagnosis.", "Any numbness?"]
    assert agent.handled == [] and len(agent.events) == len(CONVERSATION)


def test_the_second_send_of_a_new_message_is_the_repeat() -> None:
    agent = FakeAgent(list(CONVERSATION))
    assert run(agent, "no", "r4") == ["handled"]
    assert run(agent, "no", "r4") == []  # what the first handling stored: no bot message in this fake
    assert len(agent.handled) == 1


def test_without_an_id_the_message_goes_on_as_before() -> None:
    agent = FakeAgent(list(CONVERSATION))
    assert run(agent, "hi", None) == ["on_new_message"]
    assert agent.locked == [] and agent.handled == []
