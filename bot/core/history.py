"""What the action server reads of a conversation's events, and the window of them each action needs.

Rasa sends every custom-action call the conversation's state with *every* event, and the
action server reads only the end of them. These are all its readings of the events (the
actions read ``tracker.events`` only through the first three; ``tests/test_history.py``
checks that on their source, and which action calls which):

* ``times_asked(events, item)`` (``validate_sshq_form``): how often the current questionnaire
  (since the latest ``action_sshq_reset``; the whole conversation if there was none) asked
  ``item``; it reads every question asked since then;
* ``replies_to_the_question(events)`` (``validate_sshq_form``): whether the latest user message
  comes after the latest action other than the form's own run; it reads back to that event;
* ``recent_user_texts(events)`` (``action_sshq_reset``): the patient's last ``RECENT_TEXTS``
  messages since the last questionnaire ended; it reads back to the earliest of them;
* rasa-sdk's ``Tracker``, for any action: ``slots_to_validate()`` (``validate_consultation_form``)
  reads the slot events at the very end, ``get_latest_input_channel()`` the latest user
  message, ``current_state()["latest_event_time"]`` the last event.

Each reading is a walk back from the end that also gives the positions its answer depends on
(``_questions_since_reset``, ``_last_reply_or_action``, ``_recent_user_messages``, ...), so
``window_start(events, action)`` is worked out by the very walks the readings use: the events
from there on give each reading of that action the answer all the events give. An action not
in ``READINGS`` gets every reading's window. Rasa-sdk's readings that depend on older events
(``applied_events``, ``events_after_latest_restart``, ``get_last_event_for``) are not kept, and
no action uses them. Events are read in their dict form (``Event.as_dict()``, as sent).
"""

from __future__ import annotations

from typing import Any, Callable, FrozenSet, List, Mapping, Optional, Sequence

QUESTIONNAIRE_RESET = "action_sshq_reset"  # a new (or restarted) questionnaire: its questions are counted from here
QUESTIONNAIRE_ENDS = ("action_sshq_result", "action_sshq_stopped")
FORM_RUN = ("sshq_form", "action_extract_slots")  # the form's own run, before its validation is called
RECENT_TEXTS = 3
STOP_QUESTION = "utter_sshq_confirm_stop"
# "take your time" and "welcome back": the question asked after them is not counted as asked again (up to
# MAX_WAITED times for one item: a patient who keeps pausing still meets the cap, so nothing loops)
WAIT_RESPONSES = frozenset({"utter_sshq_wait", "utter_sshq_welcome_back"})
MAX_WAITED = 3

Events = Sequence[Mapping[str, Any]]


def _action(event: Mapping[str, Any]) -> Optional[str]:
    """The action's name for an action event, else None."""
    return event.get("name") if event.get("event") == "action" else None


def asked_item(event: Mapping[str, Any]) -> Optional[str]:
    """The questionnaire item a bot message asks (its question carries the item id), else None."""
    if event.get("event") != "bot":
        return None
    progress = ((event.get("data") or {}).get("custom") or {}).get("questionnaire") or {}
    return progress.get("item")


def _questions_since_reset(events: Events) -> List[int]:
    """The positions of the questions asked since the latest questionnaire reset (all of them
    if there was none), latest first."""
    found: List[int] = []
    for i in range(len(events) - 1, -1, -1):
        if _action(events[i]) == QUESTIONNAIRE_RESET:
            break
        if asked_item(events[i]) is not None:
            found.append(i)
    return found


def _last_reply_or_action(events: Events) -> Optional[int]:
    """The position of the latest user message or action other than the form's own run, if any."""
    for i in range(len(events) - 1, -1, -1):
        kind = events[i].get("event")
        if kind == "user" or (kind == "action" and events[i].get("name") not in FORM_RUN):
            return i
    return None


def _recent_user_messages(events: Events) -> List[int]:
    """The positions of the patient's last ``RECENT_TEXTS`` messages since the last questionnaire
    ended, latest first."""
    found: List[int] = []
    for i in range(len(events) - 1, -1, -1):
        if _action(events[i]) in QUESTIONNAIRE_ENDS:
            break
        if events[i].get("event") == "user":
            found.append(i)
            if len(found) >= RECENT_TEXTS:
                break
    return found


def _trailing_slots(events: Events) -> int:
    """Where the slot events at the very end begin (rasa-sdk's ``slots_to_validate`` reads them)."""
    i = len(events)
    while i > 0 and events[i - 1].get("event") == "slot":
        i -= 1
    return i


def _latest_user_message(events: Events) -> Optional[int]:
    """The latest user message's position (rasa-sdk's ``get_latest_input_channel`` reads it)."""
    return next((i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "user"), None)


def times_asked(events: Events, item: str) -> int:
    """How often the current questionnaire has asked ``item`` (its question carries the item id); a question
    asked again after "take your time" or "welcome back" is not counted, up to ``MAX_WAITED`` of them."""
    count = waited = 0
    for i in _questions_since_reset(events):
        if asked_item(events[i]) != item:
            continue
        if waited < MAX_WAITED and _said_before(events, i) in WAIT_RESPONSES:
            waited += 1
        else:
            count += 1
    return count


def _look_back(events: Events, position: int) -> int:
    """The position of the event before ``position``, past slot events (``position`` itself when there is none)."""
    i = position - 1
    while i >= 0 and events[i].get("event") == "slot":
        i -= 1
    return i if i >= 0 else position


def _said_before(events: Events, position: int) -> Optional[str]:
    """The response the bot said right before the message at ``position`` (slot events apart), if any."""
    before = events[_look_back(events, position)]
    return (before.get("metadata") or {}).get("utter_action") if before.get("event") == "bot" else None


def replies_to_the_question(events: Events) -> bool:
    """Whether the form runs on the patient's reply (True) or comes back after something else,
    such as a knowledge answer (False). Rasa hands the validation a tracker that ends with the
    form's own run, so the action before it tells."""
    last = _last_reply_or_action(events)
    if last is None or events[last].get("event") != "user":
        return False
    # the reply to "do you want to stop?" ("actually no, keep going") answers that, not the item: read as
    # an answer, it changed the item answered before
    before = _action_before(events, last)
    return before is None or _action(events[before]) != STOP_QUESTION


def _action_before(events: Events, position: int) -> Optional[int]:
    """The position of the latest action other than listening before ``position``, if any."""
    return next((i for i in range(position - 1, -1, -1) if _action(events[i]) not in (None, "action_listen")), None)


def recent_user_texts(events: Events) -> List[str]:
    """What the patient wrote since the last questionnaire ended (at most ``RECENT_TEXTS`` messages),
    latest first."""
    return [str(events[i].get("text") or "") for i in _recent_user_messages(events)]


def _times_asked_reach(events: Events) -> List[int]:
    return [_look_back(events, i) for i in _questions_since_reset(events)[-1:]]


def _replies_reach(events: Events) -> List[int]:
    last = _last_reply_or_action(events)
    if last is None:
        return []
    before = _action_before(events, last) if events[last].get("event") == "user" else None
    return [last] if before is None else [before]


def _recent_texts_reach(events: Events) -> List[int]:
    return _recent_user_messages(events)[-1:]


# How far back each reading's answer goes, and which readings each of the project's actions makes
# beyond what rasa-sdk's Tracker reads for every action (``_sdk_reach``). An action not named
# here is sent every reading's window.
_REACH: Mapping[str, Callable[[Events], List[int]]] = {
    "times_asked": _times_asked_reach,
    "replies_to_the_question": _replies_reach,
    "recent_user_texts": _recent_texts_reach,
}
READINGS: Mapping[str, FrozenSet[str]] = {
    "validate_sshq_form": frozenset({"times_asked", "replies_to_the_question"}),
    "action_sshq_reset": frozenset({"recent_user_texts"}),
    "action_sshq_result": frozenset(),
    "action_sshq_stopped": frozenset(),
    "validate_consultation_form": frozenset(),  # rasa-sdk's slots_to_validate, read for every action
    "action_submit_consultation": frozenset(),
    "action_forget_me": frozenset(),
    "action_understand": frozenset(),
}
EVERY_READING = frozenset(_REACH)


def _sdk_reach(events: Events) -> List[int]:
    """What rasa-sdk's Tracker reads of the events for any action: the last event (``latest_event_time``),
    the slot events at the very end (``slots_to_validate``), the latest user message
    (``get_latest_input_channel``)."""
    latest_user = _latest_user_message(events)
    return [len(events) - 1, _trailing_slots(events), *([] if latest_user is None else [latest_user])]


def window_start(events: Events, action: Optional[str] = None) -> int:
    """The position of the first event ``action`` reads (any action's, without one): the events from
    here on give each of its readings the answer all of ``events`` gives (0 when it needs them all)."""
    reaches = _sdk_reach(events)
    for reading in sorted(READINGS.get(action or "", EVERY_READING)):
        reaches += _REACH[reading](events)
    return max(0, min(reaches))
