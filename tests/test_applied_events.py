"""A tracker's applied events kept while its events are unchanged (bot/rasa_ext/applied_events.py).

At every length of the project's stories and rules and of long generated conversations, and
after events are appended, removed or put in another's place, the kept answer must equal Rasa's
own ``applied_events()``; each call gets its own list; and the walk is made once per state.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, Restarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import applied_events
from tests.test_prediction_states import conversation, project_trackers


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(Path(__file__).resolve().parent.parent / "domain.yml"))


RASA_APPLIED = getattr(DialogueStateTracker.applied_events, "__wrapped__", DialogueStateTracker.applied_events)


def rasa_applied(tracker: DialogueStateTracker) -> List[Event]:
    return RASA_APPLIED(tracker)  # type: ignore[no-any-return]


@pytest.fixture()
def kept(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[int]]:
    """The kept applied events installed; counts the walks Rasa's function makes."""
    walks: List[int] = []

    def counted(self: DialogueStateTracker) -> List[Event]:
        walks.append(1)
        return RASA_APPLIED(self)  # type: ignore[no-any-return]

    monkeypatch.setattr(DialogueStateTracker, "applied_events", applied_events.kept_applied_events(counted))
    yield walks


def identities(events: List[Any]) -> List[int]:
    return [id(event) for event in events]


def assert_as_rasa(tracker: DialogueStateTracker, walks: List[int], where: Any) -> None:
    before = len(walks)
    first, second = tracker.applied_events(), tracker.applied_events()
    expected = rasa_applied(tracker)
    assert identities(first) == identities(second) == identities(expected), where
    assert first is not second
    # at most one walk for the two calls (none when updating the tracker walked already: a revert replays)
    assert len(walks) <= before + 1, where
    first.append("changed by the caller")  # a caller's changes to its list stay there
    assert identities(tracker.applied_events()) == identities(expected), where


def test_the_projects_stories_and_rules(domain: Domain, kept: List[int]) -> None:
    for name, events in project_trackers(domain):
        tracker = DialogueStateTracker.from_events(name, [], domain.slots)
        for at, event in enumerate(events):
            tracker.update(event)
            assert_as_rasa(tracker, kept, (name, at))


@pytest.mark.parametrize("seed", range(8))
def test_long_generated_conversations_changed_in_place(domain: Domain, kept: List[int], seed: int) -> None:
    rng = random.Random(seed)
    events = conversation(domain, rng, 200)
    tracker = DialogueStateTracker.from_events(f"generated {seed}", [], domain.slots)
    for at, event in enumerate(events):
        tracker.update(event)
        assert_as_rasa(tracker, kept, (seed, at))
    loop = list(domain.form_names)[0]
    for step in range(40):
        at = rng.randrange(len(tracker.events))
        change = rng.random()
        if change < 0.3:
            del tracker.events[at]
        elif change < 0.6:  # another object in its place, of a kind that changes what is applied
            tracker.events[at] = rng.choice([Restarted(), ActionExecuted(loop), ActiveLoop(loop), ActiveLoop(None),
                                             UserUttered("hi", {"name": "greet", "confidence": 1.0})])
        else:
            tracker.events.append(rng.choice(conversation(domain, rng, 8)))
        assert_as_rasa(tracker, kept, (seed, "changed", step))
