"""A dialogue policy that hears everyday yes and no after the assistant's yes/no questions.

Rasa's rules follow the classifier's intent: "ok let's do it" classified as
``thanks`` after "Shall we begin?" would get "You're welcome!". After each
yes/no question asked outside a form (the questionnaire offer, the consultation
offer, "do you want to stop?", "delete this conversation?") this policy reads
the patient's words with ``bot.core.answers.understand_reply`` (pure, table-tested)
and plays the follow-up of ``bot.core.answers.FOLLOW_UPS``, the same actions the
rules take for ``affirm`` and ``deny``. Inside the questionnaire a pause ("not
now, I have to go") that the form refused asks to confirm stopping, whatever
the intent. After "Did you mean one of these?" a plain yes takes the first topic offered
and a plain no is "something else". Alerts and requests for a person are left to the
rules. A question asked at one of those yes/no questions gets its answer and then the
question again (``answers.answer_then_ask_again``; the offer of the check in short), also
when "Did you mean ...?" came between, and after the answers to several questions or "not
understood" (``action_understand``), so that a later yes still answers it: at most three
times in a row. After an opening no or pause ("No thanks. How long is it?") the answer comes
with what that no or pause brings (``answers.answer_with_opening``).
Outside any question, a message that asks for the check in other words ("a quiz",
"see if I have stenosis") or tells a story of its symptoms, when the classifier
could not place it, gets the offer of the check, until the conversation has the check's result,
stopped it or put it off (``answers.offers_the_check_unasked``); asking for it still offers it.
A mistake told at the consultation offer ("wait, I made a mistake, I haven't had an MRI"): the questions again,
if the patient wants (``answers.asks_to_redo``); declined, the offer again.
Back after stopping the check or putting it off ("ok I'm back, can we continue?"): "Welcome back."
and its offer again, whose yes starts it from the first question (``answers.asks_to_resume``, ``check_left_off``).
A story that the classifier read as the typical symptoms' question (neurogenic claudication) gets that answer and then the offer,
also while the check is already on offer. When the classifier was unsure between
topics, the patient's "Did you mean ...?" comes first, so that a question told with a
story of symptoms is not dropped for the offer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core import names, understanding
from bot.core.answers import (
    ASKED_AGAIN,
    CHECK_OFFERS,
    CONSENT_WORDS,
    CONSULTATION_WORDS,
    FOLLOW_UPS,
    FORMS,
    MAX_ASKS,
    OFFER_THE_CHECK,
    RED_FLAG_AT_STOP,
    SYMPTOMS_TOPIC,
    UNDERSTOOD_ALONE,
    Reply,
    answer_then_ask_again,
    answer_to,
    answer_with_opening,
    answers_for_someone,
    ask_again,
    asks_to_do_the_check,
    asks_to_redo,
    asks_to_resume,
    asks_to_start_over,
    asks_what_to_do,
    changes_mind_to_yes,
    check_left_off,
    clarify_follow_up,
    consultation_reply,
    continue_chain,
    follow_up,
    forget_reply,
    is_question,
    offer_reply,
    offers_the_check_unasked,
    safety_answer_corrected,
    since_fresh_start,
    stop_reply,
    understand_reply,
    wants_the_check,
)
from bot.core.contact import clean_contact, fixes_sent_details
from bot.rasa_ext.policies import ActionServerFaultPolicy

QUESTIONS = frozenset(question for question, _ in FOLLOW_UPS)
# after an alert (the urgent result ends with the emergency advice), "what should I do?" hears the alert again
ALERT_AGAIN = {names.UTTER_EMERGENCY: names.UTTER_EMERGENCY, names.UTTER_CRISIS: names.UTTER_CRISIS,
               names.result_response("urgent"): names.UTTER_EMERGENCY}
# an offer declined, then taken back ("actually yes"): the offer it answers, and the other words that name it
SUBMIT = "action_submit_consultation"
TAKEN_BACK = {names.UTTER_NO_CONSULTATION: (names.UTTER_OFFER_CONSULTATION, CONSULTATION_WORDS),
              names.UTTER_SSHQ_LATER: (names.UTTER_SSHQ_INTRO, None)}
# the answer to the typical symptoms' question, then the offer of the check of those symptoms
# the questionnaire from its first question again (as the rule for the start_over intent does), once the form
# has refused the message (the form runs first while it is active, as for a pause)
RESTART_THE_CHECK = ("sshq_form", "action_sshq_reset", "sshq_form")
ANSWER_THEN_OFFER = (names.faq_response(SYMPTOMS_TOPIC), *OFFER_THE_CHECK)
# back after stopping the check or putting it off ("ok I'm back, can we continue?"): its offer again (from the start)
WELCOME_BACK_TO_THE_CHECK = (names.UTTER_SSHQ_WELCOME_BACK, names.UTTER_SSHQ_OFFER_AGAIN)


def question_and_done(events: List[Event]) -> Tuple[Optional[str], List[str], Optional[UserUttered]]:
    """The action before the patient's latest message, the actions run (or refused) since, and that message."""
    done: List[str] = []
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, UserUttered):
            for earlier in reversed(events[:index]):
                if isinstance(earlier, ActionExecuted) and earlier.action_name != ACTION_LISTEN_NAME:
                    return earlier.action_name, list(reversed(done)), event
            return None, list(reversed(done)), event
        if isinstance(event, ActionExecuted) and event.action_name:
            done.append(event.action_name)
        elif isinstance(event, ActionExecutionRejected) and event.action_name:
            done.append(event.action_name)  # a form that refused the message ran all the same
    return None, [], None


def actions_before(events: List[Event], message: UserUttered) -> List[str]:
    """The names of the actions run before ``message``; action_understand is ``UNDERSTOOD_ALONE`` where it
    answered (several questions, "not understood") instead of asking "Did you mean ...?"."""
    actions: List[str] = []
    clarified = False  # the last action_understand asked "Did you mean ...?"
    for event in events:
        if event is message:
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            if actions and actions[-1] == names.ACTION_UNDERSTAND and not clarified:
                actions[-1] = UNDERSTOOD_ALONE  # nothing it said asked "Did you mean ...?"
            actions.append(event.action_name)
            clarified = False
        elif isinstance(event, BotUttered) and actions and actions[-1] == names.ACTION_UNDERSTAND and \
                isinstance(((event.data or {}).get("custom") or {}).get("clarify"), list):
            clarified = True
    return actions


def question_before_clarifying(events: List[Event]) -> Optional[str]:
    """The question open before "Did you mean ...?" was asked: the action before the message it
    answered, passing over earlier clarifying questions (at most ``MAX_ASKS`` of them)."""
    messages = [index for index, event in enumerate(events) if isinstance(event, UserUttered)]
    for earlier in reversed(messages[-1 - MAX_ASKS:-1]):
        before = events[: earlier + 1]
        question = question_and_done(before)[0]
        if question != names.ACTION_UNDERSTAND or not offered_topics(before):
            return question
    return None


def offered_topics(events: List[Event]) -> List[str]:
    """The topics of the clarifying question just before the patient's latest message, if any."""
    seen_message = False
    for event in reversed(events):
        if isinstance(event, UserUttered):
            if seen_message:
                return []
            seen_message = True
        elif isinstance(event, BotUttered) and seen_message:
            offered = ((event.data or {}).get("custom") or {}).get("clarify")
            if isinstance(offered, list):
                return [str(t) for t in offered]
        elif isinstance(event, ActionExecuted) and seen_message and event.action_name != ACTION_LISTEN_NAME:
            return []
    return []


def last_response(events: List[Event], message: UserUttered) -> Optional[str]:
    """The domain response the assistant said last before ``message``, if any."""
    said: Optional[str] = None
    for event in events:
        if event is message:
            break
        if isinstance(event, BotUttered):
            said = (event.metadata or {}).get("utter_action")
    return said


# what ends the wait for an answer to "delete this conversation?": looking back past these, nothing was left for it
_SETTLED = frozenset({*FORMS, "action_forget_me", names.UTTER_FORGET_CANCELLED, names.UTTER_FORGET_CANCELLED_GO_ON,
                      "action_restart", "action_session_start", "action_sshq_reset", "action_sshq_result",
                      "action_sshq_stopped", SUBMIT})


def left_for(question: str, events: List[Event]) -> Optional[str]:
    """What was left to ask ``question`` ("delete this conversation?", perhaps asked again after an answer): the
    form the rules stopped for it, or the yes/no question open before it; None if nothing was."""
    last_message = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=len(events))
    actions = [(i, e.action_name) for i, e in enumerate(events[:last_message])
               if isinstance(e, ActionExecuted) and e.action_name and e.action_name != ACTION_LISTEN_NAME]
    first = None
    for position, (_, name) in reversed(list(enumerate(actions))):
        if name in _SETTLED:
            break
        if name == question:
            first = position
    if first is None or first == 0:
        return None
    index, before = actions[first - 1]
    if before == "action_deactivate_loop":
        loops = [e.name for e in events[:index] if isinstance(e, ActiveLoop) and e.name]
        return loops[-1] if loops and loops[-1] in FORMS else None
    return ASKED_AGAIN.get(before) if before != question else None


def answer_of(message: UserUttered, intent: Optional[str]) -> Optional[str]:
    """What answers the patient's message on its own: a topic's answer, the not-in-sources or off-topic
    reply, or action_understand's answers to several questions or its "not understood" (its "Did you
    mean ...?" asks a question of its own, after which the question open before comes back); None else."""
    answer = answer_to(intent)
    if answer is None and intent == names.NLU_FALLBACK and \
            understanding.decision_from_parse(message.parse_data).kind in ("topics", "not_understood"):
        return names.ACTION_UNDERSTAND
    return answer


def applied(events: List[Event]) -> List[Event]:
    """The events that stand: from the last session start or restart, without the turns undone (the
    fault policy undoes a turn whose action the action server could not run). Rasa's applied_events
    without its folding of form runs, which the follow-ups of the questionnaire's pause read."""
    kept: List[Event] = []
    for event in events:
        if isinstance(event, Restarted | SessionStarted):
            kept = []
        elif isinstance(event, UserUtteranceReverted):
            _undo_to(UserUttered, kept)
            _undo_to(ActionExecuted, kept)
        elif isinstance(event, ActionReverted):
            _undo_to(ActionExecuted, kept)
        else:
            kept.append(event)
    return kept


def _undo_to(kind: type, kept: List[Event]) -> None:
    while kept:
        if isinstance(kept.pop(), kind):
            return


def next_action(events: List[Event], active_loop: Optional[str] = None) -> Optional[str]:
    question, done, message = question_and_done(events)
    if message is None:
        return None
    text = message.text or ""
    intent = (message.intent or {}).get("name")
    earlier = actions_before(events, message)
    if active_loop == "sshq_form" and intent not in names.ALERT_INTENTS and asks_to_start_over(text):
        return continue_chain(RESTART_THE_CHECK, done)  # "let's start from the beginning", in any words
    if question == names.ACTION_UNDERSTAND and not active_loop:
        offered = offered_topics(events)
        chain = clarify_follow_up(offered, understand_reply(text, intent), text)
        if offered:
            # "Did you mean ...?" asked at an open yes/no question: the topic chosen (or the
            # not-in-sources reply, or action_understand's own), then that question again
            answer = chain[0] if chain else answer_of(message, intent)
            chain = answer_then_ask_again(question_before_clarifying(events), answer,
                                          earlier) or chain
        if chain:
            return continue_chain(chain, done)
    taken_back = TAKEN_BACK.get(str(question))
    if question == SUBMIT and last_response(events, message) == names.UTTER_CONSULTATION_NOT_STORED:
        taken_back = (names.UTTER_OFFER_CONSULTATION, CONSENT_WORDS)  # consent refused, then given
    if taken_back and not active_loop and changes_mind_to_yes(text, intent, taken_back[1]):
        return continue_chain(FOLLOW_UPS[(taken_back[0], Reply.YES)], done)  # declined, then wanted
    if question not in QUESTIONS and not active_loop \
            and intent not in names.ALERT_INTENTS and intent != names.REQUEST_HUMAN and not understanding.is_topic(intent) \
            and check_left_off(earlier) and asks_to_resume(text):
        return continue_chain(WELCOME_BACK_TO_THE_CHECK, done)  # the check stopped or put off, and now wanted again
    if question == names.UTTER_ANYTHING_ELSE and not active_loop and intent not in names.ALERT_INTENTS and \
            understand_reply(text, intent) is Reply.YES and not is_question(text):
        return continue_chain((names.UTTER_HELP,), done)  # "anything else?" "yes": what one can ask
    after_alert = ALERT_AGAIN.get(str(last_response(events, message)))
    if after_alert and not active_loop and intent not in names.ALERT_INTENTS and asks_what_to_do(text):
        return continue_chain((after_alert,), done)  # "what should I do?" after the emergency message: it again
    if not active_loop and intent not in names.ALERT_INTENTS:
        if SUBMIT in since_fresh_start(earlier) and (
                fixes_sent_details(text)
                or question == names.ACTION_CHANGE_SENT_DETAILS and clean_contact(text, as_said=True) is not None):
            # "oh no, my number is wrong, it's 555 123 4568" after the request was sent: its details changed
            return continue_chain((names.ACTION_CHANGE_SENT_DETAILS,), done)
        if question in (names.UTTER_OFFER_CONSULTATION, names.UTTER_SSHQ_REDO_OFFER) and safety_answer_corrected(text):
            return continue_chain((names.UTTER_EMERGENCY,), done)  # "the safety question should be yes": a red flag
        if question == names.UTTER_OFFER_CONSULTATION and asks_to_redo(text):
            # "wait, I made a mistake, I haven't had an MRI": the questions again, if the patient wants
            return continue_chain((names.UTTER_SSHQ_REDO_OFFER,), done)
    if question not in QUESTIONS:
        # the check asked for in other words, or a symptom story the classifier did not place or read as
        # the symptoms' own question: offer it
        if not active_loop and answers_for_someone(text, intent):
            return continue_chain(OFFER_THE_CHECK, done)  # the check, for that person (action_sshq_reset notes it)
        if active_loop or not wants_the_check(text, intent):
            return None
        if not asks_to_do_the_check(text) and not offers_the_check_unasked(earlier):
            # after a result, a stopped check or "later": a story of symptoms gets the classifier's reply
            return None
        if understanding.decision_from_parse(message.parse_data).kind == "clarify":
            return continue_chain((names.ACTION_UNDERSTAND, *OFFER_THE_CHECK), done)
        if intent == names.faq_intent(SYMPTOMS_TOPIC):
            # a story of the symptoms read as their own question: the answer, then the offer
            return continue_chain(ANSWER_THEN_OFFER, done)
        return continue_chain(OFFER_THE_CHECK, done)
    if question == names.UTTER_ASK_FORGET and intent not in names.ALERT_INTENTS:
        if intent == names.FORGET_ME and is_question(text):
            # "how do I delete my data?" at "delete this conversation?": what is kept, then the question again
            # (not the rule that takes a second request to delete as the yes)
            return continue_chain((names.UTTER_PRIVACY, names.UTTER_ASK_FORGET), done)
        interrupted = left_for(question, events)
        if interrupted and forget_reply(text, intent) in (Reply.NO, Reply.PAUSE):
            # "no, keep it" asked in the middle of the questionnaire, the request or an open question: back to it
            return continue_chain((names.UTTER_FORGET_CANCELLED_GO_ON, interrupted), done)
    if question == names.UTTER_SSHQ_CONFIRM_STOP and intent == names.RED_FLAG:
        return continue_chain(RED_FLAG_AT_STOP, done)
    if question in CHECK_OFFERS:
        reply = offer_reply(text, intent)
    elif question == names.UTTER_OFFER_CONSULTATION:
        reply = consultation_reply(text, intent)
    elif question == names.UTTER_SSHQ_CONFIRM_STOP:
        reply = stop_reply(text, intent)
    elif question == names.UTTER_ASK_FORGET:
        reply = forget_reply(text, intent)
    else:
        reply = understand_reply(text, intent)
    answer = None if active_loop else answer_of(message, intent)
    if answer is None:
        again = None if active_loop or reply in (Reply.YES, Reply.NO, Reply.PAUSE) else \
            ask_again(question, text, intent, earlier)
        return follow_up(question, reply, done) or continue_chain(again, done)
    # "No thanks. How long is the recovery?", "not now, but is it safe?": the answer, and the no
    # or the pause is heard
    both = answer_with_opening(question, text, answer, earlier)
    if both:
        return continue_chain(both, done)
    # a question asked while a yes/no question is open: the answer, then that question again,
    # so that a later yes or no still answers it
    return follow_up(question, reply, done) or continue_chain(answer_then_ask_again(question, answer, earlier), done)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=False
)
class YesNoReplyPolicy(ActionServerFaultPolicy):
    """Everyday yes and no after a yes/no question, whatever the intent.

    It shares the fault policy's plumbing (untrained) and predicts its own way. Priority 7:
    above RulePolicy's 6, whose intent rules ("thanks" -> "You're welcome") would win
    otherwise, and below the fault policy's 8.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"priority": 7}

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[str, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = next_action(applied(list(tracker.events)), tracker.active_loop_name)
        if action is not None and action in domain.action_names_or_texts:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
