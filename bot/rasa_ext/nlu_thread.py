"""A message's NLU runs on a thread of its own, and the server goes on with other turns meanwhile.

Rasa 3.6 runs the NLU graph inside ``MessageProcessor.parse_message`` on the event loop: while
one message is read (the sentence encoder, DIET, the classifiers: about two thirds of a knowledge
question's time), no other conversation moves, not even to save its tracker or send its reply.
TensorFlow, NumPy and SQLite let go of Python's lock while they compute, so with the graph on
another thread the loop serves other turns during that time (issue #17: 10 conversations at once,
about 35 -> 40 messages a second with this change alone; README, "Throughput").

One thread, so the NLU components never run two messages at once, as under Rasa: none of them
has to be safe for threads. The conversation's lock is held meanwhile, as before, so its tracker
is not touched elsewhere. The core graph (the policies) stays on the loop; the two graphs share
only the domain provider, which only reads. The rest of ``parse_message`` is Rasa's, unchanged
(an HTTP NLU server, ``http_interpreter``, is awaited as Rasa does).
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Callable, Dict

from bot.rasa_ext.worker_thread import WorkerThread

THREAD_NAME = "mild-nlu"
NLU = WorkerThread(THREAD_NAME)  # the process's one NLU thread, started at the first message
_installed = False


def parsed_off_the_loop(original: Callable[..., Any]) -> Callable[..., Any]:
    """Rasa 3.6's ``parse_message`` with its graph run on the NLU thread."""

    @functools.wraps(original)
    async def parse_message(self: Any, message: Any, tracker: Any = None,
                            only_output_properties: bool = True) -> Dict[str, Any]:
        if self.http_interpreter:
            return await original(self, message, tracker, only_output_properties)
        from rasa.core.processor import structlogger
        from rasa.shared.core.trackers import DialogueStateTracker

        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        parse_data = await NLU.run(self._parse_message_with_graph, message, tracker, only_output_properties)
        self._update_full_retrieval_intent(parse_data)
        structlogger.debug(
            "processor.message.parse",
            parse_data_text=copy.deepcopy(parse_data["text"]),
            parse_data_intent=parse_data["intent"],
            parse_data_entities=copy.deepcopy(parse_data["entities"]),
        )
        self._check_for_unseen_features(parse_data)
        return parse_data

    return parse_message


def install() -> None:
    """Read messages on the NLU thread (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.processor import MessageProcessor

    MessageProcessor.parse_message = parsed_off_the_loop(MessageProcessor.parse_message)  # type: ignore[method-assign]
    _installed = True
