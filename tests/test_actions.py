"""The form validation and result actions, the rasa-sdk way: a Tracker built directly,
a CollectingDispatcher, and the exact events asserted."""

from __future__ import annotations

import asyncio
import functools
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consultation import ActionSubmitConsultation, ValidateConsultationForm
from actions.privacy import ActionForgetMe
from actions.questionnaire import ActionSSHQResult, ActionSSHQStopped, ValidateSSHQForm
from bot import PROJECT_ROOT
from bot.core.questionnaire import ITEM_ORDER
from bot.storage import requests as requests_store

ITEMS = list(ITEM_ORDER)


@functools.lru_cache(maxsize=1)
def real_domain() -> Dict[str, Any]:
    """domain.yml as Rasa sends it to the action server with every call (``Domain.as_dict()``)."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT_ROOT / "domain.yml")).as_dict()


def tracker(text: str, intent: str = "affirm", confidence: float = 0.99, **slots: Any) -> Tracker:
    values = {item: None for item in ITEMS}
    values.update({"sshq_misses": 0.0, "sshq_last_item": None, "requested_slot": None})
    values.update(slots)
    return Tracker(
        "patient",
        values,
        {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
        [*[SlotSet(k, v) for k, v in slots.items()], {"event": "user", "text": text},
         {"event": "action", "name": "sshq_form"}],
        False,
        None,
        {"name": "sshq_form", "is_interrupted": False, "rejected": False, "trigger_message": {}},
        "sshq_form",
    )


def run(action: Any, t: Tracker, domain: Optional[Dict] = None) -> tuple[List[Dict], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain or real_domain()))
    return events, dispatcher


def responses(dispatcher: CollectingDispatcher) -> List[Optional[str]]:
    return [m.get("response") for m in dispatcher.messages]


def test_an_answer_fills_the_pending_item() -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker("yep", requested_slot="q1", red_flags="no"))
    assert events == [SlotSet("q1", "yes"), SlotSet("sshq_misses", 0.0), SlotSet("sshq_last_item", "q1")]
    assert dispatcher.messages == []


def test_one_message_fills_several_items() -> None:
    text = "numbness in both legs and the soles of my feet, no burning though"
    events, _ = run(ValidateSSHQForm(), tracker(text, intent="faq_neurogenic_claudication", confidence=0.6,
                                                 requested_slot="q1", red_flags="no"))
    assert events == [SlotSet("q5", "yes"), SlotSet("q1", "yes"), SlotSet("q6", "yes"), SlotSet("q9", "no"),
                      SlotSet("sshq_misses", 0.0), SlotSet("sshq_last_item", "q1")]


def test_an_answer_that_does_not_fit_is_re_asked() -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker("purple", intent="nlu_fallback", requested_slot="q3"))
    assert events == [SlotSet("q3", None), SlotSet("sshq_misses", 1.0)]
    assert responses(dispatcher) == ["utter_sshq_reask_yes_no"]


def test_two_misses_offer_skip_or_stop() -> None:
    slots = {"red_flags": "no", "requested_slot": "walking_minutes", "sshq_misses": 1.0}
    slots.update({f"q{i}": "yes" for i in range(1, 11)})
    events, dispatcher = run(ValidateSSHQForm(), tracker("a block or two", intent="nlu_fallback", **slots))
    assert responses(dispatcher) == ["utter_sshq_reask_distance", "utter_sshq_offer_skip"]
    assert events[:2] == [SlotSet("walking_minutes", None), SlotSet("sshq_misses", 2.0)]


def test_skip_records_unsure() -> None:
    events, _ = run(ValidateSSHQForm(), tracker("skip", intent="skip_question", requested_slot="q2",
                                                 red_flags="no", q1="yes"))
    assert events == [SlotSet("q2", "unsure"), SlotSet("sshq_misses", 0.0), SlotSet("sshq_last_item", "q2")]


def test_a_correction_replaces_the_previous_answer() -> None:
    t = tracker("actually, yes I do", intent="affirm", requested_slot="q5", red_flags="no",
                q1="yes", q2="yes", q3="yes", q4="no", sshq_last_item="q4")
    events, dispatcher = run(ValidateSSHQForm(), t)
    assert events == [SlotSet("q4", "yes"), SlotSet("sshq_misses", 0.0), SlotSet("sshq_last_item", "q4")]
    assert responses(dispatcher) == ["utter_sshq_correction_noted"]


@pytest.mark.parametrize("intent", ["red_flag", "crisis", "stop_questionnaire", "start_over", "request_human"])
def test_interruptions_reject_the_form(intent: str) -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker("whatever", intent=intent, requested_slot="q1"))
    assert events == [] and dispatcher.messages == []


def test_a_knowledge_question_rejects_the_form() -> None:
    events, _ = run(ValidateSSHQForm(), tracker("how long is the recovery?", intent="faq_recovery_time",
                                                 requested_slot="q2"))
    assert events == []


def test_a_yes_to_red_flags_ends_the_questionnaire_with_the_emergency_message() -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker("yes", requested_slot="red_flags"))
    assert responses(dispatcher) == ["utter_emergency"]
    assert events == [SlotSet("red_flags", "yes"), SlotSet("sshq_misses", 0.0),
                      SlotSet("sshq_last_item", "red_flags"), SlotSet("requested_slot", None)]


def answered(**overrides: Any) -> Dict[str, Any]:
    slots = {"red_flags": "no", **{f"q{i}": "yes" for i in range(1, 5)}, **{f"q{i}": "no" for i in range(5, 11)},
             "walking_minutes": 10, "conservative_care": [], "imaging": "no"}
    slots.update(overrides)
    return slots


def test_result_consult_recommended_with_advice_and_offer() -> None:
    events, dispatcher = run(ActionSSHQResult(), tracker("no", intent="deny", **answered()))
    assert responses(dispatcher) == ["utter_sshq_result_consult_recommended", "utter_advice_imaging",
                                     "utter_advice_conservative_care", "utter_advice_walking"]
    assert dispatcher.messages[0]["custom"] == {"questionnaire_result": {
        "outcome": "consult_recommended", "sshq": {"q1_q4": 4, "q5_q10": 0}, "walking_minutes": 10,
        "conservative_care": [], "imaging": "no"}}
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("sshq_misses", 0.0),
                      FollowupAction("utter_offer_consultation")]


def test_result_not_typical_still_offers() -> None:
    events, dispatcher = run(ActionSSHQResult(), tracker("no", intent="deny", **answered(q2="no", q3="no")))
    assert responses(dispatcher) == ["utter_sshq_result_not_typical"]
    assert events[-1] == FollowupAction("utter_offer_consultation")


def test_result_urgent_after_a_red_flag_mid_questionnaire() -> None:
    events, dispatcher = run(ActionSSHQResult(), tracker("my legs suddenly went weak", intent="red_flag",
                                                          red_flags="no", q1="yes"))
    assert responses(dispatcher) == ["utter_sshq_result_urgent"]
    assert dispatcher.messages[0]["custom"]["questionnaire_result"]["outcome"] == "urgent"
    assert FollowupAction("utter_offer_consultation") not in events


def test_stopped() -> None:
    events, dispatcher = run(ActionSSHQStopped(), tracker("yes", intent="affirm", red_flags="no", q1="yes"))
    assert responses(dispatcher) == ["utter_sshq_result_stopped"]
    assert dispatcher.messages[0]["custom"]["questionnaire_result"]["outcome"] == "stopped"
    assert SlotSet("q1", None) in events


def consult_tracker(text: str, **slots: Any) -> Tracker:
    return Tracker("patient", slots, {"text": text, "intent": {"name": "inform", "confidence": 1.0}},
                   [SlotSet(k, v) for k, v in slots.items()], False, None,
                   {"name": "consultation_form"}, "action_listen")


@pytest.mark.parametrize(
    "slot, given, expected, response",
    [
        ("contact_name", "My name is Ann Lee", "Ann Lee", None),
        ("contact_name", "1234", None, "utter_invalid_contact_name"),
        ("contact_details", "ann@example.com", "email:ann@example.com", None),
        ("contact_details", "(555) 123-4567", "phone:(555) 123-4567", None),
        ("contact_details", "ann at example", None, "utter_invalid_contact_details"),
        ("contact_details", "12", None, "utter_invalid_contact_details"),
        ("contact_time", "weekday mornings", "weekday mornings", None),
        ("contact_consent", "Yes, I agree", "yes", None),
        ("contact_consent", "no", "no", None),
        ("contact_consent", "purple", None, "utter_invalid_contact_consent"),
        # found by a helper (session 20): never stored as the name or the time; a relative's name is read
        ("contact_name", "mornings", None, "utter_invalid_contact_name"),
        ("contact_name", "my husband", None, "utter_invalid_contact_name"),
        ("contact_name", "it's for my mum, her name is Edith Clarke", "Edith Clarke", None),
        ("contact_name", "for my dad, Tom Hill", "Tom Hill", None),
        ("contact_time", "hold on let me check my calendar", None, "utter_invalid_contact_time"),
        ("contact_time", "let me ask my wife", None, "utter_invalid_contact_time"),
        # a second review: "I am <name>" is a name; a sentence after "for my dad," or "her name is" is not
        ("contact_name", "I am John Smith", "John Smith", None),
        ("contact_name", "for my dad, he is deaf so email please", None, "utter_invalid_contact_name"),
        ("contact_name", "her name is unknown", None, "utter_invalid_contact_name"),
        ("contact_name", "yes, 07700 900123", None, "utter_invalid_contact_name"),
        # a third review: names are not cut at ordinary words inside them
        ("contact_name", "her name is Will Jones", "Will Jones", None),
        ("contact_name", "her name is Kim So-young", "Kim So-young", None),
        ("contact_name", "Mrs Joan Fine", "Mrs Joan Fine", None),
    ],
)
def test_consultation_validation(slot: str, given: str, expected: Optional[str], response: Optional[str]) -> None:
    events, dispatcher = run(ValidateConsultationForm(), consult_tracker(given, **{slot: given, "requested_slot": slot}))
    assert SlotSet(slot, expected) in events
    assert responses(dispatcher) == ([response] if response else [])


@pytest.mark.parametrize("given, name, details", [
    ("John Smith, 555-123-4567", "John Smith", "phone:555-123-4567"),
    ("I'm Ann, my email is ann@example.com", "Ann", "email:ann@example.com"),
    ("Mary Jones, call me on 07700 900123", "Mary Jones", "phone:07700 900123"),
    ("for my dad, John Smith, 555-123-4567", "John Smith", "phone:555-123-4567"),
    ("Anne Fine 555 123 4567", "Anne Fine", "phone:555 123 4567"), ("He Wei, 07700 900123", "He Wei", "phone:07700 900123"),
])
def test_a_name_and_the_details_in_one_reply_fill_both(given: str, name: str, details: str) -> None:
    events, dispatcher = run(ValidateConsultationForm(),
                             consult_tracker(given, contact_name=given, requested_slot="contact_name"))
    assert SlotSet("contact_name", name) in events and SlotSet("contact_details", details) in events
    assert responses(dispatcher) == []


@pytest.mark.parametrize("slot, given, changed", [
    ("contact_time", "sorry I spelled my name wrong, it's Anne Lee", SlotSet("contact_name", "Anne Lee")),
    ("contact_consent", "wait, my number is wrong, it's 555 123 4568", SlotSet("contact_details", "phone:555 123 4568")),
    ("contact_consent", "oh, I misspelt my name, it should be Jon Smyth", SlotSet("contact_name", "Jon Smyth")),
    ("contact_consent", "I spelled my name wrong, it's Anne Lee and yes I consent", SlotSet("contact_name", "Anne Lee")),
    ("contact_consent", "no wait, my number is 555 123 4568", SlotSet("contact_details", "phone:555 123 4568")),
    ("contact_consent", "sorry, I spelled my name wrong, it's Will Jones", SlotSet("contact_name", "Will Jones")),
    ("contact_time", "wrote my name wrong, it's actually Jon Smith", SlotSet("contact_name", "Jon Smith")),
])
def test_a_correction_at_a_later_question_changes_it_and_asks_again(slot: str, given: str, changed: SlotSet) -> None:
    events, dispatcher = run(ValidateConsultationForm(), consult_tracker(given, **{slot: given, "requested_slot": slot}))
    assert changed in events and SlotSet(slot, None) in events  # not a refusal of consent, nor a time
    assert responses(dispatcher) == ["utter_contact_updated"]


@pytest.mark.parametrize("given, consent", [("yes 555-123-4567", "yes"), ("no, 555-123-4567 is wrong", "no")])
def test_a_number_at_consent_is_a_correction_only_when_said_to_be_one(given: str, consent: str) -> None:
    events, _ = run(ValidateConsultationForm(), consult_tracker(given, contact_consent=given, requested_slot="contact_consent"))
    assert SlotSet("contact_consent", consent) in events
    assert not any(e.get("name") == "contact_details" for e in events)


@pytest.mark.parametrize("slot, given", [("contact_name", "why do you need my name?"), ("contact_consent", "do I have to?"),
                                         ("contact_details", "who sees my number?")])
def test_why_a_detail_is_needed_gets_the_privacy_answer(slot: str, given: str) -> None:
    events, dispatcher = run(ValidateConsultationForm(), consult_tracker(given, **{slot: given, "requested_slot": slot}))
    assert SlotSet(slot, None) in events and responses(dispatcher) == ["utter_privacy"]


@pytest.mark.parametrize("given, expected", [
    ("555 123 4567 or ann@example.com", "both:555 123 4567, ann@example.com"),
    ("ann at example dot com", "email:ann@example.com")])
def test_details_given_together_or_said_are_read_at_their_question(given: str, expected: str) -> None:
    events, dispatcher = run(ValidateConsultationForm(), consult_tracker(given, contact_details=given,
                                                                          requested_slot="contact_details"))
    assert SlotSet("contact_details", expected) in events and dispatcher.messages == []


@pytest.mark.parametrize("given", ["the burning one, no", "burning? no"])
def test_the_burning_questions_symptom_named_back_then_no_is_recorded_as_no(given: str) -> None:
    events, _ = run(ValidateSSHQForm(), tracker(given, intent="deny", requested_slot="q9", red_flags="no"))
    assert events[0] == SlotSet("q9", "no")


def test_a_time_with_an_at_sign_stays_the_time() -> None:
    given = "Tuesday @ 5.30pm"
    events, dispatcher = run(ValidateConsultationForm(), consult_tracker(
        given, contact_details="email:ann@example.com", contact_time=given, requested_slot="contact_time"))
    assert SlotSet("contact_time", given) in events and responses(dispatcher) == []


def test_a_wish_with_the_consent_goes_with_the_preferred_time() -> None:
    given = "yes but only by email please"
    events, dispatcher = run(ValidateConsultationForm(), consult_tracker(
        given, contact_time="weekday mornings", contact_consent=given, requested_slot="contact_consent"))
    assert SlotSet("contact_consent", "yes") in events
    assert SlotSet("contact_time", "weekday mornings; only by email") in events
    assert responses(dispatcher) == ["utter_contact_condition_noted"]


def at_question(text: str, slot: str, **earlier: Any) -> Tracker:
    """The request form at ``slot``: the earlier answers are slots only; the reply is the one new slot event."""
    return Tracker("patient", {**earlier, slot: text, "requested_slot": slot},
                   {"text": text, "intent": {"name": "inform", "confidence": 1.0}}, [SlotSet(slot, text)], False, None,
                   {"name": "consultation_form"}, "action_listen")


@pytest.mark.parametrize("given, wish, asked, noted", [
    ("phone:555 123 4567", "yes but only by email", "utter_contact_needs_email", "only by email"),
    ("phone:555 123 4567", "yes, by email please", "utter_contact_needs_email", "by email"),
    ("email:ann@example.com", "yes, just text me", "utter_contact_needs_phone", "just text me")])
def test_a_wish_for_the_other_means_asks_for_those_details_then_the_consent_again(given: str, wish: str,
                                                                                  asked: str, noted: str) -> None:
    events, dispatcher = run(ValidateConsultationForm(), at_question(
        wish, "contact_consent", contact_details=given, contact_time="mornings"))
    # consent is given for the details that will be sent: asked again after them, so a request left before is not kept
    assert SlotSet("contact_consent", None) in events and SlotSet("contact_details", None) in events
    assert SlotSet("contact_kept", given) in events and responses(dispatcher) == [asked]
    assert SlotSet("contact_time", f"mornings; {noted}") in events


@pytest.mark.parametrize("given, kept", [
    ("email:ann@example.com", None), ("both:555 123 4567, ann@example.com", None),
    ("phone:555 123 4567", "asked again")])  # the details were asked for once already: only noted
def test_a_wish_the_details_already_meet_or_were_asked_for_is_only_noted(given: str, kept: Optional[str]) -> None:
    wish = "yes but only by email"
    events, dispatcher = run(ValidateConsultationForm(), at_question(
        wish, "contact_consent", contact_details=given, contact_time="mornings", contact_kept=kept))
    assert SlotSet("contact_consent", "yes") in events
    assert not any(e.get("name") in ("contact_details", "contact_kept") for e in events)
    assert responses(dispatcher) == ["utter_contact_condition_noted"]


def test_the_address_in_the_same_reply_as_the_wish_is_taken() -> None:
    wish = "yes, only by email: ann.lee@example.com"
    events, dispatcher = run(ValidateConsultationForm(), at_question(
        wish, "contact_consent", contact_details="phone:555 123 4567", contact_time="mornings"))
    assert SlotSet("contact_consent", "yes") in events and SlotSet("contact_details", "email:ann.lee@example.com") in events
    assert responses(dispatcher) == ["utter_contact_condition_noted"]


@pytest.mark.parametrize("given, wish, time", [
    ("phone:07700 900123", "yes but only by phone, 09.00-17.00", "mornings; only by phone, 09.00-17.00"),
    ("phone:07700 900123", "ok, but no calls", None)])
def test_a_time_beside_the_wish_is_no_contact_detail_and_a_no_in_the_wish_is_no_refusal(given: str, wish: str,
                                                                                      time: Optional[str]) -> None:
    events, dispatcher = run(ValidateConsultationForm(), at_question(
        wish, "contact_consent", contact_details=given, contact_time="mornings"))
    if time is not None:  # the details already meet the wish: noted, and the number stays as given
        assert SlotSet("contact_consent", "yes") in events and SlotSet("contact_time", time) in events
        assert not any(e.get("name") == "contact_details" for e in events)
    else:  # a yes whose wish names the other means: asked for those details
        assert SlotSet("contact_kept", given) in events and responses(dispatcher) == ["utter_contact_needs_email"]


@pytest.mark.parametrize("reply, expected, said", [
    ("ann@example.com", "email:ann@example.com", []),
    ("I'd rather not give my email", "phone:555 123 4567", ["utter_contact_kept"]),
    ("I've changed my mind, phone is fine", "phone:555 123 4567", ["utter_contact_kept"]),
    ("just keep the number", "phone:555 123 4567", ["utter_contact_kept"]),
    ("I don't have e-mail", "phone:555 123 4567", ["utter_contact_kept"]),
    ("no", "phone:555 123 4567", ["utter_contact_kept"])])
def test_asked_again_for_the_wished_means_nothing_given_is_lost(reply: str, expected: str, said: List[str]) -> None:
    events, dispatcher = run(ValidateConsultationForm(), at_question(
        reply, "contact_details", contact_kept="phone:555 123 4567", contact_time="mornings"))
    assert SlotSet("contact_details", expected) in events and SlotSet("contact_kept", "asked again") in events
    assert responses(dispatcher) == said


@pytest.mark.parametrize("reply, response", [
    ("actually I've changed my mind, don't contact me", "utter_contact_gave_up"),  # left: nothing is stored
    ("ann.lee@example", "utter_invalid_contact_details"),  # an address that does not read is asked for again
    ("hold on let me find it", "utter_invalid_contact_details")])
def test_asked_again_a_wish_to_leave_or_a_try_is_read_as_at_any_question(reply: str, response: str) -> None:
    events, dispatcher = run(ValidateConsultationForm(), at_question(
        reply, "contact_details", contact_kept="phone:555 123 4567", contact_time="mornings"))
    assert SlotSet("contact_details", None) in events
    assert not any(e.get("name") == "contact_kept" for e in events)
    if response == "utter_contact_gave_up":
        assert SlotSet("contact_cancelled", True) in events
    else:
        assert responses(dispatcher) == [response]


def test_the_stored_request_keeps_both_details(store: requests_store.RequestStore) -> None:
    given = "555 123 4567 or ann@example.com"
    events, _ = run(ValidateConsultationForm(), consult_tracker(given, contact_details=given,
                                                                 requested_slot="contact_details"))
    t = consent_tracker("yes")
    t.slots["contact_details"] = next(e["value"] for e in events if e.get("name") == "contact_details")
    run(ActionSubmitConsultation(), t)
    [stored] = list(store.all())
    assert (stored.contact_kind, stored.contact) == ("both", "555 123 4567, ann@example.com")


def test_no_time_given_keeps_the_request() -> None:
    given = "I'd rather not say"
    events, dispatcher = run(ValidateConsultationForm(),
                             consult_tracker(given, contact_time=given, requested_slot="contact_time"))
    assert SlotSet("contact_time", "no preference given") in events and SlotSet("contact_cancelled", True) not in events


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> requests_store.RequestStore:
    store = requests_store.RequestStore(f"sqlite:///{tmp_path / 'r.db'}", spool=tmp_path / "spool.jsonl")
    monkeypatch.setattr("actions.consultation.get_store", lambda: store)
    monkeypatch.setattr("actions.privacy.get_store", lambda: store)
    return store


def consent_tracker(consent: str) -> Tracker:
    slots = {"contact_name": "Ann Lee", "contact_details": "email:ann@example.com", "contact_time": "mornings",
             "contact_consent": consent, **answered()}
    return Tracker("patient-7", slots, {"text": consent, "intent": {"name": "affirm"}}, [], False, None, {},
                   "consultation_form")


def test_with_consent_the_request_is_stored_with_a_reference(store: requests_store.RequestStore) -> None:
    events, dispatcher = run(ActionSubmitConsultation(), consent_tracker("yes"))
    [stored] = list(store.all())
    assert stored.name == "Ann Lee" and stored.contact == "ann@example.com" and stored.contact_kind == "email"
    assert stored.answers["q1"] == "yes" and stored.outcome == "consult_recommended"
    assert dispatcher.messages[0]["response"] == "utter_consultation_stored"
    assert dispatcher.messages[0]["custom"] == {"consultation_request": {"reference": stored.reference}}
    assert SlotSet("contact_name", None) in events and SlotSet("contact_details", None) in events


def test_without_consent_nothing_is_stored(store: requests_store.RequestStore) -> None:
    _, dispatcher = run(ActionSubmitConsultation(), consent_tracker("no"))
    assert list(store.all()) == []
    assert responses(dispatcher) == ["utter_consultation_not_stored"]


def test_database_down_keeps_the_request_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # nothing listens on port 1: the connection is refused at once
    broken = requests_store.RequestStore("postgresql://clinic:secret@127.0.0.1:1/requests",
                                         spool=tmp_path / "spool.jsonl")
    monkeypatch.setattr("actions.consultation.get_store", lambda: broken)
    _, dispatcher = run(ActionSubmitConsultation(), consent_tracker("yes"))
    assert responses(dispatcher) == ["utter_consultation_kept_for_retry"]
    assert not dispatcher.messages[0]["custom"]  # no consultation_request payload: nothing stored yet
    [kept] = broken.pending()
    assert kept.name == "Ann Lee"
    # once a database is reachable, the kept request is sent
    healthy = requests_store.RequestStore(f"sqlite:///{tmp_path / 'ok.db'}", spool=tmp_path / "spool.jsonl")
    assert healthy.retry_pending() == 1
    assert [r.reference for r in healthy.all()] == [kept.reference]


def test_database_down_and_spool_unwritable_says_it_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = requests_store.RequestStore("postgresql://clinic:secret@127.0.0.1:1/requests", spool=tmp_path)
    monkeypatch.setattr("actions.consultation.get_store", lambda: broken)
    events, dispatcher = run(ActionSubmitConsultation(), consent_tracker("yes"))
    assert responses(dispatcher) == ["utter_consultation_failed"]
    assert "reference" not in dispatcher.messages[0] and not dispatcher.messages[0]["custom"]
    assert SlotSet("contact_name", None) in events and SlotSet("contact_details", None) in events


def test_an_answer_heard_as_stop_by_the_classifier_is_still_an_answer() -> None:
    events, _ = run(ValidateSSHQForm(), tracker("not really", intent="stop_questionnaire", requested_slot="q3",
                                                 red_flags="no"))
    assert SlotSet("q3", "no") in events


@pytest.mark.parametrize("text", ["stop", "cancel", "not now"])
def test_stop_words_reject_the_form_whatever_the_classifier_says(text: str) -> None:
    events, _ = run(ValidateSSHQForm(), tracker(text, intent="deny", requested_slot="q3", red_flags="no"))
    assert events == []


def test_a_number_picks_the_quick_reply_of_the_question() -> None:
    buttons = real_domain()["responses"]["utter_ask_imaging"][0]["buttons"]
    assert [b["title"] for b in buttons][2] == "Only X-rays"  # "3" is the third quick reply of the real question
    slots = {"red_flags": "no", **{f"q{i}": "yes" for i in range(1, 11)}, "walking_minutes": 10,
             "conservative_care": [], "requested_slot": "imaging"}
    events, _ = run(ValidateSSHQForm(), tracker("3", intent="nlu_fallback", **slots))
    assert SlotSet("imaging", "no") in events


def test_forget_me_deletes_the_requests_and_marks_the_conversation(store: requests_store.RequestStore) -> None:
    run(ActionSubmitConsultation(), consent_tracker("yes"))
    forget = Tracker("patient-7", {}, {"text": "yes", "intent": {"name": "affirm"}}, [], False, None, {},
                     "utter_ask_forget")
    events, dispatcher = run(ActionForgetMe(), forget)
    assert events == [SlotSet("forgotten", True)]
    assert responses(dispatcher) == ["utter_forgotten"]
    assert list(store.all()) == []


def test_forget_me_with_the_database_down_deletes_nothing_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = requests_store.RequestStore("postgresql://clinic:secret@127.0.0.1:1/requests",
                                         spool=tmp_path / "spool.jsonl")
    monkeypatch.setattr("actions.privacy.get_store", lambda: broken)
    forget = Tracker("patient-7", {}, {"text": "yes", "intent": {"name": "affirm"}}, [], False, None, {},
                     "utter_ask_forget")
    events, dispatcher = run(ActionForgetMe(), forget)
    assert events == [] and responses(dispatcher) == ["utter_forget_failed"]


# ---------------------------------------------------------------- never a loop, never an answer not given

def asked_events(item: str, times: int, text: str, latest_action: str) -> List[Dict[str, Any]]:
    """The questionnaire's start, ``item``'s question ``times`` times, the patient's message, and what
    Rasa's validation sees last: the form's own run (after ``latest_action``, when that is not a listen)."""
    asks = [{"event": "bot", "text": "?", "data": {"custom": {"questionnaire": {"item": item, "step": 1, "of": 14}}}}
            for _ in range(times)]
    then = [] if latest_action == "action_listen" else [{"event": "action", "name": latest_action}]
    return [{"event": "action", "name": "action_sshq_reset"}, *asks, {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text}, *then, {"event": "action", "name": "sshq_form"}]


def tracker_after(item: str, times: int, text: str, intent: str = "nlu_fallback",
                  latest_action: str = "action_listen", **slots: Any) -> Tracker:
    earlier = ITEMS[: ITEMS.index(item)]
    values = {i: "no" if i.startswith(("q", "red")) else None for i in earlier}
    values.update({"walking_minutes": 10} if "walking_minutes" in earlier else {})
    values.update({"conservative_care": []} if "conservative_care" in earlier else {})
    values.update({item: None, "sshq_misses": 0.0, "sshq_last_item": None, "requested_slot": item, **slots})
    return Tracker("patient", values, {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
                   asked_events(item, times, text, latest_action), False, None,
                   {"name": "sshq_form", "is_interrupted": False, "rejected": False, "trigger_message": {}},
                   "sshq_form")


SKIPPED_AS = {**{item: "unsure" for item in ITEMS}, "walking_minutes": "unknown", "conservative_care": "unknown"}


@pytest.mark.parametrize("item", ITEMS)
def test_the_third_miss_skips_the_question_and_asks_the_next(item: str) -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker_after(item, 3, "purple elephants"))
    assert responses(dispatcher) == ["utter_sshq_skipped"]
    assert SlotSet(item, SKIPPED_AS[item]) in events  # filled: the form asks the next empty item


@pytest.mark.parametrize("item", ITEMS)
def test_below_the_cap_a_miss_is_re_asked(item: str) -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker_after(item, 1, "purple elephants"))
    assert SlotSet(item, None) in events and "utter_sshq_skipped" not in responses(dispatcher)


@pytest.mark.parametrize("item", ["q3", "walking_minutes", "imaging"])
def test_back_after_an_interruption_the_fourth_ask_is_a_skip(item: str) -> None:
    t = tracker_after(item, 3, "how long is the recovery?", intent="faq_recovery_time",
                      latest_action="utter_faq_recovery_time")
    events, dispatcher = run(ValidateSSHQForm(), t)
    assert responses(dispatcher) == ["utter_sshq_skipped"] and SlotSet(item, SKIPPED_AS[item]) in events
    # asked only twice: the question simply comes again
    events, dispatcher = run(ValidateSSHQForm(), tracker_after(item, 2, "how long is the recovery?",
                                                                  intent="faq_recovery_time",
                                                                  latest_action="utter_faq_recovery_time"))
    assert dispatcher.messages == [] and SlotSet(item, SKIPPED_AS[item]) not in events


@pytest.mark.parametrize("item", ITEMS)
def test_i_dont_know_is_recorded_for_every_item(item: str) -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker_after(item, 1, "I don't know"))
    assert SlotSet(item, SKIPPED_AS[item]) in events and dispatcher.messages == []


INTERRUPTIONS = [
    ("stop", "stop_questionnaire"),
    ("not now, I have to go", "goodbye"),
    ("sorry, can we finish later", "thanks"),
    ("I need to leave, no time right now", "deny"),
    ("does that count if it's only one leg?", "nlu_fallback"),
    ("no, how long does the procedure take?", "faq_procedure_duration"),
    ("what does numbness feel like?", "affirm"),
    ("I can't hold my bladder since this morning", "red_flag"),
    ("I want to end my life", "crisis"),
    ("can I talk to a nurse instead", "request_human"),
    ("no, just put me through to someone at the clinic", "request_human"),
]


@pytest.mark.parametrize("text, intent", INTERRUPTIONS)
@pytest.mark.parametrize("item", ["q1", "q5", "q10", "walking_minutes", "conservative_care", "imaging"])
def test_an_interruption_is_never_an_answer(item: str, text: str, intent: str) -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker_after(item, 1, text, intent=intent))
    assert events == [] and dispatcher.messages == []  # the form is rejected; nothing recorded


@pytest.mark.parametrize("text", ["yes", "yes, does that count?", "yeah since yesterday, is that bad?"])
def test_any_yes_to_the_red_flag_question_counts(text: str) -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker_after("red_flags", 1, text, intent="faq_risks"))
    assert responses(dispatcher) == ["utter_emergency"] and SlotSet("red_flags", "yes") in events


@pytest.mark.parametrize("text, intent", [("yes please", "thanks"), ("hi, yes", "greet"), ("yse", "nlu_fallback"),
                                          ("nope, never", "goodbye"), ("not really", "stop_questionnaire")])
def test_a_clear_yes_or_no_counts_whatever_the_intent(text: str, intent: str) -> None:
    events, _ = run(ValidateSSHQForm(), tracker_after("q4", 1, text, intent=intent))
    assert SlotSet("q4", "yes" if text[0] in "yh" else "no") in events


def test_answering_for_someone_else_is_noted_and_kept() -> None:
    events, dispatcher = run(ValidateSSHQForm(), tracker_after("q2", 1, "these are my mother's answers, by the way"))
    assert responses(dispatcher) == ["utter_sshq_proxy_noted"] and SlotSet("sshq_proxy", True) in events
    assert SlotSet("q2", "yes") not in events and SlotSet("q2", "no") not in events


def reset_tracker(*texts: str, active: bool = False, proxy: Optional[bool] = None) -> Tracker:
    events = [{"event": "action", "name": "action_sshq_result"}] + [{"event": "user", "text": t} for t in texts]
    loop = {"name": "sshq_form"} if active else {}
    return Tracker("patient", {"sshq_proxy": proxy}, {"text": texts[-1], "intent": {"name": "affirm"}}, events,
                   False, None, loop, "action_listen")


def test_the_reset_hears_who_the_answers_are_for() -> None:
    from actions.questionnaire import ActionSSHQReset

    events, _ = run(ActionSSHQReset(), reset_tracker("can I do the check for my dad?", "yes"))
    assert events[-1] == SlotSet("sshq_proxy", True)
    events, _ = run(ActionSSHQReset(), reset_tracker("check my symptoms", "yes"))
    assert events[-1] == SlotSet("sshq_proxy", False)


def test_no_treatments_advice_when_that_question_was_skipped() -> None:
    events, dispatcher = run(ActionSSHQResult(), tracker("no", intent="deny", **answered(conservative_care="unknown")))
    assert responses(dispatcher) == ["utter_sshq_result_consult_recommended", "utter_advice_imaging",
                                     "utter_advice_walking"]
    assert dispatcher.messages[0]["custom"]["questionnaire_result"]["conservative_care"] is None


@pytest.mark.parametrize("given, expected", [("ok, that's fine", "yes"), ("sure, go ahead", "yes"),
                                             ("I'd rather not", "no"), ("not now", None),
                                             ("what will they do with my answers?", None)])
def test_consent_in_everyday_words_and_never_from_a_question_or_a_pause(given: str, expected: Optional[str]) -> None:
    events, _ = run(ValidateConsultationForm(), consult_tracker(given, contact_consent=given,
                                                                 requested_slot="contact_consent"))
    assert SlotSet("contact_consent", expected) in events


def test_the_message_that_restarts_the_form_answers_nothing() -> None:
    """'No, don't stop' after 'do you want to stop?' starts the form again: it is not a no to the next item."""
    t = tracker_after("q2", 1, "no, let's go on", intent="deny", q1="yes")
    t.active_loop = {}
    events, dispatcher = run(ValidateSSHQForm(), t)
    assert events == [] and dispatcher.messages == []


def test_the_action_server_reads_answers_without_tensorflow() -> None:
    # the questionnaire's spaCy pipeline would pull TensorFlow in through thinc (about 380 MB)
    script = ("import sys; from actions.server import keep_tensorflow_out; keep_tensorflow_out(); "
              "from bot.core import answers; items = answers.extract_items('both my legs go numb when I walk'); "
              "print(sorted(items), sys.modules.get('tensorflow') is None, 'thinc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[-2] == "['q1', 'q5'] True True"


def consult_reply(text: str, slot: str, intent: str = "inform", **slots: Any) -> tuple[List[Dict], CollectingDispatcher]:
    t = Tracker("patient", {slot: text, "requested_slot": slot, **slots},
                {"text": text, "intent": {"name": intent, "confidence": 1.0}},
                [SlotSet(slot, text)], False, None, {"name": "consultation_form"}, "action_listen")
    return run(ValidateConsultationForm(), t)


def test_a_question_in_the_request_form_is_answered_and_never_stored() -> None:
    events, dispatcher = consult_reply("how long is the recovery?", "contact_name", "faq_recovery_time")
    assert SlotSet("contact_name", None) in events and responses(dispatcher) == ["utter_faq_recovery_time"]
    # nothing cancelled; counted as asked once more, so that questions alone cannot go round for ever
    assert events == [SlotSet("contact_name", None), SlotSet("contact_misses", "contact_name:1")]
    events, dispatcher = consult_reply("what happens to my answers after?", "contact_time", "nlu_fallback")
    assert SlotSet("contact_time", None) in events and responses(dispatcher) == ["utter_invalid_contact_time"]


def test_questions_in_a_row_at_one_question_leave_the_request_at_the_cap() -> None:
    events, dispatcher = consult_reply("and how long is the recovery?", "contact_name", "faq_recovery_time",
                                       contact_misses="contact_name:2")
    assert responses(dispatcher) == ["utter_faq_recovery_time", "utter_contact_gave_up"]
    assert events == [SlotSet("contact_name", None), SlotSet("contact_cancelled", True), SlotSet("contact_misses", None),
                      SlotSet("requested_slot", None)]  # no slot left to ask: the form ends, nothing stored


def test_asking_what_consent_means_gets_what_is_shared_and_with_whom() -> None:
    events, dispatcher = consult_reply("sorry, what does that mean?", "contact_consent", "faq_what_is_lss")
    assert responses(dispatcher) == ["utter_privacy"]
    assert events == [SlotSet("contact_consent", None), SlotSet("contact_misses", "contact_consent:1")]


@pytest.mark.parametrize(("text", "slot"), [
    ("I'd rather not say", "contact_name"), ("never mind, forget it", "contact_details"),
    ("actually stop, I don't want to give my details", "contact_time"), ("no thanks", "contact_details"),
])
def test_leaving_the_request_form_stores_nothing(text: str, slot: str) -> None:
    events, dispatcher = consult_reply(text, slot)
    assert SlotSet(slot, None) in events and SlotSet("contact_cancelled", True) in events
    # no slot left to ask: the form ends, and action_submit_consultation (no consent) stores nothing
    assert events[-1] == SlotSet("requested_slot", None)
    _, submitted = run(ActionSubmitConsultation(), Tracker(
        "patient", {"contact_cancelled": True, "contact_name": None}, {}, [], False, None, None, "action_listen"))
    assert responses(submitted) == ["utter_consultation_not_stored"]


def test_a_question_of_the_form_is_asked_at_most_three_times() -> None:
    record = None
    for _ in range(2):
        events, dispatcher = consult_reply("dunno", "contact_details", contact_misses=record)
        assert responses(dispatcher) == ["utter_invalid_contact_details"]
        record = next(e["value"] for e in events if e.get("name") == "contact_misses")
    events, dispatcher = consult_reply("idk", "contact_details", contact_misses=record)
    assert responses(dispatcher) == ["utter_contact_gave_up"] and SlotSet("contact_cancelled", True) in events
    # a miss at another question starts its own count
    events, dispatcher = consult_reply("???", "contact_time", contact_misses=record)
    assert SlotSet("contact_misses", "contact_time:1") in events


def test_a_number_given_at_the_time_question_corrects_the_details() -> None:
    events, dispatcher = consult_reply("555 201 3344", "contact_time")
    assert SlotSet("contact_details", "phone:555 201 3344") in events and SlotSet("contact_time", None) in events
    assert responses(dispatcher) == ["utter_contact_updated"]


def test_a_time_asked_as_a_question_is_the_time() -> None:
    events, _ = consult_reply("how about Tuesday morning?", "contact_time", "nlu_fallback")
    assert SlotSet("contact_time", "how about Tuesday morning?") in events


def sent_tracker(text: str, reference: Optional[str]) -> Tracker:
    return Tracker("patient-7", {"request_reference": reference}, {"text": text, "intent": {"name": "inform"}}, [],
                   False, None, {}, "action_listen")


def test_the_reference_of_a_stored_request_is_kept_for_a_correction(store: requests_store.RequestStore) -> None:
    events, _ = run(ActionSubmitConsultation(), consent_tracker("yes"))
    [stored] = list(store.all())
    assert SlotSet("request_reference", stored.reference) in events


def test_details_corrected_after_sending_change_the_request(store: requests_store.RequestStore) -> None:
    from actions.consultation import ActionChangeSentDetails

    run(ActionSubmitConsultation(), consent_tracker("yes"))
    [stored] = list(store.all())
    events, dispatcher = run(ActionChangeSentDetails(),
                             sent_tracker("oh no, my number is wrong, it's 555 123 4568", stored.reference))
    assert events == [] and responses(dispatcher) == ["utter_sent_details_changed"]
    assert dispatcher.messages[0]["reference"] == stored.reference
    [changed] = list(store.all())
    assert (changed.contact_kind, changed.contact) == ("phone", "555 123 4568")


@pytest.mark.parametrize("text, reference, response", [
    ("can I change the phone number on my request?", "MILD-ABC234", "utter_ask_new_details"),
    ("my number is wrong, it's 555 123 4568", None, "utter_no_request_to_change"),  # no request sent
    ("my number is wrong, it's 555 123 4568", "MILD-NOTMINE", "utter_sent_details_not_changed"),
])
def test_details_corrected_without_a_number_or_a_request(store: requests_store.RequestStore, text: str,
                                                        reference: Optional[str], response: str) -> None:
    from actions.consultation import ActionChangeSentDetails

    events, dispatcher = run(ActionChangeSentDetails(), sent_tracker(text, reference))
    assert events == [] and responses(dispatcher) == [response]


def test_starting_over_inside_the_request_form_clears_what_was_typed() -> None:
    from actions.consultation import ActionContactReset

    events, dispatcher = run(ActionContactReset(), consult_tracker("start over", contact_name="Ann Lee",
                                                                    contact_details="email:ann@example.com"))
    assert responses(dispatcher) == ["utter_contact_restarting"]
    assert {e["name"]: e["value"] for e in events} == {
        "contact_name": None, "contact_details": None, "contact_time": None, "contact_consent": None,
        "contact_misses": None, "contact_cancelled": None, "contact_kept": None, "requested_slot": None}
