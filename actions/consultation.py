"""The consultation request form and its storage: glue over bot.core.contact, bot.core.turns and bot.storage.requests."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.questionnaire import button_payloads
from bot.core import names, questionnaire, turns
from bot.core.answers import Reply, resolve_choice, understand_reply
from bot.core.contact import clean_contact, clean_name, clean_time
from bot.core.questionnaire import ITEM_ORDER, Answer, Answers
from bot.storage.requests import ConsultationRequest, StoreUnavailable, get_store

logger = logging.getLogger(__name__)

CONTACT_SLOTS = ("contact_name", "contact_details", "contact_time", "contact_consent")


class ValidateConsultationForm(FormValidationAction):
    """One validate_<slot> per slot, each returning {slot: value or None} (formbot style)."""

    def name(self) -> str:
        return "validate_consultation_form"

    def validate_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        name = clean_name(str(value or ""))
        logger.debug("Consultation form: name %s", "accepted" if name else "not accepted")
        if name is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_CONTACT_NAME)
        return {"contact_name": name}

    def validate_contact_details(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:
        contact = clean_contact(str(value or ""))
        logger.debug("Consultation form: contact %s", f"accepted ({contact[0]})" if contact else "not accepted")
        if contact is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_CONTACT_DETAILS)
            return {"contact_details": None}
        return {"contact_details": f"{contact[0]}:{contact[1]}"}

    def validate_contact_time(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        time = clean_time(str(value or ""))
        if time is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_CONTACT_TIME)
        return {"contact_time": time}

    def validate_contact_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:
        text = resolve_choice(str(value or ""), button_payloads(domain, "contact_consent"))
        reply = understand_reply(text, (tracker.latest_message.get("intent") or {}).get("name"))
        answer = Answer(reply.value) if reply in (Reply.YES, Reply.NO) else None  # a question or a pause is no answer
        if answer not in (Answer.YES, Answer.NO):
            dispatcher.utter_message(response=names.UTTER_INVALID_CONTACT_CONSENT)
            return {"contact_consent": None}
        return {"contact_consent": answer.value}


class ActionSubmitConsultation(Action):
    """With consent: store the request and the answers, and give a reference. Without: store nothing."""

    def name(self) -> str:
        return "action_submit_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        forget = [SlotSet(slot, None) for slot in CONTACT_SLOTS] + [SlotSet(item, None) for item in ITEM_ORDER]
        if tracker.get_slot("contact_consent") != Answer.YES.value:
            outcome = turns.submission(consented=False)
        else:
            outcome = self.submit(self.request(tracker))
        dispatcher.utter_message(
            response=outcome.response,
            **({"reference": outcome.reference} if outcome.reference else {}),
            **({"json_message": outcome.payload} if outcome.payload else {}),
        )
        return forget

    @staticmethod
    def request(tracker: Tracker) -> ConsultationRequest:
        kind, _, contact = str(tracker.get_slot("contact_details") or ":").partition(":")
        answers = Answers.from_slots({item: tracker.get_slot(item) for item in ITEM_ORDER})
        result = questionnaire.evaluate(answers)
        return ConsultationRequest(
            conversation_id=tracker.sender_id,
            name=str(tracker.get_slot("contact_name")),
            contact=contact,
            contact_kind=kind,
            preferred_time=str(tracker.get_slot("contact_time")),
            outcome=result.outcome.value,
            answers={**answers.dict(), **result.payload()["questionnaire_result"]},
        )

    @staticmethod
    def submit(request: ConsultationRequest) -> turns.Submission:
        """Store the request; if the database is down, keep it for a retry (bot.core.turns.submission decides
        what the patient is told)."""
        store = get_store()
        try:
            return turns.submission(consented=True, stored_as=store.add(request))
        except StoreUnavailable:
            pass
        try:
            store.keep_for_retry(request)
        except OSError:
            logger.error("Consultation request %s could not be kept either.", request.reference)
            return turns.submission(consented=True, kept_for_retry=False)
        return turns.submission(consented=True, kept_for_retry=True, reference=request.reference)
