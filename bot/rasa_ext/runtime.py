"""What the Rasa server and shell processes change in Rasa at start-up, in one place.

Each change is its own module, with its reasons and its tests; ``install()`` applies them all (once
per process; each is idempotent). ``bot/app/launch.py`` (the server) and ``bot/app/quiet.py`` (the
shell, ``make shell``) call it; ``bench/turn_cost.py`` applies them one by one to measure each.
"""

from __future__ import annotations


def install() -> None:
    from bot.rasa_ext import applied_events, debug_text, prediction_states, remote_action, tracker_copy

    remote_action.install()  # the action server's answers checked without re-checking Rasa's schema
    prediction_states.install()  # the dialogue states worked out once per prediction, gone on from turn to turn
    tracker_copy.install()  # the tracker copied before each action from its state, not by replaying it
    applied_events.install()  # a tracker's applied events worked out once per state, not at every call
    debug_text.install()  # RulePolicy's debug text of the states made only when it is logged
