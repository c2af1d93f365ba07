"""The names Python code shares with ``domain.yml``: intents, marker slots and responses.

One place for each name, so that a renamed intent or response is one edit here and
``tests/test_names.py`` fails when a name here (or a family member such as
``utter_faq_<topic>``) is missing from the domain. Plain strings, no framework.
"""

from __future__ import annotations

from typing import Optional

# ---------------------------------------------------------------- intents

RED_FLAG = "red_flag"
CRISIS = "crisis"
# Never an answer, never a contact detail; answered by their rules even when the database is down.
ALERT_INTENTS = frozenset({RED_FLAG, CRISIS})

AFFIRM = "affirm"
DENY = "deny"
GREET = "greet"
HELP = "help"
BOT_CHALLENGE = "bot_challenge"
REQUEST_HUMAN = "request_human"
START_OVER = "start_over"
OUT_OF_SCOPE = "out_of_scope"
ASK_NOT_IN_SOURCES = "ask_not_in_sources"
START_QUESTIONNAIRE = "start_questionnaire"
STOP_QUESTIONNAIRE = "stop_questionnaire"
SKIP_QUESTION = "skip_question"
FORGET_ME = "forget_me"
ASK_PRIVACY = "ask_privacy"
# Rasa's own intent when no intent is confident enough (not listed in domain.yml).
NLU_FALLBACK = "nlu_fallback"

# A knowledge question: ``faq_<topic id>`` (the topics of bot/core/catalog.yml).
FAQ_PREFIX = "faq_"


def faq_intent(topic_id: str) -> str:
    return f"{FAQ_PREFIX}{topic_id}"


def is_faq_intent(intent: Optional[str]) -> bool:
    return bool(intent) and str(intent).startswith(FAQ_PREFIX)


def faq_topic(intent: str) -> str:
    """The topic id of ``faq_<topic id>``."""
    return intent[len(FAQ_PREFIX):]


# Intents whose own rules answer better than an offer of the check (prefixes: ``faq_`` is a family).
ANSWERED_ELSEWHERE = (FAQ_PREFIX, START_QUESTIONNAIRE, REQUEST_HUMAN, STOP_QUESTIONNAIRE, START_OVER, HELP,
                      FORGET_ME, ASK_PRIVACY, BOT_CHALLENGE, RED_FLAG, CRISIS)

# ---------------------------------------------------------------- marker slots

# Set to true by action_forget_me once the patient's requests are gone; the tracker store
# then deletes the conversation instead of saving the turn (bot/core/markers.py).
FORGOTTEN_SLOT = "forgotten"
# Carried only by the stand-in tracker of an unreachable database, never stored.
STORE_UNAVAILABLE_SLOT = "store_unavailable"

# ---------------------------------------------------------------- responses

UTTER_EMERGENCY = "utter_emergency"
UTTER_CRISIS = "utter_crisis"
UTTER_MESSAGE_TOO_LONG = "utter_message_too_long"
UTTER_ACTION_SERVER_DOWN = "utter_action_server_down"
UTTER_STORE_UNAVAILABLE = "utter_store_unavailable"
UTTER_RESTART = "utter_restart"
UTTER_FORGOTTEN = "utter_forgotten"
UTTER_FORGET_FAILED = "utter_forget_failed"
UTTER_ASK_FORGET = "utter_ask_forget"
UTTER_FORGET_CANCELLED = "utter_forget_cancelled"
UTTER_FORGET_CANCELLED_GO_ON = "utter_forget_cancelled_go_on"
UTTER_CLARIFY = "utter_clarify"
UTTER_CLARIFY_ONE = "utter_clarify_one"
UTTER_CLARIFY_SOMETHING_ELSE = "utter_clarify_something_else"
UTTER_NOT_UNDERSTOOD = "utter_not_understood"
UTTER_ANYTHING_ELSE = "utter_anything_else"
UTTER_HELP = "utter_help"
UTTER_HUMAN_CONTACT = "utter_human_contact"
UTTER_PRIVACY = "utter_privacy"
UTTER_NOT_IN_SOURCES = "utter_not_in_sources"
UTTER_OUT_OF_SCOPE = "utter_out_of_scope"

UTTER_SSHQ_INTRO = "utter_sshq_intro"
UTTER_SSHQ_OFFER_AGAIN = "utter_sshq_offer_again"
UTTER_SSHQ_LATER = "utter_sshq_later"
UTTER_SSHQ_CONFIRM_STOP = "utter_sshq_confirm_stop"
UTTER_SSHQ_RESTARTING = "utter_sshq_restarting"
UTTER_SSHQ_OFFER_SKIP = "utter_sshq_offer_skip"
UTTER_SSHQ_SKIPPED = "utter_sshq_skipped"
UTTER_SSHQ_PROXY_NOTED = "utter_sshq_proxy_noted"
UTTER_SSHQ_CORRECTION_NOTED = "utter_sshq_correction_noted"
UTTER_SSHQ_GOING_BACK = "utter_sshq_going_back"
UTTER_SSHQ_WHY = "utter_sshq_why"
UTTER_SSHQ_WAIT = "utter_sshq_wait"
UTTER_SSHQ_WELCOME_BACK = "utter_sshq_welcome_back"
UTTER_SSHQ_REDO_OFFER = "utter_sshq_redo_offer"
UTTER_SSHQ_WELCOME = "utter_sshq_welcome"
UTTER_SSHQ_HELLO = "utter_sshq_hello"
UTTER_SSHQ_REASK_YES_NO = "utter_sshq_reask_yes_no"
UTTER_SSHQ_REASK_MINUTES = "utter_sshq_reask_minutes"
UTTER_SSHQ_REASK_DISTANCE = "utter_sshq_reask_distance"
UTTER_SSHQ_REASK_CARE = "utter_sshq_reask_care"
UTTER_SSHQ_REASK_IMAGING = "utter_sshq_reask_imaging"

UTTER_OFFER_CONSULTATION = "utter_offer_consultation"
UTTER_NO_CONSULTATION = "utter_no_consultation"
UTTER_INVALID_CONTACT_NAME = "utter_invalid_contact_name"
UTTER_INVALID_CONTACT_DETAILS = "utter_invalid_contact_details"
UTTER_CONTACT_CONDITION_NOTED = "utter_contact_condition_noted"
UTTER_CONTACT_NEEDS_EMAIL = "utter_contact_needs_email"
UTTER_CONTACT_NEEDS_PHONE = "utter_contact_needs_phone"
UTTER_CONTACT_KEPT = "utter_contact_kept"
UTTER_INVALID_CONTACT_TIME = "utter_invalid_contact_time"
UTTER_INVALID_CONTACT_CONSENT = "utter_invalid_contact_consent"
UTTER_CONSULTATION_NOT_STORED = "utter_consultation_not_stored"
UTTER_CONTACT_GAVE_UP = "utter_contact_gave_up"
UTTER_CONTACT_UPDATED = "utter_contact_updated"
UTTER_CONSULTATION_STORED = "utter_consultation_stored"
UTTER_CONSULTATION_KEPT_FOR_RETRY = "utter_consultation_kept_for_retry"
UTTER_CONSULTATION_FAILED = "utter_consultation_failed"

# Custom actions (actions/)
ACTION_UNDERSTAND = "action_understand"
# the contact details of a request already sent, corrected (actions/consultation.py)
ACTION_CHANGE_SENT_DETAILS = "action_change_sent_details"
UTTER_ASK_NEW_DETAILS = "utter_ask_new_details"
UTTER_SENT_DETAILS_CHANGED = "utter_sent_details_changed"
UTTER_SENT_DETAILS_NOT_CHANGED = "utter_sent_details_not_changed"
UTTER_NO_REQUEST_TO_CHANGE = "utter_no_request_to_change"
# "start over" inside the request form: its questions again, from the name
ACTION_CONTACT_RESET = "action_contact_reset"
UTTER_CONTACT_RESTARTING = "utter_contact_restarting"

# Families: one response per member (tests/test_names.py checks every member against the domain).
FAQ_RESPONSE_PREFIX = f"utter_{FAQ_PREFIX}"


def faq_response(topic_id: str) -> str:
    """``utter_faq_<id>``: the answer to a catalog topic."""
    return f"{FAQ_RESPONSE_PREFIX}{topic_id}"


def ask_response(slot: Optional[str]) -> str:
    """``utter_ask_<slot>``: the question a form asks to fill ``slot`` (questionnaire items, contact slots)."""
    return f"utter_ask_{slot}"


def explain_response(item: str) -> str:
    """``utter_sshq_explain_<item>``: a question of the questionnaire said again in other words ("what does that mean?")."""
    return f"utter_sshq_explain_{item}"


def result_response(outcome: str) -> str:
    """``utter_sshq_result_<outcome>``: the questionnaire's outcome (bot.core.questionnaire.Outcome)."""
    return f"utter_sshq_result_{outcome}"


def advice_response(tip: str) -> str:
    """``utter_advice_<tip>``: a tailored next step (bot.core.questionnaire.Advice)."""
    return f"utter_advice_{tip}"
