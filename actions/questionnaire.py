"""The symptom questionnaire form: thin glue over bot.core.questionnaire and bot.core.answers."""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core import answers, names, questionnaire
from bot.core.questionnaire import (
    CONSERVATIVE_CARE,
    IMAGING,
    ITEM_ORDER,
    RED_FLAGS,
    WALKING_MINUTES,
    Answer,
    Answers,
)

logger = logging.getLogger(__name__)

MISSES_SLOT = "sshq_misses"
LAST_ITEM_SLOT = "sshq_last_item"
PROXY_SLOT = "sshq_proxy"
REQUESTED_SLOT = "requested_slot"
MAX_MISSES = 2
# No question is asked more than this many times in all (re-asks and returns after an interruption
# included): then it is skipped, recorded as unsure / unknown, and the next one is asked.
MAX_ASKS = 3

# Never an answer: the form is rejected and a rule takes over at once.
ALERTS = names.ALERT_INTENTS
# Not an answer unless the message also answers the pending question ("not really" is an
# answer even when the classifier hears "not now"); a rule takes over otherwise.
INTERRUPTIONS = {
    names.STOP_QUESTIONNAIRE, names.START_OVER, names.REQUEST_HUMAN, names.HELP, names.BOT_CHALLENGE,
    names.ASK_NOT_IN_SOURCES, names.START_QUESTIONNAIRE, names.FORGET_ME,
}
QUESTION_CONFIDENCE = 0.8

REASK = {
    WALKING_MINUTES: names.UTTER_SSHQ_REASK_MINUTES,
    CONSERVATIVE_CARE: names.UTTER_SSHQ_REASK_CARE,
    IMAGING: names.UTTER_SSHQ_REASK_IMAGING,
}


def _intent(tracker: Tracker) -> tuple[Optional[str], float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def button_payloads(domain: DomainDict, slot: Optional[str]) -> List[str]:
    """The quick-reply payloads of the question that asks ``slot``, in order."""
    variations = (domain.get("responses") or {}).get(names.ask_response(slot)) or [{}]
    return [b.get("payload", "") for b in variations[0].get("buttons") or []]


def reset_events() -> List[EventType]:
    return [SlotSet(item, None) for item in ITEM_ORDER] + [
        SlotSet(MISSES_SLOT, 0.0), SlotSet(LAST_ITEM_SLOT, None), SlotSet(REQUESTED_SLOT, None)
    ]


def times_asked(events: List[Dict[str, Any]], item: str) -> int:
    """How often the current questionnaire has asked ``item`` (its question carries the item id)."""
    count = 0
    for event in reversed(events):
        if event.get("event") == "action" and event.get("name") == "action_sshq_reset":
            break
        if event.get("event") == "bot":
            progress = ((event.get("data") or {}).get("custom") or {}).get("questionnaire") or {}
            count += progress.get("item") == item
    return count


def replies_to_the_question(events: List[Dict[str, Any]]) -> bool:
    """Whether the form runs on the patient's reply (True) or comes back after something else,
    such as a knowledge answer (False). Rasa hands the validation a tracker that ends with the
    form's own run, so the action before it tells."""
    for event in reversed(events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in ("sshq_form", "action_extract_slots"):
            return False
    return False


def recent_user_texts(events: List[Dict[str, Any]], limit: int = 3) -> List[str]:
    """What the patient wrote since the last questionnaire ended (at most ``limit`` messages)."""
    texts: List[str] = []
    for event in reversed(events):
        if event.get("event") == "action" and event.get("name") in ("action_sshq_result", "action_sshq_stopped"):
            break
        if event.get("event") == "user":
            texts.append(str(event.get("text") or ""))
            if len(texts) >= limit:
                break
    return texts


class RepeatedFailureValidation(FormValidationAction):
    """Counts answers that do not fit; after MAX_MISSES explains and offers skip or stop.

    The pattern of Rasa's financial-demo: subclasses say how to re-ask one item.
    """

    @abstractmethod
    def name(self) -> str:
        """The validation action's name."""

    @abstractmethod
    def reask(self, item: str, text: str) -> str:
        """The response that re-asks ``item`` after ``text`` did not fit."""

    def miss(self, dispatcher: CollectingDispatcher, tracker: Tracker, item: str) -> List[EventType]:
        if times_asked(tracker.events, item) >= MAX_ASKS:
            return self.give_up(dispatcher, item)
        misses = int(tracker.get_slot(MISSES_SLOT) or 0) + 1
        dispatcher.utter_message(response=self.reask(item, tracker.latest_message.get("text") or ""))
        if misses >= MAX_MISSES or times_asked(tracker.events, item) + 1 >= MAX_ASKS:
            dispatcher.utter_message(response=names.UTTER_SSHQ_OFFER_SKIP)
        return [SlotSet(item, None), SlotSet(MISSES_SLOT, float(misses))]

    @staticmethod
    def give_up(dispatcher: CollectingDispatcher, item: str) -> List[EventType]:
        """Asked MAX_ASKS times: recorded as not known, and on to the next question."""
        dispatcher.utter_message(response=names.UTTER_SSHQ_SKIPPED)
        return [SlotSet(item, answers.skip_value(item)), SlotSet(MISSES_SLOT, 0.0), SlotSet(LAST_ITEM_SLOT, item)]


class ValidateSSHQForm(RepeatedFailureValidation):
    def name(self) -> str:
        return "validate_sshq_form"

    def reask(self, item: str, text: str) -> str:
        if item == WALKING_MINUTES and answers.is_distance(text):
            return names.UTTER_SSHQ_REASK_DISTANCE
        return REASK.get(item, names.UTTER_SSHQ_REASK_YES_NO)

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        if tracker.get_slot(RED_FLAGS) == Answer.YES.value:
            return [RED_FLAGS]  # a red flag ends the questionnaire
        return list(ITEM_ORDER)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        if tracker.active_loop_name != "sshq_form":
            events = []  # starting (or going on after "no, don't stop"): that message answers nothing
        elif replies_to_the_question(tracker.events):
            events = self.read(dispatcher, tracker, domain)
            if events is None:
                return []  # not an answer: the form is rejected and a rule takes over
        else:
            # back after an interruption (a question answered, "no, go on"): the question comes again,
            # unless it has been asked MAX_ASKS times already
            events = []
            if requested and tracker.get_slot(requested) is None and times_asked(tracker.events, requested) >= MAX_ASKS:
                events = self.give_up(dispatcher, requested)
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    def read(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Optional[List[EventType]]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = answers.resolve_choice(tracker.latest_message.get("text") or "", button_payloads(domain, requested))
        intent, confidence = _intent(tracker)
        if intent in ALERTS:
            return None
        if requested == RED_FLAGS and answers.parse_yes_no(text) is Answer.YES:
            # any yes to the red-flag question counts, a question added or not
            dispatcher.utter_message(response=names.UTTER_EMERGENCY)
            return [SlotSet(RED_FLAGS, Answer.YES.value), SlotSet(MISSES_SLOT, 0.0), SlotSet(LAST_ITEM_SLOT, RED_FLAGS)]
        reply = answers.understand_reply(text, intent)
        if reply is answers.Reply.PAUSE:
            return None  # asks to confirm stopping (a rule, or bot.rasa_ext.reply_policy)
        proxy = [SlotSet(PROXY_SLOT, True)] if answers.is_proxy(text) else []
        if requested and (intent == names.SKIP_QUESTION or answers.is_skip(text)):
            return [SlotSet(requested, answers.skip_value(requested)), SlotSet(MISSES_SLOT, 0.0),
                    SlotSet(LAST_ITEM_SLOT, requested)]
        if reply is answers.Reply.INTERRUPTION:
            # a question, a request for a person: never an answer; a rule answers, then the question again
            if proxy:
                dispatcher.utter_message(response=names.UTTER_SSHQ_PROXY_NOTED)
                return proxy
            return None
        reading = answers.read_turn(text, requested, tracker.get_slot(LAST_ITEM_SLOT))
        answered_pending = requested in reading.values
        if intent in INTERRUPTIONS and not reading.values and reply is None:
            if proxy:
                dispatcher.utter_message(response=names.UTTER_SSHQ_PROXY_NOTED)
                return proxy
            return None
        if (
            intent
            and intent.startswith(names.FAQ_PREFIX)
            and confidence >= QUESTION_CONFIDENCE
            and not reading.values
        ):
            return None  # a knowledge question mid-form: answered by a rule, then the question again
        if not reading.values:
            if proxy:
                dispatcher.utter_message(response=names.UTTER_SSHQ_PROXY_NOTED)
                return proxy
            return self.miss(dispatcher, tracker, requested) if requested else []
        # item ids only: never what the patient wrote
        logger.debug("Questionnaire: asked %s, read %s%s", requested, sorted(reading.values),
                     f", corrected {reading.corrected}" if reading.corrected else "")
        if reading.corrected:
            dispatcher.utter_message(response=names.UTTER_SSHQ_CORRECTION_NOTED)
        if reading.values.get(RED_FLAGS) == Answer.YES.value:
            dispatcher.utter_message(response=names.UTTER_EMERGENCY)
        events: List[EventType] = [SlotSet(k, v) for k, v in reading.values.items()]
        events += [SlotSet(k, v) for k, v in reading.side.items() if k not in reading.values and tracker.get_slot(k) is None]
        last = requested if answered_pending else (reading.corrected or tracker.get_slot(LAST_ITEM_SLOT))
        return events + proxy + [SlotSet(MISSES_SLOT, 0.0), SlotSet(LAST_ITEM_SLOT, last)]


class ActionSSHQReset(Action):
    """Clears the answers before a new (or restarted) questionnaire."""

    def name(self) -> str:
        return "action_sshq_reset"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.active_loop_name == "sshq_form":
            dispatcher.utter_message(response=names.UTTER_SSHQ_RESTARTING)
        proxy = bool(tracker.get_slot(PROXY_SLOT) and tracker.active_loop_name == "sshq_form") or any(
            answers.is_proxy(text) for text in recent_user_texts(tracker.events))
        return reset_events() + [SlotSet(PROXY_SLOT, proxy)]


class ActionSSHQResult(Action):
    """The outcome, the tailored advice, the result payload and, where it fits, the consultation offer."""

    stopped = False

    def name(self) -> str:
        return "action_sshq_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots: Dict[str, Any] = {item: tracker.get_slot(item) for item in ITEM_ORDER}
        if _intent(tracker)[0] == names.RED_FLAG:
            slots[RED_FLAGS] = Answer.YES.value  # a red flag said during the questionnaire
        result = questionnaire.evaluate(Answers.from_slots(slots), stopped=self.stopped)
        dispatcher.utter_message(response=names.result_response(result.outcome.value), json_message=result.payload())
        for tip in questionnaire.advice(result):
            dispatcher.utter_message(response=names.advice_response(tip.value))
        events: List[EventType] = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(MISSES_SLOT, 0.0)]
        if questionnaire.offers_consultation(result.outcome):
            events.append(FollowupAction(names.UTTER_OFFER_CONSULTATION))
        else:
            events += [SlotSet(item, None) for item in ITEM_ORDER] + [SlotSet(PROXY_SLOT, None)]
        return events


class ActionSSHQStopped(ActionSSHQResult):
    stopped = True

    def name(self) -> str:
        return "action_sshq_stopped"
