"""Rasa NLU glue: the safety net and input guard as the last step of the pipeline.

``SafetyNetClassifier`` runs after DIET and the FallbackClassifier and may
override their intent:

* a red-flag or self-harm report found by ``bot.safety`` -> ``red_flag`` /
  ``crisis`` with confidence 1.0, whatever else the message asks;
* a classifier guess of ``red_flag`` / ``crisis`` that the safety net sees as a
  question *about* a symptom (or that is not confident) is demoted to the next
  intent, so "does mild affect bladder control?" never raises an alert;
* empty, over-long, or entirely unknown-word input -> ``nlu_fallback``, so a
  confident-looking guess on keyboard mash never becomes a medical answer
  (over-long input is still checked for red flags first).

The clinical rules live in ``bot.safety`` and ``bot.language``; this module
only moves intents around.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Set

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import language, safety

logger = logging.getLogger(__name__)

ALERT_INTENTS = {safety.Alert.EMERGENCY: "red_flag", safety.Alert.CRISIS: "crisis"}
VOCAB_FILE = "vocabulary.json"


def _intent(name: str, confidence: float = 1.0) -> Dict[str, Any]:
    return {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SafetyNetClassifier(GraphComponent, IntentClassifier):
    """Overrides the classifier for red flags, crisis words and unusable input."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # a classifier-only alert (no rule matched) needs at least this confidence
            "classifier_alert_threshold": 0.85,
            "max_message_chars": language.MAX_MESSAGE_CHARS,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Optional[Set[str]] = None,
    ) -> None:
        self.component_config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary: Set[str] = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNetClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.vocabulary = language.vocabulary(
            m.get(TEXT) or "" for m in training_data.training_examples
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / VOCAB_FILE).write_text(
                json.dumps(sorted(self.vocabulary)), encoding="utf-8"
            )

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyNetClassifier:
        try:
            with model_storage.read_from(resource) as model_dir:
                vocab = set(json.loads((model_dir / VOCAB_FILE).read_text("utf-8")))
        except (ValueError, FileNotFoundError):
            logger.warning("SafetyNetClassifier has no vocabulary; train the model again.")
            vocab = set()
        return cls(config, model_storage, resource, vocab)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _set(self, message: Message, name: str, confidence: float = 1.0) -> None:
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name
        ]
        message.set(INTENT, _intent(name, confidence), add_to_output=True)
        message.set(INTENT_RANKING_KEY, [_intent(name, confidence)] + ranking, add_to_output=True)

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if len(text) > self.component_config["max_message_chars"]:
            # still checked for red flags: an emergency is never lost in a long message
            finding = safety.assess(text).alert
            self._set(message, ALERT_INTENTS[finding] if finding else DEFAULT_NLU_FALLBACK_INTENT_NAME)
            return
        assessment = safety.assess(text)
        if assessment.alert is not None:
            logger.info("Safety net: %s signs in the message.", assessment.alert.value)
            self._set(message, ALERT_INTENTS[assessment.alert])
            return
        if language.is_blank(text) or (
            self.vocabulary and language.known_word_share(text, self.vocabulary) == 0.0
        ):
            self._set(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            return
        predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if predicted in ALERT_INTENTS.values():
            confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 0.0)
            if (
                assessment.mentioned_without_report
                or confidence < self.component_config["classifier_alert_threshold"]
            ):
                self._demote_alert(message)

    def _demote_alert(self, message: Message) -> None:
        alerts = set(ALERT_INTENTS.values())
        ranking = [
            r
            for r in message.get(INTENT_RANKING_KEY) or []
            if r.get(INTENT_NAME_KEY) not in alerts
        ]
        best = ranking[0] if ranking else _intent(DEFAULT_NLU_FALLBACK_INTENT_NAME)
        logger.debug("Safety net: classifier alert demoted to %s.", best.get(INTENT_NAME_KEY))
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
