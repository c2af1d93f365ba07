"""The tracker's dialogue states worked out once per prediction, not once per policy call.

Every prediction, Rasa 3.6 featurises the whole conversation (``Domain.states_for_tracker_history``:
replaying every applied event into a fresh tracker and taking its state before each action) three
times over: RulePolicy for the intent and again for the text, MemoizationPolicy once more (it then
keeps only its last ``max_history`` states). At the end of a 300-question conversation (1,560
events) this was about three quarters of the prediction's 42 ms (issue #17).

Rasa's function is two parts. The first, the costly one, replays the tracker's applied events
(``generate_all_prior_trackers``) and reads, before each action and at the end: the state
(``get_active_state``, which depends only on ``omit_unset_slots``), the action's
``hide_rule_turn``, whether a follow-up action was pending, whether the last action was the
active loop, and the last action's sub-state. The second, cheap one, applies the flags
``ignore_rule_only_turns`` and ``rule_only_data`` to those steps. Here, while one prediction runs
(``MessageProcessor._predict_next_with_tracker``: one synchronous run of the policy graph), the
first part's steps are kept per tracker, domain and ``omit_unset_slots``, and every call runs
Rasa's second part, line for line, on fresh copies of them: the same states, with the same
sharing of sub-dictionaries between states, that Rasa's own function returns, which the
featurisers then change in place. A call made with a tracker whose event objects are not the
ones the steps were taken from, or outside a prediction, runs Rasa's own function.

The kept steps live in a ``contextvars`` variable set for the length of one prediction, so
nothing is kept between turns or shared between conversations, instances or asyncio tasks.
Not done: keeping the steps from one turn to the next. Rasa changes events in place after they
are stored in the tracker (``DefinePrevUserUtteredFeaturization`` rewrites the latest user
message's ``use_text_for_featurization``, which earlier states read), and which events are
applied depends on events that come later (a loop's repeated executions are undone once an
``ActiveLoop`` of that name appears anywhere): an unchanged prefix of events does not always
give unchanged states.

``install()`` is called by the processes that run the Rasa server or shell
(``bot/app/launch.py``, ``bot/app/quiet.py``); it is idempotent.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from rasa.shared.core.domain import Domain, State
    from rasa.shared.core.trackers import DialogueStateTracker

_installed = False


@dataclass(frozen=True)
class Step:
    """What Rasa's featurisation reads of the replayed tracker before one action (or at the end)."""

    state: Optional[State]  # get_active_state; None where it raised (then `error`)
    hide_rule_turn: bool
    followup_action: bool  # a follow-up action was pending
    loop_turn: bool  # the last action was the active loop
    prev_action: Optional[Dict[str, Any]]  # the last action's sub-state
    error: Optional[BaseException] = None  # what get_active_state raised
    followup_error: Optional[BaseException] = None  # what reading `followup_action` raised
    loop_error: Optional[BaseException] = None  # what reading `loop_turn` raised


@dataclass
class Steps:
    """The steps of one tracker, taken from exactly these event objects."""

    events: Tuple[Any, ...]
    steps: List[Step]
    error: Optional[BaseException] = None  # the replay itself raised after the steps


def same_events(kept: Sequence[Any], events: Sequence[Any]) -> bool:
    """The very same event objects, in the same order."""
    return len(kept) == len(events) and all(a is b for a, b in zip(kept, events, strict=True))


def copy_state(state: State) -> State:
    """A state with its own sub-dictionaries (the values in them are strings and tuples)."""
    return {key: dict(sub_state) for key, sub_state in state.items()}  # type: ignore[misc]


def take_steps(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool) -> Steps:
    """Rasa's replay of the tracker (``states_for_tracker_history``'s loop), every step read."""
    steps: List[Step] = []
    kept = Steps(tuple(tracker.events), steps)
    try:
        for tr, hide_rule_turn in tracker.generate_all_prior_trackers():
            prev_action = domain._get_prev_action_sub_state(tr)
            # each is raised again only where Rasa's own loop would have read it
            followup_action = loop_turn = False
            followup_error: Optional[BaseException] = None
            loop_error: Optional[BaseException] = None
            try:
                followup_action = bool(tr.followup_action)
            except Exception as raised:
                followup_error = raised
            try:
                loop_turn = tr.latest_action_name == tr.active_loop_name
            except Exception as raised:
                loop_error = raised
            state: Optional[State] = None
            error: Optional[BaseException] = None
            try:
                state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
            except Exception as raised:
                error = raised
            steps.append(Step(state=state, hide_rule_turn=hide_rule_turn, followup_action=followup_action,
                              loop_turn=loop_turn, prev_action=None if prev_action is None else dict(prev_action),
                              error=error, followup_error=followup_error, loop_error=loop_error))
    except Exception as raised:
        kept.error = raised
    return kept


def states_from_steps(domain: Domain, kept: Steps, ignore_rule_only_turns: bool = False,
                      rule_only_data: Optional[Dict[str, Any]] = None) -> List[State]:
    """``Domain.states_for_tracker_history`` (Rasa 3.6.21) on the kept steps, line for line."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    states: List[State] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for step in kept.steps:
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = None if step.prev_action is None else dict(step.prev_action)
            if step.followup_error is not None:
                raise step.followup_error
            if not step.followup_action:
                if step.loop_error is not None:
                    raise step.loop_error
                if not step.loop_turn:
                    turn_was_hidden = step.hide_rule_turn
            if turn_was_hidden:
                continue
        if step.error is not None:
            raise step.error
        assert step.state is not None
        state = copy_state(step.state)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state  # type: ignore[literal-required]
        states.append(domain._clean_state(state))
    if kept.error is not None:
        raise kept.error
    return states


_Key = Tuple[int, int, bool]
_prediction: contextvars.ContextVar[Optional[Dict[_Key, Tuple[Any, Any, Steps]]]] = contextvars.ContextVar(
    "mild_prediction_states", default=None)


def _shared_states_for_tracker_history(original: Callable[..., List[State]]) -> Callable[..., List[State]]:
    def states_for_tracker_history(self: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False,
                                   rule_only_data: Optional[Dict[str, Any]] = None) -> List[State]:
        kept_for_prediction = _prediction.get()
        if kept_for_prediction is None:
            return original(self, tracker, omit_unset_slots=omit_unset_slots,
                            ignore_rule_only_turns=ignore_rule_only_turns, rule_only_data=rule_only_data)
        key = (id(tracker), id(self), bool(omit_unset_slots))
        entry = kept_for_prediction.get(key)
        # the objects themselves are kept in the entry, so their ids are not reused meanwhile
        if entry is None or entry[0] is not tracker or entry[1] is not self \
                or not same_events(entry[2].events, tracker.events):
            entry = kept_for_prediction[key] = (tracker, self, take_steps(self, tracker, bool(omit_unset_slots)))
        return states_from_steps(self, entry[2], ignore_rule_only_turns=ignore_rule_only_turns,
                                 rule_only_data=rule_only_data)

    states_for_tracker_history.__doc__ = original.__doc__
    states_for_tracker_history.__wrapped__ = original  # type: ignore[attr-defined]
    return states_for_tracker_history


def _one_prediction(original: Callable[..., Any]) -> Callable[..., Any]:
    def _predict_next_with_tracker(self: Any, tracker: DialogueStateTracker) -> Any:
        token = _prediction.set({})
        try:
            return original(self, tracker)
        finally:
            _prediction.reset(token)

    _predict_next_with_tracker.__doc__ = original.__doc__
    _predict_next_with_tracker.__wrapped__ = original  # type: ignore[attr-defined]
    return _predict_next_with_tracker


def install() -> None:
    """Share the states within each prediction (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain

    Domain.states_for_tracker_history = _shared_states_for_tracker_history(  # type: ignore[method-assign]
        Domain.states_for_tracker_history)
    MessageProcessor._predict_next_with_tracker = _one_prediction(  # type: ignore[method-assign]
        MessageProcessor._predict_next_with_tracker)
    _installed = True
