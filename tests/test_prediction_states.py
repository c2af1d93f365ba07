"""The states shared within a prediction (bot/rasa_ext/prediction_states.py) are Rasa's own.

For the project's stories and rules made into trackers, and for long generated conversations
(fallbacks, restarts, session starts, rewinds, reverted actions, slots, loops, follow-up
actions, changed featurisation of the user's message), the shared states are compared, event
by event as the conversation grows, with Rasa's ``Domain.states_for_tracker_history`` for
every combination of the flags the policies pass: the same values, and the same sharing of
sub-dictionaries between states (the featurisers change them in place). Then events are
deleted and rewritten in place during one prediction: the kept steps must not be used.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import BooleanSlot, CategoricalSlot, FloatSlot, ListSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import prediction_states

ROOT = Path(__file__).resolve().parent.parent


def rasa_states_for_tracker_history() -> Callable[..., List[State]]:
    """Rasa's own function, whether or not this process installed the shared one."""
    function = Domain.states_for_tracker_history
    return getattr(function, "__wrapped__", function)


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The project's domain, and two slots that have a value before they are set (for omit_unset_slots)."""
    return Domain.load(str(ROOT / "domain.yml")).merge(Domain.from_dict({"slots": {
        "test_preset": {"type": "bool", "initial_value": True, "influence_conversation": True, "mappings": []},
        "test_level": {"type": "categorical", "values": ["low", "high"], "initial_value": "low",
                       "influence_conversation": True, "mappings": []}}}))


def flag_sets(domain: Domain) -> List[Tuple[bool, bool, Optional[Dict[str, Any]]]]:
    """(omit_unset_slots, ignore_rule_only_turns, rule_only_data): the policies' and more."""
    slots = [slot.name for slot in domain.slots]
    rule_only = {RULE_ONLY_SLOTS: slots[::2], RULE_ONLY_LOOPS: list(domain.form_names)}
    return [(omit, ignore, data) for omit in (False, True) for ignore in (False, True)
            for data in (None, {}, rule_only)]


def layout(states: Sequence[State]) -> List[List[Tuple[str, int]]]:
    """Which sub-dictionaries are the same object: each numbered by its first appearance."""
    seen: Dict[int, int] = {}
    return [[(key, seen.setdefault(id(sub_state), len(seen))) for key, sub_state in state.items()]
            for state in states]


def assert_every_prefix(domain: Domain, events: Sequence[Event], sender: str = "test") -> None:
    """Event by event, as a conversation grows: the shared states equal Rasa's, for every flag."""
    rasa = rasa_states_for_tracker_history()
    tracker = DialogueStateTracker.from_events(sender, [], domain.slots)
    for event in events:
        tracker.update(event)
        for omit in (False, True):
            kept = prediction_states.take_steps(domain, tracker, omit)
            for flags_omit, ignore, data in flag_sets(domain):
                if flags_omit != omit:
                    continue
                expected = rasa(domain, tracker, omit_unset_slots=omit, ignore_rule_only_turns=ignore,
                                rule_only_data=data)
                shared = prediction_states.states_from_steps(domain, kept, ignore_rule_only_turns=ignore,
                                                             rule_only_data=data)
                assert shared == expected, (len(tracker.events), omit, ignore, data)
                assert layout(shared) == layout(expected), (len(tracker.events), omit, ignore, data)


def project_trackers(domain: Domain) -> List[Tuple[str, List[Event]]]:
    """Each story and rule of data/ as its events (rules' conditions and hidden turns included)."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    found: List[Tuple[str, List[Event]]] = []
    for path in sorted((ROOT / "data" / "stories").glob("*.yml")) + sorted((ROOT / "data" / "rules").glob("*.yml")):
        for step in YAMLStoryReader(domain).read_from_file(str(path)):
            events = step.explicit_events(domain, should_append_final_listen=True)
            found.append((f"{path.name}: {step.block_name}", events))
    return found


def test_the_projects_stories_and_rules(domain: Domain) -> None:
    trackers = project_trackers(domain)
    assert len(trackers) > 20
    for name, events in trackers:
        try:
            assert_every_prefix(domain, events, sender=name)
        except AssertionError as failure:
            raise AssertionError(name) from failure


def slot_value(slot: Any, rng: random.Random) -> Any:
    if isinstance(slot, BooleanSlot):
        return rng.choice([True, False, None])
    if isinstance(slot, CategoricalSlot):
        return rng.choice([*slot.values, None, "not one of its values"])
    if isinstance(slot, FloatSlot):
        return rng.choice([0.0, 1.0, 0.5, None, 3])
    if isinstance(slot, ListSlot):
        return rng.choice([[], ["a"], None])
    return rng.choice(["some text", None, "", 0])


def conversation(domain: Domain, rng: random.Random, length: int) -> List[Event]:
    """A long, untidy conversation: all the kinds of event that change which events are applied."""
    intents = list(domain.intents) + ["nlu_fallback"]
    entities = list(domain.entities) or ["thing"]
    actions = [name for name in domain.action_names_or_texts if name != ACTION_LISTEN_NAME]
    loops = list(domain.form_names)
    slots = list(domain.slots)
    events: List[Event] = [ActionExecuted(ACTION_LISTEN_NAME)]
    while len(events) < length:
        kind = rng.random()
        if kind < 0.25:
            found = [{"entity": rng.choice(entities), "value": "x"} for _ in range(rng.randint(0, 2))]
            if found and rng.random() < 0.3:
                found[0]["role"] = "r"
            events.append(UserUttered(rng.choice(["hi", "my back hurts", ""]),
                                      {"name": rng.choice(intents), "confidence": rng.random()}, found))
            if rng.random() < 0.3:  # where Rasa puts it: after the message, before the first action
                events.append(DefinePrevUserUtteredFeaturization(rng.random() < 0.5))
            events.append(ActionExecuted(rng.choice(actions), hide_rule_turn=rng.random() < 0.3))
            if rng.random() < 0.2:  # and where it changes nothing
                events.append(DefinePrevUserUtteredFeaturization(rng.random() < 0.5))
        elif kind < 0.45:
            events += [ActionExecuted(rng.choice(actions), hide_rule_turn=rng.random() < 0.3),
                       BotUttered("ok"), ActionExecuted(ACTION_LISTEN_NAME)]
            if rng.random() < 0.2:  # a prediction with no new message (an external event): it rewrites the
                events.append(DefinePrevUserUtteredFeaturization(rng.random() < 0.5))  # last one, read before
        elif kind < 0.6:
            slot = rng.choice(slots)
            events.append(SlotSet(slot.name, slot_value(slot, rng)))
        elif kind < 0.72 and loops:
            loop = rng.choice(loops)
            events += [ActionExecuted(loop), ActiveLoop(rng.choice([loop, None])), ActionExecuted(loop)]
            if rng.random() < 0.3:
                events.append(ActionExecutionRejected(loop))
            if rng.random() < 0.3:
                events.append(LoopInterrupted(rng.random() < 0.5))
        elif kind < 0.8:
            events.append(FollowupAction(rng.choice(actions)))
        elif kind < 0.86:
            events.append(rng.choice([UserUtteranceReverted(), ActionReverted()]))
        elif kind < 0.88:
            events.append(rng.choice([Restarted(), SessionStarted()]))
            events.append(ActionExecuted(rng.choice(["action_session_start", ACTION_LISTEN_NAME])))
        else:
            events += [ActionExecuted(ACTION_LISTEN_NAME),
                       UserUttered("??", {"name": "nlu_fallback", "confidence": 0.2}),
                       ActionExecuted("action_default_fallback"), UserUtteranceReverted()]
    return events


def test_a_rewrite_of_a_message_that_a_loop_undid_reads_as_rasas_later_calls(domain: Domain) -> None:
    # the form ran on two messages, then a prediction with no new message rewrote "the latest
    # message": the live tracker's is the second, the replay's the first (the form's second run
    # undid the second message). Rasa's own function reads the first message unchanged on its first
    # call and rewritten on every later one (found by seed 4 of the generated conversations)
    def events() -> List[Event]:
        return [ActiveLoop("sshq_form"), UserUttered("??", {"name": "nlu_fallback", "confidence": 0.2}),
                ActionExecuted("sshq_form"), UserUttered("??", {"name": "nlu_fallback", "confidence": 0.2}),
                ActionExecuted("sshq_form"), ActionExecuted(ACTION_LISTEN_NAME),
                DefinePrevUserUtteredFeaturization(True)]

    rasa = rasa_states_for_tracker_history()
    tracker = DialogueStateTracker.from_events("a", events(), domain.slots)
    first, later = rasa(domain, tracker), rasa(domain, tracker)
    assert first != later and rasa(domain, tracker) == later
    assert first[0]["user"] == {"text": "??", "intent": "nlu_fallback"} and later[0]["user"] == {"text": "??"}
    tracker = DialogueStateTracker.from_events("b", events(), domain.slots)
    kept = prediction_states.take_steps(domain, tracker, False)
    assert prediction_states.states_from_steps(domain, kept) == later == rasa(domain, tracker)
    assert prediction_states.states_from_steps(domain, prediction_states.take_steps(domain, tracker, False)) == later


def test_a_rewrite_that_a_loop_named_later_moves_to_an_earlier_message_reads_as_rasas_own_calls(
        domain: Domain, one_prediction: List[int]) -> None:
    # seed 0 of the generated turns, minimised: the form ran on two messages, then a prediction with no
    # new message rewrote the second. Once the form is named (an ActiveLoop), its second run undoes the
    # second message, and Rasa's replay rewrites the first in place: its first call reads that message
    # by text and intent, its later calls by intent only. So must the shared calls: the prediction's first
    # (the one that replays) the first way, the others the later way (the old steps were read the first way)
    tracker = DialogueStateTracker.from_events("named later", [
        ActionExecuted(ACTION_LISTEN_NAME), UserUttered("hi", {"name": "greet", "confidence": 0.9}),
        ActionExecuted("sshq_form"), UserUttered("my back hurts", {"name": "affirm", "confidence": 0.9}),
        ActionExecuted("sshq_form"), ActionExecuted(ACTION_LISTEN_NAME), DefinePrevUserUtteredFeaturization(False)],
        domain.slots)
    assert_policy_calls_as_rasas(domain, tracker, "not named")  # the second message rewritten, as live
    tracker.update(ActiveLoop("sshq_form"))
    first, later, memo, omitted = rasa_policy_calls(domain, twin(tracker))
    assert first[2]["user"] == {"text": "hi", "intent": "greet"} and later[2]["user"] == {"intent": "greet"}
    assert_policy_calls_as_rasas(domain, tracker, "named")
    assert one_prediction == [1, 1, 1, 1]  # each value of omit_unset_slots replayed once a prediction
    # the rewrite is done: the next prediction's calls, and Rasa's own, read the later way
    assert rasa_policy_calls(domain, twin(tracker)) == policy_calls(domain, tracker) == [later, later, memo, omitted]
    assert one_prediction == [1, 1, 1, 1]


@pytest.mark.parametrize("seed", range(8))
def test_long_generated_conversations(domain: Domain, seed: int) -> None:
    assert_every_prefix(domain, conversation(domain, random.Random(seed), 200), sender=f"generated {seed}")


@pytest.fixture()
def one_prediction(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> Iterator[List[int]]:
    """Inside one prediction's scope, as bot/rasa_ext/prediction_states.py's install() sets it; counts replays."""
    replays: List[int] = []
    take_steps = prediction_states.take_steps

    def counted(*args: Any, **kwargs: Any) -> prediction_states.Steps:
        replays.append(1)
        return take_steps(*args, **kwargs)

    monkeypatch.setattr(prediction_states, "take_steps", counted)
    monkeypatch.setattr(Domain, "states_for_tracker_history", prediction_states._shared_states_for_tracker_history(
        rasa_states_for_tracker_history()))
    token = prediction_states._prediction.set(prediction_states._Scope())
    yield replays
    prediction_states._prediction.reset(token)


def policy_calls(domain: Domain, tracker: DialogueStateTracker) -> List[List[State]]:
    """The calls RulePolicy (twice) and MemoizationPolicy make, with the project's kinds of flag, and one
    without the slots not set yet (a featuriser's option)."""
    rule_only = {RULE_ONLY_SLOTS: [domain.slots[0].name], RULE_ONLY_LOOPS: list(domain.form_names)}
    return [tracker.past_states(domain), tracker.past_states(domain),
            tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=rule_only),
            tracker.past_states(domain, omit_unset_slots=True)]


def rasa_policy_calls(domain: Domain, tracker: DialogueStateTracker) -> List[List[State]]:
    rasa = rasa_states_for_tracker_history()
    rule_only = {RULE_ONLY_SLOTS: [domain.slots[0].name], RULE_ONLY_LOOPS: list(domain.form_names)}
    return [rasa(domain, tracker), rasa(domain, tracker),
            rasa(domain, tracker, ignore_rule_only_turns=True, rule_only_data=rule_only),
            rasa(domain, tracker, omit_unset_slots=True)]


def twin(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker as it stands, on copies of its objects (without what the shared states keep on it)."""
    import copy

    kept = {id(value): value for key, value in tracker.__dict__.items() if key.startswith("_mild")}
    copied = copy.deepcopy(tracker, kept)  # what is kept on it is not copied, then dropped from the copy
    for key in [key for key in copied.__dict__ if key.startswith("_mild")]:
        del copied.__dict__[key]
    return copied


def assert_policy_calls_as_rasas(domain: Domain, tracker: DialogueStateTracker, context: Any = None) -> None:
    """A prediction's shared calls on the tracker equal Rasa's own calls on it, made on a ``twin``: where a
    loop's undone run left an earlier message the latest, Rasa's replay rewrites that message in place and
    its first call reads it otherwise than its later ones (``prediction_states.take_steps``); made on the
    tracker itself, Rasa's calls would leave the shared ones only the later reading."""
    assert rasa_policy_calls(domain, twin(tracker)) == policy_calls(domain, tracker), context


def test_one_replay_per_prediction_and_fresh_states_for_each_call(domain: Domain, one_prediction: List[int]) -> None:
    tracker = DialogueStateTracker.from_events("one", conversation(domain, random.Random(7), 120), domain.slots)
    first, second, memo, omitted = policy_calls(domain, tracker)
    assert one_prediction == [1, 1]  # one replay for each value of omit_unset_slots
    assert [first, second, memo, omitted] == rasa_policy_calls(domain, tracker)
    assert omitted != first
    for state in first:  # what the featurisers do to their states must not reach the next call
        state.get("user", {}).pop("intent", None)
        state.pop("prev_action", None)
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    assert one_prediction == [1, 1]
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker.copy())  # another tracker
    assert one_prediction == [1, 1, 1, 1]


@pytest.mark.parametrize("seed", range(4))
def test_events_appended_deleted_or_rewritten_during_a_prediction(domain: Domain, one_prediction: List[int],
                                                                   seed: int) -> None:
    rng = random.Random(seed)
    # without featurisation events: once events are removed or replaced in place, each replay of Rasa's
    # sets the user messages' featurisation anew as it meets them, so Rasa's own calls disagree
    events = [e for e in conversation(domain, rng, 120) if not isinstance(e, DefinePrevUserUtteredFeaturization)]
    tracker = DialogueStateTracker.from_events("changed", events[:60], domain.slots)
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    for event in events[60:]:  # appended in place
        tracker.update(event)
        assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    for _ in range(20):
        at = rng.randrange(len(tracker.events))
        if rng.random() < 0.5:
            del tracker.events[at]  # deleted, as "forget me" and retention do in the store
        else:  # rewritten in place with another event object
            tracker.events[at] = rng.choice([e for e in conversation(domain, rng, 10)
                                             if not isinstance(e, DefinePrevUserUtteredFeaturization)])
        assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    # each change seen (an appended event may go on from the kept replay instead), nothing else replayed
    assert len(one_prediction) <= 2 * (1 + len(events[60:]) + 20)


def assert_going_on(domain: Domain, events: Sequence[Event], replays: List[int], sender: str) -> None:
    """One scope for a whole conversation, as for the predictions of one turn: event by event, the
    states gone on from the kept replay equal Rasa's, for the policies' calls."""
    tracker = DialogueStateTracker.from_events(sender, [], domain.slots)
    for at, event in enumerate(events):
        tracker.update(event)
        assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker), (sender, at, event)


@pytest.mark.parametrize("seed", range(8))
def test_appended_events_go_on_from_the_kept_replay(domain: Domain, one_prediction: List[int], seed: int) -> None:
    events = conversation(domain, random.Random(100 + seed), 200)
    assert_going_on(domain, events, one_prediction, f"going on {seed}")
    # most appended events go on from the kept replay; restarts, reverts and loops replay again
    assert len(one_prediction) < len(events)


def test_the_projects_stories_and_rules_going_on(domain: Domain, one_prediction: List[int]) -> None:
    for name, events in project_trackers(domain):
        assert_going_on(domain, events, one_prediction, name)


def test_a_turn_of_the_real_kinds_replays_once(domain: Domain, one_prediction: List[int]) -> None:
    """A knowledge turn: the answer predicted, then action_listen after its events, on one replay each."""
    tracker = DialogueStateTracker.from_events("turn", conversation(domain, random.Random(9), 80), domain.slots)
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    tracker.update(UserUttered("how long is recovery", {"name": "greet", "confidence": 0.9}))
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    for event in (DefinePrevUserUtteredFeaturization(False), ActionExecuted("utter_greet"), BotUttered("hi")):
        tracker.update(event)
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    assert one_prediction == [1, 1]  # the second prediction went on from the first one's replay


def test_outside_a_prediction_rasa_runs_its_own(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    replays: List[int] = []
    monkeypatch.setattr(prediction_states, "take_steps", lambda *args: replays.append(1))
    monkeypatch.setattr(Domain, "states_for_tracker_history", prediction_states._shared_states_for_tracker_history(
        rasa_states_for_tracker_history()))
    tracker = DialogueStateTracker.from_events("outside", conversation(domain, random.Random(3), 60), domain.slots)
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    assert replays == []


def test_an_error_is_raised_where_rasa_raises_it(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = DialogueStateTracker.from_events("error", conversation(domain, random.Random(5), 80), domain.slots)
    get_active_state = Domain.get_active_state
    calls: List[int] = []

    def failing(self: Domain, tr: DialogueStateTracker, omit_unset_slots: bool = False) -> State:
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("the fifth state")
        return get_active_state(self, tr, omit_unset_slots=omit_unset_slots)

    monkeypatch.setattr(Domain, "get_active_state", failing)
    kept = prediction_states.take_steps(domain, tracker, False)
    with pytest.raises(RuntimeError, match="the fifth state"):
        prediction_states.states_from_steps(domain, kept)
    assert kept.steps[4].error is not None


def test_install_is_idempotent_and_scopes_each_prediction(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.processor import MessageProcessor

    monkeypatch.setattr(prediction_states, "_installed", False)
    monkeypatch.setattr(Domain, "states_for_tracker_history", Domain.states_for_tracker_history)
    monkeypatch.setattr(MessageProcessor, "_predict_next_with_tracker", MessageProcessor._predict_next_with_tracker)
    monkeypatch.setattr(MessageProcessor, "_run_prediction_loop", MessageProcessor._run_prediction_loop)
    prediction_states.install()
    installed = (Domain.states_for_tracker_history, MessageProcessor._predict_next_with_tracker,
                 MessageProcessor._run_prediction_loop)
    prediction_states.install()
    assert (Domain.states_for_tracker_history, MessageProcessor._predict_next_with_tracker,
            MessageProcessor._run_prediction_loop) == installed
    seen: List[Optional[dict]] = []
    predict = prediction_states._one_prediction(lambda self, tracker: seen.append(prediction_states._prediction.get()))
    predict(None, None)
    assert seen == [{}] and prediction_states._prediction.get() is None

    async def loop(self: Any, output_channel: Any, tracker: Any) -> None:  # a turn: two predictions in one scope
        predict(None, None)
        predict(None, None)

    turn = prediction_states._one_turn(loop)
    seen.clear()
    tracker = DialogueStateTracker.from_events("scoped", [])
    asyncio.run(turn(None, None, tracker))
    assert len(seen) == 2 and seen[0] is seen[1] == {} and seen[0].turn
    asyncio.run(turn(None, None, tracker))
    assert len(seen) == 4 and seen[2] is not seen[0] and prediction_states._prediction.get() is None


def test_a_user_message_rewritten_after_a_step_read_it_is_replayed_again(domain: Domain,
                                                                          one_prediction: List[int]) -> None:
    """``DefinePrevUserUtteredFeaturization`` changes the latest user message in place: a kept step
    that read it (here before the second action_listen) must not be reused."""
    tracker = DialogueStateTracker.from_events("rewritten", [ActionExecuted(ACTION_LISTEN_NAME)], domain.slots)
    tracker.update(UserUttered("hello there", {"name": "greet", "confidence": 0.9}))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    tracker.update(DefinePrevUserUtteredFeaturization(True))  # now read by its text, not its intent
    assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
    assert one_prediction == [1, 1, 1, 1]


# From one turn to the next (``EarlierTurns``): the next turn's tracker is the conversation read
# back from the tracker store (other objects, through JSON) with the new message appended.

def stored(events: Sequence[Event]) -> List[Event]:
    """The events as the tracker store gives them back: new objects, through JSON."""
    import json

    return [Event.from_parameters(json.loads(json.dumps(event.as_dict()))) for event in events]


def play_turns(domain: Domain, events: Sequence[Event], rng: random.Random, sender: str,
               change: Optional[Callable[[List[Event], random.Random], None]] = None, carry: bool = True) -> Tuple[int, int]:
    """The conversation cut into turns at random. Each turn: its tracker read back from the "store" (the
    events so far, ``change``d there first if given) with the turn's first events appended, a prediction,
    the rest appended, a second prediction, all in one turn scope as the server runs them. Every
    prediction's states must equal Rasa's, and the applied events taken from the last turn's kept steps
Rasa's own. Returns the number of turns, and how often those applied events were taken so."""
    after_messages = [at + 1 for at, event in enumerate(events) if isinstance(event, UserUttered) and at > 1]
    applied_counts: List[bool] = []
    cuts = sorted(set(rng.sample(range(2, len(events)), k=len(events) // 10)
                      + rng.sample(after_messages, k=len(after_messages) // 2))) + [len(events)]
    store: List[Event] = []
    played = 0

    async def one_turn(self: Any, output_channel: Any, tracker: DialogueStateTracker, new: List[Event]) -> None:
        assert_applied_as_rasa(tracker, applied_counts)  # the session check, before the message
        middle = rng.randint(1, len(new)) if new else 0
        for event in new[:middle]:
            tracker.update(event)
        assert_applied_as_rasa(tracker, applied_counts)
        assert_policy_calls_as_rasas(domain, tracker, (sender, played, "first"))
        for event in new[middle:]:
            tracker.update(event)
        assert_policy_calls_as_rasas(domain, tracker, (sender, played, "second"))

    turn = prediction_states._one_turn(one_turn)

    async def conversation_of_turns() -> None:
        nonlocal store, played
        carried: Optional[prediction_states.KeptSteps] = None
        start = 0
        for cut in cuts:
            if change is not None and store:
                change(store, rng)
            tracker = DialogueStateTracker.from_events(sender, stored(store), domain.slots)
            prediction_states.give_kept_steps(tracker, carried)  # as the tracker store does
            await turn(None, None, tracker, list(events[start:cut]))
            store = list(tracker.events)
            carried = prediction_states.kept_steps(tracker) if carry else None
            start = cut
            played += 1

    asyncio.run(conversation_of_turns())
    return played, sum(applied_counts)


RASA_APPLIED_EVENTS = getattr(DialogueStateTracker.applied_events, "__wrapped__", DialogueStateTracker.applied_events)


def assert_applied_as_rasa(tracker: DialogueStateTracker, found: List[bool]) -> None:
    """The applied events from the last turn's kept steps, where they fit, are Rasa's (the same objects)."""
    events = tuple(tracker.events)
    applied = prediction_states.applied_from_kept_steps(tracker, events)
    found.append(applied is not None)
    if applied is not None:
        assert [id(e) for e in applied] == [id(e) for e in RASA_APPLIED_EVENTS(tracker)]


@pytest.mark.parametrize("seed", range(8))
def test_the_next_turn_goes_on_from_the_last_ones_steps(domain: Domain, one_prediction: List[int],
                                                        seed: int) -> None:
    events = conversation(domain, random.Random(200 + seed), 200)
    turns, from_kept = play_turns(domain, events, random.Random(seed), f"turns {seed}")
    assert from_kept > 0
    replays = len(one_prediction)
    # the same turns without the earlier turns' steps: every turn replays at least once for each value of
    # omit_unset_slots; with them, only restarts, session starts, reverts and loops replay from the start
    one_prediction.clear()
    play_turns(domain, events, random.Random(seed), f"turns {seed} again", carry=False)
    assert len(one_prediction) >= 2 * turns and replays < 0.9 * len(one_prediction)


def test_the_projects_stories_and_rules_turn_by_turn(domain: Domain, one_prediction: List[int]) -> None:
    for number, (name, events) in enumerate(project_trackers(domain)):
        if len(events) > 4:
            play_turns(domain, events, random.Random(number), name)


def changed_in_the_store(store: List[Event], rng: random.Random) -> None:
    """Another instance, "forget me", retention or an overwrite: an earlier event rewritten or deleted."""
    if rng.random() < 0.5:
        return
    at = rng.randrange(len(store))
    event = store[at]
    if isinstance(event, UserUttered):
        store[at] = UserUttered("[redacted]", {"name": "affirm", "confidence": 1.0}, timestamp=event.timestamp)
    elif isinstance(event, SlotSet):
        store[at] = SlotSet(event.key, None if event.value is not None else "changed", timestamp=event.timestamp)
    elif isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
        store[at] = ActionExecuted("utter_not_understood", timestamp=event.timestamp)
    else:
        del store[at]


@pytest.mark.parametrize("seed", range(6))
def test_a_conversation_changed_in_the_store_between_turns_is_replayed(domain: Domain, one_prediction: List[int],
                                                                      seed: int) -> None:
    events = conversation(domain, random.Random(300 + seed), 160)
    play_turns(domain, events, random.Random(seed), f"changed {seed}", change=changed_in_the_store)


def test_one_replay_for_a_conversation_of_plain_turns(domain: Domain, one_prediction: List[int],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Knowledge questions, as the server runs them: only the first turn replays, and each turn compares
    the events read back with the kept ones once for each kept replay (not again for its applied events)."""
    compared: List[int] = []
    equal_events = prediction_states.equal_events
    monkeypatch.setattr(prediction_states, "equal_events", lambda *args: compared.append(1) or equal_events(*args))
    events: List[Event] = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]
    for number in range(12):
        events += [UserUttered(f"question {number}", {"name": "greet", "confidence": 0.9},
                               parse_data={"text_tokens": [(0, 8)]}),  # tuples come back from JSON as lists
                   DefinePrevUserUtteredFeaturization(False), ActionExecuted("utter_greet"), BotUttered("hi"),
                   ActionExecuted(ACTION_LISTEN_NAME)]
    tracker = DialogueStateTracker.from_events("plain", [], domain.slots)

    async def one_turn(self: Any, output_channel: Any, tracker: DialogueStateTracker, new: List[Event]) -> None:
        for event in new[:1]:  # the message
            tracker.update(event)
        assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)
        for event in new[1:]:
            tracker.update(event)
        assert rasa_policy_calls(domain, tracker) == policy_calls(domain, tracker)

    applied: List[Any] = []

    async def turns() -> None:
        nonlocal tracker
        turn = prediction_states._one_turn(one_turn)
        start = 3
        for _ in range(12):
            carried = prediction_states.kept_steps(tracker)
            tracker = DialogueStateTracker.from_events("plain", stored(tracker.events), domain.slots)
            prediction_states.give_kept_steps(tracker, carried)
            if carried:  # the session check's applied events come from them too
                applied.append(prediction_states.applied_from_kept_steps(tracker, tuple(tracker.events)))
                assert applied[-1] is not None and [id(e) for e in applied[-1]] == [
                    id(e) for e in RASA_APPLIED_EVENTS(tracker)]
            if start == 3:
                for event in events[:3]:
                    tracker.update(event)
            await turn(None, None, tracker, events[start:start + 5])
            start += 5

    asyncio.run(turns())
    assert one_prediction == [1, 1]  # the first turn's first prediction, for each value of omit_unset_slots
    assert len(applied) == 11
    assert len(compared) == 2 * 11  # the kept steps for each value of omit_unset_slots, once a turn


def test_equal_events_are_read_back_events_not_lookalikes() -> None:
    said = UserUttered("hi", {"name": "greet", "confidence": 0.9}, parse_data={"text_tokens": [(0, 2)]})
    assert prediction_states.equal_events([said], [said])
    assert prediction_states.equal_events([said], stored([said]))  # tuples read back as lists
    assert not prediction_states.equal_events([said], [UserUttered("hi", {"name": "deny", "confidence": 0.9})])
    assert not prediction_states.equal_events([said], [])
    slot = SlotSet("topic", "risks", timestamp=1.0)
    assert prediction_states.equal_events([slot], [SlotSet("topic", "risks", timestamp=1.0)])
    assert not prediction_states.equal_events([slot], [SlotSet("topic", "risk", timestamp=1.0)])
    assert not prediction_states.equal_events([slot], [SlotSet("topic", ("risks",), timestamp=1.0)])
    listen, rejected = ActionExecuted("a", timestamp=1.0), ActionExecutionRejected("a", timestamp=1.0)
    rejected.__dict__ = dict(listen.__dict__)
    assert not prediction_states.equal_events([listen], [rejected])  # another kind of event, the same attributes


def test_a_turn_leaves_its_own_trackers_last_steps_for_the_next(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events("own", conversation(domain, random.Random(4), 40), domain.slots)
    other = tracker.copy()
    prediction_states.give_kept_steps(tracker, {(id(domain), True): (domain, prediction_states.take_steps(
        domain, tracker, True))})  # the previous turn's, used or not: replaced
    scope = prediction_states._Scope(turn=True)
    own = prediction_states.take_steps(domain, tracker, False)
    used = prediction_states.take_steps(domain, tracker, True)
    used.replay = None  # gone on from already: nothing to go on from again
    scope[(id(tracker), id(domain), False)] = (tracker, domain, own)
    scope[(id(tracker), id(domain), True)] = (tracker, domain, used)
    scope[(id(other), id(domain), False)] = (other, domain, prediction_states.take_steps(domain, other, False))
    prediction_states._keep_for_next_turn(scope, tracker)
    assert prediction_states.kept_steps(tracker) == {(id(domain), False): (domain, own)}
    assert prediction_states.kept_steps(other) is None
    prediction_states._keep_for_next_turn(prediction_states._Scope(turn=True), tracker)  # a turn with no prediction
    assert prediction_states.kept_steps(tracker) is None


def test_steps_kept_for_another_domain_are_not_gone_on_from(domain: Domain, one_prediction: List[int]) -> None:
    events: List[Event] = [ActionExecuted(ACTION_LISTEN_NAME)]
    for number in range(12):
        events += [UserUttered(f"question {number}", {"name": "greet", "confidence": 0.9}),
                   ActionExecuted("utter_greet"), BotUttered("hi"), ActionExecuted(ACTION_LISTEN_NAME)]
    first = DialogueStateTracker.from_events("domains", events[:45], domain.slots)
    other = Domain.load(str(ROOT / "domain.yml"))  # the same content, another model's object
    steps = prediction_states.take_steps(other, first, False)
    second = DialogueStateTracker.from_events("domains", stored(events[:45]), domain.slots)
    prediction_states.give_kept_steps(second, {(id(domain), False): (other, steps)})
    scope = prediction_states._Scope(turn=True)
    token = prediction_states._prediction.set(scope)
    try:
        for event in events[45:]:  # plain turns: the same domain's kept steps would be gone on from
            second.update(event)
        assert rasa_policy_calls(domain, second) == policy_calls(domain, second)
    finally:
        prediction_states._prediction.reset(token)
    # the kept steps taken here, then a replay for each value of omit_unset_slots: the kept ones not used
    assert one_prediction == [1, 1, 1] and steps.replay is not None


def test_kept_steps_remember_only_the_very_events_found_equal(domain: Domain) -> None:
    events: List[Event] = [ActionExecuted(ACTION_LISTEN_NAME), UserUttered("hi", {"name": "greet", "confidence": 1.0}),
                           ActionExecuted("utter_greet"), ActionExecuted(ACTION_LISTEN_NAME)]
    kept = prediction_states.take_steps(domain, DialogueStateTracker.from_events("eq", events, domain.slots), False)
    read_back = stored(events)
    assert prediction_states.continued_by(kept, read_back) and kept.equal_to == tuple(read_back)
    changed = stored(events)
    changed[1] = UserUttered("hello", {"name": "greet", "confidence": 1.0}, timestamp=changed[1].timestamp)
    assert not prediction_states.continued_by(kept, changed)  # other objects: compared, not remembered
    assert prediction_states.continued_by(kept, stored(events))
