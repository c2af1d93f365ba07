"""Rasa's applied events worked out once per state of a tracker, not at every call (issue #17).

``DialogueStateTracker.applied_events()`` walks every event of the conversation (the events a
restart, a revert or a loop's repeated runs leave out are dropped): 1.5 ms at 1,562 events. At
the start of every turn the message processor calls it twice on the same tracker, unchanged in
between (``MessageProcessor._update_tracker_session``: whether there are any, then whether the
session has expired, through ``get_last_event_for``).

Here the answer is kept on the tracker with the event objects it was worked out from, and given
again (a new list each time, as Rasa's is) while the tracker holds the very same event objects in
the same order; any event appended, removed or put in another's place is seen, and it is worked
out again. An event object's kind and names never change once it is in a tracker, so the same
objects give the same answer.

A new turn's tracker (new event objects, read back from the tracker store) is first answered from
the dialogue steps the last turn left on it (bot/rasa_ext/prediction_states.py,
``applied_from_kept_steps``): where their applied events were, when its first events are equal to
theirs and the events since are applied as they are (no restart, session start, revert or loop
among them). Otherwise Rasa's own function walks them.

``install()`` is called by the processes that run the Rasa server or shell
(``bot/app/launch.py``, ``bot/app/quiet.py``); it is idempotent.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, List

from bot.rasa_ext.prediction_states import applied_from_kept_steps, same_events

if TYPE_CHECKING:
    from rasa.shared.core.trackers import DialogueStateTracker

_installed = False
KEPT = "_mild_applied_events"  # the tracker's attribute: (its events then, the applied ones)


def kept_applied_events(original: Callable[[DialogueStateTracker], List[Any]]) -> Callable[..., List[Any]]:
    @functools.wraps(original)
    def applied_events(self: DialogueStateTracker) -> List[Any]:
        events = tuple(self.events)
        kept = self.__dict__.get(KEPT)
        if kept is not None and same_events(kept[0], events):
            return list(kept[1])
        applied = applied_from_kept_steps(self, events)
        if applied is None:
            applied = original(self)
        self.__dict__[KEPT] = (events, tuple(applied))
        return applied

    return applied_events


def install() -> None:
    """Keep each tracker's applied events while its events are unchanged (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.shared.core.trackers import DialogueStateTracker

    DialogueStateTracker.applied_events = kept_applied_events(  # type: ignore[method-assign]
        DialogueStateTracker.applied_events)
    _installed = True
