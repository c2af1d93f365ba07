"""A message's NLU runs on an NLU thread, and the server goes on with other turns meanwhile.

Rasa 3.6 runs the NLU graph inside ``MessageProcessor.parse_message`` on the event loop: while
one message is read (the sentence encoder, DIET, the classifiers: about two thirds of a knowledge
question's time), no other conversation moves, not even to save its tracker or send its reply.
TensorFlow, NumPy and SQLite let go of Python's lock while they compute, so with the graph on
another thread the loop serves other turns during that time (issue #17: 10 conversations at once,
about 35 -> 40 messages a second with one NLU thread).

Two NLU threads (``NLU_THREADS``): while one message is in TensorFlow (the sentence encoder and
DIET, about 11 ms of a message's 20 ms of NLU, without Python's lock), the other message's Python
steps run. With one thread the two waited for each other: 39 -> 49 messages a second at 10
conversations at once on this 2-core machine (README, "Throughput"); a third thread added nothing
measurable. Two messages of two conversations may so be read at once (a conversation's lock is held
meanwhile, so never two of one conversation). What the graph's components share between messages
only reads what loading left, except for caches whose entries depend on their key alone (the
featurizer's word tokens) and values set once, the same by either thread (DIET's compiled predict
step, a tokenizer); TensorFlow's compiled functions may be called from several threads.
``tests/test_nlu_concurrent.py`` parses the validation set on the trained model one message at a
time and then eight at a time, and requires equal results.

The core graph (the policies) stays on the loop; the two graphs share only the domain provider,
which only reads. The rest of ``parse_message`` is Rasa's, unchanged (an HTTP NLU server,
``http_interpreter``, is awaited as Rasa does).
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Callable, Dict

from bot.rasa_ext.worker_thread import WorkerThread

THREAD_NAME = "mild-nlu"
NLU_THREADS = 2
NLU = WorkerThread(THREAD_NAME, NLU_THREADS)  # the process's NLU threads, started at the first message
_installed = False


def parsed_off_the_loop(original: Callable[..., Any]) -> Callable[..., Any]:
    """Rasa 3.6's ``parse_message`` with its graph run on one of the NLU threads."""

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
    """Read messages on the NLU threads (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.processor import MessageProcessor

    MessageProcessor.parse_message = parsed_off_the_loop(MessageProcessor.parse_message)  # type: ignore[method-assign]
    _installed = True
