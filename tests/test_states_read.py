"""Only the last states a policy reads are copied for it (bot/rasa_ext/prediction_states.py).

MemoizationPolicy's featuriser keeps the last ``max_history`` states and RulePolicy compares at most
its longest rule's; at the end of a long conversation each call had fresh copies of all of them
(issue #17). Here, as a conversation grows event by event inside one scope (as a turn's predictions
go on from each other), what the featurisers make of the cut states, and what RulePolicy predicts
from them, is compared with Rasa's own on all the states: the project's stories and rules, and long
generated conversations with ``action_unlikely_intent`` steps (the featuriser drops those before it
keeps its last states).
"""

# ruff: noqa: F811 - the domain fixture is shared with tests/test_prediction_states.py
from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import pytest
from rasa.core.featurizers.single_state_featurizer import SingleStateFeaturizer
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import ACTION_UNLIKELY_INTENT_NAME, RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import prediction_states as ps
from tests.test_prediction_states import (  # noqa: F401 (domain: the fixture)
    ROOT,
    conversation,
    domain,
    layout,
    project_trackers,
    rasa_states_for_tracker_history,
)

RASA_FEATURIZER_STATES = getattr(MaxHistoryTrackerFeaturizer.prediction_states, "__wrapped__",
                                 MaxHistoryTrackerFeaturizer.prediction_states)


@pytest.fixture()
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shared states and both cuts, as install() sets them, with Rasa's own functions beneath."""
    monkeypatch.setattr(Domain, "states_for_tracker_history", ps._shared_states_for_tracker_history(
        rasa_states_for_tracker_history()))
    monkeypatch.setattr(MaxHistoryTrackerFeaturizer, "prediction_states",
                        ps._kept_by_featurizer(RASA_FEATURIZER_STATES))
    monkeypatch.setattr(RulePolicy, "_prediction_states", ps._read_by_rules(Policy._prediction_states))
    yield


def in_scope(call: Callable[[], Any], scope: ps._Scope) -> Any:
    token = ps._prediction.set(scope)
    try:
        return call()
    finally:
        ps._prediction.reset(token)


def rasa_alone(call: Callable[[], Any]) -> Any:
    """Outside a prediction: Rasa's own states, all of them (the cuts only apply to kept steps)."""
    token = ps._prediction.set(None)
    try:
        return call()
    finally:
        ps._prediction.reset(token)


def with_unlikely_intents(events: Sequence[Event], rng: random.Random) -> List[Event]:
    """UnexpecTEDIntentPolicy's action after some messages, as it runs it."""
    out: List[Event] = []
    for event in events:
        out.append(event)
        if isinstance(event, UserUttered) and rng.random() < 0.4:
            out.append(ActionExecuted(ACTION_UNLIKELY_INTENT_NAME))
    return out


def featurizer_calls(domain: Domain, tracker: DialogueStateTracker) -> List[Any]:
    rule_only = {RULE_ONLY_SLOTS: [domain.slots[0].name], RULE_ONLY_LOOPS: list(domain.form_names)}
    found = []
    for history in (1, 4):
        featurizer = MaxHistoryTrackerFeaturizer(SingleStateFeaturizer(), max_history=history)
        for text in (False, True):
            found.append(featurizer.prediction_states([tracker], domain, use_text_for_last_user_input=text))
        found.append(featurizer.prediction_states([tracker], domain, ignore_rule_only_turns=True,
                                                  rule_only_data=rule_only, ignore_action_unlikely_intent=True))
    found.append(MaxHistoryTrackerFeaturizer(SingleStateFeaturizer(), max_history=None).prediction_states(
        [tracker], domain, ignore_rule_only_turns=True, rule_only_data=None, ignore_action_unlikely_intent=True))
    return found


def assert_featurizers_as_rasa(domain: Domain, events: Sequence[Event], name: str) -> None:
    scope = ps._Scope(turn=True)
    tracker = DialogueStateTracker.from_events(name, [], domain.slots)
    for at, event in enumerate(events):
        tracker.update(event)
        cut = in_scope(lambda: featurizer_calls(domain, tracker), scope)
        rasa = rasa_alone(lambda: featurizer_calls(domain, tracker))
        assert cut == rasa, (name, at, event)
        assert [[layout(states) for states in call] for call in cut] == \
            [[layout(states) for states in call] for call in rasa], (name, at)


@pytest.mark.parametrize("seed", range(3))
def test_featurisers_keep_the_same_last_states(domain: Domain, installed: None, seed: int) -> None:
    rng = random.Random(300 + seed)
    assert_featurizers_as_rasa(domain, with_unlikely_intents(conversation(domain, rng, 160), rng), f"cut {seed}")


def test_featurisers_on_the_projects_stories_and_rules(domain: Domain, installed: None) -> None:
    for number, (name, events) in enumerate(project_trackers(domain)):
        assert_featurizers_as_rasa(domain, with_unlikely_intents(events, random.Random(number)), name)


def test_only_the_last_states_are_copied(domain: Domain, installed: None) -> None:
    rng = random.Random(5)
    # a long history to cut from: without the restarts that would start it again near the end (which, with
    # this seed, depends on how many intents and actions the domain has)
    events = [e for e in with_unlikely_intents(conversation(domain, rng, 200), rng)
              if not isinstance(e, Restarted | SessionStarted)]
    tracker = DialogueStateTracker.from_events("cut", events, domain.slots)
    scope = ps._Scope()
    everything = rasa_alone(lambda: tracker.past_states(domain))
    for ignore in (False, True):
        wanted = in_scope(lambda ignore=ignore: ps._reading_last(3, tracker.past_states, domain,
                                                                 ignore_rule_only_turns=ignore), scope)
        assert 3 <= len(wanted) < len(everything) // 10
        assert sum(1 for state in wanted if state.get("prev_action", {}).get("action_name")
                   != ACTION_UNLIKELY_INTENT_NAME) == 3
    assert ps.last_states(everything, None) == everything


def test_the_ml_states_are_worked_out_once(domain: Domain, installed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Going on event by event, each step is walked once, not once per call (Rasa: every step each call)."""
    walked: List[int] = []
    remove = Domain._remove_rule_only_features

    def counted(state: State, rule_only_data: Optional[Dict[str, Any]]) -> None:
        walked.append(1)
        remove(state, rule_only_data)

    monkeypatch.setattr(Domain, "_remove_rule_only_features", staticmethod(counted))
    events = [e for e in conversation(domain, random.Random(11), 200)
              if isinstance(e, UserUttered | ActionExecuted)]  # nothing that replays from the start
    scope = ps._Scope(turn=True)
    tracker = DialogueStateTracker.from_events("walked", [], domain.slots)
    for event in events:
        tracker.update(event)
        in_scope(lambda: tracker.past_states(domain, ignore_rule_only_turns=True), scope)
    assert len(walked) < 2 * len(events) + 5  # Rasa's: about len(events) ** 2 / 4


# RulePolicy, trained on the project's stories and rules

@pytest.fixture(scope="module")
def rules() -> Iterator[tuple]:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"),
        training_data_paths=[str(ROOT / "data" / "stories"), str(ROOT / "data" / "rules")])
    project_domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), project_domain, augmentation_factor=0).generate()
    with tempfile.TemporaryDirectory() as folder:
        config = {**RulePolicy.get_default_config(), "core_fallback_threshold": 0.3,
                  "core_fallback_action_name": "utter_not_understood", "restrict_rules": True}
        policy = RulePolicy.create(config, LocalModelStorage(Path(folder)), Resource("rules"),
                                   ExecutionContext(GraphSchema({}), "test"))
        policy.train(trackers, project_domain)
        yield policy, project_domain


@pytest.fixture(scope="module")
def memoization(rules: tuple) -> Iterator[tuple]:
    """MemoizationPolicy as config.yml has it, trained on the project's stories, with RulePolicy's rule-only data."""
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.importers.importer import TrainingDataImporter

    rule_policy, project_domain = rules
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "data" / "stories")])
    trackers = TrainingDataGenerator(importer.get_stories(), project_domain, augmentation_factor=0).generate()
    with tempfile.TemporaryDirectory() as folder:
        policy = MemoizationPolicy.create({**MemoizationPolicy.get_default_config(), "max_history": 4},
                                          LocalModelStorage(Path(folder)), Resource("memo"),
                                          ExecutionContext(GraphSchema({}), "test"))
        policy.train(trackers, project_domain)
        yield policy, project_domain, rule_policy._get_rule_only_data()


def predictions(policy: Any, domain: Domain, events: Sequence[Event], name: str, **kwargs: Any) -> int:
    """At each point where the processor predicts: the policy's prediction on the cut states is Rasa's.
    Returns how many were certain (a rule's or a memorised story's, not the fallback's)."""
    scope = ps._Scope(turn=True)
    ruled = 0
    tracker = DialogueStateTracker.from_events(name, [], domain.slots)
    for at, event in enumerate(events):
        tracker.update(event)
        if not isinstance(event, UserUttered | ActionExecuted):
            continue
        try:
            expected: Any = rasa_alone(lambda: policy.predict_action_probabilities(tracker, domain, **kwargs))
        except Exception as raised:  # noqa: BLE001 - the same error is expected
            expected = type(raised)
        try:
            got: Any = in_scope(lambda: policy.predict_action_probabilities(tracker, domain, **kwargs), scope)
        except Exception as raised:  # noqa: BLE001
            got = type(raised)
        assert got == expected, (name, at, event)
        ruled += not isinstance(got, type) and max(got.probabilities) == 1.0
    return ruled


def test_rule_policy_predicts_as_on_all_states(rules: tuple, installed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, project_domain = rules
    read: List[int] = []
    find = RulePolicy._get_possible_keys

    def counted(self: RulePolicy, lookup: Dict[str, str], states: List[State]) -> Any:
        if ps._prediction.get() is not None:  # the states it got, but for the unlikely-intent ones kept with them
            read.append(sum(1 for state in states
                            if state.get("prev_action", {}).get("action_name") != ACTION_UNLIKELY_INTENT_NAME))
        return find(self, lookup, states)

    monkeypatch.setattr(RulePolicy, "_get_possible_keys", counted)
    ruled = sum(predictions(policy, project_domain, events, name) for name, events in project_trackers(project_domain))
    for seed in range(3):
        rng = random.Random(400 + seed)
        events = with_unlikely_intents(conversation(project_domain, rng, 200), rng)
        ruled += predictions(policy, project_domain, events, f"rules {seed}")
    # not vacuous: rules matched, and long conversations were cut to the states the longest rule reads
    assert ruled > 100
    assert max(read) == ps.rule_states_read(policy) < 10


def test_rule_states_read_is_one_more_than_the_longest_rule(rules: tuple) -> None:
    import json

    policy, _ = rules
    longest = max(len(json.loads(key)) for key in policy.lookup["rules"])
    assert ps.rule_states_read(policy) == longest + 1

    class Named:
        lookup = {"rules": {json.dumps([{}, {}]): "utter_a"}, "rules_for_loop_unhappy_path": {},
                  "rules_not_in_stories": ["handling active loops and forms - a_form", json.dumps([{}] * 6)]}

    assert ps.rule_states_read(Named()) == 7


def test_rule_states_read_follows_rules_changed_in_place(rules: tuple) -> None:
    """Training fills ``rules_not_in_stories`` in place: the count is worked out again (found by review)."""
    import json

    policy, _ = rules
    read = ps.rule_states_read(policy)
    longer = json.dumps([{}] * (read + 3))
    policy.lookup["rules_not_in_stories"].append(longer)
    try:
        assert ps.rule_states_read(policy) == read + 4
    finally:
        policy.lookup["rules_not_in_stories"].remove(longer)
    assert ps.rule_states_read(policy) == read


def test_memoization_predicts_as_on_all_states(memoization: tuple, installed: None) -> None:
    """MemoizationPolicy reads its last four states, made without rule-only turns (``MlStates``, kept
    with the steps and gone on from event by event): its predictions are Rasa's."""
    policy, project_domain, rule_only = memoization
    remembered = sum(predictions(policy, project_domain, events, name, rule_only_data=rule_only)
                     for name, events in project_trackers(project_domain))
    for seed in range(3):
        rng = random.Random(600 + seed)
        events = with_unlikely_intents(conversation(project_domain, rng, 200), rng)
        remembered += predictions(policy, project_domain, events, f"memo {seed}", rule_only_data=rule_only)
    assert remembered > 20  # not vacuous: stories were recalled
