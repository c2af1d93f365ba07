"""What a patient's turn means to a form, decided in plain values (the actions only carry it out).

* ``read_answer``: the questionnaire form got a message while asking ``requested``. Is it an
  answer (record these values), a skip, a miss (re-ask, or give up after ``MAX_ASKS``), only a
  note that someone answers for another person, or not an answer at all (an alert, a pause, a
  question, a request for a person: the form is rejected and a rule takes over)?
* ``submission``: what the patient is told after a consultation request was (or was not)
  stored, kept for a retry, or lost.

Inputs are plain values read from the tracker; outputs are small frozen dataclasses: the
responses to say, in order, and the slots to set, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from bot.core import answers, names, safety
from bot.core.questionnaire import (
    CONSERVATIVE_CARE,
    IMAGING,
    ITEM_ORDER,
    RED_FLAGS,
    SSHQ_ITEMS,
    WALKING_MINUTES,
    Answer,
)

MISSES_SLOT = "sshq_misses"
LAST_ITEM_SLOT = "sshq_last_item"
PROXY_SLOT = "sshq_proxy"
# Two answers that do not fit: explain and offer to skip or stop.
MAX_MISSES = 2
# No question is asked more than this many times in all (re-asks and returns after an interruption
# included): then it is skipped, recorded as unsure / unknown, and the next one is asked.
MAX_ASKS = answers.MAX_ASKS

# Not an answer unless the message also answers the pending question ("not really" is an
# answer even when the classifier hears "not now"); a rule takes over otherwise.
INTERRUPTIONS = frozenset({
    names.STOP_QUESTIONNAIRE, names.START_OVER, names.REQUEST_HUMAN, names.HELP, names.BOT_CHALLENGE,
    names.ASK_NOT_IN_SOURCES, names.START_QUESTIONNAIRE, names.FORGET_ME, names.ASK_PRIVACY,
})
# A knowledge question this sure, that answers nothing, is answered by its rule mid-form.
QUESTION_CONFIDENCE = 0.8

# The yes/no questions with an explanation of their own ("what does that mean?"); the others' re-ask says what fits.
EXPLAINED_ITEMS = (RED_FLAGS, *SSHQ_ITEMS)

# "thanks" and "good morning" at a question: said back, then the question again
_COURTESY = {"thanks": names.UTTER_SSHQ_WELCOME, "hello": names.UTTER_SSHQ_HELLO}
# the questions that "I have to stop and rest after a block" answers (walking made worse, and how long)
_STOPPING_ITEMS = ("q2", WALKING_MINUTES)

REASK = {
    WALKING_MINUTES: names.UTTER_SSHQ_REASK_MINUTES,
    CONSERVATIVE_CARE: names.UTTER_SSHQ_REASK_CARE,
    IMAGING: names.UTTER_SSHQ_REASK_IMAGING,
}


class Verdict(str, Enum):
    NOT_AN_ANSWER = "not_an_answer"  # the form is rejected: a rule answers, then the question again
    RECORDED = "recorded"  # values read (the pending item, others said in the same message)
    SKIPPED = "skipped"  # "skip": recorded as not known
    PROXY_NOTED = "proxy_noted"  # only that someone answers for another person
    REASK = "reask"  # did not fit: the question again
    GAVE_UP = "gave_up"  # asked MAX_ASKS times: recorded as not known, on to the next question
    WENT_BACK = "went_back"  # "I got the last one wrong": the answer before is cleared and asked again
    EXPLAINED = "explained"  # "why do you ask?": what the questions are for, then the question again
    WAITING = "waiting"  # "hold on a sec", "brb": take your time, then the question again (no miss)
    RESUMED = "resumed"  # "ok I'm back", "let's carry on": the question again (no miss)
    COURTESY = "courtesy"  # "thanks", "good morning": said back, then the question again (no miss)
    NOTHING = "nothing"  # no pending question and nothing read


@dataclass(frozen=True)
class Turn:
    """A form's reading of one message: what to say and which slots to set, both in order."""

    verdict: Verdict
    responses: Tuple[str, ...] = ()
    slots: Dict[str, Any] = field(default_factory=dict)
    corrected: Optional[str] = None  # the item a correction replaced ("actually, yes")
    answered: Tuple[str, ...] = ()  # the items the message answered (ids only, for the log)


def reask_response(item: str, text: str) -> str:
    """The response that re-asks ``item`` after ``text`` did not fit."""
    if item == WALKING_MINUTES and answers.is_distance(text):
        return names.UTTER_SSHQ_REASK_DISTANCE
    return REASK.get(item, names.UTTER_SSHQ_REASK_YES_NO)


def give_up(item: str) -> Turn:
    """Asked MAX_ASKS times: recorded as not known, and on to the next question."""
    return Turn(Verdict.GAVE_UP, (names.UTTER_SSHQ_SKIPPED,),
                {item: answers.skip_value(item), MISSES_SLOT: 0.0, LAST_ITEM_SLOT: item})


def miss(item: str, text: str, times_asked: int, misses: int) -> Turn:
    """``text`` did not answer ``item``: re-ask (and offer to skip after MAX_MISSES, or before the
    last ask), unless it has been asked MAX_ASKS times already."""
    if times_asked >= MAX_ASKS:
        return give_up(item)
    misses += 1
    responses = [reask_response(item, text)]
    if misses >= MAX_MISSES or times_asked + 1 >= MAX_ASKS:
        responses.append(names.UTTER_SSHQ_OFFER_SKIP)
    return Turn(Verdict.REASK, tuple(responses), {item: None, MISSES_SLOT: float(misses)})


def said_then_asked_again(item: str, verdict: Verdict, response: str, times_asked: int) -> Turn:
    """``response`` ("take your time", "welcome back", an explanation), then the question again: no miss counted, but
    asked, so that nothing loops (given up once asked MAX_ASKS times)."""
    if times_asked >= MAX_ASKS:
        return give_up(item)
    return Turn(verdict, (response,), {item: None})


def explain(item: str, text: str, times_asked: int) -> Turn:
    """"what does that mean?", "what do you mean by shins?": the question in other words, then the question again."""
    response = names.explain_response(item) if item in EXPLAINED_ITEMS else reask_response(item, text)
    return said_then_asked_again(item, Verdict.EXPLAINED, response, times_asked)


def _proxy_or(proxy: bool, otherwise: Turn) -> Turn:
    if proxy:
        return Turn(Verdict.PROXY_NOTED, (names.UTTER_SSHQ_PROXY_NOTED,), {PROXY_SLOT: True})
    return otherwise


NOT_AN_ANSWER = Turn(Verdict.NOT_AN_ANSWER)


def read_answer(
    text: str,
    intent: Optional[str],
    confidence: float,
    requested: Optional[str],
    *,
    choices: Sequence[str] = (),
    last_item: Optional[str] = None,
    filled: Optional[Mapping[str, Any]] = None,
    times_asked: int = 0,
    misses: int = 0,
) -> Turn:
    """What the questionnaire form does with a reply while asking ``requested``.

    ``text`` is the message as sent ("2" is resolved against the question's ``choices``),
    ``intent`` and ``confidence`` the classifier's, ``last_item`` the item answered last,
    ``filled`` the slots' current values, ``times_asked`` how often ``requested`` was asked in
    this questionnaire and ``misses`` how many replies in a row did not fit.
    """
    # a bare number at the minutes question is minutes ("5"), not the fifth quick reply ("option 5" still is)
    bare_minutes = requested == WALKING_MINUTES and re.fullmatch(r"\s*\d+\s*", text or "") is not None
    reading_text = text if bare_minutes else answers.resolve_choice(text, choices)
    if intent in names.ALERT_INTENTS:
        return NOT_AN_ANSWER
    if requested == RED_FLAGS and answers.only_a_when(reading_text):
        # "when I'm in the shower" at "right now, do you have any of these?": not a yes (that would end the check as
        # urgent) nor a no; asked again (a report in it still alerts: the safety net reads every message)
        return _proxy_or(answers.is_proxy(reading_text), miss(requested, text, times_asked, misses))
    if requested == RED_FLAGS and answers.yes_to_the_red_flags(reading_text) and _reports_a_red_flag(reading_text):
        # any yes to the red-flag question counts, a question added or not
        return Turn(Verdict.RECORDED, (names.UTTER_EMERGENCY,),
                    {RED_FLAGS: Answer.YES.value, MISSES_SLOT: 0.0, LAST_ITEM_SLOT: RED_FLAGS})
    if requested and answers.is_a_short_wait(reading_text) and not (
            requested == WALKING_MINUTES and answers.parse_minutes(reading_text) is not None):
        # "hold on a sec", "brb" too: back in a moment, no pause of the questionnaire
        return said_then_asked_again(requested, Verdict.WAITING, names.UTTER_SSHQ_WAIT, times_asked)
    if requested and answers.is_back(reading_text):
        return said_then_asked_again(requested, Verdict.RESUMED, names.UTTER_SSHQ_WELCOME_BACK, times_asked)
    courtesy = answers.only_courtesy(reading_text) if requested else None
    if courtesy is not None:
        return said_then_asked_again(requested, Verdict.COURTESY, _COURTESY[courtesy], times_asked)
    if answers.only_who_it_is_for(reading_text):
        # "these are my dad's answers, not mine": noted, and its "not mine" is no answer (the question again)
        return Turn(Verdict.PROXY_NOTED, (names.UTTER_SSHQ_PROXY_NOTED,), {PROXY_SLOT: True})
    reply = answers.understand_reply(reading_text, intent)
    if reply is answers.Reply.PAUSE:
        return NOT_AN_ANSWER  # asks to confirm stopping (a rule, or bot.rasa_ext.reply_policy)
    proxy = answers.is_proxy(reading_text)
    if answers.asks_to_start_over(reading_text):
        return NOT_AN_ANSWER  # the questionnaire again from the start (bot.rasa_ext.reply_policy), never an answer
    if requested and answers.asks_why_asked(reading_text):
        return said_then_asked_again(requested, Verdict.EXPLAINED, names.UTTER_SSHQ_WHY, times_asked)
    if requested and answers.asks_to_go_back(reading_text) and not answers.extract_items(reading_text):
        before = item_before(requested, last_item, filled or {})
        if before is not None and answers.parse_item(before, answers.without_going_back(reading_text)) is None:
            # (with an answer for it, "that was wrong, only one leg", it is a correction: read below)
            return Turn(Verdict.WENT_BACK, (names.UTTER_SSHQ_GOING_BACK,),
                        {before: None, MISSES_SLOT: 0.0, LAST_ITEM_SLOT: None})
    if requested and (intent == names.SKIP_QUESTION or answers.is_skip(reading_text)):
        return Turn(Verdict.SKIPPED, (), {requested: answers.skip_value(requested), MISSES_SLOT: 0.0,
                                          LAST_ITEM_SLOT: requested})
    if requested and answers.wants_it_explained(reading_text):
        return _proxy_or(proxy, explain(requested, text, times_asked))
    if requested and (answers.says_go_on(reading_text) or answers.only_ready(reading_text)):
        # "please continue", "next question", "please repeat that", "I don't understand the question": no
        # answer to it; the question again, saying what fits
        return _proxy_or(proxy, miss(requested, text, times_asked, misses))
    if reply is answers.Reply.INTERRUPTION:
        # a question, a request for a person: never an answer; a rule answers, then the question again
        return _proxy_or(proxy, NOT_AN_ANSWER)
    reading = answers.read_turn(reading_text, requested, last_item)
    if requested in SSHQ_ITEMS and requested not in _STOPPING_ITEMS and requested in reading.values \
            and answers.stops_to_rest(reading_text) and requested not in answers.extract_items(reading_text) \
            and not answers.says_yes(reading_text) and not answers.opens_with_a_no(reading_text):
        # "sometimes I have to stop and rest" tells of walking, not of the question asked (its "sometimes" is no yes to it)
        return _proxy_or(proxy, miss(requested, text, times_asked, misses))
    if requested == RED_FLAGS and reading.values.get(RED_FLAGS) == Answer.YES.value and not _reports_a_red_flag(reading_text):
        if times_asked >= 2 and answers.parse_yes_no(reading_text) is Answer.YES:
            # asked twice already, and a yes again ("ok", "yes, go on"): taken as the yes it may be (never given up as
            # unsure)
            return Turn(Verdict.RECORDED, (names.UTTER_EMERGENCY,),
                        {RED_FLAGS: Answer.YES.value, MISSES_SLOT: 0.0, LAST_ITEM_SLOT: RED_FLAGS})
        # "sure, go on", "yes I'm ready", "ok", a cough leak for years: no report of the signs; asked again
        return _proxy_or(proxy, miss(requested, text, times_asked, misses))
    if intent in INTERRUPTIONS and not reading.values and reply is None and not (
            intent == names.ASK_NOT_IN_SOURCES and requested and not answers.is_question(reading_text)):
        # (a statement the classifier took for an unanswerable question is a reply that did not fit: a miss)
        return _proxy_or(proxy, NOT_AN_ANSWER)
    if requested == CONSERVATIVE_CARE and not reading.values and answers.tried_unnamed(reading_text):
        # "nothing helped": treatments tried, none named (not a question about results): which ones?
        return _proxy_or(proxy, miss(requested, text, times_asked, misses))
    if names.is_faq_intent(intent) and confidence >= QUESTION_CONFIDENCE and not reading.values:
        return NOT_AN_ANSWER  # a knowledge question mid-form: answered by a rule, then the question again
    if not reading.values:
        if requested:
            return _proxy_or(proxy, miss(requested, text, times_asked, misses))
        return _proxy_or(proxy, Turn(Verdict.NOTHING))
    responses = []
    if reading.corrected:
        responses.append(names.UTTER_SSHQ_CORRECTION_NOTED)
    if reading.values.get(RED_FLAGS) == Answer.YES.value:
        responses.append(names.UTTER_EMERGENCY)
    slots: Dict[str, Any] = dict(reading.values)
    slots.update({k: v for k, v in reading.side.items() if k not in reading.values and (filled or {}).get(k) is None})
    if proxy:
        slots[PROXY_SLOT] = True
    answered_pending = requested in reading.values
    slots[MISSES_SLOT] = 0.0
    slots[LAST_ITEM_SLOT] = requested if answered_pending else (reading.corrected or last_item)
    return Turn(Verdict.RECORDED, tuple(responses), slots, reading.corrected, tuple(sorted(reading.values)))


def _reports_a_red_flag(text: str) -> bool:
    """A yes to the red-flag question ("aye", "sometimes", "yes, since monday"), but not readiness ("yes I'm ready", "ok"),
    or the signs described as the safety net hears a report ("I leak a little when I cough, for years" holds the yes
    of "a little" and no report)."""
    if answers.stops_to_rest(text):
        # "sometimes I have to stop and rest" is walking, not the signs; "yes, my legs are getting weaker and I have to
        # stop ..." is a yes; a sign told beside the stopping counts as the safety net hears it without it
        if answers.says_yes(text) and answers.yes_to_the_red_flags(text):
            return True
        return safety.assess(answers.without_stopping(text)).alert is not None
    if answers.parse_yes_no(text) is Answer.YES:
        if not answers.yes_to_the_red_flags(text):
            return False
        if answers.says_yes(text) or not safety.names_a_sign(text):
            return True
    return safety.assess(text).alert is not None


def item_before(requested: str, last_item: Optional[str], filled: Mapping[str, Any]) -> Optional[str]:
    """The answered question to go back to: the one answered last, else the nearest answered one before
    ``requested`` in the questionnaire's order; None when there is none."""
    if last_item and last_item != requested and filled.get(last_item) is not None:
        return last_item
    if requested not in ITEM_ORDER:
        return None
    earlier = [item for item in ITEM_ORDER[: ITEM_ORDER.index(requested)] if filled.get(item) is not None]
    return earlier[-1] if earlier else None


def clear_answers() -> Dict[str, Any]:
    """The slots a new (or restarted) questionnaire starts from."""
    return {**{item: None for item in ITEM_ORDER}, MISSES_SLOT: 0.0, LAST_ITEM_SLOT: None}


# ---------------------------------------------------------------- consultation request

class Submitted(str, Enum):
    NOT_STORED = "not_stored"  # no consent: nothing kept
    STORED = "stored"  # in the database, with its reference
    KEPT_FOR_RETRY = "kept_for_retry"  # the database was down: spooled, sent later
    FAILED = "failed"  # the database was down and the spool could not be written either


@dataclass(frozen=True)
class Submission:
    """What the patient is told: one response, the reference to quote, the custom payload."""

    outcome: Submitted
    response: str
    reference: Optional[str] = None
    payload: Optional[Dict[str, Any]] = None


def submission(consented: bool, stored_as: Optional[str] = None, kept_for_retry: Optional[bool] = None,
               reference: Optional[str] = None) -> Submission:
    """The outcome of a consultation request.

    ``stored_as``: the reference the store gave (None: the store was unavailable);
    ``kept_for_retry``: whether the request could be spooled then (None: not tried);
    ``reference``: the request's own reference, quoted when it was spooled.
    """
    if not consented:
        return Submission(Submitted.NOT_STORED, names.UTTER_CONSULTATION_NOT_STORED)
    if stored_as is not None:
        return Submission(Submitted.STORED, names.UTTER_CONSULTATION_STORED, stored_as,
                          {"consultation_request": {"reference": stored_as}})
    if kept_for_retry:
        return Submission(Submitted.KEPT_FOR_RETRY, names.UTTER_CONSULTATION_KEPT_FOR_RETRY, reference)
    return Submission(Submitted.FAILED, names.UTTER_CONSULTATION_FAILED)
