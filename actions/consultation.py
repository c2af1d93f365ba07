"""The consultation request form and its storage: glue over bot.core.contact, bot.core.turns and bot.storage.requests."""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.questionnaire import button_payloads
from bot.core import names, questionnaire, turns
from bot.core.answers import Reply, answer_to, resolve_choice, understand_reply, wants_it_explained
from bot.core.contact import (
    MAX_ASKS,
    FormReply,
    asks_to_withdraw,
    asks_why_it_is_needed,
    clean_contact,
    clean_name,
    clean_time,
    consent_condition,
    contact_correction,
    corrected_before_consent,
    details_for_wish,
    keeps_earlier_details,
    misses_after,
    misses_at,
    name_and_contact,
    name_correction,
    names_a_time,
    no_time_given,
    partial_consent,
    read_form_reply,
    sent_details_fixed,
    with_condition,
)
from bot.core.questionnaire import ITEM_ORDER, Answer, Answers
from bot.storage.requests import ConsultationRequest, StoreUnavailable, get_store

logger = logging.getLogger(__name__)

CONTACT_SLOTS = ("contact_name", "contact_details", "contact_time", "contact_consent")


MISSES_SLOT = "contact_misses"
# the details given before a wish for the other means ("yes, but only by email" after a phone number): kept if the
# patient then gives none of that kind
KEPT_SLOT = "contact_kept"
ASKED_AGAIN = "asked again"  # in KEPT_SLOT once the details were asked for again: not a second time
REFERENCE_SLOT = "request_reference"
CANCELLED_SLOT = "contact_cancelled"
# everything the form holds, cleared when a request is sent or started again
FORM_SLOTS = (*CONTACT_SLOTS, MISSES_SLOT, CANCELLED_SLOT, KEPT_SLOT)
NO_TIME_PREFERENCE = "no preference given"
INVALID = {"contact_name": names.UTTER_INVALID_CONTACT_NAME, "contact_details": names.UTTER_INVALID_CONTACT_DETAILS,
           "contact_time": names.UTTER_INVALID_CONTACT_TIME, "contact_consent": names.UTTER_INVALID_CONTACT_CONSENT}


class ValidateConsultationForm(FormValidationAction):
    """One validate_<slot> per slot, each returning {slot: value or None} (formbot style). A question asked
    back is answered (when the assistant can) and never stored; "never mind" leaves the request; a question
    asked three times in a row without an answer leaves it too (financial-demo's repeated-failure idea)."""

    def name(self) -> str:
        return "validate_consultation_form"

    async def required_slots(self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[str]:
        # left: no slot to ask, so the form ends and action_submit_consultation stores nothing (no consent)
        return [] if tracker.get_slot(CANCELLED_SLOT) else domain_slots

    def _corrected(self, slot: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[Dict[str, Any]]:
        """A name or contact details corrected at a later question ("sorry, I spelled my name wrong, it's Anne Lee",
        "wait, my number is wrong, it's 555 123 4568"): changed, and the question asked again (counted as asked, so
        that it cannot go round for ever)."""
        if misses_at(tracker.get_slot(MISSES_SLOT), slot) >= MAX_ASKS - 1:
            return None
        name = name_correction(text) if slot != "contact_name" else None
        contact = contact_correction(text) if slot == "contact_time" else \
            corrected_before_consent(text) if slot == "contact_consent" else None
        if name is None and contact is None:
            return None
        dispatcher.utter_message(response=names.UTTER_CONTACT_UPDATED)
        changed = {"contact_name": name} if name is not None else {"contact_details": f"{contact[0]}:{contact[1]}"}
        return {slot: None, **changed, MISSES_SLOT: misses_after(tracker.get_slot(MISSES_SLOT), slot)}

    def _read(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
              cleaned: Callable[[str], Optional[str]]) -> Dict[str, Any]:
        text = str(value or "")
        corrected = self._corrected(slot, text, dispatcher, tracker)
        if corrected is not None:
            return corrected
        reply = read_form_reply(text, slot)
        if reply is FormReply.CANCEL:
            if slot == "contact_consent":
                return {slot: Answer.NO.value, MISSES_SLOT: None}  # "I'd rather not": no consent, nothing stored
            return {slot: None, CANCELLED_SLOT: True, MISSES_SLOT: None}
        answer = answer_to((tracker.latest_message.get("intent") or {}).get("name"))
        if reply is FormReply.QUESTION and answer is None and slot == "contact_time" and names_a_time(text):
            reply = FormReply.VALUE  # "how about Tuesday morning?", "is Monday ok?": a time, asked as a question
        if reply is FormReply.QUESTION and slot == "contact_consent" and (wants_it_explained(text) or asks_to_withdraw(text)):
            answer = names.UTTER_PRIVACY  # "what does that mean?", "can I withdraw later?" at consent: who receives what
        if reply is FormReply.QUESTION and answer is None and asks_why_it_is_needed(text):
            answer = names.UTTER_PRIVACY  # "why do you need my name?", "do I have to?": what is kept, and who sees it
        found = None if reply in (FormReply.QUESTION, FormReply.NOT_A_VALUE) else cleaned(text)
        if found is not None:
            return {slot: found, MISSES_SLOT: None}
        record = misses_after(tracker.get_slot(MISSES_SLOT), slot)
        if reply is FormReply.QUESTION and answer is not None:
            dispatcher.utter_message(response=answer)  # then the form asks its question again (counted: no loop)
            if misses_at(record, slot) >= MAX_ASKS:
                dispatcher.utter_message(response=names.UTTER_CONTACT_GAVE_UP)
                return {slot: None, CANCELLED_SLOT: True, MISSES_SLOT: None}
            return {slot: None, MISSES_SLOT: record}
        logger.debug("Consultation form: %s not accepted (%s)", slot, record)
        if misses_at(record, slot) >= MAX_ASKS:
            dispatcher.utter_message(response=names.UTTER_CONTACT_GAVE_UP)
            return {slot: None, CANCELLED_SLOT: True, MISSES_SLOT: None}
        dispatcher.utter_message(response=INVALID[slot])
        return {slot: None, MISSES_SLOT: record}

    def validate_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        both = name_and_contact(str(value or ""))
        if both is not None:
            # "John Smith, 555-123-4567": the name, and the details, which then need not be asked
            name, (kind, contact) = both
            return {"contact_name": name, "contact_details": f"{kind}:{contact}", MISSES_SLOT: None}
        return self._read("contact_name", value, dispatcher, tracker, clean_name)

    def validate_contact_details(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:
        def details(text: str) -> Optional[str]:
            contact = clean_contact(text, as_said=True)  # the answer to the question: typed or said loosely too
            logger.debug("Consultation form: contact %s", f"accepted ({contact[0]})" if contact else "not accepted")
            return f"{contact[0]}:{contact[1]}" if contact else None

        kept = tracker.get_slot(KEPT_SLOT)
        if not kept or kept == ASKED_AGAIN:
            return self._read("contact_details", value, dispatcher, tracker, details)
        # asked again for the means the patient wished: a reply with no details keeps the earlier ones (no loop);
        # a question, a wait, a wish to leave, or details that do not read are handled as at any question
        if details(str(value or "")) is None and keeps_earlier_details(str(value or "")):
            dispatcher.utter_message(response=names.UTTER_CONTACT_KEPT)
            return {"contact_details": kept, KEPT_SLOT: ASKED_AGAIN, MISSES_SLOT: None}
        read = self._read("contact_details", value, dispatcher, tracker, details)
        return {**read, KEPT_SLOT: ASKED_AGAIN} if read.get("contact_details") else read

    def validate_contact_time(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        if no_time_given(str(value or "")):
            return {"contact_time": NO_TIME_PREFERENCE, MISSES_SLOT: None}  # "I'd rather not say": the request is kept
        return self._read("contact_time", value, dispatcher, tracker, clean_time)

    def validate_contact_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:
        text = resolve_choice(str(value or ""), button_payloads(domain, "contact_consent"))
        intent = (tracker.latest_message.get("intent") or {}).get("name")

        def consent(reply_text: str) -> Optional[str]:
            # "ok, but no calls": a yes with a wish about how or when, though it holds a "no"
            reply = Reply.YES if consent_condition(reply_text) is not None else understand_reply(reply_text, intent)
            if reply is Reply.YES and partial_consent(reply_text):
                return None  # "yes, but don't share my answers": the consent asked for is whole; asked again
            return reply.value if reply in (Reply.YES, Reply.NO) else None  # a question or a pause is no answer

        read = self._read("contact_consent", text, dispatcher, tracker, consent)
        condition = consent_condition(text) if read.get("contact_consent") == Answer.YES.value else None
        if condition is None:
            return read
        # "yes but only by email": passed on with the preferred time, not dropped
        read["contact_time"] = with_condition(tracker.get_slot("contact_time"), condition)
        given = str(tracker.get_slot("contact_details") or "")
        taken, ask_for = details_for_wish(condition, given, tracker.get_slot(KEPT_SLOT) == ASKED_AGAIN, text)
        if ask_for is not None:
            # only a phone number for "only by email" (or the reverse): the details are asked for again, then the
            # consent (it is given for the details that will be sent; a request left before then keeps nothing)
            needs = names.UTTER_CONTACT_NEEDS_EMAIL if ask_for == "email" else names.UTTER_CONTACT_NEEDS_PHONE
            dispatcher.utter_message(response=needs)
            return {**read, "contact_consent": None, "contact_details": None, KEPT_SLOT: given}
        if taken is not None:
            read["contact_details"] = taken
        dispatcher.utter_message(response=names.UTTER_CONTACT_CONDITION_NOTED)
        return read


class ActionSubmitConsultation(Action):
    """With consent: store the request and the answers, and give a reference. Without: store nothing."""

    def name(self) -> str:
        return "action_submit_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        forget = ([SlotSet(slot, None) for slot in FORM_SLOTS]
                  + [SlotSet(item, None) for item in ITEM_ORDER])
        if tracker.get_slot("contact_consent") != Answer.YES.value:
            outcome = turns.submission(consented=False)
        else:
            outcome = self.submit(self.request(tracker))
        dispatcher.utter_message(
            response=outcome.response,
            **({"reference": outcome.reference} if outcome.reference else {}),
            **({"json_message": outcome.payload} if outcome.payload else {}),
        )
        # the reference (nothing personal) lets the patient correct the details sent, in this conversation
        return forget + ([SlotSet(REFERENCE_SLOT, outcome.reference)] if outcome.reference else [])

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


class ActionChangeSentDetails(Action):
    """"Oh no, my number is wrong, it's 555 123 4568" after the request was sent: the request made in this
    conversation gets the new details (stored or still waiting in the spool); without them, they are asked for."""

    def name(self) -> str:
        return names.ACTION_CHANGE_SENT_DETAILS

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = tracker.get_slot(REFERENCE_SLOT)
        if not reference:
            dispatcher.utter_message(response=names.UTTER_NO_REQUEST_TO_CHANGE)
            return []
        text = str(tracker.latest_message.get("text") or "")
        contact = sent_details_fixed(text) or clean_contact(text, as_said=True)
        if contact is None:
            dispatcher.utter_message(response=names.UTTER_ASK_NEW_DETAILS)
            return []
        try:
            changed = get_store().change_contact(tracker.sender_id, str(reference), contact[0], contact[1])
        except StoreUnavailable:
            changed = 0
        if changed:
            dispatcher.utter_message(response=names.UTTER_SENT_DETAILS_CHANGED, reference=reference)
        else:
            dispatcher.utter_message(response=names.UTTER_SENT_DETAILS_NOT_CHANGED)
        return []


class ActionContactReset(Action):
    """"Start over" inside the request form: what was typed is cleared, and the form asks its questions again from
    the name (data/rules/questionnaire.yml). Before, the whole conversation restarted and the request was lost."""

    def name(self) -> str:
        return names.ACTION_CONTACT_RESET

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response=names.UTTER_CONTACT_RESTARTING)
        return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]
