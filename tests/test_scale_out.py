"""The scaled-out setup of deploy/: PostgreSQL, Redis, nginx and two Rasa instances.

Everything runs for real on loopback (Debian's packages, installed by
scripts/system-deps.sh). Twenty patients go through the questionnaire and a
consultation request at the same time, through nginx; one Rasa instance is killed
in the middle. Every conversation must finish, and PostgreSQL must hold every
message that was sent and every request that was confirmed.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa

from bot.scripted import Transcript, questionnaire_with_request
from bot.services import Nginx, Postgres, Redis
from bot.stack import Stack, auth_headers, free_port

pytestmark = pytest.mark.server

CONVERSATIONS = 20
FIRST = ["Maria", "John", "Ana", "Peter", "Grace"]
LAST = ["Gomez", "Smith", "Novak", "Brown"]


class Cluster:
    def __init__(self, postgres: Postgres, redis: Redis, rasa: List[Stack], nginx: Nginx) -> None:
        self.postgres, self.redis, self.rasa, self.nginx = postgres, redis, rasa, nginx


@pytest.fixture(scope="module")
def cluster(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    postgres, redis = Postgres(), Redis()
    actions_port = free_port()
    instances: List[Stack] = []
    nginx = None
    try:
        postgres.start()
        redis.start()
        env = {"LOCK_STORE_URL": redis.url(), "TICKET_LOCK_LIFETIME": "20"}
        for n in range(2):
            instances.append(Stack(workdir=tmp_path_factory.mktemp(f"rasa{n}"), model_dir=trained_model,
                                   actions_port=actions_port, database_url=postgres.url(), extra_env=env))
        instances[0].start_actions()
        for instance in instances:  # one after the other: the first creates the tables
            instance.start_rasa()
        nginx = Nginx([f"127.0.0.1:{i.rasa_port}" for i in instances]).start()
        yield Cluster(postgres, redis, instances, nginx)
    finally:
        if nginx:
            nginx.stop()
        for instance in instances:
            instance.stop()
        redis.stop()
        postgres.stop()


def send_through(router: str, sender: str, text: str, token: str, attempts: int = 6) -> List[Dict[str, Any]]:
    """What a client does: POST to the router, and re-send when it says the server is gone."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    for attempt in range(attempts):
        request = urllib.request.Request(f"{router}/webhooks/rest/webhook", data=body, method="POST",
                                         headers=auth_headers(token))
        try:
            with urllib.request.urlopen(request, timeout=150) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code not in (502, 503, 504) or attempt == attempts - 1:
                raise
        except (urllib.error.URLError, ConnectionError):
            if attempt == attempts - 1:
                raise
        time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def user_messages(url: str) -> Dict[str, List[str]]:
    engine = sa.create_engine(url)
    said: Dict[str, List[str]] = defaultdict(list)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"))
            for sender, data in rows:
                said[sender].append(json.loads(data).get("text"))
    finally:
        engine.dispose()
    return said


def collapsed(messages: List[str]) -> List[str]:
    """Messages with repeats in a row merged: a re-sent message is not a lost one."""
    return [m for i, m in enumerate(messages) if i == 0 or messages[i - 1] != m]


def test_twenty_conversations_survive_losing_an_instance(cluster: Cluster) -> None:
    router = cluster.nginx.url
    victim = cluster.rasa[1]
    expected_messages = CONVERSATIONS * 24
    sent_so_far = 0
    counter = threading.Lock()
    killed = threading.Event()

    def run(n: int) -> Transcript:
        sender = f"scale-{n:02d}"

        def send(text: str) -> List[Dict[str, Any]]:
            nonlocal sent_so_far
            reply = send_through(router, sender, text, victim.token)
            with counter:
                sent_so_far += 1
                if sent_so_far >= expected_messages // 3 and not killed.is_set():
                    killed.set()
                    os.kill(victim.pid("rasa"), signal.SIGKILL)  # no goodbye: a crash
            return reply

        name = f"{FIRST[n % 5]} {LAST[n // 5]}"
        return questionnaire_with_request(send, name, f"patient{n}@example.com")

    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        transcripts = list(pool.map(run, range(CONVERSATIONS)))
    assert killed.is_set()

    # Both instances took conversations, each conversation went to one instance while
    # both were up, and the killed one's conversations moved to the other.
    routes: Dict[str, set] = defaultdict(set)
    log = cluster.nginx.access_log().splitlines()
    moved = [line for line in log if ", " in line]  # "$upstream_addr" lists every instance tried
    print(f"{len(log)} requests routed; {len(moved)} moved to the other instance by nginx: {moved[:3]}")
    for line in log:
        parts = line.split()
        if len(parts) >= 4 and parts[3].startswith("key=scale-"):
            routes[parts[3][4:]].add(parts[1])
    upstreams = {u for used in routes.values() for u in used}
    assert len(upstreams) >= 2, upstreams
    survivor = f"127.0.0.1:{cluster.rasa[0].rasa_port}"
    assert all(survivor in used for used in routes.values() if len(used) > 1)

    # Nothing lost: PostgreSQL holds what every patient sent, in order.
    stored = user_messages(cluster.postgres.url())
    for n, transcript in enumerate(transcripts):
        sender = f"scale-{n:02d}"
        assert collapsed(stored[sender]) == collapsed(transcript.sent), sender
        assert transcript.reference

    engine = sa.create_engine(cluster.postgres.url())
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT reference, conversation_id, name FROM consultation_requests")).all()
    finally:
        engine.dispose()
    assert sorted(r.reference for r in rows) == sorted(t.reference for t in transcripts)
    assert {r.conversation_id for r in rows} == {f"scale-{n:02d}" for n in range(CONVERSATIONS)}


def test_the_surviving_instance_and_the_router_still_answer(cluster: Cluster) -> None:
    reply = send_through(cluster.nginx.url, "scale-after", "what is mild?", cluster.rasa[0].token)
    assert any(isinstance(m.get("custom"), dict) and m["custom"].get("topic") == "what_is_mild" for m in reply)


def test_a_missing_postgres_database_stops_start_up(cluster: Cluster, trained_model: Path, tmp_path: Path) -> None:
    stack = Stack(workdir=tmp_path, model_dir=trained_model, database_url=cluster.postgres.url("no_such_db"),
                  extra_env={"LOCK_STORE_URL": cluster.redis.url()})
    try:
        with pytest.raises(RuntimeError, match="exited"):
            stack.start_rasa(timeout=120)
    finally:
        stack.stop()
    log = (tmp_path / "rasa.log").read_text()
    assert 'database "no_such_db" does not exist' in log
    assert "Create it" in log and cluster.postgres.password not in log
