"""bot.rasa_ext.reply_policy over real Rasa events: everyday yes and no after a yes/no question, whatever the intent."""

from __future__ import annotations

from typing import List, Optional

import pytest
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, ActiveLoop, BotUttered, Event, UserUttered

from bot.core.answers import FOLLOW_UPS, Reply
from bot.rasa_ext.reply_policy import next_action


def said(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9})


def after(question: str, text: str, intent: str, *done: str) -> List[Event]:
    return [ActionExecuted("action_listen"), said("hi", "greet"), ActionExecuted(question),
            ActionExecuted("action_listen"), said(text, intent), *[ActionExecuted(a) for a in done]]


@pytest.mark.parametrize(
    "question, text, intent, expected",
    [
        ("utter_sshq_intro", "ok let's do it", "thanks", "action_sshq_reset"),
        ("utter_sshq_intro", "hello, yes please", "greet", "action_sshq_reset"),
        ("utter_sshq_intro", "I'll type my mother's answers", "nlu_fallback", "action_sshq_reset"),
        ("utter_sshq_intro", "nah, not interested", "out_of_scope", "utter_sshq_later"),
        ("utter_sshq_intro", "not now, I have to go", "goodbye", "utter_sshq_later"),
        ("utter_sshq_intro", "how long does it take?", "faq_procedure_duration", "utter_faq_procedure_duration"),
        ("utter_sshq_intro", "yes, my legs went weak this morning", "red_flag", None),
        ("utter_offer_consultation", "yes please, I'd like a consultation", "request_human", "consultation_form"),
        ("utter_offer_consultation", "please have someone call me", "request_human", "consultation_form"),
        ("utter_offer_consultation", "no thanks, I'm good", "thanks", "utter_no_consultation"),
        ("utter_sshq_confirm_stop", "yes, I have to go", "goodbye", "action_sshq_stopped"),
        ("utter_sshq_confirm_stop", "no, let's keep going", "deny", "sshq_form"),
        ("utter_ask_forget", "nope, keep it", "deny", "utter_forget_cancelled"),
        ("utter_greet", "yes", "affirm", None),  # not a yes/no question: the rules decide
    ],
)
def test_the_first_action_after_the_reply(question: str, text: str, intent: str, expected: Optional[str]) -> None:
    assert next_action(after(question, text, intent)) == expected


def test_the_whole_follow_up_then_listen() -> None:
    events = after("utter_sshq_intro", "fine", "thanks")
    assert next_action(events) == "action_sshq_reset"
    assert next_action(events + [ActionExecuted("action_sshq_reset")]) == "sshq_form"
    assert next_action(events + [ActionExecuted("action_sshq_reset"), ActionExecuted("sshq_form")]) is None
    declined = after("utter_offer_consultation", "no, I'm fine", "thanks", "utter_no_consultation")
    assert next_action(declined) == "action_listen"


def test_a_pause_inside_the_questionnaire_asks_to_confirm_stopping() -> None:
    events = [ActionExecuted("sshq_form"), ActiveLoop("sshq_form"), ActionExecuted("action_listen"),
              said("I have to go, can we finish later", "goodbye"), ActionExecutionRejected("sshq_form")]
    assert next_action(events) == "action_deactivate_loop"  # the form refused the message (Rasa logs no run)
    events += [ActionExecuted("action_deactivate_loop"), ActiveLoop(None)]
    assert next_action(events) == "utter_sshq_confirm_stop"
    assert next_action(events + [ActionExecuted("utter_sshq_confirm_stop")]) == "action_listen"


def test_an_answer_inside_the_questionnaire_is_the_forms_business() -> None:
    events = [ActionExecuted("sshq_form"), ActionExecuted("action_listen"), said("yes", "affirm"),
              ActionExecuted("sshq_form")]
    assert next_action(events) is None


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("is there a quiz I could take", "nlu_fallback", "utter_sshq_intro"),
        ("I want to see if I have stenosis", "out_of_scope", "utter_sshq_intro"),
        ("hi there, both my legs go numb when I walk to the shop and sitting down helps", "greet", "utter_sshq_intro"),
        ("my calves ache when I stand in a queue", "nlu_fallback", "utter_sshq_intro"),
        ("purple monkey dishwasher", "nlu_fallback", None),
        ("what are the risks of the test?", "faq_risks", None),  # the knowledge answer comes first
        ("my legs went weak this morning", "red_flag", None),
    ],
)
def test_asking_for_the_check_in_other_words_offers_it(text: str, intent: str, expected: Optional[str]) -> None:
    events = [ActionExecuted("action_listen"), said(text, intent)]
    assert next_action(events) == expected
    if expected:
        assert next_action(events + [ActionExecuted(expected)]) == "action_listen"
        assert next_action(events, active_loop="consultation_form") is None  # never inside a form


def test_a_symptom_story_read_as_the_symptoms_question_gets_the_answer_then_the_offer() -> None:
    story = "my calves ache when I walk a few blocks and it eases when I sit, is that the typical pattern?"
    events = [ActionExecuted("action_listen"), said(story, "faq_neurogenic_claudication")]
    assert next_action(events) == "utter_faq_neurogenic_claudication"
    assert next_action(events + [ActionExecuted("utter_faq_neurogenic_claudication")]) == "utter_sshq_intro"
    assert next_action(events + [ActionExecuted("utter_faq_neurogenic_claudication"),
                                 ActionExecuted("utter_sshq_intro")]) == "action_listen"
    # the plain question is the rules' to answer, alone
    assert next_action([ActionExecuted("action_listen"), said("what is claudication?", "faq_neurogenic_claudication")]) is None
    # never inside a form, and never in place of the consultation offered after a result (a yes there
    # must ask for the contact details, not start the questions again): there the offer is asked again
    assert next_action(events, active_loop="sshq_form") is None
    at_the_offer = after("utter_offer_consultation", story, "faq_neurogenic_claudication",
                         "utter_faq_neurogenic_claudication")
    assert next_action(at_the_offer) == "utter_offer_consultation"


def test_a_symptom_story_while_the_check_is_on_offer_gets_the_answer_and_the_offer_again() -> None:
    story = "my calves ache when I walk a few blocks and it eases when I sit, is that what you mean?"
    events = after("utter_sshq_intro", story, "faq_neurogenic_claudication")
    assert next_action(events) == "utter_faq_neurogenic_claudication"
    events.append(ActionExecuted("utter_faq_neurogenic_claudication"))
    assert next_action(events) == "utter_sshq_offer_again"  # in short: its introduction was just read
    events.append(ActionExecuted("utter_sshq_offer_again"))
    assert next_action(events) == "action_listen"
    events += [ActionExecuted("action_listen"), said("ok why not", "affirm")]
    assert next_action(events) == "action_sshq_reset"  # the offer is the question again: a yes starts it


@pytest.mark.parametrize("question", ["utter_offer_consultation", "utter_sshq_confirm_stop"])
def test_the_candidates_answer_does_not_replace_an_open_question_with_the_offer(question: str) -> None:
    # after a result, "am I a candidate?" is natural: its rule would add the offer of the check, and
    # a yes meant for the consultation would then start the questions again
    events = after(question, "so am I a candidate for mild?", "faq_candidates")
    assert next_action(events) == "utter_faq_candidates"
    assert next_action(events + [ActionExecuted("utter_faq_candidates")]) == question  # the open one again
    assert next_action(events + [ActionExecuted("utter_faq_candidates"), ActionExecuted(question)]) == "action_listen"
    # with nothing open, the rule answers and offers the check
    assert next_action([ActionExecuted("action_listen"), said("so am I a candidate for mild?", "faq_candidates")]) is None


@pytest.mark.parametrize(
    "question, text, intent, answer, again",
    [
        ("utter_offer_consultation", "wait, how long is the recovery?", "faq_recovery_time",
         "utter_faq_recovery_time", "utter_offer_consultation"),
        ("utter_offer_consultation", "does my insurance pay for the consultation?", "ask_not_in_sources",
         "utter_not_in_sources", "utter_offer_consultation"),
        ("utter_sshq_intro", "who won the game last night?", "out_of_scope", "utter_out_of_scope",
         "utter_sshq_offer_again"),
        ("utter_sshq_offer_again", "is it painful?", "faq_pain_after_and_medication",
         "utter_faq_pain_after_and_medication", "utter_sshq_offer_again"),
        ("utter_sshq_confirm_stop", "hmm, is mild approved by the FDA?", "faq_fda_status",
         "utter_faq_fda_status", "utter_sshq_confirm_stop"),
        ("utter_ask_forget", "before that, what is stenosis?", "faq_what_is_lss", "utter_faq_what_is_lss",
         "utter_ask_forget"),
    ],
)
def test_a_question_at_an_open_yes_no_question_gets_the_answer_then_the_question_again(
        question: str, text: str, intent: str, answer: str, again: str) -> None:
    events = after(question, text, intent)
    assert next_action(events) == answer
    assert next_action(events + [ActionExecuted(answer)]) == again
    events += [ActionExecuted(answer), ActionExecuted(again)]
    assert next_action(events) == "action_listen"
    events += [ActionExecuted("action_listen"), said("yes", "affirm")]
    assert next_action(events) == FOLLOW_UPS[(again, Reply.YES)][0]  # a yes still answers it
    # never inside a form: the form asks its own question again
    assert next_action(after(question, text, intent), active_loop="sshq_form") is None


def asked_three_times(question: str, last: str, intent: str) -> List[Event]:
    """``question`` asked, then asked again after two answers, and the patient's third question."""
    events = after(question, "how long is the recovery?", "faq_recovery_time")
    for answer, (text, next_intent) in (("utter_faq_recovery_time", ("and the risks?", "faq_risks")),
                                        ("utter_faq_risks", (last, intent))):
        events += [ActionExecuted(answer), ActionExecuted(question), ActionExecuted("action_listen"),
                   said(text, next_intent)]
    return events


@pytest.mark.parametrize("question", ["utter_offer_consultation", "utter_sshq_confirm_stop"])
def test_an_open_question_is_asked_at_most_three_times_in_a_row(question: str) -> None:
    events = asked_three_times(question, "is it approved?", "faq_fda_status")
    # asked after the result, then again after two answers: the third answer comes alone
    assert next_action(events) == "utter_faq_fda_status"
    assert next_action(events + [ActionExecuted("utter_faq_fda_status")]) == "action_listen"
    # also the candidates answer, whose rule would add the offer of the check (a yes meant for
    # the open question would start the questions again and wipe the answers)
    events = asked_three_times(question, "so would someone like me qualify?", "faq_candidates")
    assert next_action(events) == "utter_faq_candidates"
    assert next_action(events + [ActionExecuted("utter_faq_candidates")]) == "action_listen"


def test_a_question_offered_anew_after_the_cap_is_asked_again() -> None:
    # the offer of the check dropped after three asks, then asked for anew: its count starts again
    events = asked_three_times("utter_sshq_intro", "is it approved?", "faq_fda_status")
    events = [event if not (isinstance(event, ActionExecuted) and event.action_name == "utter_sshq_intro"
                            and index > 3) else ActionExecuted("utter_sshq_offer_again")
              for index, event in enumerate(events)]
    events += [ActionExecuted("utter_faq_fda_status"), ActionExecuted("action_listen"),
               said("ok, check my symptoms then", "start_questionnaire"), ActionExecuted("utter_sshq_intro"),
               ActionExecuted("action_listen"), said("how long does it take?", "faq_procedure_duration")]
    assert next_action(events) == "utter_faq_procedure_duration"
    assert next_action(events + [ActionExecuted("utter_faq_procedure_duration")]) == "utter_sshq_offer_again"


@pytest.mark.parametrize(("question", "then"), [
    ("utter_sshq_intro", "utter_sshq_later"),
    ("utter_offer_consultation", "utter_no_consultation"),
    ("utter_ask_forget", "utter_forget_cancelled"),
    ("utter_sshq_confirm_stop", "utter_sshq_confirm_stop"),  # "not now" may mean "don't stop now": asked again
])
def test_a_pause_with_a_question_gets_the_answer_and_the_pause_is_heard(question: str, then: str) -> None:
    events = after(question, "not now, but how long is the recovery?", "faq_recovery_time")
    assert next_action(events) == "utter_faq_recovery_time"
    assert next_action(events + [ActionExecuted("utter_faq_recovery_time")]) == then
    # a pause alone is only the pause
    assert next_action(after(question, "not now, I have to go", "faq_recovery_time")) == FOLLOW_UPS[
        (question, Reply.PAUSE)][0]


def test_a_question_with_pause_words_at_stop_gets_the_answer_and_stop_again() -> None:
    events = after("utter_sshq_confirm_stop", "I've got no time off work, how long is the recovery?", "faq_recovery_time")
    assert next_action(events) == "utter_faq_recovery_time"
    assert next_action(events + [ActionExecuted("utter_faq_recovery_time")]) == "utter_sshq_confirm_stop"


@pytest.mark.parametrize(("question", "text", "then"), [
    ("utter_offer_consultation", "No thanks. How long is the recovery?", "utter_no_consultation"),
    ("utter_sshq_intro", "no thank you, how long is the recovery though?", "utter_sshq_later"),
    ("utter_ask_forget", "nope. how long is the recovery?", "utter_forget_cancelled"),
    ("utter_sshq_confirm_stop", "no, but how long is the recovery?", "sshq_form"),  # no: carry on with it
])
def test_a_question_after_declining_gets_the_answer_and_the_no(question: str, text: str, then: str) -> None:
    events = after(question, text, "faq_recovery_time")
    assert next_action(events) == "utter_faq_recovery_time"
    assert next_action(events + [ActionExecuted("utter_faq_recovery_time")]) == then


@pytest.mark.parametrize("text", ["please don't", "please, not yet", "I want to think about it first",
                                  "I'd like to keep my consultation request"])
def test_a_doubtful_yes_never_deletes_the_conversation(text: str) -> None:
    assert next_action(after("utter_ask_forget", text, "affirm")) == "utter_forget_cancelled"
    assert next_action(after("utter_ask_forget", "yes, delete it all", "affirm")) == "action_forget_me"


def unsure(text: str, offered: List[str]) -> UserUttered:
    """A message TopicUnderstanding could not place on one topic: it asks "Did you mean ...?"."""
    confidence = 0.4
    return UserUttered(text, {"name": "nlu_fallback", "confidence": confidence}, parse_data={
        "understanding": {"kind": "clarify", "intent": None, "topics": offered, "confidence": confidence}})


def test_a_symptom_story_with_an_unsure_question_gets_did_you_mean_then_the_offer() -> None:
    story = "my husband gets leg pain when he stands in line, could mild be for him"
    events = [ActionExecuted("action_listen"), unsure(story, ["candidates", "neurogenic_claudication"])]
    assert next_action(events) == "action_understand"
    events.append(ActionExecuted("action_understand"))
    assert next_action(events) == "utter_sshq_intro"
    events.append(ActionExecuted("utter_sshq_intro"))
    assert next_action(events) == "action_listen"
    # the offer is the question now: a yes starts the check, a topic tapped gets its answer and the offer
    events.append(ActionExecuted("action_listen"))
    assert next_action(events + [said("ok let's do it", "affirm")]) == "action_sshq_reset"
    tapped = events + [said("/faq_candidates", "faq_candidates"), ActionExecuted("utter_faq_candidates")]
    assert next_action(tapped) == "utter_sshq_offer_again"
    # a story that was not understood at all still gets the offer alone
    assert next_action([ActionExecuted("action_listen"), said(story, "nlu_fallback")]) == "utter_sshq_intro"


def clarified(offered: List[str], text: str, intent: str) -> List[Event]:
    """ "Did you mean one of these?" offering ``offered``, then the patient's reply."""
    return [ActionExecuted("action_listen"), said("the back thing afterwards", "nlu_fallback"),
            ActionExecuted("action_understand"), BotUttered("Did you mean one of these?", {"custom": {"clarify": offered}}),
            ActionExecuted("action_listen"), said(text, intent)]


@pytest.mark.parametrize(("text", "intent", "expected"), [
    ("yes", "affirm", "utter_faq_recovery_time"),
    ("sure", "thanks", "utter_faq_recovery_time"),  # whatever the classifier says
    ("no", "deny", "utter_not_in_sources"),
    # the last quick reply typed (an SMS has no buttons), or said in other words
    ("Something else", "faq_alternatives", "utter_not_in_sources"), ("neither of those", "deny", "utter_not_in_sources"),
    ("none of them.", "out_of_scope", "utter_not_in_sources"), ("no, something else", "deny", "utter_not_in_sources"),
    ("something else about the recovery", "faq_recovery_time", None),  # a new question
    ("how long is the cut?", "faq_incision_size", None),  # a new question: the rules answer it
    ("hello", "greet", None),
])
def test_a_yes_to_did_you_mean_takes_the_first_topic_offered(text: str, intent: str, expected: Optional[str]) -> None:
    assert next_action(clarified(["recovery_time", "return_to_work"], text, intent)) == expected


def test_the_candidates_answer_still_offers_the_check_after_did_you_mean() -> None:
    events = clarified(["candidates", "not_suitable"], "yes please", "affirm")
    assert next_action(events) == "utter_faq_candidates"
    assert next_action(events + [ActionExecuted("utter_faq_candidates")]) == "utter_sshq_intro"
    assert next_action(events + [ActionExecuted("utter_faq_candidates"), ActionExecuted("utter_sshq_intro")]) == (
        "action_listen")


def test_a_yes_after_anything_but_a_clarifying_question_is_not_a_topic() -> None:
    not_understood = clarified(["recovery_time"], "yes", "affirm")
    not_understood[3] = BotUttered("Sorry, I didn't quite understand that.", {"custom": {"fallback": "not_understood"}})
    assert next_action(not_understood) is None
    # nor is a no "something else" (the not-in-sources reply) when nothing was offered
    not_understood[-1] = said("no thanks", "deny")
    assert next_action(not_understood) is None
    # an older clarifying question, with a message between: not this reply's question
    older = clarified(["recovery_time"], "thanks", "thanks") + [ActionExecuted("utter_welcome"), ActionExecuted("action_listen"),
                                                               said("yes", "affirm")]
    assert next_action(older) is None
    # inside the questionnaire the form reads the answer
    assert next_action(clarified(["recovery_time"], "yes", "affirm"), active_loop="sshq_form") is None


@pytest.mark.parametrize(("text", "intent", "answer"), [
    ("yes, that one", "affirm", "utter_faq_candidates"),  # alone: the check's offer would replace the open question
    ("/faq_not_suitable", "faq_not_suitable", "utter_faq_not_suitable"),  # the second topic tapped
    ("neither of those", "deny", "utter_not_in_sources"),
])
def test_did_you_mean_at_the_consultation_offer_then_the_offer_again(text: str, intent: str, answer: str) -> None:
    events = after("utter_offer_consultation", "hmm and what about someone in my shape", "nlu_fallback",
                   "action_understand")[:-1] + clarified(["candidates", "not_suitable"], text, intent)[2:]
    assert next_action(events) == answer
    assert next_action(events + [ActionExecuted(answer)]) == "utter_offer_consultation"
    # also after two clarifying questions in a row
    twice = events[:-1] + [said("hmm, not sure", "nlu_fallback"), ActionExecuted("action_understand"),
                           BotUttered("Did you mean one of these?", {"custom": {"clarify": ["candidates", "risks"]}}),
                           ActionExecuted("action_listen"), events[-1]]
    assert next_action(twice) == answer
    assert next_action(twice + [ActionExecuted(answer)]) == "utter_offer_consultation"


@pytest.mark.parametrize(("text", "intent", "then"), [
    ("yes, that one", "affirm", "utter_sshq_intro"),  # the candidates answer's own chain
    ("/faq_not_suitable", "faq_not_suitable", None),  # a topic tapped: the rules answer
    ("neither of those", "deny", "action_listen"),
])
def test_did_you_mean_with_no_question_open_is_answered_as_before(text: str, intent: str, then: Optional[str]) -> None:
    plain = clarified(["candidates", "not_suitable"], text, intent)
    first = next_action(plain)
    assert next_action(plain + [ActionExecuted(first)] if first else plain) == then


def understood_as(text: str, kind: str, topics: List[str]) -> UserUttered:
    """A message TopicUnderstanding answered in its own way: several topics, or "not understood"."""
    return UserUttered(text, {"name": "nlu_fallback", "confidence": 0.3}, parse_data={
        "understanding": {"kind": kind, "intent": None, "topics": topics, "confidence": 0.3}})


@pytest.mark.parametrize("question", ["utter_offer_consultation", "utter_sshq_intro", "utter_sshq_confirm_stop",
                                      "utter_ask_forget"])
@pytest.mark.parametrize(("text", "kind", "topics"), [
    ("how long does it take and will I be asleep?", "topics", ["procedure_duration", "anesthesia"]),
    ("zxq blorp", "not_understood", []),
])
def test_several_answers_or_not_understood_at_an_open_question_then_the_question_again(
        question: str, text: str, kind: str, topics: List[str]) -> None:
    again = "utter_sshq_offer_again" if question == "utter_sshq_intro" else question
    events = [ActionExecuted("action_listen"), said("hi", "greet"), ActionExecuted(question),
              ActionExecuted("action_listen"), understood_as(text, kind, topics)]
    assert next_action(events) == "action_understand"
    assert next_action(events + [ActionExecuted("action_understand")]) == again
    events += [ActionExecuted("action_understand"), ActionExecuted(again)]
    assert next_action(events) == "action_listen"
    events += [ActionExecuted("action_listen"), said("yes", "affirm")]
    assert next_action(events) == FOLLOW_UPS[(again, Reply.YES)][0]  # a yes still answers it


def test_not_understood_three_times_then_the_reply_alone() -> None:
    events = [ActionExecuted("action_listen"), said("hi", "greet"), ActionExecuted("utter_offer_consultation")]
    for _ in range(2):
        events += [ActionExecuted("action_listen"), understood_as("zxq", "not_understood", []),
                   ActionExecuted("action_understand"), ActionExecuted("utter_offer_consultation")]
    events += [ActionExecuted("action_listen"), understood_as("zxq", "not_understood", [])]
    assert next_action(events) == "action_understand"
    assert next_action(events + [ActionExecuted("action_understand")]) == "action_listen"
    # "Did you mean ...?" asks its own question (the rules listen after it): the open one comes back
    # after its reply, not before
    clarify = events[:3] + [ActionExecuted("action_listen"), understood_as("recovry?", "clarify", ["recovery_time"])]
    assert next_action(clarify) is None
    assert next_action(clarify + [ActionExecuted("action_understand")]) is None


STORY = "my legs go numb and ache when I walk to the shops, then it eases when I sit down"


@pytest.mark.parametrize("settled", [
    ["action_sshq_result"],  # the check just gave its result (an urgent one offers no consultation)
    ["action_sshq_stopped"],
    ["utter_sshq_intro", "action_listen", "utter_sshq_later"],
])
def test_a_symptom_story_after_the_check_ended_or_was_put_off_brings_no_offer_unasked(settled: List[str]) -> None:
    start = [ActionExecuted("action_session_start"), ActionExecuted("action_listen"), said("hi", "greet"),
             ActionExecuted("utter_greet"), *[ActionExecuted(a) for a in settled], ActionExecuted("action_listen")]
    assert next_action(start + [said(STORY, "nlu_fallback")]) is None  # the rules: action_understand
    assert next_action(start + [said(STORY, "faq_neurogenic_claudication")]) is None  # the answer alone
    # asked for, it is offered all the same
    assert next_action(start + [said("can I do the symptom check again?", "nlu_fallback")]) == "utter_sshq_intro"
    # a new session, or before any of it: the story brings the offer
    fresh = start + [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    assert next_action(fresh + [said(STORY, "nlu_fallback")]) == "utter_sshq_intro"
    assert next_action(start[:4] + [ActionExecuted("action_listen"), said(STORY, "nlu_fallback")]) == "utter_sshq_intro"


@pytest.mark.parametrize("question", ["utter_ask_forget", "utter_sshq_confirm_stop"])
@pytest.mark.parametrize(("text", "intent", "answer"), [
    ("ok how long does it take", "faq_procedure_duration", "utter_faq_procedure_duration"),
    ("fine, what are the risks", "faq_risks", "utter_faq_risks"),
])
def test_a_question_without_a_question_mark_never_deletes_or_stops(question: str, text: str, intent: str,
                                                                   answer: str) -> None:
    events = after(question, text, intent)
    assert next_action(events) == answer
    assert next_action(events + [ActionExecuted(answer)]) == question


@pytest.mark.parametrize("text", ["let's continue", "keep going", "no wait, let's continue"])
def test_carrying_on_at_stop_carries_on(text: str) -> None:
    assert next_action(after("utter_sshq_confirm_stop", text, "affirm")) == "sshq_form"


@pytest.mark.parametrize(("kind", "topics"), [("not_understood", []), ("topics", ["recovery_time", "risks"])])
def test_after_did_you_mean_at_an_open_question_not_understood_or_two_answers_then_the_question(
        kind: str, topics: List[str]) -> None:
    events = clarified(["recovery_time"], "zxq blorp", "nlu_fallback")[:-1] + [understood_as("zxq blorp", kind, topics)]
    events = [ActionExecuted("action_listen"), said("hi", "greet"), ActionExecuted("utter_offer_consultation"),
              *events]
    assert next_action(events) == "action_understand"
    assert next_action(events + [ActionExecuted("action_understand")]) == "utter_offer_consultation"


@pytest.mark.parametrize("story", [
    "the test said urgent but my legs still go numb when I walk",
    "thanks for the questionnaire, my calves ache when I stand",
    "my legs ache when I walk, could it be stenosis?",
])
def test_a_story_that_mentions_the_check_after_its_result_brings_no_offer(story: str) -> None:
    events = [ActionExecuted("action_listen"), said("hi", "greet"), ActionExecuted("action_sshq_result"),
              ActionExecuted("action_listen"), said(story, "nlu_fallback")]
    assert next_action(events) is None


def test_a_yes_after_a_turn_undone_by_the_fault_policy_still_answers_the_open_question() -> None:
    from rasa.shared.core.events import UserUtteranceReverted

    from bot.rasa_ext.reply_policy import applied

    events = [ActionExecuted("action_listen"), said("hi", "greet"), ActionExecuted("utter_sshq_intro"),
              ActionExecuted("action_listen"), understood_as("zxq blorp", "not_understood", []),
              ActionExecuted("action_understand"), ActionExecuted("utter_action_server_down"), UserUtteranceReverted(),
              ActionExecuted("action_listen"), said("ok let's do it", "thanks")]
    assert next_action(applied(events)) == "action_sshq_reset"


@pytest.mark.parametrize(("text", "intent", "expected"), [
    ("I'll type my mum's answers", "nlu_fallback", "utter_sshq_intro"),
    ("im answering for my father", "out_of_scope", "utter_sshq_intro"),
    ("is mild safe for my mother", "faq_risks", None),  # a question for a relative: the rules answer it
    ("what would my husband's recovery be like?", "nlu_fallback", None),
])
def test_saying_one_answers_for_someone_offers_the_check(text: str, intent: str, expected: Optional[str]) -> None:
    assert next_action([ActionExecuted("action_listen"), said(text, intent)]) == expected


def test_a_red_flag_at_do_you_want_to_stop_ends_the_questionnaire_as_urgent() -> None:
    events = after("utter_sshq_confirm_stop", "my legs suddenly went weak", "red_flag")
    assert next_action(events) == "utter_emergency"
    assert next_action(events + [ActionExecuted("utter_emergency")]) == "action_sshq_result"
    assert next_action(events + [ActionExecuted("utter_emergency"), ActionExecuted("action_sshq_result")]) == \
        "action_listen"


@pytest.mark.parametrize(("text", "intent", "expected"), [
    ("hmm actually yes, I'd like them to call him", "request_human", "consultation_form"),
    ("wait, actually yes", "affirm", "consultation_form"),
    ("I changed my mind, I want the consultation", "request_human", "consultation_form"),
    ("ok thanks", "thanks", None),  # a thank-you after declining starts nothing
    ("actually, how long is the recovery?", "faq_recovery_time", None),
])
def test_changing_ones_mind_after_declining_the_consultation(text: str, intent: str, expected: Optional[str]) -> None:
    assert next_action(after("utter_no_consultation", text, intent)) == expected


def test_not_understood_alone_ends_a_run_of_asks() -> None:
    # the offer asked three times, then "not understood" alone: a new offer starts its own count
    events = asked_three_times("utter_sshq_intro", "zxq", "nlu_fallback")[:-1] + [
        understood_as("zxq", "not_understood", []), ActionExecuted("action_understand"),
               BotUttered("Sorry, I didn't quite understand that."), ActionExecuted("action_listen"),
               said("ok, check my symptoms then", "start_questionnaire"), ActionExecuted("utter_sshq_intro"),
               ActionExecuted("action_listen"), said("how long does it take?", "faq_procedure_duration")]
    assert next_action(events) == "utter_faq_procedure_duration"
    assert next_action(events + [ActionExecuted("utter_faq_procedure_duration")]) == "utter_sshq_offer_again"


@pytest.mark.parametrize(("text", "intent"), [
    ("actually I have numbness in my groin since this morning", "red_flag"),
    ("actually I want to kill myself", "crisis"),
    ("actually I'd like to delete my data", "forget_me"),
    ("actually, I have to go", "goodbye"),
    ("actually it's fine, thanks", "thanks"),
    ("wait, I have a question", "nlu_fallback"),
])
def test_after_declining_only_a_real_change_of_mind_takes_the_offer_back(text: str, intent: str) -> None:
    assert next_action(after("utter_no_consultation", text, intent)) != "consultation_form"


def test_a_check_put_off_can_be_taken_back() -> None:
    assert next_action(after("utter_sshq_later", "actually let's do it", "affirm")) == "action_sshq_reset"
    assert next_action(after("utter_sshq_later", "ok thanks", "thanks")) is None


@pytest.mark.parametrize(("question", "text", "intent", "expected"), [
    # the rules would take the intent as a yes: "not understood", then the question again
    ("utter_ask_forget", "ok what gets deleted", "affirm", ["utter_not_understood", "utter_ask_forget"]),
    ("utter_sshq_confirm_stop", "one moment please", "thanks", ["utter_not_understood", "utter_sshq_confirm_stop"]),
    # asked to hear it again: the question again
    ("utter_sshq_confirm_stop", "please repeat that", "out_of_scope", ["utter_out_of_scope", "utter_sshq_confirm_stop"]),
    ("utter_offer_consultation", "sorry, could you repeat that", "affirm", ["utter_offer_consultation"]),
])
def test_a_message_that_answers_nothing_at_an_open_question_asks_it_again(
        question: str, text: str, intent: str, expected: List[str]) -> None:
    events = after(question, text, intent)
    for action in expected:
        assert next_action(events) == action
        events.append(ActionExecuted(action))
    assert next_action(events) == "action_listen"


def test_yes_to_anything_else_says_what_one_can_ask() -> None:
    assert next_action(after("utter_anything_else", "yes", "affirm")) == "utter_help"
    assert next_action(after("utter_anything_else", "yes, how long is the recovery?", "faq_recovery_time")) is None


def test_starting_over_mid_questionnaire_in_any_words_starts_it_again() -> None:
    events = [ActionExecuted("sshq_form"), ActiveLoop("sshq_form"), ActionExecuted("action_listen"),
              said("let's start from the beginning", "out_of_scope")]
    assert next_action(events, "sshq_form") == "sshq_form"  # the form runs first, and refuses the message
    events.append(ActionExecutionRejected("sshq_form"))
    assert next_action(events, "sshq_form") == "action_sshq_reset"
    assert next_action(events + [ActionExecuted("action_sshq_reset")], "sshq_form") == "sshq_form"
    # an alert is never a restart
    alert = events[:3] + [said("start over, my legs just gave way", "red_flag"), ActionExecutionRejected("sshq_form")]
    assert next_action(alert, "sshq_form") is None


@pytest.mark.parametrize("form", ["sshq_form", "consultation_form"])
def test_keeping_the_data_after_delete_asked_mid_form_goes_back_to_the_form(form: str) -> None:
    events = [ActionExecuted(form), ActiveLoop(form), ActionExecuted("action_listen"), said("delete my data", "forget_me"),
              ActionExecuted("action_deactivate_loop"), ActiveLoop(None), ActionExecuted("utter_ask_forget"),
              ActionExecuted("action_listen"), said("no, keep it", "deny")]
    assert next_action(events) == "utter_forget_cancelled_go_on"
    assert next_action(events + [ActionExecuted("utter_forget_cancelled_go_on")]) == form
    # also after a question answered at "delete?" and "delete?" asked again
    asked_again = events[:-1] + [said("is it private?", "ask_privacy"), ActionExecuted("utter_privacy"),
                                 ActionExecuted("utter_ask_forget"), ActionExecuted("action_listen"), said("no", "deny")]
    assert next_action(asked_again) == "utter_forget_cancelled_go_on"
    # asked outside a form: nothing to go back to
    outside = events[3:]
    assert next_action(outside) == "utter_forget_cancelled"
    # a yes deletes, form or not
    assert next_action(events[:-1] + [said("yes", "affirm")]) == "action_forget_me"


@pytest.mark.parametrize("text, intent, expected", [
    ("can someone just call me?", "request_human", "consultation_form"),  # a request asked as a question: a yes
    ("what happens at a consultation?", "request_human", "utter_human_contact"),  # answered, then the offer again
])
def test_at_the_consultation_offer_a_call_asked_for_accepts_and_a_question_keeps_the_offer(
        text: str, intent: str, expected: str) -> None:
    events = after("utter_offer_consultation", text, intent)
    assert next_action(events) == expected
    if expected == "utter_human_contact":
        assert next_action(events + [ActionExecuted("utter_human_contact")]) == "utter_offer_consultation"


def test_consent_refused_then_given_asks_for_the_details_again() -> None:
    refused = [ActionExecuted("action_listen"), said("no", "deny"), ActionExecuted("consultation_form"),
               ActionExecuted("action_submit_consultation"),
               BotUttered("Understood. I haven't stored any of your details.",
                          metadata={"utter_action": "utter_consultation_not_stored"}),
               ActionExecuted("action_listen")]
    assert next_action(refused + [said("wait, I changed my mind, I do consent", "nlu_fallback")]) == "consultation_form"
    assert next_action(refused + [said("actually yes, have them call me", "affirm")]) == "consultation_form"
    assert next_action(refused + [said("thanks, bye", "goodbye")]) is None
    stored = [e if not isinstance(e, BotUttered) else BotUttered("Thank you.", metadata={
        "utter_action": "utter_consultation_stored"}) for e in refused]
    assert next_action(stored + [said("actually yes, have them call me", "affirm")]) is None


def test_keeping_the_data_after_delete_asked_at_an_offer_asks_the_offer_again() -> None:
    events = after("utter_offer_consultation", "delete my data", "forget_me", "utter_ask_forget", "action_listen")
    events.append(said("no, keep it", "deny"))
    assert next_action(events) == "utter_forget_cancelled_go_on"
    assert next_action(events + [ActionExecuted("utter_forget_cancelled_go_on")]) == "utter_offer_consultation"


def test_a_question_about_deleting_at_the_delete_question_is_answered_never_a_yes() -> None:
    events = after("utter_ask_forget", "how do I delete my data?", "forget_me")
    assert next_action(events) == "utter_privacy"
    assert next_action(events + [ActionExecuted("utter_privacy")]) == "utter_ask_forget"
    assert next_action(after("utter_ask_forget", "yes delete my data", "forget_me")) == "action_forget_me"


@pytest.mark.parametrize("last, text, intent, expected", [
    # found by a helper (session 20): "what should I do?" after the emergency message got the off-topic reply
    ("utter_emergency", "what should I do?", "out_of_scope", "utter_emergency"),
    ("utter_sshq_result_urgent", "ok so who do I call", "nlu_fallback", "utter_emergency"),
    ("utter_crisis", "what now?", "out_of_scope", "utter_crisis"),
    ("utter_emergency", "how long is the recovery?", "faq_recovery_time", None),  # a question of its own: the rules
    ("utter_faq_risks", "what should I do?", "out_of_scope", None),  # only after an alert
])
def test_what_to_do_after_an_alert_hears_it_again(last: str, text: str, intent: str, expected: Optional[str]) -> None:
    events: List[Event] = [ActionExecuted("action_listen"), said("hi", "greet"), ActionExecuted(last),
                           BotUttered("...", metadata={"utter_action": last}), ActionExecuted("action_listen"),
                           said(text, intent)]
    assert next_action(events) == expected
    if expected:
        assert next_action(events + [ActionExecuted(expected)]) == "action_listen"


@pytest.mark.parametrize("left_off", [
    ["action_sshq_stopped"],
    ["action_sshq_stopped", "utter_anything_else"],
    ["utter_sshq_intro", "action_listen", "utter_sshq_later", "action_listen", "utter_faq_risks"],
])
@pytest.mark.parametrize(("text", "intent"), [
    ("ok I'm back, can we continue?", "nlu_fallback"), ("can we pick up where we left off?", "out_of_scope"),
    ("continue", "affirm"), ("I'm ready to carry on with the questions", "start_questionnaire"),
])
def test_back_after_stopping_or_putting_off_the_check_gets_its_offer_again(left_off: List[str], text: str,
                                                                           intent: str) -> None:
    start = [ActionExecuted("action_session_start"), ActionExecuted("action_listen"), said("hi", "greet"),
             ActionExecuted("utter_greet"), *[ActionExecuted(a) for a in left_off], ActionExecuted("action_listen")]
    events = start + [said(text, intent)]
    assert next_action(events) == "utter_sshq_welcome_back"
    assert next_action(events + [ActionExecuted("utter_sshq_welcome_back")]) == "utter_sshq_offer_again"
    # its yes starts the check from its first question
    offered = events + [ActionExecuted("utter_sshq_welcome_back"), ActionExecuted("utter_sshq_offer_again"),
                        ActionExecuted("action_listen"), said("yes", "affirm")]
    assert next_action(offered) == "action_sshq_reset"


@pytest.mark.parametrize("before", [
    [],  # no check yet
    ["action_sshq_stopped", "action_sshq_reset", "sshq_form", "action_sshq_result"],  # stopped, then done
    ["action_sshq_stopped", "action_restart"],
])
def test_carrying_on_with_no_check_left_off_is_not_an_offer(before: List[str]) -> None:
    events = [ActionExecuted("action_session_start"), ActionExecuted("action_listen"), said("hi", "greet"),
              ActionExecuted("utter_greet"), *[ActionExecuted(a) for a in before], ActionExecuted("action_listen"),
              said("ok I'm back, can we continue?", "nlu_fallback")]
    assert next_action(events) is None


def test_a_red_flag_said_on_coming_back_is_left_to_the_rules() -> None:
    events = [ActionExecuted("action_sshq_stopped"), ActionExecuted("action_listen"), said("continue", "red_flag")]
    assert next_action(events) is None


def test_a_mistake_told_at_the_consultation_offer_offers_the_questions_again() -> None:
    events = after("utter_offer_consultation", "wait, I made a mistake, I haven't had an MRI", "deny")
    assert next_action(events) == "utter_sshq_redo_offer"
    asked = events + [ActionExecuted("utter_sshq_redo_offer")]
    assert next_action(asked) == "action_listen"
    yes = asked + [ActionExecuted("action_listen"), said("yes please", "affirm")]
    assert next_action(yes) == "action_sshq_reset"
    assert next_action(yes + [ActionExecuted("action_sshq_reset")]) == "sshq_form"
    no = asked + [ActionExecuted("action_listen"), said("no, it's fine", "deny")]
    assert next_action(no) == "utter_offer_consultation"  # the offer again, so that it can still be taken


@pytest.mark.parametrize(("text", "intent", "expected"), [
    ("yes, I've had an MRI", "affirm", "consultation_form"),  # not said to be a mistake: a yes to the offer
    ("no thanks", "deny", "utter_no_consultation"),
    ("my mistake, yes please", "affirm", "consultation_form"),
    ("sorry, what is an MRI?", "faq_imaging_required", "utter_faq_imaging_required"),
    ("wait, I made a mistake, my bladder stopped working today", "red_flag", None),  # the safety rules
])
def test_the_offer_is_answered_as_before_without_a_mistake_told(text: str, intent: str, expected: Optional[str]) -> None:
    assert next_action(after("utter_offer_consultation", text, intent)) == expected


@pytest.mark.parametrize(("text", "intent"), [
    ("I'm on blood thinners. Can I continue?", "faq_pain_after_and_medication"),
    ("I stopped physio, can I start it again?", "nlu_fallback"), ("can we finish now?", "nlu_fallback"),
    ("continue", "faq_recovery_time"),  # a topic the classifier is sure of is answered
])
def test_a_question_after_stopping_the_check_is_not_taken_for_coming_back(text: str, intent: str) -> None:
    events = [ActionExecuted("action_sshq_stopped"), ActionExecuted("action_listen"), said(text, intent)]
    assert next_action(events) is None


def sent(*then: Event) -> List[Event]:
    return [ActionExecuted("action_session_start"), ActionExecuted("action_listen"), said("hi", "greet"),
            ActionExecuted("consultation_form"), ActionExecuted("action_submit_consultation"),
            ActionExecuted("action_listen"), *then]


def test_details_corrected_after_the_request_was_sent_change_it() -> None:
    events = sent(said("oh no, my number is wrong, it's 555 123 4568", "faq_risks"))
    assert next_action(events) == "action_change_sent_details"
    assert next_action(events + [ActionExecuted("action_change_sent_details")]) == "action_listen"
    asked = sent(said("can I change the email on my request?", "nlu_fallback"),
                 ActionExecuted("action_change_sent_details"), ActionExecuted("action_listen"),
                 said("ann at example dot org", "nlu_fallback"))
    assert next_action(asked) == "action_change_sent_details"  # the details asked for, given plainly


def test_a_details_correction_with_no_request_sent_or_inside_a_form_is_not_one() -> None:
    events = [ActionExecuted("action_listen"), said("my number is wrong, it's 555 123 4568", "nlu_fallback")]
    assert next_action(events) is None
    assert next_action(sent(said("my number is wrong", "red_flag"))) is None
    assert next_action(sent(ActionExecuted("action_restart"), ActionExecuted("action_listen"),
                            said("my number is wrong, it's 555 123 4568", "nlu_fallback"))) is None


@pytest.mark.parametrize("question", ["utter_offer_consultation", "utter_sshq_redo_offer"])
def test_the_safety_question_corrected_to_yes_gets_the_emergency_message(question: str) -> None:
    events = after(question, "I made a mistake, the safety question should be yes", "affirm")
    assert next_action(events) == "utter_emergency"
    assert next_action(events + [ActionExecuted("utter_emergency")]) == "action_listen"
