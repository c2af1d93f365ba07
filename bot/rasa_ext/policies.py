"""A dialogue policy for one fault Rasa 3.6 leaves silent: the action server is down.

When a custom action or a form cannot reach the action server, Rasa logs the
error, records the action with none of its events and goes on predicting, so the
patient is left without an answer. Every custom action and form of this project
leaves at least one event when it runs (a message, a slot, a loop change), so a
custom action or form that is the very last event of the conversation failed.
This policy then says so (``utter_action_server_down``: send that message again
in a minute, or call the clinic) and listens. An active form still waits for
the same question; any other failed turn is undone first
(``UserUtteranceReverted``: the messages stay in the history, the dialogue state
goes back to before the patient's message), so that an offer still waits for its
answer. The same message sent again once the action server is back carries on
where the conversation was.

It also answers for the conversation database: while it cannot be reached, the
tracker store gives a stand-in tracker with a ``store_unavailable`` mark
(bot/rasa_ext/stores.py); the patient is asked to try again in a few minutes or call the
clinic (``utter_store_unavailable``), except that red flags and crisis words still
get their own answer first.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUtteranceReverted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core import names
from bot.core.markers import store_unavailable

TROUBLE_RESPONSE = names.UTTER_ACTION_SERVER_DOWN
STORE_DOWN_RESPONSE = names.UTTER_STORE_UNAVAILABLE
# Safety first: these are answered by their rules even when the database is down.
ALERT_INTENTS = names.ALERT_INTENTS


# RulePolicy's core fallback (config.yml, core_fallback_action_name): a response, where Rasa's
# own action_default_fallback would undo the message
CORE_FALLBACK_RESPONSE = names.UTTER_NOT_UNDERSTOOD


def _latest_action(history: List[Event]) -> Tuple[Optional[int], Optional[ActionExecuted]]:
    """The latest action and its position, found from the end (not by listing every action)."""
    at = next((i for i in range(len(history) - 1, -1, -1) if isinstance(history[i], ActionExecuted)), None)
    return at, None if at is None else history[at]  # type: ignore[return-value]


def listens_after_core_fallback(events: Iterable[Event]) -> bool:
    """Whether the latest action is the core fallback's "Sorry, I didn't quite understand that".

    After it no rule matches either, so RulePolicy would predict the fallback again, ten times
    (Rasa's limit), and with no ``action_listen`` recorded every later message would trip that
    limit at once: the conversation would stall. After it, the assistant listens.
    """
    _, last = _latest_action(list(events))
    return last is not None and last.action_name == CORE_FALLBACK_RESPONSE


def next_action_after_fault(events: Iterable[Event], custom_actions: Iterable[str]) -> Optional[str]:
    """The action to take when the events end with a fault, else None.

    A custom action or form that is the very last event failed: the notice. Right
    after the notice (its ``ActionExecuted`` and the message it sent): listen, with
    the failed turn undone (see ``ActionServerFaultPolicy``).
    """
    history = list(events)
    at, last = _latest_action(history)
    if store_unavailable(history):  # the database cannot be reached (bot/core/markers.py)
        said = last is not None and last.action_name == STORE_DOWN_RESPONSE
        return ACTION_LISTEN_NAME if said else STORE_DOWN_RESPONSE
    if last is None:
        return None
    if last.action_name == TROUBLE_RESPONSE:
        return ACTION_LISTEN_NAME
    if at == len(history) - 1 and last.action_name in set(custom_actions):
        return TROUBLE_RESPONSE
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=False
)
class ActionServerFaultPolicy(Policy):
    """Tells the patient when a custom action or form could not run."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # above RulePolicy (6): after a failed action its rules would just listen; and
        # above bot.rasa_ext.reply_policy.YesNoReplyPolicy (7): a fault is told before anything else
        return {"priority": 8}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_DATA

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        custom = [name for name in domain.user_actions if not name.startswith("utter_")]
        action = next_action_after_fault(tracker.events, [*custom, *domain.form_names])
        probabilities = self._default_predictions(domain)
        if action == STORE_DOWN_RESPONSE and tracker.latest_message.intent.get("name") in ALERT_INTENTS:
            action = None  # the emergency or crisis answer comes first, from its rule
        if action is None:
            if listens_after_core_fallback(tracker.events):
                probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        # an active form keeps waiting for its question by itself; anything else is undone
        undo = [UserUtteranceReverted()] if action == ACTION_LISTEN_NAME and not tracker.active_loop_name else []
        # "no user" predictions win over the others, as RulePolicy's form loop does
        return self._prediction(probabilities, events=undo, is_no_user_prediction=True)
