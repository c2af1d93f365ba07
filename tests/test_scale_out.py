"""The scaled-out setup of deploy/: PostgreSQL, Redis, deploy/nginx/nginx.conf itself and two Rasa instances.

Everything runs for real on loopback (Debian's packages, installed by
scripts/system-deps.sh). Twenty patients go through the questionnaire and a
consultation request at the same time, through nginx; one Rasa instance is killed
in the middle. Every conversation must finish, and PostgreSQL must hold every
message that was sent and every request that was confirmed, each message once:
a message nginx re-sent after the kill carries the request id it had
(``X-Request-ID``), and no conversation holds one request id twice. A reply lost
after its turn was stored (an instance dying at that moment) is made to happen
on purpose in the last test.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import socketserver
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa

from harness.scripted import Transcript, questionnaire_with_request
from harness.services import ROUTING_LOG_FORMAT, Nginx, Postgres, Redis, deployed_rasa_instances
from harness.stack import Stack, auth_headers, free_port

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
        for n in range(len(deployed_rasa_instances())):  # as many as deploy/nginx/nginx.conf lists
            instances.append(Stack(workdir=tmp_path_factory.mktemp(f"rasa{n}"), model_dir=trained_model,
                                   actions_port=actions_port, database_url=postgres.url(), extra_env=env))
        instances[0].start_actions()
        for instance in instances:  # one after the other: the first creates the tables
            instance.start_rasa()
        # the deployed configuration itself, with a JSON access log that names the conversation
        nginx = Nginx([f"127.0.0.1:{i.rasa_port}" for i in instances], log_format=ROUTING_LOG_FORMAT).start()
        yield Cluster(postgres, redis, instances, nginx)
    finally:
        if nginx:
            kept = tmp_path_factory.mktemp("nginx-logs")  # for a failed run: why nginx said 502
            for log in ("error.log", "access.log"):
                if (nginx.folder / log).exists():
                    shutil.copy(nginx.folder / log, kept / log)
            nginx.stop()
        for instance in instances:
            instance.stop()
        redis.stop()
        postgres.stop()


def send_through(router: str, sender: str, text: str, token: str,
                 attempts: int = 6) -> Tuple[List[Dict[str, Any]], int]:
    """What a client does: POST to the router, and re-send when it says the server is gone.

    Returns the reply and how many times the message was sent.
    """
    body = json.dumps({"sender": sender, "message": text}).encode()
    for attempt in range(attempts):
        request = urllib.request.Request(f"{router}/webhooks/rest/webhook", data=body, method="POST",
                                         headers=auth_headers(token))
        try:
            with urllib.request.urlopen(request, timeout=150) as response:
                return json.loads(response.read()), attempt + 1
        except urllib.error.HTTPError as error:
            if error.code not in (502, 503, 504) or attempt == attempts - 1:
                raise
        except (urllib.error.URLError, ConnectionError):
            if attempt == attempts - 1:
                raise
        time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def stored_user_events(url: str) -> Dict[str, List[Dict[str, Any]]]:
    engine = sa.create_engine(url)
    said: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"))
            for sender, data in rows:
                said[sender].append(json.loads(data))
    finally:
        engine.dispose()
    return said


def user_messages(url: str) -> Dict[str, List[str]]:
    return {sender: [e.get("text") for e in said] for sender, said in stored_user_events(url).items()}


def store_problem(stored: List[str], sent: List[str], attempts: List[int]) -> Optional[str]:
    """Why ``stored`` is not what was ``sent``, when a message sent n times may be stored 1 to n times.

    Messages are compared in runs of equal consecutive texts ("no", "no", "no"): a run of
    k messages sent m times in all must be stored at least k and at most m times, so a
    message lost or stored twice without being re-sent is a problem.
    """
    stored_runs = [(text, len(list(run))) for text, run in groupby(stored)]
    sent_runs = [(text, [tries for _, tries in run])
                 for text, run in groupby(zip(sent, attempts, strict=True), key=lambda pair: pair[0])]
    if [text for text, _ in stored_runs] != [text for text, _ in sent_runs]:
        return f"stored {stored} but sent {sent}"
    for (text, count), (_, tries) in zip(stored_runs, sent_runs, strict=True):
        if not len(tries) <= count <= sum(tries):
            return f"{text!r} sent {len(tries)} time(s) in a row ({sum(tries)} attempt(s)) but stored {count} times"
    return None


def upstreams_of(entry: Dict[str, str]) -> List[str]:
    """The instances nginx tried for one request, in order ("A, B" when A failed)."""
    return [address.strip() for address in entry["upstream"].split(",")]


def test_twenty_conversations_survive_losing_an_instance(cluster: Cluster) -> None:
    router = cluster.nginx.url
    victim = cluster.rasa[1]
    expected_messages = CONVERSATIONS * 24
    sent_so_far = 0
    counter = threading.Lock()
    killed = threading.Event()
    killed_at: List[float] = []
    attempts: Dict[str, List[int]] = defaultdict(list)

    def run(n: int) -> Transcript:
        sender = f"scale-{n:02d}"

        def send(text: str) -> List[Dict[str, Any]]:
            nonlocal sent_so_far
            reply, tries = send_through(router, sender, text, victim.token)
            attempts[sender].append(tries)
            with counter:
                sent_so_far += 1
                if sent_so_far >= expected_messages // 3 and not killed.is_set():
                    killed.set()
                    killed_at.append(time.time())
                    os.kill(victim.pid("rasa"), signal.SIGKILL)  # no goodbye: a crash
            return reply

        name = f"{FIRST[n % 5]} {LAST[n // 5]}"
        return questionnaire_with_request(send, name, f"patient{n}@example.com")

    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        transcripts = list(pool.map(run, range(CONVERSATIONS)))
    assert killed.is_set()
    senders = [f"scale-{n:02d}" for n in range(CONVERSATIONS)]

    # nginx's view: one JSON line per request that reached it (a client's re-send is another request)
    entries = [e for e in cluster.nginx.access_entries(at_least=sum(map(sum, attempts.values())))
               if e["uri"] == "/webhooks/rest/webhook" and e["key"] in senders]
    assert len(entries) == sum(map(sum, attempts.values()))
    victim_address, survivor = (f"127.0.0.1:{i.rasa_port}" for i in (victim, cluster.rasa[0]))
    before: Dict[str, set] = defaultdict(set)
    after: Dict[str, List[Dict[str, str]]] = defaultdict(list)
    for entry in entries:
        end = float(entry["end"])
        if end < killed_at[0]:  # answered while both were up
            before[entry["key"]].update(upstreams_of(entry))
        elif end - float(entry["duration"]) > killed_at[0] + 0.01:  # sent after the kill
            after[entry["key"]].append(entry)
        # (in flight at the kill: answered by the victim just before it, or re-sent by nginx)
    moved = [e for e in entries if len(upstreams_of(e)) > 1]
    print(f"{len(entries)} requests routed; {len(moved)} re-sent by nginx to the next instance: {moved[:3]}")

    # While both were up, each conversation went to exactly one instance, and both took some.
    assert set(before) == set(senders), sorted(set(senders) - set(before))
    assert all(len(used) == 1 for used in before.values()), dict(before)
    on_victim = sorted(key for key, used in before.items() if used == {victim_address})
    on_survivor = sorted(key for key, used in before.items() if used == {survivor})
    assert on_victim and on_survivor, dict(before)
    # After the kill, every request ended on the survivor: the victim's conversations moved
    # there and went on; the survivor's own never touched the victim.
    assert set(on_victim) <= set(after), sorted(set(on_victim) - set(after))
    for key, requests in after.items():
        assert all(upstreams_of(e)[-1] == survivor and e["status"] == "200" for e in requests), (key, requests)
    for key in on_survivor:
        assert all(upstreams_of(e) == [survivor] for e in after[key]), (key, after[key])

    # Nothing lost and nothing doubled: PostgreSQL holds what every patient sent, in
    # order, each message once (or, for a message the client re-sent, at most once per send).
    stored = user_messages(cluster.postgres.url())
    for sender, transcript in zip(senders, transcripts, strict=True):
        assert len(attempts[sender]) == len(transcript.sent), sender
        problem = store_problem(stored[sender], transcript.sent, attempts[sender])
        assert problem is None, f"{sender}: {problem}"
        assert transcript.reference
    # Each stored message came through nginx with its request id, and no request was handled
    # twice: in particular not one that nginx re-sent to the survivor after the kill.
    logged_ids: Dict[str, set] = defaultdict(set)
    for entry in entries:
        logged_ids[entry["key"]].add(entry["request_id"])
    for sender, said in stored_user_events(cluster.postgres.url()).items():
        if sender not in senders:
            continue
        ids = [e.get("message_id") for e in said]
        assert len(ids) == len(set(ids)), f"{sender}: a request handled twice: {ids}"
        assert set(ids) <= logged_ids[sender], f"{sender}: stored ids nginx did not send: {set(ids) - logged_ids[sender]}"
    resent = {s: sum(a) - len(a) for s, a in attempts.items() if sum(a) > len(a)}
    print(f"messages re-sent by the clients: {resent}")

    engine = sa.create_engine(cluster.postgres.url())
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT reference, conversation_id, name FROM consultation_requests")).all()
    finally:
        engine.dispose()
    assert sorted(r.reference for r in rows) == sorted(t.reference for t in transcripts)
    assert {r.conversation_id for r in rows} == set(senders)


def test_the_surviving_instance_and_the_router_still_answer(cluster: Cluster) -> None:
    reply, _ = send_through(cluster.nginx.url, "scale-after", "what is mild?", cluster.rasa[0].token)
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


class LosesReplies(socketserver.ThreadingTCPServer):
    """An instance that dies at the worst moment, every time: it passes a request on to
    ``target`` (a Rasa server), which handles and stores the turn, and then closes nginx's
    connection without a byte of the reply. Records each request id and the reply lost."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: str) -> None:
        self.target = target
        self.lost: List[Tuple[str, Any]] = []
        super().__init__(("127.0.0.1", free_port()), LoseReply)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class LoseReply(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: Any = self.server
        method, path, _ = self.rfile.readline().decode("latin-1").split(" ", 2)
        headers: Dict[str, str] = {}
        while (line := self.rfile.readline().decode("latin-1").strip()):
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        body = self.rfile.read(int(headers.get("Content-Length", "0")))
        headers.pop("Connection", None)
        host, port = server.target.split(":")
        upstream = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            upstream.request(method, path, body=body, headers=headers)
            reply = upstream.getresponse().read()
        finally:
            upstream.close()
        server.lost.append((headers.get("X-Request-ID", ""), json.loads(reply)))
        self.connection.shutdown(socket.SHUT_RDWR)  # dead before the reply left


def test_a_turn_stored_just_before_its_instance_died_is_not_handled_again(cluster: Cluster) -> None:
    survivor = cluster.rasa[0]
    dying = LosesReplies(f"127.0.0.1:{survivor.rasa_port}")
    # the deployed configuration again, its first instance being one that loses replies
    nginx = Nginx([dying.address, f"127.0.0.1:{survivor.rasa_port}"], log_format=ROUTING_LOG_FORMAT).start()
    try:
        for n in range(16):  # the hash sends about half of the conversations to the first instance
            sender = f"lost-reply-{n:02d}"
            reply, _ = send_through(nginx.url, sender, "what is mild?", survivor.token, attempts=1)
            entry = [e for e in nginx.access_entries(at_least=n + 1) if e["key"] == sender][-1]
            if upstreams_of(entry)[0] == dying.address:
                break
        else:
            raise AssertionError("no conversation was routed to the instance that loses replies")
    finally:
        nginx.stop()
        dying.shutdown()
        dying.server_close()

    # nginx re-sent the request, with the id it had, to the next instance
    assert upstreams_of(entry) == [dying.address, f"127.0.0.1:{survivor.rasa_port}"], entry
    assert entry["status"] == "200"
    request_id, lost_reply = dying.lost[-1]
    assert request_id == entry["request_id"] and len(request_id) == 32
    # the patient gets what the first handling answered, and the turn is stored once
    assert reply == lost_reply
    assert any(isinstance(m.get("custom"), dict) and m["custom"].get("topic") == "what_is_mild" for m in reply)
    said = stored_user_events(cluster.postgres.url())[sender]
    assert [(e["text"], e["message_id"]) for e in said] == [("what is mild?", request_id)]
