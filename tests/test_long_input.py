"""Oversized input is checked on the long-input thread, and the event loop goes on meanwhile.

bot/rasa_ext/channels/limits.py: the safety scan of an over-long message (about 220 ms for its
first 20,000 characters) and the checks of a large REST body held every other conversation up
while they ran on the loop. Here each is made to wait until another coroutine has run: on the
loop's own thread that wait would run out.
"""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.core import names
from bot.rasa_ext.channels import limits, rest
from bot.rasa_ext.worker_thread import WorkerThread


def waits_for(reached: threading.Event, record: List[str], result: Any) -> Callable[..., Any]:
    def work(*args: Any) -> Any:
        record.append(threading.current_thread().name)
        record.append("reached" if reached.wait(timeout=5) else "timed out")
        return result
    return work


async def other_turn(reached: threading.Event) -> None:
    await asyncio.sleep(0.05)  # the check has started and waits for this
    reached.set()


class Nlg:
    async def generate(self, name: str, tracker: Any, channel: str) -> Optional[Dict[str, Any]]:
        return {"text": name}


def test_the_safety_scan_of_an_over_long_message_runs_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    reached, record = threading.Event(), []
    monkeypatch.setattr(limits, "responses_for_long_message",
                        waits_for(reached, record, [names.UTTER_EMERGENCY, names.UTTER_MESSAGE_TOO_LONG]))
    channel = CollectingOutputChannel()
    message = UserMessage("x" * (limits.MAX_MESSAGE_CHARS + 1), channel, sender_id="p1", input_channel="rest")
    agent = SimpleNamespace(domain=None, nlg=Nlg())

    async def both() -> None:
        await asyncio.gather(limits.answer_too_long(message, agent), other_turn(reached))

    asyncio.run(both())
    assert record[0].startswith(limits.LONG_INPUT_THREAD) and record[1] == "reached"
    assert [m["text"] for m in channel.messages] == [names.UTTER_EMERGENCY, names.UTTER_MESSAGE_TOO_LONG]


def check_request(monkeypatch: pytest.MonkeyPatch, body: bytes, problem: Optional[str], wait: bool = True) -> List[str]:
    """Run the REST channel's request check on ``body``; what the body check recorded."""
    reached, record = threading.Event(), []
    if not wait:
        reached.set()  # a check on the loop itself must not wait for the loop
    monkeypatch.setattr(rest, "body_problem", waits_for(reached, record, problem))

    async def on_new_message(message: UserMessage) -> None:
        return None

    blueprint = rest.ClinicRestInput().blueprint(on_new_message)
    [middleware] = [m.middleware for m in blueprint._future_middleware if m.attach_to == "request"]
    request = SimpleNamespace(method="POST", headers={}, body=body)

    async def both() -> Any:
        answer, _ = await asyncio.gather(middleware(request), other_turn(reached))
        return answer

    answer = asyncio.run(both())
    record.append("refused" if answer is not None else "passed")
    return record


def test_a_large_rest_body_is_checked_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    large = b'{"sender": "p2", "message": "' + b"a" * (rest.CHECKED_ON_THE_LOOP + 1) + b'"}'
    record = check_request(monkeypatch, large, None)
    assert record[0].startswith(limits.LONG_INPUT_THREAD) and record[1:] == ["reached", "passed"]
    # what the check finds still decides
    assert check_request(monkeypatch, large, "the body is not JSON")[1:] == ["reached", "refused"]


def test_a_small_rest_body_is_checked_on_the_loop_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    record = check_request(monkeypatch, b'{"sender": "p3", "message": "hello"}', None, wait=False)
    assert record == [threading.main_thread().name, "reached", "passed"]
    assert check_request(monkeypatch, b"[]", "the body is not a JSON object", wait=False)[2] == "refused"


def test_off_the_loop_returns_the_result_and_raises_the_error() -> None:
    assert asyncio.run(limits.off_the_loop(lambda a, b: a + b, 2, 3)) == 5

    def fails() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        asyncio.run(limits.off_the_loop(fails))


@pytest.mark.parametrize("threads", [1, 2])
def test_a_worker_starts_at_first_use_and_runs_as_many_pieces_of_work_at_once_as_its_threads(threads: int) -> None:
    worker = WorkerThread("mild-test-worker", threads)
    assert not [t for t in threading.enumerate() if t.name.startswith("mild-test-worker")]  # nothing started yet
    running, most = [0], [0]
    lock = threading.Lock()

    def work(i: int) -> str:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        threading.Event().wait(0.05)
        with lock:
            running[0] -= 1
        return f"{threading.current_thread().name}:{i}"

    async def many() -> List[str]:
        return await asyncio.gather(*(worker.run(work, i) for i in range(5)))

    done = asyncio.run(many())
    assert [d.split(":")[1] for d in done] == [str(i) for i in range(5)]
    assert len({d.split(":")[0] for d in done}) == threads and done[0].startswith("mild-test-worker")
    assert most[0] == threads
    worker.executor().shutdown()


def test_a_worker_needs_a_thread() -> None:
    with pytest.raises(ValueError):
        WorkerThread("mild-test-worker", 0)
