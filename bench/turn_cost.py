"""Where a turn's time goes, at the start and at the end of one long conversation (issue #17).

One patient asks ``--turns`` knowledge questions (300 by default) of the trained model,
in process (Rasa's Agent with the project's endpoints.yml: the SQL tracker store on a
throw-away SQLite file, the real action server of harness/), and the whole turns are timed.
Then a second patient does the same, and for the first and the last 20 turns, right after
each turn, each part Rasa runs is timed again on the same state (in a conversation of its own,
because that work between turns would make the next turn pay for the garbage collector):

- ``nlu``: parsing the message;
- ``retrieve``: loading the conversation from the tracker store (every turn does);
- ``predict``: the policies choosing the next action for that tracker;
- ``action server``: one custom-action call with that tracker (what each form step or
  ``action_understand`` costs; only the events the action server reads are sent,
  ``bot/rasa_ext/remote_action.py``, or the whole tracker with ``--whole-tracker``);
- ``save``: saving the tracker (no new events: the store's own check);

and prints the medians, turn 1-20 against turn 281-300, with the whole turn's. Then it times
the last tracker's prediction with Rasa's own featurisation and with the states shared within
the prediction (``bot/rasa_ext/prediction_states.py``), alternating, which a machine whose load
changes during the run cannot tilt (``--rasa-states`` runs the whole bench without them), and the
last tracker's custom-action call with the whole tracker sent and with only the events read, also
alternating, and the last tracker's copy by Rasa's replay and from its state
(``bot/rasa_ext/tracker_copy.py``; ``--rasa-copies`` runs the whole bench with Rasa's copies, applied
events and debug text, without bot/rasa_ext/applied_events.py and debug_text.py either, and without
the loaded objects set aside from the garbage collector, bot/rasa_ext/runtime.py).
Run with ``make bench`` (after the other figures) or ``python bench/turn_cost.py [--turns N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import threads  # noqa: E402

threads.one_thread_each(os.environ)  # as the server runs (bot/app/threads.py): before NumPy and TensorFlow load

from harness.scripted import QUESTIONS  # noqa: E402
from harness.stack import Stack  # noqa: E402

WINDOW = 20
PARTS = ("nlu", "retrieve", "predict", "action server", "save")
COMPARE = 21


async def _ms(work: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await work()
    return (time.perf_counter() - start) * 1000


async def _sync(call: Callable[..., object], *args: Any) -> None:
    """A synchronous call as an awaitable, for ``_ms``."""
    call(*args)


async def measure(turns: int, stack: Stack, database: Path, shared_states: bool = True,
                  slim_calls: bool = True, state_copies: bool = True) -> Dict[str, List[List[float]]]:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_ext import (
        applied_events,
        debug_text,
        nlu_thread,
        prediction_states,
        remote_action,
        runtime,
        tracker_copy,
    )

    remote_action.install()  # as the Rasa server runs (bot/app/launch.py)
    nlu_thread.install()
    if state_copies:
        tracker_copy.install()
        applied_events.install()
        debug_text.install()
    slim = RemoteAction._action_call_format
    whole = slim.__wrapped__  # type: ignore[attr-defined]  # Rasa's own request, with every event
    if not slim_calls:
        RemoteAction._action_call_format = whole  # type: ignore[method-assign]
    if shared_states:
        prediction_states.install()
    os.environ.update({**stack.env(), "DATABASE_URL": f"sqlite:///{database}"})
    logging.basicConfig(level=logging.WARNING)
    for name in ("rasa", "bot", "tensorflow"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # Rasa's structlog debug lines (every slot, every tracker state the rule policy looks at)
    # are printed unless structlog is configured, as the server does at start-up: without this
    # the bench timed printing them (13 ms a turn at the start, growing with the conversation)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = await load_agent(model_path=str(ROOT / "models"),
                             endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")))
    if state_copies:  # as the server does once the model is loaded (bot/rasa_ext/runtime.py)
        runtime.freeze_loaded_objects()
    processor = agent.processor
    assert processor is not None and agent.tracker_store is not None
    early, late = list(range(WINDOW)), list(range(max(WINDOW, turns - WINDOW), turns))
    figures: Dict[str, List[List[float]]] = {part: [[], []] for part in ("turn", *PARTS)}
    # whole turns in a conversation of their own: nothing runs between them, as on the server
    for turn in range(turns):
        text = QUESTIONS[turn % len(QUESTIONS)]
        took = await _ms(lambda text=text: agent.handle_text(text, sender_id="turn-cost"))
        if turn in early or turn in late:
            figures["turn"][0 if turn in early else 1].append(took)
    # each part timed again after the turns of a second conversation (its own work between turns, a full
    # replay among it, would add the garbage collector's work to the next turn: not the first figures)
    sender = "turn-cost-parts"
    for turn in range(turns):
        text = QUESTIONS[turn % len(QUESTIONS)]
        await agent.handle_text(text, sender_id=sender)
        if turn not in early and turn not in late:
            continue
        at = 0 if turn in early else 1
        figures["nlu"][at].append(await _ms(lambda text=text: agent.parse_message(text)))
        start = time.perf_counter()
        tracker = await agent.tracker_store.retrieve(sender)
        figures["retrieve"][at].append((time.perf_counter() - start) * 1000)
        figures["predict"][at].append(await _ms(lambda tracker=tracker: _sync(processor.predict_next_with_tracker, tracker)))
        action = RemoteAction("action_understand", processor.action_endpoint)
        figures["action server"][at].append(await _ms(
            lambda tracker=tracker, action=action: action.run(CollectingOutputChannel(), processor.nlg, tracker,
                                                              agent.domain)))
        figures["save"][at].append(await _ms(lambda tracker=tracker: agent.tracker_store.save(tracker)))
    last = await agent.tracker_store.retrieve(sender)
    assert last is not None
    figures["events"] = [[float(len(last.events))], []]
    if shared_states:  # the last tracker's prediction with Rasa's states and with the shared ones, alternating
        from rasa.core.processor import MessageProcessor

        shared = MessageProcessor._predict_next_with_tracker
        rasa = shared.__wrapped__  # type: ignore[attr-defined]  # outside a prediction: Rasa's own states
        figures["alternating"] = [[], []]
        for _ in range(COMPARE):
            figures["alternating"][0].append(await _ms(lambda: _sync(rasa, processor, last)))
            figures["alternating"][1].append(await _ms(lambda: _sync(shared, processor, last)))
    if slim_calls:  # the last tracker's action call with every event sent and with only those read, alternating
        figures["alternating calls"] = [[], []]
        action = RemoteAction("action_understand", processor.action_endpoint)
        for _ in range(COMPARE):
            for at, request in enumerate((whole, slim)):
                RemoteAction._action_call_format = request  # type: ignore[method-assign]
                figures["alternating calls"][at].append(await _ms(
                    lambda: action.run(CollectingOutputChannel(), processor.nlg, last, agent.domain)))
        RemoteAction._action_call_format = slim  # type: ignore[method-assign]
    if state_copies:  # the last tracker copied by Rasa's replay and from its state, alternating
        replayed = DialogueStateTracker.copy.__wrapped__  # type: ignore[attr-defined]
        figures["alternating copies"] = [[], []]
        for _ in range(COMPARE):
            figures["alternating copies"][0].append(await _ms(lambda: _sync(replayed, last)))
            figures["alternating copies"][1].append(await _ms(lambda: _sync(tracker_copy.state_copy, last)))
    return figures


def report(figures: Dict[str, List[List[float]]], turns: int) -> None:
    print(f"one conversation of {turns} knowledge questions ({int(figures['events'][0][0])} events at the end);"
          f" median ms of turns 1-{WINDOW} and {turns - WINDOW + 1}-{turns}:")
    print(f"  {'part':16} {'first':>8} {'last':>8} {'last/first':>11}")
    for part in ("turn", *PARTS):
        first, last = (statistics.median(v) for v in figures[part])
        print(f"  {part:16} {first:8.1f} {last:8.1f} {last / first if first else float('nan'):10.2f}x")
    first, last = (statistics.mean(v) for v in figures["turn"])
    print(f"  {'turn (mean)':16} {first:8.1f} {last:8.1f} {last / first if first else float('nan'):10.2f}x")
    if "alternating" in figures:
        rasa, shared = (statistics.median(v) for v in figures["alternating"])
        print(f"the last tracker's prediction, {COMPARE} times each, alternating: Rasa's states {rasa:.1f} ms,"
              f" shared within the prediction (bot/rasa_ext/prediction_states.py) {shared:.1f} ms")
    if "alternating calls" in figures:
        whole, slim = (statistics.median(v) for v in figures["alternating calls"])
        print(f"the last tracker's custom-action call, {COMPARE} times each, alternating: every event sent"
              f" {whole:.1f} ms, only the events the action server reads (bot/rasa_ext/remote_action.py) {slim:.1f} ms")
    if "alternating copies" in figures:
        replayed, from_state = (statistics.median(v) for v in figures["alternating copies"])
        print(f"the last tracker's copy (made before each action), {COMPARE} times each, alternating: every event"
              f" replayed {replayed:.2f} ms, from its state (bot/rasa_ext/tracker_copy.py) {from_state:.2f} ms")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--rasa-states", action="store_true",
                        help="without bot/rasa_ext/prediction_states.py (Rasa featurising once per policy call),"
                             " to compare before and after")
    parser.add_argument("--rasa-copies", action="store_true",
                        help="copy trackers by replaying every event, walk the applied events at every"
                             " call and format RulePolicy's debug text, as Rasa does (without"
                             " bot/rasa_ext/tracker_copy.py, applied_events.py and debug_text.py),"
                             " to compare before and after")
    parser.add_argument("--whole-tracker", action="store_true",
                        help="send the action server every event, as Rasa does (without the window of"
                             " bot/rasa_ext/remote_action.py), to compare before and after")
    args = parser.parse_args(argv)
    if args.turns < 2 * WINDOW:
        parser.error(f"--turns must be at least {2 * WINDOW}")
    with tempfile.TemporaryDirectory(prefix="mild-turn-cost-") as folder:
        stack = Stack(workdir=Path(folder))
        stack.start_actions()
        try:
            figures = asyncio.run(measure(args.turns, stack, Path(folder) / "rasa.db",
                                          shared_states=not args.rasa_states,
                                          slim_calls=not args.whole_tracker,
                                          state_copies=not args.rasa_copies))
        finally:
            stack.stop()
    report(figures, args.turns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
