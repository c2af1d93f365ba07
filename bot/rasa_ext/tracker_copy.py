"""A tracker's copy made from its state, not by replaying every event (issue #17).

Rasa 3.6's ``DialogueStateTracker.copy()`` builds a new tracker and replays every event of the
conversation into it (``travel_back_in_time``). The message processor copies the tracker before
every action it runs (``MessageProcessor._run_action``: the action gets the copy, so that a
rejected action leaves no trace), so a knowledge turn replays the whole conversation twice: 0.9 ms
each at 1,562 events, growing with the conversation (0.1 ms from the state; ``bench/turn_cost.py``).

A replay ends in a state that is a function of the events, and the tracker being copied is
already in that state: every event reached it through ``update``, which applies it the same way.
So ``state_copy`` gives the new tracker the same events (the same objects, as the replay does) and
a copy of what applying them left: the slots (each slot copied; a value that can change in place,
such as the list a list slot wraps a single value in at every replay, copied too), whether the
conversation is paused, the latest action's sub-state (its own dictionary), the active loop (its
own object: later events change it in place) and the latest user message and bot utterance (the
event objects themselves, which ``DefinePrevUserUtteredFeaturization`` changes in place, as in the
replay; where a reset left a stand-in, a copy of it sharing nothing, as the replay's reset makes a
new one and changes it the same way).
What ``init_copy`` does not carry over (the model and assistant ids, the sender's source) is left
out, as Rasa's copy leaves it out.

The follow-up action is the exception: the processor clears it on the live tracker without an
event before it runs that action (``MessageProcessor._predict_next_with_tracker``), and the action
gets a copy, which Rasa's replay makes with the follow-up still set. So the copy takes it from the
events (``replayed_followup``: the last event that sets or clears it; after a revert, the whole copy
is replayed). Nothing else of the state is set without an event in Rasa 3.6 (its processor, actions,
forms and policies); a tracker whose events were swapped in place after they were applied would be
copied as it is rather than as its events say, which Rasa's processor never does.
``tests/test_tracker_copy.py`` compares the two copies attribute by attribute at every length of
generated conversations and of the project's stories and rules, with the follow-up action cleared
the processor's way now and then.

``install()`` is called by the processes that run the Rasa server or shell
(``bot/app/launch.py``, ``bot/app/quiet.py``); it is idempotent.
"""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
    from rasa.shared.core.trackers import DialogueStateTracker

_installed = False


def _event_or_stand_in(value: Any, events: Iterable[Any]) -> Any:
    """``value`` itself when it is one of ``events`` (looked for from the end), else a copy of the
    stand-in a reset left (``UserUttered.empty()``, ``BotUttered.empty()``): the replay makes a new
    one, and ``DefinePrevUserUtteredFeaturization`` changes it in the replay as it did here."""
    if value is None:
        return None
    for event in events:
        if event is value:
            return value
    return stand_in_copy(value)


def stand_in_copy(value: Any) -> Any:
    """A copy of a stand-in event with its own entities, intent and parse data (a replay makes a new
    stand-in: nothing of it is shared, and ``EntitiesAdded`` extends its entities in place)."""
    return copy.deepcopy(value)


_IMMUTABLE = (str, int, float, bool, bytes, type(None))


def slot_copy(slot: Any) -> Any:
    """A copy of a slot whose value is its own where it can change in place: a list slot set to one
    value wraps it in a list of its own at every replay, so a copy must not share that list."""
    new = copy.copy(slot)
    if not isinstance(slot._value, _IMMUTABLE):
        new._value = copy.deepcopy(slot._value)
    return new


_REPLAY = object()  # the follow-up action depends on a revert's replay: copy by replaying


def replayed_followup(events: Sequence[Any]) -> Any:
    """The follow-up action a replay of ``events`` leaves (Rasa's processor clears the live tracker's
    without an event, before it runs that action): the last event that sets it decides. ``_REPLAY``
    when that is a revert, which replays the applied events."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        FollowupAction,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    for event in reversed(events):
        apply_to = type(event).apply_to  # what applying it does, a subclass's own or inherited
        if apply_to in (UserUttered.apply_to, ActionExecuted.apply_to):
            return None
        if apply_to is FollowupAction.apply_to:
            return event.action_name
        if apply_to is Restarted.apply_to:
            return ACTION_SESSION_START_NAME
        if apply_to is SessionStarted.apply_to:
            return ACTION_LISTEN_NAME
        if apply_to in (UserUtteranceReverted.apply_to, ActionReverted.apply_to):
            return _REPLAY
    return ACTION_LISTEN_NAME  # a new tracker's


def state_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """What ``tracker.copy()`` returns (Rasa: a new tracker with every event replayed), from its state.

    A tracker that keeps only its last events (``max_event_history``) is replayed as Rasa does: its
    state came from events it no longer holds."""
    if tracker._max_event_history is not None:
        return tracker.travel_back_in_time(float("inf"))
    new = tracker.init_copy()
    new.events.extend(tracker.events)
    new.slots = type(new.slots)((name, slot_copy(slot)) for name, slot in tracker.slots.items())
    followup = replayed_followup(tracker.events)
    if followup is _REPLAY:
        return tracker.travel_back_in_time(float("inf"))
    new._paused = tracker._paused
    new.followup_action = followup
    new.latest_action = copy.copy(tracker.latest_action)
    new.active_loop = copy.copy(tracker.active_loop)
    new.latest_message = _event_or_stand_in(tracker.latest_message, reversed(tracker.events))
    new.latest_bot_utterance = _event_or_stand_in(tracker.latest_bot_utterance, reversed(tracker.events))
    return new


def install() -> None:
    """Copy trackers from their state (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.shared.core.trackers import DialogueStateTracker

    original = DialogueStateTracker.copy

    @functools.wraps(original)
    def copy_from_state(self: DialogueStateTracker) -> DialogueStateTracker:
        return state_copy(self)

    DialogueStateTracker.copy = copy_from_state  # type: ignore[method-assign]
    _installed = True
