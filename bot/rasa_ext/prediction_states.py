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
featurisers then change in place (where Rasa's own function reads a message otherwise on its first
call than on its later ones, its first reading and then its later one: ``take_steps``). A call made
with a tracker whose event objects are not the ones the steps were taken from, or outside a
prediction, runs Rasa's own function.

A turn predicts at least twice on the same tracker (the reply, then ``action_listen``), with the
reply's events appended in between; the second prediction goes on from the first one's replay
over the appended events (``extended_steps``), unless one of them can change how earlier events
are applied or read (a restart, a session start, a revert, a loop, a user message rewritten
after a step read it), when it replays from the start.

Only the last states a caller reads are copied for it. ``MaxHistoryTrackerFeaturizer`` keeps its last
``max_history`` (MemoizationPolicy's 4) after dropping ``action_unlikely_intent`` states, and RulePolicy
compares at most its longest rule's (``rule_states_read``): at the end of a long conversation each of
the five calls of a turn had fresh copies of every state, 3 ms a turn at 1,560 events. The states made
with ``ignore_rule_only_turns`` (MemoizationPolicy's) are worked out once per step too (``MlStates``),
kept with the steps and gone on from like them. With debug logging on, RulePolicy's log line of the
states it searched lists those last states.

The kept steps live in a ``contextvars`` variable set for the length of one message's predictions
(``MessageProcessor._run_prediction_loop``; a prediction outside it gets its own), so nothing
leaks between conversations, instances or asyncio tasks.

From one turn to the next: when a turn ends, the steps of its last prediction are put on its
tracker (``kept_steps``); the tracker store keeps them with the conversation in its per-process
cache (bot/rasa_ext/stores.py, bot/rasa_ext/tracker_cache.py) and puts them on the next tracker it
hands out for that conversation (``give_kept_steps``), and the next turn's first prediction goes on
from them in the same way, over the events appended since (the ``action_listen`` that ended the
turn, the new message). That tracker holds other event objects (read again from the store), so the
kept events must be *equal* to its first ones, not the same objects: the same class, and every
attribute equal once read back through the store's JSON (``equal_events``; an event is its
attributes). Rasa changes an event in place only through ``DefinePrevUserUtteredFeaturization``
(the latest user message, before the turn's first action; ``extended_steps`` checks for it), and
no later event can change how the earlier ones are applied without being one of the kinds
``extended_steps`` replays from the start for. So an equal prefix read the same way gives the same
steps; anything else (a conversation changed in the store, by another instance, by "forget me" or
retention, a session started, a restart) replays from the start. The kept steps are used once, and
live exactly as long as the cache's entry for the conversation: not kept when the cache does not
hold it, gone when the entry goes (deleted, rewritten, idle, evicted, swept).

``install()`` is called by the processes that run the Rasa server or shell
(``bot/app/launch.py``, ``bot/app/quiet.py``); it is idempotent.
"""

from __future__ import annotations

import contextvars
import functools
import operator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

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
    # the replayed tracker after the last event (to go on from, once), and the loops the events name
    replay: Any = None
    loop_names: FrozenSet[str] = frozenset()
    # for calls without ``ignore_rule_only_turns``: the states of the first steps, as Rasa's loop
    # cleans them (their sub-dictionaries the steps' own: only ever copied from), worked out once
    clean: List[State] = field(default_factory=list)
    # where the tracker's applied events were among ``events`` (None: not worked out)
    applied: Optional[Tuple[int, ...]] = None
    # the other event objects found equal to ``events`` (``continued_by``), so one check serves a turn, and how
    # their messages were to be read then (a replay may rewrite that in place: ``_read_as``)
    equal_to: Optional[Tuple[Any, ...]] = None
    equal_read_as: Tuple[Any, ...] = ()
    # for calls with ``ignore_rule_only_turns``: Rasa's loop over all steps but the end, worked out once
    ml: Optional[MlStates] = None
    # where the replay that took these steps rewrote a message it had read (``take_steps``): that replay's
    # steps, which Rasa's own call there reads; for the call that took them only, then dropped
    first_read: Optional[Steps] = None


@dataclass
class MlStates:
    """Rasa's loop with ``ignore_rule_only_turns`` over the first ``upto`` steps: the states it made
    (never handed out, only copied from; their sub-dictionaries shared between states as Rasa's loop
    shares them) and where its walk stood after them."""

    rule_only_data: Any  # what the states were made with (a copy)
    upto: int
    states: List[State]
    last_ml_action_sub_state: Optional[Dict[str, Any]] = None
    turn_was_hidden: bool = False

    def copy(self) -> MlStates:
        """For steps gone on from these: the list their own (it grows), the states shared (never changed)."""
        return MlStates(self.rule_only_data, self.upto, list(self.states), self.last_ml_action_sub_state,
                        self.turn_was_hidden)


def same_events(kept: Sequence[Any], events: Sequence[Any]) -> bool:
    """The very same event objects, in the same order."""
    # operator.is_ over both in C: a turn asks this of every event several times
    return len(kept) == len(events) and all(map(operator.is_, kept, events))


def _as_stored(value: Any) -> Any:
    """A value as the tracker store's JSON gives it back: tuples as lists, all the way down."""
    if isinstance(value, list | tuple):
        return [_as_stored(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_stored(item) for key, item in value.items()}
    return value


def equal_event(a: Any, b: Any) -> bool:
    """The same event: the same object, or of the same class with attributes equal once stored and
    read back (the turn's own events, next turn, come back from the tracker store's JSON)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    return a.__dict__ == b.__dict__ or _as_stored(a.__dict__) == _as_stored(b.__dict__)


def equal_events(kept: Sequence[Any], events: Sequence[Any]) -> bool:
    """The same events, in the same order (``equal_event``): a conversation read again from the
    tracker store is other objects holding the same events."""
    return len(kept) == len(events) and all(equal_event(a, b) for a, b in zip(kept, events, strict=True))


def _read_as(events: Sequence[Any]) -> Tuple[Any, ...]:
    """How each message among ``events`` is to be read (by its text or its intent), in order."""
    from rasa.shared.core.events import UserUttered

    return tuple(event.use_text_for_featurization for event in events if isinstance(event, UserUttered))


def continued_by(kept: Steps, first_events: Sequence[Any]) -> bool:
    """Whether a tracker's first events are ``kept``'s, read again from the store (``equal_events``).
    The events found equal are remembered: the session check and the first prediction of a turn ask
    about the same event objects, and the second answer is the same objects, not a second comparison,
    unless a replay in between rewrote one of their messages in place (``DefinePrevUserUtteredFeaturization``
    applied to the message a loop's undone runs left latest, after an external event's prediction)."""
    if kept.equal_to is not None and same_events(kept.equal_to, first_events) \
            and _read_as(first_events) == kept.equal_read_as:
        return True
    if not equal_events(kept.events, first_events):
        return False
    kept.equal_to, kept.equal_read_as = tuple(first_events), _read_as(first_events)
    return True


def copy_state(state: State) -> State:
    """A state with its own sub-dictionaries (the values in them are strings and tuples)."""
    return {key: dict(sub_state) for key, sub_state in state.items()}  # type: ignore[misc]


def _read_step(domain: Domain, tr: DialogueStateTracker, hide_rule_turn: bool, omit_unset_slots: bool) -> Step:
    """What Rasa's loop reads of the replayed tracker ``tr`` before an action (or at the end)."""
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
    return Step(state=state, hide_rule_turn=hide_rule_turn, followup_action=followup_action,
                loop_turn=loop_turn, prev_action=None if prev_action is None else dict(prev_action),
                error=error, followup_error=followup_error, loop_error=loop_error)


def _loop_names(events: Sequence[Any]) -> FrozenSet[str]:
    from rasa.shared.core.events import ActiveLoop

    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


def take_steps(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool) -> Steps:
    """Rasa's replay of the tracker (``states_for_tracker_history``'s loop), every step read.

    A replay is not always repeatable. ``DefinePrevUserUtteredFeaturization`` rewrites, in place,
    the replayed tracker's latest message, and where a loop's repeated run undid the live
    tracker's latest message that is an earlier one (events a loop ran, then an external event's
    prediction; or a loop named only now, which undoes a run that earlier replays kept): Rasa's
    first call then reads that message as it was, and its later calls (the rest of the
    prediction's, and every later turn's) as rewritten. Here the replay is then taken once more:
    the steps returned are the second replay's, what every later call reads, and the first one's
    are kept on them (``first_read``) for the call that took them, which reads what Rasa's own
    call there reads. A replay after the rewrite reads what the second one reads (the rewrite is
    done), so the first replay's steps are read once and never gone on from.
    """
    from rasa.shared.core.events import UserUttered

    messages = [event for event in tracker.events if isinstance(event, UserUttered)]
    read_as = [message.use_text_for_featurization for message in messages]
    kept = _replay(domain, tracker, omit_unset_slots)
    if [message.use_text_for_featurization for message in messages] != read_as:
        first = kept
        first.replay = None  # read once, never gone on from
        kept = _replay(domain, tracker, omit_unset_slots)  # the rewrite is done: the same from now on
        kept.first_read = first
    return kept


def _replay(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool) -> Steps:
    steps: List[Step] = []
    kept = Steps(tuple(tracker.events), steps, loop_names=_loop_names(tracker.events))
    replayed = None
    try:
        for tr, hide_rule_turn in tracker.generate_all_prior_trackers():
            replayed = tr  # the one replayed tracker, brought forward event by event
            steps.append(_read_step(domain, tr, hide_rule_turn, omit_unset_slots))
    except Exception as raised:
        kept.error = raised
    else:
        kept.replay = replayed
        # the replay walked them just now (kept on the tracker, bot/rasa_ext/applied_events.py)
        at = {id(event): position for position, event in enumerate(kept.events)}
        if len(at) == len(kept.events):  # each event object once: a position says which
            kept.applied = tuple(at[id(event)] for event in tracker.applied_events())
    return kept


def changes_what_is_applied(kept: Steps, appended: Sequence[Any]) -> bool:
    """Whether an event appended to ``kept``'s can change which of the earlier ones Rasa applies:
    a restart, a session start, a revert, a loop named (a loop's repeated runs are undone once an
    ``ActiveLoop`` of its name appears anywhere) or run again. Any other event is applied as it is."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    for event in appended:
        if isinstance(event, Restarted | SessionStarted | ActionReverted | UserUtteranceReverted | ActiveLoop):
            return True
        if isinstance(event, ActionExecuted) and event.action_name in kept.loop_names:
            return True
    return False


def applied_from_kept_steps(tracker: Any, events: Sequence[Any]) -> Optional[List[Any]]:
    """The tracker's applied events from the steps the last turn kept (``events``: its events now),
    when its first events are equal to theirs and the rest are applied as they are; None otherwise
    (bot/rasa_ext/applied_events.py then has Rasa walk them)."""
    for _, steps in (kept_steps(tracker) or {}).values():
        old = len(steps.events)
        if steps.applied is None or len(events) < old or not continued_by(steps, events[:old]):
            continue
        appended = events[old:]
        if changes_what_is_applied(steps, appended):
            continue
        return [events[position] for position in steps.applied] + list(appended)
    return None


def extended_steps(domain: Domain, kept: Steps, tracker: DialogueStateTracker, omit_unset_slots: bool,
                   same: Callable[[Steps, Sequence[Any]], bool] = lambda kept, first: same_events(kept.events, first)
                   ) -> Optional[Steps]:
    """The steps of ``tracker`` from ``kept`` when the tracker is ``kept``'s events with events only
    appended that cannot change how the earlier ones are applied or read; None otherwise.

    A turn predicts at least twice (the reply, then ``action_listen``) on the same tracker, with
    the first reply's events appended in between. Rasa's replay of the events then repeats the
    first one's, but for the end: so the kept replay goes on over the appended events instead.
    Not when an appended event undoes or resets earlier ones (a restart, a session start, a
    revert), names a loop or runs one (a loop's repeated runs undo events), or may rewrite a
    user message that an earlier step read (``DefinePrevUserUtteredFeaturization``, which Rasa
    applies in place to the latest user message, after an action followed that message).
    ``same`` says whether the tracker's first events are ``kept``'s (the same objects within a turn,
    equal ones from one turn to the next, ``continued_by``). ``kept``'s replay is used up.
    """
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        DefinePrevUserUtteredFeaturization,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    events = tracker.events
    old = len(kept.events)
    if kept.replay is None or kept.error is not None or not kept.steps or len(events) <= old:
        return None
    if not same(kept, list(islice(events, old))):
        return None
    appended = list(islice(events, old, None))
    if changes_what_is_applied(kept, appended):
        return None
    resets = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted)
    for event in appended:
        if isinstance(event, DefinePrevUserUtteredFeaturization):
            # the message it rewrites must be the last one, read by no step but the end
            last_user = next((i for i in range(old - 1, -1, -1) if isinstance(kept.events[i], UserUttered)), None)
            if last_user is None or any(isinstance(e, (ActionExecuted, *resets)) for e in kept.events[last_user + 1:]):
                return None
    replay, kept.replay = kept.replay, None
    steps = list(kept.steps[:-1])  # all but the end, which is read again after the new events
    try:
        for event in appended:
            if isinstance(event, ActionExecuted):
                steps.append(_read_step(domain, replay, event.hide_rule_turn, omit_unset_slots))
            replay.update(event)
        steps.append(_read_step(domain, replay, False, omit_unset_slots))
    except Exception:
        return None  # Rasa's own replay, from the start, says where it fails
    applied = None if kept.applied is None else (*kept.applied, *range(old, len(events)))
    ml = kept.ml.copy() if kept.ml is not None and kept.ml.upto <= len(kept.steps) - 1 else None
    return Steps(tuple(events), steps, replay=replay, loop_names=kept.loop_names,
                 clean=kept.clean[:len(kept.steps) - 1], applied=applied, ml=ml)


def _clean_states(kept: Steps) -> bool:
    """``kept.clean`` brought up to every step; False where a step raised (Rasa's loop raises there)."""
    for step in kept.steps[len(kept.clean):]:
        if step.error is not None or step.state is None:
            return False
        kept.clean.append({key: sub_state for key, sub_state in step.state.items() if sub_state})  # type: ignore[misc]
    return True


def _ml_walk(domain: Domain, steps: Sequence[Step], rule_only_data: Optional[Dict[str, Any]], states: List[State],
             last_ml_action_sub_state: Optional[Dict[str, Any]], turn_was_hidden: bool
             ) -> Tuple[Optional[Dict[str, Any]], bool]:
    """Rasa's loop with ``ignore_rule_only_turns`` over ``steps``, appending to ``states``, raising where
    it raises: where its walk then stands."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    for step in steps:
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
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = last_ml_action_sub_state  # type: ignore[literal-required]
        states.append(domain._clean_state(state))
    return last_ml_action_sub_state, turn_was_hidden


def _ml_states(domain: Domain, kept: Steps, rule_only_data: Optional[Dict[str, Any]]) -> Optional[List[State]]:
    """The states of Rasa's loop with ``ignore_rule_only_turns`` (not to be changed: copy them), from
    ``kept.ml`` brought up to all steps but the end, which is read again after appended events; None
    where the loop raises (the caller runs it whole, to raise as Rasa does)."""
    import copy

    cut = len(kept.steps) - 1
    ml = kept.ml
    if ml is None or ml.upto > cut or ml.rule_only_data != rule_only_data:
        ml = kept.ml = MlStates(copy.deepcopy(rule_only_data), 0, [])
    try:
        walked = _ml_walk(domain, kept.steps[ml.upto:cut], rule_only_data, ml.states,
                          ml.last_ml_action_sub_state, ml.turn_was_hidden)
        ml.last_ml_action_sub_state, ml.turn_was_hidden = walked
        ml.upto = cut
        end = ml.states[-1:]  # the end step on its own, after the last state it may read
        _ml_walk(domain, kept.steps[cut:], rule_only_data, end, *walked)
    except Exception:
        kept.ml = None if ml.upto != cut else ml  # states appended before a failing step are not kept
        return None
    return ml.states + end[1:] if ml.states else end


def last_states(states: Sequence[State], wanted: Optional[int]) -> Sequence[State]:
    """The states a caller that reads only the last ``wanted`` of them needs (None: all): those, and
    the ``action_unlikely_intent`` states among them, which Rasa's featuriser drops before it keeps
    its last ``max_history``."""
    if wanted is None:
        return states
    from rasa.core.featurizers.tracker_featurizers import _is_prev_action_unlikely_intent_in_state

    start, counted = len(states), 0
    while start > 0 and counted < wanted:
        start -= 1
        if not _is_prev_action_unlikely_intent_in_state(states[start]):
            counted += 1
    return states[start:]


def copies(states: Sequence[State]) -> List[State]:
    """Each state with its own sub-dictionaries, shared between the copies where they were shared
    between the states (Rasa's loop shares some, and the featurisers change them in place)."""
    made: Dict[int, Dict[str, Any]] = {}
    out: List[State] = []
    for state in states:
        new = {}
        for key, sub_state in state.items():
            sub_copy = made.get(id(sub_state))
            if sub_copy is None:
                sub_copy = made[id(sub_state)] = dict(sub_state)
            new[key] = sub_copy
        out.append(new)  # type: ignore[arg-type]
    return out


def states_from_steps(domain: Domain, kept: Steps, ignore_rule_only_turns: bool = False,
                      rule_only_data: Optional[Dict[str, Any]] = None, wanted: Optional[int] = None) -> List[State]:
    """``Domain.states_for_tracker_history`` (Rasa 3.6.21) on the kept steps, line for line: all its
    states, or (``wanted``) only the last ones a caller that reads only its last ``wanted`` needs
    (``last_states``)."""
    if not ignore_rule_only_turns and kept.error is None and _clean_states(kept):
        # each state on its own: Rasa's loop below comes to a fresh copy of each clean state
        return [{key: dict(sub_state) for key, sub_state in state.items()}  # type: ignore[misc]
                for state in last_states(kept.clean, wanted)]
    if ignore_rule_only_turns and kept.error is None:
        made = _ml_states(domain, kept, rule_only_data)
        if made is not None:
            return copies(last_states(made, wanted))
    states: List[State] = []
    if ignore_rule_only_turns:
        _ml_walk(domain, kept.steps, rule_only_data, states, None, False)
    else:
        for step in kept.steps:
            if step.error is not None:
                raise step.error
            assert step.state is not None
            states.append(domain._clean_state(copy_state(step.state)))
    if kept.error is not None:
        raise kept.error
    return list(last_states(states, wanted))


KEPT_STEPS = "_mild_kept_steps"  # a tracker's attribute: {(id(domain), omit_unset_slots): (domain, steps)}
KeptSteps = Dict[Tuple[int, bool], Tuple[Any, Steps]]


def kept_steps(tracker: Any) -> Optional[KeptSteps]:
    """The steps a turn left on its tracker for the conversation's next turn (None: none)."""
    kept = tracker.__dict__.get(KEPT_STEPS)
    return kept or None


def give_kept_steps(tracker: Any, kept: Optional[KeptSteps]) -> None:
    """Put the conversation's kept steps on the tracker its next turn runs on (none: take them off)."""
    if kept:
        tracker.__dict__[KEPT_STEPS] = kept
    else:
        tracker.__dict__.pop(KEPT_STEPS, None)


class _Scope(Dict[Tuple[int, int, bool], Tuple[Any, Any, Steps]]):
    """The steps kept while one prediction, or one turn's predictions, run."""

    def __init__(self, turn: bool = False) -> None:
        super().__init__()
        self.turn = turn  # a turn's predictions: the earlier turn's steps may be gone on from


_prediction: contextvars.ContextVar[Optional[_Scope]] = contextvars.ContextVar("mild_prediction_states", default=None)
# how many of the last states the running caller reads (``reading_last``; None: all)
_wanted: contextvars.ContextVar[Optional[int]] = contextvars.ContextVar("mild_states_wanted", default=None)


def _first_steps(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool, turn: bool) -> Steps:
    """A tracker's steps when this scope has none for it: gone on from the earlier turn's, or replayed."""
    found = (kept_steps(tracker) or {}).get((id(domain), omit_unset_slots)) if turn else None
    if found is not None and found[0] is domain and found[1].replay is not None:
        steps = extended_steps(domain, found[1], tracker, omit_unset_slots, same=continued_by)
        if steps is not None:
            return steps
    return take_steps(domain, tracker, omit_unset_slots)


def _shared_states_for_tracker_history(original: Callable[..., List[State]]) -> Callable[..., List[State]]:
    @functools.wraps(original)
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
        if entry is None or entry[0] is not tracker or entry[1] is not self:
            steps = _first_steps(self, tracker, bool(omit_unset_slots), kept_for_prediction.turn)
            entry = kept_for_prediction[key] = (tracker, self, steps)
        elif not same_events(entry[2].events, tracker.events):
            steps = extended_steps(self, entry[2], tracker, bool(omit_unset_slots)) \
                or take_steps(self, tracker, bool(omit_unset_slots))
            entry = kept_for_prediction[key] = (tracker, self, steps)
        steps = entry[2]
        first = steps.first_read
        if first is not None:  # just taken, by a replay that rewrote a message it had read: as Rasa's own call
            steps.first_read = None
            steps = first
        return states_from_steps(self, steps, ignore_rule_only_turns=ignore_rule_only_turns,
                                 rule_only_data=rule_only_data, wanted=_wanted.get())

    return states_for_tracker_history


def _one_prediction(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _predict_next_with_tracker(self: Any, tracker: DialogueStateTracker) -> Any:
        if _prediction.get() is not None:  # one of a turn's predictions (``_one_turn``)
            return original(self, tracker)
        token = _prediction.set(_Scope())
        try:
            return original(self, tracker)
        finally:
            _prediction.reset(token)

    return _predict_next_with_tracker


def _one_turn(original: Callable[..., Any]) -> Callable[..., Any]:
    """``MessageProcessor._run_prediction_loop``: the predictions of one message share one scope,
    so the second goes on from the first one's replay (``extended_steps``), and the first from the
    last one of the conversation's previous turn (``kept_steps``)."""

    @functools.wraps(original)
    async def _run_prediction_loop(self: Any, output_channel: Any, tracker: DialogueStateTracker,
                                   *args: Any, **kwargs: Any) -> Any:
        scope = _Scope(turn=True)
        token = _prediction.set(scope)
        try:
            result = await original(self, output_channel, tracker, *args, **kwargs)
        finally:
            _prediction.reset(token)
        _keep_for_next_turn(scope, tracker)
        return result

    return _run_prediction_loop


def _keep_for_next_turn(scope: _Scope, tracker: DialogueStateTracker) -> None:
    """The turn's last steps of its own tracker, put on it for the conversation's next turn."""
    kept: KeptSteps = {(id(domain), omit_unset_slots): (domain, steps)
                       for (_, _, omit_unset_slots), (kept_tracker, domain, steps) in scope.items()
                       if kept_tracker is tracker and steps.replay is not None and steps.error is None}
    give_kept_steps(tracker, kept)  # instead of the earlier turn's: used, or no longer what it holds


def _reading_last(wanted: Optional[int], call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call`` with the states it is given cut to what a caller reading only the last ``wanted`` needs
    (``last_states``); an outer caller that reads fewer still decides."""
    if wanted is None:
        return call(*args, **kwargs)
    outer = _wanted.get()
    token = _wanted.set(wanted if outer is None else min(outer, wanted))
    try:
        return call(*args, **kwargs)
    finally:
        _wanted.reset(token)


def _slices(featurizer: Any) -> Optional[int]:
    """How many of the last states Rasa's ``MaxHistoryTrackerFeaturizer.prediction_states`` keeps (None:
    all, or another featuriser). It cuts the states to them, after dropping ``action_unlikely_intent``
    states, and only then changes what it kept, each state on its own but for sub-dictionaries shared."""
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    if type(featurizer) is MaxHistoryTrackerFeaturizer and featurizer.max_history:
        return int(featurizer.max_history)
    return None


def _kept_by_featurizer(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def prediction_states(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _reading_last(_slices(self), original, self, *args, **kwargs)

    return prediction_states


def rule_states_read(policy: Any) -> int:
    """How many of the last states RulePolicy's search for a rule reads: one more than its longest rule.

    ``_get_possible_keys`` compares a rule's states with as many of the last states and counts every
    rule as applicable beyond its length; ``_create_feature_key`` names the states when no rule applies,
    a name only compared with the rules' (``hide_rule_turn``), which no name of more states than the
    longest rule can equal. So one state more than the longest rule gives the same prediction."""
    import json

    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RULES_NOT_IN_STORIES

    tables = (RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RULES_NOT_IN_STORIES)
    lookup = policy.lookup
    # worked out again whenever the rules change (training fills rules_not_in_stories in place)
    signature = (id(lookup), *(len(lookup.get(table) or ()) for table in tables))
    found = policy.__dict__.get(_RULE_STATES_READ)
    if found is not None and found[0] == signature:
        return int(found[1])
    longest = 0
    for table in tables:
        for key in lookup.get(table) or ():
            try:
                parsed = json.loads(key)
            except (TypeError, ValueError):
                continue  # a named source ("handling active loops ..."), never a name of states
            if isinstance(parsed, list):
                longest = max(longest, len(parsed))
    policy.__dict__[_RULE_STATES_READ] = (signature, longest + 1)
    return longest + 1


_RULE_STATES_READ = "_mild_rule_states_read"  # a RulePolicy's attribute: (its rules' signature, the states read)


def _read_by_rules(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _prediction_states(self: Any, tracker: Any, domain: Any, *args: Any, **kwargs: Any) -> Any:
        from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
        from rasa.core.policies.rule_policy import RulePolicy

        # its featuriser changes each state on its own (and cuts them to its max_history, if any); outside
        # a prediction (training) Rasa's own states are all given anyway
        reads = type(self) is RulePolicy and type(self.featurizer) is MaxHistoryTrackerFeaturizer \
            and _prediction.get() is not None
        wanted = rule_states_read(self) if reads else None
        return _reading_last(wanted, original, self, tracker, domain, *args, **kwargs)

    return _prediction_states


def install() -> None:
    """Share the states within each prediction, and between a turn's predictions (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
    from rasa.core.policies.policy import Policy
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain

    Domain.states_for_tracker_history = _shared_states_for_tracker_history(  # type: ignore[method-assign]
        Domain.states_for_tracker_history)
    MessageProcessor._predict_next_with_tracker = _one_prediction(  # type: ignore[method-assign]
        MessageProcessor._predict_next_with_tracker)
    MessageProcessor._run_prediction_loop = _one_turn(  # type: ignore[method-assign]
        MessageProcessor._run_prediction_loop)
    # only the last states a policy reads are copied for it
    MaxHistoryTrackerFeaturizer.prediction_states = _kept_by_featurizer(  # type: ignore[method-assign]
        MaxHistoryTrackerFeaturizer.prediction_states)
    RulePolicy._prediction_states = _read_by_rules(Policy._prediction_states)  # type: ignore[method-assign]
    _installed = True
