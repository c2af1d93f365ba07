"""What the Rasa server and shell processes change in Rasa at start-up, in one place.

Each change is its own module, with its reasons and its tests; ``install()`` applies them all (once
per process; each is idempotent). ``bot/app/launch.py`` (the server) and ``bot/app/quiet.py`` (the
shell, ``make shell``) call it; ``bench/turn_cost.py`` applies them itself, with flags that leave
some out to measure them (``--rasa-states``, ``--whole-tracker``, ``--rasa-copies``).

It also sets aside, once the model is loaded, the objects that live as long as the process (the
model, the domain, the libraries: about 620,000 objects) from Python's garbage collector
(``gc.freeze``). Its full collections otherwise walk them all, every so often during a turn:
10.5 ms a turn on average at the end of a 300-question conversation, 0.8 ms after the freeze
(issue #17). A model loaded later (Rasa's ``PUT /model``) is collected as usual; the frozen first one
is then freed by reference counting only, which a server restarted for a new model never needs.
"""

from __future__ import annotations

import functools
import gc
import logging
from typing import Any, Callable

logger = logging.getLogger(__name__)
_installed = False


def freeze_loaded_objects() -> None:
    """Collect once, then keep everything alive now out of later collections."""
    gc.collect()
    gc.freeze()
    logger.info("%d objects loaded at start-up are set aside from garbage collection.", gc.get_freeze_count())


def _frozen_after(load: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(load)
    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        freeze_loaded_objects()
        return agent

    return load_agent_on_start


def install() -> None:
    global _installed
    if _installed:
        return
    import rasa.core.run

    from bot.rasa_ext import (
        applied_events,
        compiled_predict,
        debug_text,
        graph_runner,
        nlu_thread,
        prediction_states,
        remote_action,
        rule_index,
        tracker_copy,
    )

    remote_action.install()  # the action server's answers checked without re-checking Rasa's schema
    prediction_states.install()  # the dialogue states worked out once per prediction, gone on from turn to turn
    tracker_copy.install()  # the tracker copied before each action from its state, not by replaying it
    applied_events.install()  # a tracker's applied events worked out once per state, not at every call
    debug_text.install()  # RulePolicy's debug text of the states made only when it is logged
    rule_index.install()  # RulePolicy's first pass over its rules through an index by the last action
    nlu_thread.install()  # each message's NLU on one of two threads, the other turns going on meanwhile
    graph_runner.install()  # the model's graphs run node by node in a kept order, without dask's scheduler
    compiled_predict.install()  # DIET's compiled predict step called as its one graph
    # the model loaded at start-up, then the long-lived objects set aside from the garbage collector
    rasa.core.run.load_agent_on_start = _frozen_after(rasa.core.run.load_agent_on_start)
    _installed = True
