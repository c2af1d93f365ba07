"""The symptom questionnaire end to end, through the REST webhook with the action server running."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from bot import PROJECT_ROOT
from bot.core.questionnaire import TOTAL_STEPS
from bot.core.settings import load_settings
from harness.stack import Stack, payload_values, rendered

pytestmark = pytest.mark.server

TYPICAL = {"q1": "yes, I get that", "q2": "yeah, I have that", "q3": "sometimes", "q4": "yep, that happens",
           "q5": "no, not that", "q6": "nah, not me", "q7": "no, that never happens", "q8": "not really, no",
           "q9": "no, I haven't", "q10": "nope, none of that", "walking_minutes": "about ten minutes",
           "conservative_care": "nothing yet", "imaging": "no, I haven't had one"}
NOT_TYPICAL = {**TYPICAL, "q2": "no, not that", "q3": "not really, no", "q4": "not sure", "walking_minutes": "an hour or more",
               "conservative_care": "PT and gabapentin", "imaging": "MRI last year"}


def asked(reply: List[Dict]) -> Optional[Dict]:
    items = payload_values(reply, "questionnaire")
    return items[-1] if items else None


def texts(reply: List[Dict]) -> str:
    return " ".join(m.get("text", "") for m in reply)


def begin(stack: Stack, sender: str) -> List[Dict]:
    intro = stack.send(sender, "could you look at my symptoms for me")
    assert "not a diagnosis" in texts(intro)
    reply = stack.send(sender, "sure, let's begin")
    assert asked(reply) == {"item": "red_flags", "step": 1, "of": 14}
    assert [b["title"] for m in reply for b in m.get("buttons", [])][:2] == ["Yes", "No, none of these"]
    return reply


def answer_all(stack: Stack, sender: str, answers: Dict[str, str]) -> List[Dict]:
    return answer_all_from(stack, sender, stack.send(sender, "no, nothing like that"), answers)


def result(reply: List[Dict]) -> Dict:
    [found] = payload_values(reply, "questionnaire_result")
    return found


def test_consult_recommended_with_advice_and_a_stored_request(stack: Stack, sender: str, tmp_path: Path) -> None:
    begin(stack, sender)
    reply = answer_all(stack, sender, TYPICAL)
    assert result(reply) == {"outcome": "consult_recommended", "sshq": {"q1_q4": 4, "q5_q10": 0},
                             "walking_minutes": 10, "conservative_care": [], "imaging": "no"}
    text = texts(reply)
    assert "only a clinician can diagnose" in text.lower()
    assert "MRI or CT" in text and "usually tried first" in text and "less than 15 minutes" in text
    assert "contact you about a consultation" in text
    assert "Which name" not in text
    assert "What name" in texts(stack.send(sender, "yes please, that would be great"))
    assert "phone number or e-mail" in texts(stack.send(sender, "Maria Gomez"))
    assert "doesn't look like" in texts(stack.send(sender, "call me maybe"))
    stack.send(sender, "maria.gomez@example.com")
    stack.send(sender, "weekday mornings")
    done = stack.send(sender, "Yes, I agree")
    [request] = payload_values(done, "consultation_request")
    assert request["reference"].startswith("MILD-") and request["reference"] in texts(done)
    # nothing personal in any payload of the conversation
    events = stack.tracker(sender)["events"]
    for event in events:
        if event["event"] == "bot":
            custom = str((event.get("data") or {}).get("custom"))
            assert "Maria" not in custom and "example.com" not in custom
    # nothing personal in the servers' logs (INFO level)
    for log in ("rasa.log", "actions.log"):
        content = (stack.workdir / log).read_text(encoding="utf-8", errors="replace")
        assert "Maria" not in content and "maria.gomez" not in content, log
    # staff export
    out = tmp_path / "requests.csv"
    env_url = stack.env()["DATABASE_URL"]
    subprocess.run([sys.executable, "-m", "bot", "requests", "--database-url", env_url, "export", "--csv", str(out)],
                   cwd=PROJECT_ROOT, check=True, capture_output=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    [row] = [r for r in rows if r["reference"] == request["reference"]]
    assert row["name"] == "Maria Gomez" and row["contact"] == "maria.gomez@example.com"
    assert '"q1": "yes"' in row["answers"]
    listing = subprocess.run([sys.executable, "-m", "bot", "requests", "--database-url", env_url, "list"],
                             cwd=PROJECT_ROOT, check=True, capture_output=True, text=True).stdout
    assert request["reference"] in listing


def test_not_typical_still_offers_and_declining_stores_nothing(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    reply = answer_all(stack, sender, NOT_TYPICAL)
    found = result(reply)
    assert found["outcome"] == "not_typical"
    assert found["conservative_care"] == ["physical_therapy", "pain_medication"] and found["imaging"] == "yes"
    assert found["walking_minutes"] == 60
    assert "other causes are possible" in texts(reply)
    stack.send(sender, "sure, go ahead")
    stack.send(sender, "Tom Brown")
    stack.send(sender, "555 010 7788")
    stack.send(sender, "any time")
    done = stack.send(sender, "no, I'd rather not")
    assert payload_values(done, "consultation_request") == []
    assert "haven't stored any of your details" in texts(done)


def test_the_request_form_answers_a_question_and_leaves_after_three_misses(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    assert result(answer_all(stack, sender, TYPICAL))["outcome"] == "consult_recommended"
    assert [m["text"] for m in stack.send(sender, "yes please, that would be great") if m.get("text")] == \
        rendered("utter_ask_contact_name")
    # a question at the name question is answered, never taken as the name; the name is asked again
    question = stack.send(sender, "wait, how long is the recovery?")
    assert payload_values(question, "topic") == ["recovery_time"]
    assert [m["text"] for m in question if m.get("text")][-1:] == rendered("utter_ask_contact_name")
    assert slots(stack, sender)["contact_name"] is None
    stack.send(sender, "Rosa Diaz")
    for miss in ("dunno", "no phone really"):
        assert "doesn't look like" in texts(stack.send(sender, miss))
    done = stack.send(sender, "idk")  # the third miss in a row: the request is left, nothing stored
    assert [m["text"] for m in done if m.get("text")][0] == rendered("utter_contact_gave_up")[0]
    assert "haven't stored any of your details" in texts(done)
    assert payload_values(done, "consultation_request") == []
    assert slots(stack, sender)["contact_name"] is None and slots(stack, sender)["contact_cancelled"] is None


def test_declining_the_consultation_then_changing_ones_mind(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    assert result(answer_all(stack, sender, TYPICAL))["outcome"] == "consult_recommended"
    stack.send(sender, "nah, not for me")
    again = stack.send(sender, "hmm, on second thought I do want them to contact me")
    assert [m["text"] for m in again if m.get("text")] == rendered("utter_ask_contact_name")


def test_am_i_a_candidate_after_the_result_keeps_the_answers(stack: Stack, sender: str) -> None:
    # after a result, asking whether one is a candidate is natural: the answer comes without the
    # offer of the check and the consultation is offered again, so a following yes asks for the
    # contact details and cannot start the questions again over the answers
    begin(stack, sender)
    assert result(answer_all(stack, sender, TYPICAL))["outcome"] == "consult_recommended"
    answer = stack.send(sender, "so based on that, would someone like me qualify for mild?")
    assert payload_values(answer, "topic") == ["candidates"]
    said = [m["text"] for m in answer if m.get("text")]
    assert said[1:] == rendered("utter_offer_consultation")  # the answer, then the offer again, nothing else
    after = stack.send(sender, "yes, sure thing")
    assert asked(after) is None and [m["text"] for m in after if m.get("text")] == rendered("utter_ask_contact_name")
    assert slots(stack, sender)["q1"] is not None  # the answers are still there


def test_two_questions_after_the_result_get_both_answers_then_the_offer_again(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    assert result(answer_all(stack, sender, TYPICAL))["outcome"] == "consult_recommended"
    answers = stack.send(sender, "how long does the procedure take and will I be asleep?")
    assert payload_values(answers, "topic") == ["procedure_duration", "anesthesia"]
    said = [m["text"] for m in answers if m.get("text")]
    assert said[-len(rendered("utter_offer_consultation")):] == rendered("utter_offer_consultation")
    after = stack.send(sender, "alright, go ahead then")
    assert [m["text"] for m in after if m.get("text")] == rendered("utter_ask_contact_name")


def test_a_red_flag_answer_is_urgent(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    reply = stack.send(sender, "yes, sadly I do")
    assert payload_values(reply, "alert") == ["emergency"]
    assert reply[0].get("text", "").startswith("What you describe")  # the emergency message comes first
    assert result(reply)["outcome"] == "urgent"
    assert asked(reply) is None and "consultation" not in texts(reply)
    # a story of symptoms after it does not offer the check again unasked
    story = stack.send(sender, "my legs get heavy and tingly when I walk to the shops and better when I sit")
    assert "/affirm" not in [b["payload"] for m in story for b in m.get("buttons", [])]
    assert asked(story) is None and payload_values(story, "alert") == []


def test_a_red_flag_mid_questionnaire_ends_it(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "nothing like that, no")
    reply = stack.send(sender, "my legs suddenly went weak this morning")
    assert payload_values(reply, "alert") == ["emergency"]
    assert result(reply)["outcome"] == "urgent"
    assert asked(reply) is None
    assert load_settings().emergency_number in texts(reply)


def test_stop_asks_to_confirm_then_stops(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "nope, not me")
    confirm = stack.send(sender, "can we stop here")
    assert "stop the questionnaire" in texts(confirm) and asked(confirm) is None
    reply = stack.send(sender, "yes, I'm sure")
    assert result(reply)["outcome"] == "stopped"
    assert "any time" in texts(reply)


def test_a_red_flag_at_the_stop_question_ends_the_questionnaire_as_urgent(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "nope, not me")
    assert "stop the questionnaire" in texts(stack.send(sender, "can we stop here"))
    reply = stack.send(sender, "hang on, since this morning my left leg keeps giving way")
    assert payload_values(reply, "alert") == ["emergency"]
    assert reply[0].get("text", "").startswith("What you describe")  # the emergency message comes first
    assert result(reply)["outcome"] == "urgent"


def test_not_stopping_carries_on_where_it_was(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "no, not at all")
    stack.send(sender, "yes, I have that")  # q1
    stack.send(sender, "cancel the questions")
    reply = stack.send(sender, "no, let's keep going")
    assert asked(reply) == {"item": "q2", "step": 3, "of": 14}


def test_carrying_on_after_stop_changes_no_answer(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "no, not at all")
    stack.send(sender, "yes, I have that")  # q1
    assert "stop the questionnaire" in texts(stack.send(sender, "I'd rather just quit this"))
    reply = stack.send(sender, "actually no, keep going")  # answers "stop?", not q1
    assert asked(reply) == {"item": "q2", "step": 3, "of": 14}
    assert "changed that answer" not in texts(reply) and slots(stack, sender)["q1"] == "yes"


def test_knowledge_question_mid_questionnaire_then_the_question_again(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "no, thankfully not")
    reply = stack.send(sender, "wait, how long is the recovery after mild?")
    assert payload_values(reply, "topic") == ["recovery_time"]
    assert asked(reply) == {"item": "q1", "step": 2, "of": 14}


def test_restart_starts_the_questionnaire_over(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "nah, none of that")
    stack.send(sender, "yes, that's me")
    reply = stack.send(sender, "can we start over from the beginning")
    assert asked(reply) == {"item": "red_flags", "step": 1, "of": 14}


def test_two_misses_offer_skip_and_skip_moves_on(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    first = stack.send(sender, "purple elephants everywhere")
    assert "yes, a no" in texts(first) and asked(first)["item"] == "red_flags"
    stack.send(sender, "nah, not really")
    stack.send(sender, "qwerty")
    second = stack.send(sender, "bananas and custard")
    assert "skip it, or stop" in texts(second)
    assert asked(second)["item"] == "q1"
    reply = stack.send(sender, "skip that one")
    assert asked(reply)["item"] == "q2"


def test_one_message_answers_several_items(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "no, I don't have any of those")
    stack.send(sender, "yes I do")  # q1
    stack.send(sender, "yep, definitely")  # q2
    stack.send(sender, "yeah, it does")  # q3
    reply = stack.send(sender, "yes, and there's numbness in both legs and the soles of my feet, no burning though")
    # q4 answered; q5 and q6 answered by the same message: q7 is next
    assert asked(reply)["item"] == "q7"
    reply = stack.send(sender, "nah, I don't")  # q7
    reply = stack.send(sender, "no, not really")  # q8
    assert asked(reply)["item"] == "q10"  # q9 (burning) was answered already


def test_a_correction_replaces_the_previous_answer(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    stack.send(sender, "no, not any of those")
    stack.send(sender, "no, I don't have that")  # q1: no
    reply = stack.send(sender, "actually, yes I do")
    assert "changed that answer" in texts(reply)
    assert asked(reply)["item"] == "q2"
    reply = answer_all_from(stack, sender, reply,
                            {**NOT_TYPICAL, "q2": "yes, I get that", "q3": "yeah, that too", "q4": "no, not that"})
    assert result(reply)["sshq"]["q1_q4"] == 3  # q1 counted as yes after the correction


def answer_all_from(stack: Stack, sender: str, reply: List[Dict], answers: Dict[str, str]) -> List[Dict]:
    """Answer each question asked until none is; a questionnaire that asks more than twice its
    length (a loop) fails here instead of hanging the suite."""
    for _ in range(2 * TOTAL_STEPS):
        if not asked(reply):
            return reply
        reply = stack.send(sender, answers[asked(reply)["item"]])
    raise AssertionError(f"still asking after {2 * TOTAL_STEPS} answers: {asked(reply)}")


def test_consultation_request_with_the_database_down(trained_model: Path, tmp_path: Path) -> None:
    """The request database refuses connections: the patient gets an apology with the phone number,
    and the request is kept for a retry, not lost."""
    down = Stack(workdir=tmp_path, model_dir=trained_model, extra_env={
        "REQUESTS_DATABASE_URL": "postgresql://clinic:secret@127.0.0.1:1/requests",
        "REQUESTS_SPOOL_FILE": str(tmp_path / "spool.jsonl"),
    })
    try:
        down.start()
        sender = "db-down"
        begin(down, sender)
        answer_all(down, sender, TYPICAL)
        for text in ("yes, I'd like that", "Ann Lee", "ann@example.com", "afternoons"):
            down.send(sender, text)
        reply = down.send(sender, "yes, that's fine with me")
        assert load_settings().phone in texts(reply) and "kept it" in texts(reply)
        assert payload_values(reply, "consultation_request") == []
        spool = (tmp_path / "spool.jsonl").read_text(encoding="utf-8")
        assert "Ann Lee" in spool
        assert oct((tmp_path / "spool.jsonl").stat().st_mode & 0o777) == "0o600"
    finally:
        down.stop()


# ---------------------------------------------------------------- everyday words, "I don't know", pauses (issue 13)

MAX_TURNS = 60  # every loop below is bounded: a questionnaire that does not end fails the test


def domain_text(response: str, variation: int = -1) -> str:
    import yaml

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"][response][variation]["text"]


def slots(stack: Stack, sender: str) -> Dict:
    return stack.tracker(sender)["slots"]


def play(stack: Stack, sender: str, reply: List[Dict], answer: Dict[str, str], default: str) -> tuple:
    """Answer every question from ``answer`` (``default`` for the others); returns the last reply and
    how often each item was asked."""
    asks: Dict[str, int] = {}
    for _ in range(MAX_TURNS):
        item = asked(reply)
        if item is None:
            return reply, asks
        asks[item["item"]] = asks.get(item["item"], 0) + 1
        reply = stack.send(sender, answer.get(item["item"], default))
    pytest.fail(f"no result after {MAX_TURNS} turns: {asks}")


def test_everyday_acceptance_typos_and_a_consultation_asked_for_in_words(stack: Stack, sender: str) -> None:
    intro = stack.send(sender, "is there some kind of quiz for my symptoms?")
    assert asked(intro) is None and "/affirm" in [b["payload"] for m in intro for b in m.get("buttons", [])]
    reply = stack.send(sender, "thank you, ok let's do it")
    assert asked(reply)["item"] == "red_flags"
    words = {"red_flags": "nope, none of those", "q1": "yse", "q2": "yeah I guess", "q3": "sure do",
             "q4": "absolutely", "q5": "not really", "q6": "nope, never", "q7": "nah", "q8": "no",
             "q9": "no", "q10": "never", "walking_minutes": "20 min", "conservative_care": "only physio",
             "imaging": "yes an MRI"}
    reply, asks = play(stack, sender, reply, words, "no")
    assert set(asks.values()) == {1}  # every everyday answer understood the first time
    assert result(reply)["outcome"] == "consult_recommended" and result(reply)["sshq"] == {"q1_q4": 4, "q5_q10": 0}
    name = stack.send(sender, "yes please, I'd like a consultation")
    assert payload_values(name, "fallback") == [] and domain_text("utter_ask_contact_name") in texts(name)
    stack.send(sender, "Rosa Diaz")
    stack.send(sender, "rosa.diaz@example.org")
    stack.send(sender, "afternoons")
    done = stack.send(sender, "ok, that's fine")
    [request] = payload_values(done, "consultation_request")
    # the closing message gives the emergency number for anything that gets worse quickly
    assert request["reference"] in texts(done) and load_settings().emergency_number in texts(done)


def test_a_symptom_story_read_as_the_symptoms_question_gets_the_answer_then_the_offer(stack: Stack, sender: str) -> None:
    # the patient tells the typical story and asks whether it is that: the answer, then the offer
    # of the check of exactly those symptoms; a yes begins it
    answer = stack.send(sender, "both my legs get heavy and tingly after ten minutes on my feet and leaning "
                                "on a cart helps, is that what they call claudication")
    assert payload_values(answer, "topic") == ["neurogenic_claudication"]
    assert asked(answer) is None and "/affirm" in [b["payload"] for m in answer for b in m.get("buttons", [])]
    assert asked(stack.send(sender, "ok why not")) == {"item": "red_flags", "step": 1, "of": 14}
    # the plain question gets the answer alone
    plain = stack.send(sender + "-plain", "what are the usual symptoms of spinal stenosis in the legs")
    assert payload_values(plain, "topic") == ["neurogenic_claudication"]
    assert [b for m in plain for b in m.get("buttons", [])] == []


def test_non_answers_only_still_reach_a_result(stack: Stack, sender: str) -> None:
    reply = begin(stack, sender)
    reply, asks = play(stack, sender, reply, {}, "hmm")
    assert max(asks.values()) <= 3 and len(asks) == 14, asks  # each asked, none more than three times
    found = result(reply)
    assert found["outcome"] == "not_typical" and found["sshq"] == {"q1_q4": 0, "q5_q10": 0}
    assert found["walking_minutes"] is None and found["conservative_care"] is None and found["imaging"] == "unsure"


def test_i_dont_know_is_an_answer_and_gives_no_advice_it_was_not_told(stack: Stack, sender: str) -> None:
    reply = begin(stack, sender)
    core = {item: "yes" for item in ("red_flags", "q1", "q2", "q3", "q4")}
    core["red_flags"] = "no"
    reply, asks = play(stack, sender, reply, core, "I don't really know")
    assert set(asks.values()) == {1}, asks
    found = result(reply)
    assert found["outcome"] == "consult_recommended"
    assert found["walking_minutes"] is None and found["conservative_care"] is None and found["imaging"] == "unsure"
    assert domain_text("utter_advice_conservative_care") not in texts(reply)  # the treatments question was not answered
    assert domain_text("utter_advice_imaging") not in texts(reply)


def at_q2(stack: Stack, sender: str, q1: str = "yes, that one too") -> None:
    """Begin, no red flag, answer q1: the questionnaire now asks q2."""
    begin(stack, sender)
    stack.send(sender, "nope, nothing like that")
    assert asked(stack.send(sender, q1))["item"] == "q2"


@pytest.mark.parametrize("pause", ["not now, I really have to go", "sorry, can we finish this later?", "gotta run"])
def test_a_pause_is_not_an_answer_and_asks_to_confirm_stopping(stack: Stack, sender: str, pause: str) -> None:
    at_q2(stack, sender)
    confirm = stack.send(sender, pause)
    assert asked(confirm) is None and payload_values(confirm, "questionnaire_result") == []
    assert slots(stack, sender)["q2"] is None  # never recorded as a no
    reply = stack.send(sender, "yes, stop for now")
    assert result(reply)["outcome"] == "stopped"


def test_a_pause_then_carrying_on_asks_the_same_question(stack: Stack, sender: str) -> None:
    at_q2(stack, sender, q1="no")
    stack.send(sender, "I need to leave soon")
    reply = stack.send(sender, "no, let's finish it")
    assert asked(reply)["item"] == "q2" and slots(stack, sender)["q2"] is None


@pytest.mark.parametrize("interruption", ["does it count if only one leg hurts?", "can I talk to a nurse instead"])
def test_a_question_or_a_request_for_a_person_is_not_an_answer(stack: Stack, sender: str, interruption: str) -> None:
    at_q2(stack, sender)
    reply = stack.send(sender, interruption)
    assert asked(reply)["item"] == "q2" and slots(stack, sender)["q2"] is None


def test_a_red_flag_with_a_question_at_the_red_flag_question_is_urgent(stack: Stack, sender: str) -> None:
    begin(stack, sender)
    reply = stack.send(sender, "I lost control of my bladder this morning, does that count?")
    assert payload_values(reply, "alert") == ["emergency"]
    assert result(reply)["outcome"] == "urgent" and asked(reply) is None


def test_saying_one_answers_for_someone_offers_the_check_for_them(stack: Stack, sender: str) -> None:
    offer = stack.send(sender, "I'll type my dad's answers, he can't use the computer")
    assert "/affirm" in [b["payload"] for m in offer for b in m.get("buttons", [])]
    reply = stack.send(sender, "alright, we can start now")
    assert asked(reply)["item"] == "red_flags"
    reply, _ = play(stack, sender, reply, {"red_flags": "no", "walking_minutes": "10 minutes",
                                           "conservative_care": "none", "imaging": "no"}, "yes")
    assert domain_text("utter_sshq_result_consult_recommended", 0) in texts(reply)  # the variation for a proxy


def test_answering_for_someone_else(stack: Stack, sender: str) -> None:
    intro = stack.send(sender, "can you do a symptom check with me")
    assert asked(intro) is None
    reply = stack.send(sender, "I'll type my mother's answers")
    assert asked(reply)["item"] == "red_flags"
    reply, _ = play(stack, sender, reply, {"red_flags": "no", "walking_minutes": "10 minutes",
                                           "conservative_care": "none", "imaging": "no"}, "yes")
    assert result(reply)["outcome"] == "consult_recommended"
    assert domain_text("utter_sshq_result_consult_recommended", 0) in texts(reply)  # the variation for a proxy
    assert domain_text("utter_advice_walking", 0) in texts(reply)
    assert slots(stack, sender)["sshq_proxy"] is True


def at_the_consent_question(stack: Stack, sender: str) -> None:
    """A typical result, the offer accepted, a name, a phone number and a time given."""
    begin(stack, sender)
    assert result(answer_all(stack, sender, TYPICAL))["outcome"] == "consult_recommended"
    for reply in ("yes please, that would be great", "Ines Moreau", "555 010 4321", "late afternoons"):
        stack.send(sender, reply)


def test_a_privacy_question_in_the_request_is_answered_and_the_request_kept(stack: Stack, sender: str) -> None:
    at_the_consent_question(stack, sender)
    # at the consent question: the privacy answer, then consent asked again; nothing deleted or dropped
    asked_back = [m["text"] for m in stack.send(sender, "before I say yes, who at the clinic gets to read my answers?")
                  if m.get("text")]
    assert asked_back[0] in rendered("utter_privacy")
    assert asked_back[-1] in rendered("utter_ask_contact_consent")
    done = stack.send(sender, "Yes, I agree")
    assert len(payload_values(done, "consultation_request")) == 1


def test_a_wish_for_email_after_a_phone_number_asks_for_the_address(stack: Stack, sender: str) -> None:
    at_the_consent_question(stack, sender)
    asked_for = [m["text"] for m in stack.send(sender, "yes but only by email") if m.get("text")]
    assert asked_for == rendered("utter_contact_needs_email") + rendered("utter_ask_contact_details")
    # consent is asked again for the details that will be sent; nothing is kept before it
    assert [m["text"] for m in stack.send(sender, "ines.moreau@example.org") if m.get("text")] == \
        rendered("utter_ask_contact_consent")
    assert slots(stack, sender)["contact_consent"] is None
    done = stack.send(sender, "Yes, I agree")
    [request] = payload_values(done, "consultation_request")
    listing = subprocess.run([sys.executable, "-m", "bot", "requests", "--database-url", stack.env()["DATABASE_URL"],
                              "list"], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True).stdout
    [line] = [row for row in listing.splitlines() if request["reference"] in row]
    assert "email: ines.moreau@example.org  (late afternoons; only by email)" in line


def test_a_privacy_question_mid_questionnaire_is_answered_and_the_question_asked_again(stack: Stack,
                                                                                        sender: str) -> None:
    at_q2(stack, sender)
    reply = stack.send(sender, "hang on, is what I tell you here kept confidential?")
    assert [m["text"] for m in reply if m.get("text")][0] in rendered("utter_privacy")
    assert asked(reply)["item"] == "q2" and slots(stack, sender)["q2"] is None


def test_going_back_clears_the_last_answer_and_asks_it_again(stack: Stack, sender: str) -> None:
    at_q2(stack, sender, q1="no")
    reply = stack.send(sender, "oh no, I answered the previous one wrong")
    assert [m["text"] for m in reply if m.get("text")][0] in rendered("utter_sshq_going_back")
    assert asked(reply)["item"] == "q1" and slots(stack, sender)["q1"] is None
    reply = stack.send(sender, "yes, I do get that")
    assert asked(reply)["item"] == "q2"
    reply = answer_all_from(stack, sender, reply, {**NOT_TYPICAL, "q2": "yes, I get that", "q3": "yeah, that too"})
    assert result(reply)["sshq"]["q1_q4"] == 3  # q1 now yes, q2 and q3 yes, q4 unsure


def test_starting_over_in_everyday_words_starts_the_questionnaire_again(stack: Stack, sender: str) -> None:
    at_q2(stack, sender)
    reply = stack.send(sender, "ok from the top")  # the words decide, whatever the classifier makes of them
    assert asked(reply) == {"item": "red_flags", "step": 1, "of": 14}
    assert slots(stack, sender)["q1"] is None and slots(stack, sender)["q2"] is None


def test_back_from_a_break_carries_on_where_it_was(stack: Stack, sender: str) -> None:
    at_q2(stack, sender)
    stack.send(sender, "be right back")  # "do you want to stop?"
    reply = stack.send(sender, "ok I'm back now")
    assert payload_values(reply, "questionnaire_result") == []
    assert asked(reply)["item"] == "q2" and slots(stack, sender)["q2"] is None


def test_keeping_the_data_after_a_delete_question_mid_questionnaire_goes_on_with_it(stack: Stack, sender: str) -> None:
    at_q2(stack, sender)
    stack.send(sender, "please erase everything I've typed")  # "delete this conversation?"
    reply = stack.send(sender, "no, don't, keep it")
    assert [m["text"] for m in reply if m.get("text")][0] in rendered("utter_forget_cancelled_go_on")
    assert asked(reply)["item"] == "q2" and slots(stack, sender)["q1"] == "yes"
