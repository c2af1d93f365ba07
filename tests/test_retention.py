"""'Forget me' and retention, on real SQLite files through our tracker store (bot.rasa_ext.stores)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.app.cli import main
from bot.core.markers import conversation_forgotten
from bot.rasa_ext.stores import CheckedSQLTrackerStore
from bot.storage.requests import ConsultationRequest, RequestStore, StoreUnavailable
from bot.storage.retention import delete_conversation, delete_conversations_idle_for

DAY = 86400.0


def turn(text: str, at: float) -> List[Event]:
    return [UserUttered(text, timestamp=at), ActionExecuted("utter_greet", timestamp=at),
            BotUttered("hello", timestamp=at), ActionExecuted("action_listen", timestamp=at)]


def save(store: CheckedSQLTrackerStore, sender: str, events: List[Event]) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def count(url: str, sender: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    finally:
        engine.dispose()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'rasa.db'}"


@pytest.fixture
def store(url: str) -> CheckedSQLTrackerStore:
    return CheckedSQLTrackerStore(domain=Domain.empty(), host=url)


def request(conversation: str, days_old: float = 0) -> ConsultationRequest:
    return ConsultationRequest(conversation_id=conversation, name="Ann Lee", contact="ann@example.com",
                               contact_kind="email", preferred_time="mornings",
                               created_at=datetime.now(timezone.utc) - timedelta(days=days_old))


def test_only_the_latest_turn_counts_as_forgetting() -> None:
    now = time.time()
    marked = [*turn("delete my data", now), SlotSet("forgotten", True)]
    assert conversation_forgotten(marked)
    assert not conversation_forgotten([*marked, *turn("hi again", now)])
    assert not conversation_forgotten([*turn("hi", now), SlotSet("forgotten", False)])
    assert not conversation_forgotten([])


def test_the_tracker_store_deletes_a_forgotten_conversation(store: CheckedSQLTrackerStore, url: str) -> None:
    now = time.time()
    save(store, "ann", turn("hi", now))
    save(store, "bo", turn("hi", now))
    assert count(url, "ann") == 4
    save(store, "ann", [*turn("hi", now), *turn("delete my data", now), SlotSet("forgotten", True)])
    assert count(url, "ann") == 0 and count(url, "bo") == 4
    # the next message starts afresh
    assert asyncio.run(store.retrieve("ann")) is None


def test_retention_deletes_whole_idle_conversations_only(store: CheckedSQLTrackerStore, url: str) -> None:
    now = time.time()
    save(store, "old", turn("hi", now - 40 * DAY))
    save(store, "ongoing", [*turn("hi", now - 40 * DAY), *turn("still here", now - 1 * DAY)])
    save(store, "new", turn("hi", now))
    assert delete_conversations_idle_for(url, 30, now=now) == (1, 4)
    assert count(url, "old") == 0 and count(url, "ongoing") == 8 and count(url, "new") == 4
    assert delete_conversations_idle_for(url, 0, now=now + 1) == (2, 12)
    with pytest.raises(ValueError):
        delete_conversations_idle_for(url, -1)


def test_deleting_from_an_empty_database_is_not_an_error(url: str) -> None:
    assert delete_conversation(url, "nobody") == 0
    assert delete_conversations_idle_for(url, 30) == (0, 0)


def test_requests_of_one_conversation_go_from_the_database_and_the_spool(tmp_path: Path) -> None:
    requests = RequestStore(f"sqlite:///{tmp_path / 'r.db'}", spool=tmp_path / "spool.jsonl")
    requests.add(request("ann"))
    requests.add(request("bo"))
    requests.keep_for_retry(request("ann"))
    requests.keep_for_retry(request("bo"))
    assert requests.delete_conversation("ann") == 2
    assert [r.conversation_id for r in requests.all()] == ["bo"]
    assert [r.conversation_id for r in requests.pending()] == ["bo"]
    broken = RequestStore("postgresql://u:p@127.0.0.1:1/x", spool=tmp_path / "other.jsonl")
    with pytest.raises(StoreUnavailable):
        broken.delete_conversation("ann")


def test_retention_drops_old_spooled_requests_too(tmp_path: Path) -> None:
    requests = RequestStore(f"sqlite:///{tmp_path / 'r.db'}", spool=tmp_path / "spool.jsonl")
    requests.keep_for_retry(request("old", days_old=40))
    requests.keep_for_retry(request("new"))
    assert requests.delete_older_than(30) == 1
    assert [r.conversation_id for r in requests.pending()] == ["new"]


def test_cli_purge_and_forget(store: CheckedSQLTrackerStore, url: str, tmp_path: Path,
                              capsys: pytest.CaptureFixture) -> None:
    requests_url = f"sqlite:///{tmp_path / 'requests.db'}"
    RequestStore(requests_url, spool=tmp_path / "s.jsonl").add(request("ann", days_old=40))
    RequestStore(requests_url, spool=tmp_path / "s.jsonl").add(request("bo"))
    save(store, "ann", turn("hi", time.time() - 40 * DAY))
    save(store, "bo", turn("hi", time.time()))
    databases = ["--database-url", url, "--requests-database-url", requests_url]
    assert main(["purge", "--older-than-days", "30", *databases]) == 0
    assert "Deleted 1 conversation(s) (4 events)" in capsys.readouterr().out
    assert count(url, "ann") == 0
    assert main(["forget", "bo", *databases]) == 0
    assert "Deleted 4 event(s) and 1 consultation request(s)" in capsys.readouterr().out
    assert count(url, "bo") == 0
    with pytest.raises(SystemExit):
        main(["purge", "--older-than-days", "-3", *databases])


def test_a_rewrite_always_changes_the_conversations_total_length() -> None:
    """Each process's tracker cache sees a rewrite elsewhere by the sum of the rows' lengths."""
    from bot.storage.retention import lengthened_if_same

    same = [(1, '{"text": "Ann Smith"}', '{"text": "[removed]"}')]
    assert lengthened_if_same(same) == [(1, '{"text": "Ann Smith"}', '{"text": "[removed]"} ')]
    evened = [(1, '"Ann Lee"', '"[removed]"'), (2, '"Ann Le Smith"', '"[removed]"x')]  # +2 and -2
    assert [new for _, _, new in lengthened_if_same(evened)] == ['"[removed]"', '"[removed]"x ']
    longer = [(1, '"Ann"', '"[removed]"')]
    assert lengthened_if_same(longer) == longer and lengthened_if_same([]) == []


def test_an_overwrite_as_long_as_what_it_overwrote_still_changes_the_fingerprint(store: CheckedSQLTrackerStore,
                                                                                 url: str) -> None:
    from rasa.shared.core.events import ActiveLoop

    from bot.rasa_ext.tracker_cache import TrackerCache
    from bot.storage.retention import REDACTED, redact_contact_details

    name = "Ann Smith"
    assert len(name) == len(REDACTED)  # its message rewritten alone keeps the same length
    save(store, "ann", [ActiveLoop("consultation_form"), SlotSet("requested_slot", "contact_name"),
                        UserUttered(name, {"name": "inform", "confidence": 1.0}, parse_data={"entities": []})])
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = TrackerCache.fingerprint(conn, "ann")
    assert redact_contact_details(url, "ann") == 1
    with engine.connect() as conn:
        after = TrackerCache.fingerprint(conn, "ann")
    assert after[:2] == before[:2] and after[2] != before[2]


def _abandoned_forward(events: List[Event]) -> bool:
    """consultation_abandoned's plain definition, reading from the start (its first version)."""
    from bot.storage.retention import CONTACT_FORM, REQUEST_KEPT_RESPONSES, _loop_after

    last_user = max((i for i, e in enumerate(events) if e.type_name == "user"), default=-1)
    if last_user < 0:
        return False
    loop = None
    for event in events[:last_user]:
        loop = _loop_after(event, loop)
    if loop != CONTACT_FORM:
        return False
    for event in events[last_user:]:
        loop = _loop_after(event, loop)
        if event.type_name == "bot" and (event.metadata or {}).get("utter_action") in REQUEST_KEPT_RESPONSES:
            return False
    return loop != CONTACT_FORM


@pytest.mark.parametrize("seed", range(6))
def test_a_request_ended_unkept_is_read_from_the_end_as_from_the_start(seed: int) -> None:
    import random

    from rasa.shared.core.events import ActiveLoop, Restarted

    from bot.storage.retention import CONTACT_FORM, REQUEST_KEPT_RESPONSES, consultation_abandoned

    rng = random.Random(seed)
    kinds = [lambda: UserUttered(rng.choice(["Ann", "no", "stop"])), lambda: ActiveLoop(CONTACT_FORM),
             lambda: ActiveLoop(None), lambda: ActiveLoop("sshq_form"), lambda: Restarted(),
             lambda: ActionExecuted(rng.choice(["consultation_form", "action_listen"])),
             lambda: BotUttered("ok", metadata={"utter_action": rng.choice([*REQUEST_KEPT_RESPONSES, "utter_x"])}),
             lambda: SlotSet("requested_slot", "contact_name")]
    events: List[Event] = []
    seen = set()
    for _ in range(300):
        events.append(rng.choice(kinds)())
        assert consultation_abandoned(events) is _abandoned_forward(events), len(events)
        seen.add(_abandoned_forward(events))
    assert seen == {True, False}
