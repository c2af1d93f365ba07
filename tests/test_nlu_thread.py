"""A message's NLU runs on the NLU thread while the event loop goes on (bot/rasa_ext/nlu_thread.py).

The processor here is a stand-in with the four attributes ``parse_message`` uses, so that Rasa's
own ``parse_message`` and the installed one can be run on the same one and compared; the
server tests run the installed one on the trained model.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import nlu_thread

RASA_PARSE = getattr(MessageProcessor.parse_message, "__wrapped__", MessageProcessor.parse_message)
INSTALLED = nlu_thread.parsed_off_the_loop(RASA_PARSE)


class Processor:
    """What ``parse_message`` reads of a MessageProcessor; the graph may wait for the loop."""

    def __init__(self, http_interpreter: Any = None, wait_for: Optional[threading.Event] = None,
                 fail: bool = False) -> None:
        self.http_interpreter = http_interpreter
        self.calls: List[Any] = []
        self.graph_threads: List[str] = []
        self.waited: List[bool] = []
        self._wait_for = wait_for
        self._fail = fail
        self._running = 0
        self.most_at_once = 0

    def _parse_message_with_graph(self, message: UserMessage, tracker: DialogueStateTracker,
                                  only_output_properties: bool = True) -> Dict[str, Any]:
        self._running += 1
        self.most_at_once = max(self.most_at_once, self._running)
        try:
            self.graph_threads.append(threading.current_thread().name)
            self.calls.append(("graph", message.text, tracker.sender_id, len(tracker.events), only_output_properties))
            if self._wait_for is not None:
                self.waited.append(self._wait_for.wait(timeout=5))
            else:
                time.sleep(0.05)
            if self._fail:
                raise RuntimeError("the graph failed")
            return {"text": message.text, "intent": {"name": "ask_duration", "confidence": 0.9}, "entities": []}
        finally:
            self._running -= 1

    def _update_full_retrieval_intent(self, parse_data: Dict[str, Any]) -> None:
        self.calls.append(("retrieval", parse_data["text"]))

    def _check_for_unseen_features(self, parse_data: Dict[str, Any]) -> None:
        self.calls.append(("unseen", parse_data["text"]))


def test_the_graph_runs_on_the_nlu_thread_and_the_loop_goes_on_meanwhile() -> None:
    reached = threading.Event()
    processor = Processor(wait_for=reached)

    async def other_turn() -> None:
        await asyncio.sleep(0.05)  # the parse has started and is waiting for this
        reached.set()

    async def both() -> Any:
        parsed, _ = await asyncio.gather(
            INSTALLED(processor, UserMessage("how long does it take?", sender_id="p1")), other_turn())
        return parsed

    parsed = asyncio.run(both())
    assert parsed == {"text": "how long does it take?", "intent": {"name": "ask_duration", "confidence": 0.9},
                      "entities": []}
    assert processor.waited == [True]  # on the loop's thread, the wait would have run out (5 s)
    assert processor.graph_threads[0].startswith(nlu_thread.THREAD_NAME)


@pytest.mark.parametrize("tracker", [None, "given"])
def test_the_same_steps_and_result_as_rasas_own(tracker: Optional[str]) -> None:
    given = DialogueStateTracker.from_events("p2", [], None) if tracker else None
    ours, theirs = Processor(), Processor()
    message = UserMessage("will I be asleep?", sender_id="p2")
    mine = asyncio.run(INSTALLED(ours, message, given, False))
    rasas = asyncio.run(RASA_PARSE(theirs, message, given, False))
    assert mine == rasas
    assert ours.calls == theirs.calls == [("graph", "will I be asleep?", "p2", 0, False),
                                          ("retrieval", "will I be asleep?"), ("unseen", "will I be asleep?")]
    assert theirs.graph_threads == [threading.main_thread().name]  # what the installed one changes


def test_two_messages_are_read_at_once_and_never_more() -> None:
    processor = Processor()

    async def many() -> List[Any]:
        return await asyncio.gather(*(INSTALLED(processor, UserMessage(f"question {i}", sender_id=f"p{i}"))
                                      for i in range(6)))

    parsed = asyncio.run(many())
    assert [p["text"] for p in parsed] == [f"question {i}" for i in range(6)]
    assert processor.most_at_once == nlu_thread.NLU_THREADS == 2
    assert len(set(processor.graph_threads)) == 2


def test_a_failing_graph_fails_the_parse_as_under_rasa() -> None:
    processor = Processor(fail=True)
    with pytest.raises(RuntimeError, match="the graph failed"):
        asyncio.run(INSTALLED(processor, UserMessage("hello", sender_id="p3")))
    assert [c[0] for c in processor.calls] == ["graph"]


def test_an_nlu_server_is_awaited_as_rasa_does() -> None:
    class Interpreter:
        async def parse(self, message: UserMessage) -> Dict[str, Any]:
            return {"text": message.text, "intent": {"name": "greet", "confidence": 1.0}, "entities": []}

    processor = Processor(http_interpreter=Interpreter())
    parsed = asyncio.run(INSTALLED(processor, UserMessage("hi", sender_id="p4")))
    assert parsed["intent"]["name"] == "greet"
    assert processor.graph_threads == [] and [c[0] for c in processor.calls] == ["retrieval", "unseen"]


def test_install_wraps_rasas_parse_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlu_thread, "_installed", False)
    monkeypatch.setattr(MessageProcessor, "parse_message", RASA_PARSE)
    nlu_thread.install()
    installed = MessageProcessor.parse_message
    nlu_thread.install()
    assert MessageProcessor.parse_message is installed
    assert installed.__wrapped__ is RASA_PARSE  # type: ignore[attr-defined]
