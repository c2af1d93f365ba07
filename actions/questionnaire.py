"""The symptom questionnaire form: thin glue over bot.core.turns (what a reply means) and bot.core.questionnaire."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core import answers, names, questionnaire, turns
from bot.core.history import recent_user_texts, replies_to_the_question, times_asked
from bot.core.questionnaire import (
    ITEM_ORDER,
    RED_FLAGS,
    Answer,
    Answers,
)

logger = logging.getLogger(__name__)

REQUESTED_SLOT = "requested_slot"
# the questionnaire's own slots and limits live with its decisions (bot/core/turns.py)
MISSES_SLOT, LAST_ITEM_SLOT, PROXY_SLOT, MAX_ASKS = turns.MISSES_SLOT, turns.LAST_ITEM_SLOT, turns.PROXY_SLOT, turns.MAX_ASKS


def _intent(tracker: Tracker) -> tuple[Optional[str], float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def button_payloads(domain: DomainDict, slot: Optional[str]) -> List[str]:
    """The quick-reply payloads of the question that asks ``slot``, in order."""
    variations = (domain.get("responses") or {}).get(names.ask_response(slot)) or [{}]
    return [b.get("payload", "") for b in variations[0].get("buttons") or []]


def reset_events() -> List[EventType]:
    return [SlotSet(k, v) for k, v in turns.clear_answers().items()] + [SlotSet(REQUESTED_SLOT, None)]


def carry_out(dispatcher: CollectingDispatcher, turn: turns.Turn) -> List[EventType]:
    """Say the turn's responses and return its slot events, both in order."""
    for response in turn.responses:
        dispatcher.utter_message(response=response)
    return [SlotSet(k, v) for k, v in turn.slots.items()]


class ValidateSSHQForm(FormValidationAction):
    """Reads each reply with bot.core.turns.read_answer and carries out what it decides."""

    def name(self) -> str:
        return "validate_sshq_form"

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
                events = carry_out(dispatcher, turns.give_up(requested))
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    def read(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Optional[List[EventType]]:
        """The reply's events, or None when it is no answer (the form is rejected, a rule takes over)."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        intent, confidence = _intent(tracker)
        turn = turns.read_answer(
            tracker.latest_message.get("text") or "", intent, confidence, requested,
            choices=button_payloads(domain, requested),
            last_item=tracker.get_slot(LAST_ITEM_SLOT),
            filled=tracker.slots,
            times_asked=times_asked(tracker.events, requested) if requested else 0,
            misses=int(tracker.get_slot(MISSES_SLOT) or 0),
        )
        if turn.verdict is turns.Verdict.NOT_AN_ANSWER:
            return None
        if turn.answered:
            # item ids only: never what the patient wrote
            logger.debug("Questionnaire: asked %s, read %s%s", requested, list(turn.answered),
                         f", corrected {turn.corrected}" if turn.corrected else "")
        return carry_out(dispatcher, turn)


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
