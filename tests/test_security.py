"""Security and privacy findings (issue 18), each as a test an attacker's attempt fails.

Unit tests need nothing running; the ``server`` ones drive the real Rasa and action
servers (and PostgreSQL from Debian for the refusal test there).
"""

from __future__ import annotations

import csv
import json
import stat
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa

from bot.rasa_ext.channels.limits import MAX_JSON_DEPTH, MAX_MESSAGE_CHARS, json_depth_problem
from bot.rasa_ext.channels.rest import body_problem
from harness.scripted import questionnaire_with_request
from harness.stack import Stack, auth_headers, payloads

NAME = "Wilhelmina Quarterfield"
PHONE = "555 274 9183"
TIME = "Tuesday afternoons after three"
TOO_LONG = {"input": "too_long"}


def post(url: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers=headers if headers is not None else auth_headers(None))
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def rest(stack: Stack, body: Any, token: Optional[str] = "stack") -> Tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return post(f"{stack.rasa_url}/webhooks/rest/webhook", data,
                auth_headers(stack.token if token == "stack" else token))


# ---------------------------------------------------------------- unit: the checks themselves

def test_deep_json_is_refused_before_parsing() -> None:
    deep = b"[" * 1000 + b"]" * 1000
    assert json_depth_problem(deep)
    assert body_problem(deep)
    assert json_depth_problem(b'{"message": "' + b"[" * 500 + b'"}') is None  # brackets in text are text
    assert json_depth_problem(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) is None


@pytest.mark.parametrize("body", [{"message": "hi"}, {"sender": None, "message": "hi"}, {"sender": " ", "message": "hi"},
                                  {"sender": "twilio:+15550001001", "message": "hi"},
                                  {"sender": "Telegram:4242", "message": "hi"}])
def test_rest_bodies_without_an_own_conversation_are_refused(body: Dict[str, Any]) -> None:
    assert body_problem(json.dumps(body).encode())


def test_csv_export_escapes_formulas_and_is_private(tmp_path: Path) -> None:
    from bot.app.cli import main
    from bot.storage.requests import ConsultationRequest, RequestStore

    url = f"sqlite:///{tmp_path / 'requests.db'}"
    RequestStore(url, spool=tmp_path / "spool").add(ConsultationRequest(
        name="@SUM(1+1)", contact="=HYPERLINK(\"http://evil.example\",\"x\")@example.com", contact_kind="email",
        preferred_time="=HYPERLINK(\"http://evil.example\")", outcome="-2+3", answers={"q1": "yes"}))
    out = tmp_path / "export.csv"
    out.write_text("old")
    out.chmod(0o644)  # an older, world-readable export is not reused as it is
    assert main(["requests", "--database-url", url, "export", "--csv", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    for field in ("name", "contact", "preferred_time", "outcome"):
        assert row[field].startswith("'"), (field, row[field])
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        from bot.storage.requests import csv_safe

        assert csv_safe(prefix + "x") == "'" + prefix + "x"
    assert csv_safe("Ann Lee") == "Ann Lee"


def test_the_rasa_token_never_goes_on_the_command_line(tmp_path: Path) -> None:
    from bot.app.launch import auth_token, rasa_argv

    with pytest.raises(SystemExit):
        rasa_argv(["run", "--auth-token", "x"], "y")
    secret_file = tmp_path / "token"
    secret_file.write_text("from-a-file\n")
    assert auth_token({"RASA_AUTH_TOKEN_FILE": str(secret_file)}) == "from-a-file"
    assert auth_token({"RASA_AUTH_TOKEN": "from-env", "RASA_AUTH_TOKEN_FILE": str(secret_file)}) == "from-env"


@pytest.mark.parametrize("argv, own, expected", [
    (["run", "--interface", "127.0.0.1"], "", ""),  # make run: staff scripts on this machine
    (["run", "-i", "localhost"], "", ""),
    (["run", "--interface=::1"], "", ""),
    (["run", "--interface", "0.0.0.0"], "", "api"),  # reachable from a network: never open
    (["run", "--interface", "10.0.0.5"], "", "api"),
    (["run"], "", "api"),  # Rasa's default address is 0.0.0.0
    (["run", "--interface", "127.0.0.1"], "rest", "rest"),  # a token of its own always wins
    (["run", "--interface", "0.0.0.0"], "rest", "rest"),
])
def test_rest_is_open_without_a_token_on_loopback_only(argv: List[str], own: str, expected: str) -> None:
    from bot.app.launch import rest_token

    assert rest_token({"RASA_REST_TOKEN": own}, argv, "api") == expected


def test_scripts_pass_no_secret_on_a_command_line() -> None:
    from bot import PROJECT_ROOT

    run = (PROJECT_ROOT / "scripts" / "run.sh").read_text()
    assert "--auth-token" not in run and "-m rasa_sdk" not in run
    assert "umask 077" in run


def form_turns(*last_turn: Any) -> List[Any]:
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered

    return [ActionExecuted("consultation_form"), ActiveLoop("consultation_form"),
            SlotSet("requested_slot", "contact_name"), ActionExecuted("action_listen"),
            UserUttered(NAME), SlotSet("contact_name", NAME), SlotSet("requested_slot", "contact_consent"),
            ActionExecuted("action_listen"), *last_turn]


def test_which_turns_end_a_request_without_keeping_it() -> None:
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, UserUttered

    from bot.storage.retention import consultation_abandoned

    refused = form_turns(UserUttered("No"), ActiveLoop(None), ActionExecuted("action_submit_consultation"),
                         BotUttered("Understood.", metadata={"utter_action": "utter_consultation_not_stored"}))
    kept = form_turns(UserUttered("Yes"), ActiveLoop(None), ActionExecuted("action_submit_consultation"),
                      BotUttered("Thank you.", metadata={"utter_action": "utter_consultation_stored"}))
    still_asking = form_turns(UserUttered("maybe"), ActionExecuted("consultation_form"))
    assert consultation_abandoned(refused)
    assert not consultation_abandoned(kept)
    assert not consultation_abandoned(still_asking)
    assert not consultation_abandoned(form_turns()[:3])  # no message yet


def test_only_what_was_typed_for_the_request_is_overwritten() -> None:
    from bot.storage.retention import REDACTED, redacted_event

    asked = ("consultation_form", "contact_details")
    user = {"event": "user", "text": PHONE, "parse_data": {"text": PHONE, "intent": {"name": "inform"},
                                                         "entities": [{"value": PHONE}]}}
    redacted = redacted_event(user, *asked)
    assert redacted and PHONE not in json.dumps(redacted) and redacted["text"] == REDACTED
    assert redacted_event({"event": "slot", "name": "contact_time", "value": TIME}, None, None)["value"] is None
    red_flag = {**user, "parse_data": {"intent": {"name": "red_flag"}}}
    assert redacted_event(red_flag, *asked) is None  # an emergency report stays as said
    assert redacted_event(user, None, None) is None  # outside the form: not a contact detail
    # the consent answer's message when its wish holds an address or a number ("yes, only by email: ann@...")
    assert redacted_event(user, "consultation_form", "contact_consent")["text"] == REDACTED
    no = {"event": "user", "text": "No", "parse_data": {"text": "No", "intent": {"name": "deny"}}}
    assert redacted_event(no, "consultation_form", "contact_consent") is None
    assert redacted_event(user, "consultation_form", None) is None


# ---------------------------------------------------------------- server: REST is an integration API

server = pytest.mark.server


@server
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-token"}])
def test_rest_needs_the_token(stack: Stack, sender: str, headers: Dict[str, str]) -> None:
    status, _ = post(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps({"sender": sender, "message": "hi"}).encode(),
                     {"Content-Type": "application/json", **headers})
    assert status == 401
    # nothing reached the conversation
    assert not [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert rest(stack, {"sender": sender, "message": "hi"})[0] == 200


@server
def test_rest_cannot_reach_a_phone_number_or_the_default_conversation(stack: Stack) -> None:
    assert rest(stack, {"sender": "twilio:+15550001001", "message": "yes"})[0] == 400
    assert rest(stack, {"message": "delete my data"})[0] == 400
    assert not [e for e in stack.tracker("default")["events"] if e["event"] == "user"]


@server
def test_rasa_api_token_in_a_bearer_header(stack: Stack) -> None:
    def status(url: str, headers: Dict[str, str]) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert status(f"{stack.rasa_url}/status", {"Authorization": f"Bearer {stack.token}"}) == 200
    assert status(f"{stack.rasa_url}/status", {"Authorization": "Bearer not-it"}) == 401
    assert status(f"{stack.rasa_url}/status?token=not-it", {}) == 401


@server
def test_no_secret_in_any_process_command_line(stack: Stack) -> None:
    for name in ("rasa", "actions"):
        cmdline = Path(f"/proc/{stack.pid(name)}/cmdline").read_bytes().decode(errors="replace")
        assert stack.token not in cmdline and stack.action_secret not in cmdline, name


@server
def test_health_endpoints_list_no_configuration(stack: Stack) -> None:
    for channel in ("rest", "twilio", "telegram", "slack", "facebook", "callback", "socketio"):
        with urllib.request.urlopen(f"{stack.rasa_url}/webhooks/{channel}/", timeout=30) as response:
            assert json.loads(response.read()) == {"status": "ok"}, channel


# ---------------------------------------------------------------- server: bounded input

@server
def test_deep_json_gets_a_400_not_a_500(stack: Stack) -> None:
    status, _ = rest(stack, b'{"sender": "x1", "message": "hi", "metadata": ' + b"[" * 1000 + b"]" * 1000 + b"}")
    assert status == 400


@server
def test_a_body_over_the_limit_is_refused(stack: Stack, sender: str) -> None:
    import http.client

    body = json.dumps({"sender": sender, "message": "a" * (3 * 1024 * 1024)}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", stack.rasa_port, timeout=60)
    connection.putrequest("POST", "/webhooks/rest/webhook")
    for name, value in {**auth_headers(stack.token), "Content-Length": str(len(body))}.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:  # the server answers as soon as it sees the length, and may close before the rest arrives
        connection.send(body)
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert connection.getresponse().status == 413
    connection.close()
    assert not [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]


@server
def test_an_over_long_message_is_answered_and_not_stored(stack: Stack, sender: str) -> None:
    marker = "zanzibarquokka "
    status, reply = rest(stack, {"sender": sender, "message": marker * (MAX_MESSAGE_CHARS // len(marker) + 1)})
    assert status == 200 and payloads(reply) == [TOO_LONG]
    assert marker.strip() not in json.dumps(stack.tracker(sender))
    # the conversation goes on normally
    assert rest(stack, {"sender": sender, "message": "what is mild?"})[1][0]["text"]


@server
def test_an_over_long_red_flag_report_still_gets_the_emergency_answer(stack: Stack, sender: str) -> None:
    text = "I suddenly can't control my bladder and my legs are going numb. " + "It hurts a lot. " * 200
    status, reply = rest(stack, {"sender": sender, "message": text})
    assert status == 200 and payloads(reply) == [{"alert": "emergency"}, TOO_LONG]


# ---------------------------------------------------------------- server: a refusal keeps nothing

def stored_text(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return "\n".join(str(row[0]) for row in conn.execute(sa.text("SELECT data FROM events")))
    finally:
        engine.dispose()


def typed_details_found(blob: str) -> List[str]:
    return [value for value in (NAME, PHONE, TIME, "Quarterfield", "274 9183") if value.lower() in blob.lower()]


def refuse_consent(stack: Stack, sender: str) -> List[Dict[str, Any]]:
    done = questionnaire_with_request(lambda text: stack.send(sender, text), NAME, PHONE, question=False,
                                      time=TIME, consent=False)
    return done.replies[-1]


def stop_after_the_contact(stack: Stack, sender: str) -> List[Dict[str, Any]]:
    """Name and phone given, then "stop" when asked for a time."""
    done = questionnaire_with_request(lambda text: stack.send(sender, text), NAME, PHONE, question=False,
                                      time="stop", consent=False)
    return done.replies[-2]


@server
def test_refused_consent_leaves_no_contact_details_in_the_sqlite_file(stack: Stack, sender: str) -> None:
    last = refuse_consent(stack, sender)
    assert "haven't stored any of your details" in " ".join(m.get("text", "") for m in last)
    database = stack.workdir / "rasa.db"
    assert not typed_details_found(database.read_bytes().decode("latin-1"))
    # the conversation itself goes on, and says what it did
    events = stack.tracker(sender)["events"]
    assert [e for e in events if e["event"] == "user"][-1]["text"] == "No"
    assert stack.send(sender, "what exactly is mild?")[0]["text"]


@server
def test_a_stopped_request_leaves_no_contact_details(stack: Stack, sender: str) -> None:
    stopped = stop_after_the_contact(stack, sender)
    assert "haven't stored any of your details" in " ".join(m.get("text", "") for m in stopped)
    blob = (stack.workdir / "rasa.db").read_bytes().decode("latin-1")
    assert not typed_details_found(blob)


@server
def test_a_consented_request_keeps_its_details(stack: Stack, sender: str) -> None:
    done = questionnaire_with_request(lambda text: stack.send(sender, text), NAME, PHONE, question=False, time=TIME)
    assert done.reference
    said = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert NAME in said and TIME in said


@server
def test_database_files_are_private(stack: Stack) -> None:
    assert stat.S_IMODE((stack.workdir / "rasa.db").stat().st_mode) == 0o600


@pytest.fixture(scope="module")
def postgres_stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from harness.services import Postgres, ServiceError

    postgres = Postgres()
    try:
        postgres.start()
    except ServiceError as error:
        pytest.skip(f"PostgreSQL from Debian is needed: {error}")
    running = Stack(workdir=tmp_path_factory.mktemp("pg"), model_dir=trained_model, database_url=postgres.url())
    try:
        running.start()
        yield running
    finally:
        running.stop()
        postgres.stop()


@server
def test_refused_consent_leaves_no_contact_details_in_postgresql(postgres_stack: Stack) -> None:
    refuse_consent(postgres_stack, "pg-refusal-1")
    stop_after_the_contact(postgres_stack, "pg-refusal-2")
    assert not typed_details_found(stored_text(postgres_stack.database_url or ""))


# ---------------------------------------------------------------- server: the action server authenticates Rasa

def forged_call(tracker_sender: str) -> bytes:
    slots = {"contact_name": NAME, "contact_details": f"phone:{PHONE}", "contact_time": TIME,
             "contact_consent": "yes"}
    return json.dumps({
        "next_action": "action_submit_consultation", "sender_id": tracker_sender, "version": "3.6.21",
        "tracker": {"sender_id": tracker_sender, "slots": slots, "latest_message": {}, "events": [],
                    "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None},
        "domain": {},
    }).encode()


def requests_of(stack: Stack, sender: str) -> int:
    engine = sa.create_engine(f"sqlite:///{stack.workdir / 'rasa.db'}")
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("consultation_requests"):
                return 0
            return int(conn.execute(sa.text("SELECT COUNT(*) FROM consultation_requests WHERE conversation_id = :s"),
                                    {"s": sender}).scalar())
    finally:
        engine.dispose()


@server
@pytest.mark.parametrize("authorization", [None, "Bearer forged", "forged"])
def test_a_forged_action_call_gets_401_and_runs_nothing(stack: Stack, sender: str, authorization: Optional[str]) -> None:
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    status, _ = post(f"{stack.actions_url}/webhook", forged_call(sender), headers)
    assert status == 401
    assert requests_of(stack, sender) == 0


@server
def test_rasa_itself_reaches_the_action_server(stack: Stack, sender: str) -> None:
    status, _ = post(f"{stack.actions_url}/webhook", forged_call(sender),
                     {"Content-Type": "application/json", "Authorization": f"Bearer {stack.action_secret}"})
    assert status == 200 and requests_of(stack, sender) == 1
