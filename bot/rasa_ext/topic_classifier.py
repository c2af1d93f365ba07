"""Rasa NLU glue for bot.core.understanding: sentence embeddings per question, the
nearest-neighbour second opinion, and the decision put on the parsed message.

* ``ClauseLanguageModelFeaturizer``: the pipeline's compiled language-model
  featurizer that, for a message asking several questions, also embeds each
  question on its own, and for a message of several sentences asking one, that
  question (``understanding.focus_question``; both kept on the message, not in the output).
* ``TopicUnderstanding``: after DIET, instead of Rasa's FallbackClassifier.
  Training keeps one normalised sentence embedding per training example and fits
  ``LinearOpinion``, a second classifier; a message's nearest examples, DIET's
  ranking blended with the linear one (``understanding.blend``, the linear share
  ``linear_weight``) and the
  questions' nearest examples go to ``bot.core.understanding.decide``; a clarifying question
  may then become the answer the linear classifier gives the one question read alone
  (``understanding.refocus``). Anything but a plain intent becomes
  ``nlu_fallback`` with the decision under ``understanding`` in the parse data,
  for ``action_understand`` (actions/understanding.py) to act on.

The safety net (bot.rasa_ext.components.SafetyNetClassifier) runs after both.
"""

from __future__ import annotations

import logging
import math
import pickle
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SEQUENCE_FEATURES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu import constants as nlu
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import understanding
from bot.encoders import SentenceEncoder, encoder_folder
from bot.rasa_ext.components import ORIGINAL_TEXT, CompiledLanguageModelFeaturizer

logger = logging.getLogger(__name__)

# on the parsed message (and so in the tracker's parse data): the decision and its evidence
UNDERSTANDING = "understanding"
# on the message only: one embedding per question of a several-question message
CLAUSE_EMBEDDINGS = "clause_embeddings"
# on the message only: a message of several sentences' last question and its embedding
FOCUS_QUESTION = "focus_question"
EMBEDDINGS_FILE = "examples.npz"
LINEAR_FILE = "linear.pkl"
SECOND_FILE = "second_reading.pkl"
NEIGHBOURS_KEPT = 5
# DIET keeps its top ten intents in the ranking; the blend keeps as many
RANKING_KEPT = 10


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def sentence_embedding(sequence_features: Optional[np.ndarray]) -> Optional[np.ndarray]:
    """Mean of the token embeddings (the pooling all-MiniLM-L6-v2 was trained with), unit length."""
    if sequence_features is None or len(sequence_features) == 0:
        return None
    return _normalise(np.asarray(sequence_features, dtype=np.float32).mean(axis=0))


def _message_embedding(message: Message) -> Optional[np.ndarray]:
    sequence, _ = message.get_dense_features(nlu.TEXT)
    return sentence_embedding(sequence.features if sequence is not None else None)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class ClauseLanguageModelFeaturizer(CompiledLanguageModelFeaturizer):
    """The compiled language-model featurizer, plus one embedding per question asked (several
    questions), or of the one question a message of several sentences asks."""

    _tokenizer: Optional[WhitespaceTokenizer] = None

    def process(self, messages: List[Message]) -> List[Message]:
        messages = super().process(messages)
        for message in messages:
            if message.get(ORIGINAL_TEXT) is not None:  # no words, or far too long
                continue
            text = message.get(nlu.TEXT) or ""
            clauses = understanding.split_questions(text)
            clauses = clauses if len(clauses) >= 2 else []
            focus = understanding.focus_question(text)
            texts = clauses + ([focus] if focus else [])
            if not texts:
                continue
            parts = [Message(data={nlu.TEXT: part}) for part in texts]
            if self._tokenizer is None:
                self._tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
            self._tokenizer.process(parts)
            docs = self._get_docs_for_batch(parts, attribute=nlu.TEXT, inference_mode=True)
            vectors = [sentence_embedding(doc[SEQUENCE_FEATURES]) for doc in docs]
            if clauses:
                message.set(CLAUSE_EMBEDDINGS, vectors[: len(clauses)])
            if focus:
                message.set(FOCUS_QUESTION, (focus, vectors[-1]))
        return messages


class TfidfRow:
    """A fitted ``TfidfVectorizer``'s ``transform([text])``, as its row's (indices, data).

    scikit-learn's ``transform`` validates its input and builds sparse matrices for the one message
    (0.25 ms a call, two calls a message, holding Python's lock); this does the same arithmetic on
    the message's few features: term counts, ``1 + log`` (sublinear tf), times the idf, the row
    scaled to length 1, in the order scikit-learn 1.1 leaves the entries (by descending index, as
    SciPy's product with the idf diagonal leaves them) and summed in that order, so the numbers are
    the same to the last bit (``tests/test_linear_opinion.py`` compares them on the training data).
    Only what this project fits is supported: l2 norm, idf, sublinear tf, not binary, float64.
    """

    def __init__(self, vectorizer: Any) -> None:
        if vectorizer.norm != "l2" or not vectorizer.use_idf or not vectorizer.sublinear_tf or vectorizer.binary \
                or vectorizer.dtype != np.float64:
            raise ValueError("TfidfRow supports l2-normed, idf-weighted, sublinear, non-binary float64 tf-idf only")
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: Dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)

    def __call__(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        counts: Dict[int, int] = {}
        for feature in self._analyze(text):
            index = self._vocabulary.get(feature)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        indices = np.array(sorted(counts, reverse=True), dtype=np.int32)
        data = np.array([counts[i] for i in indices.tolist()], dtype=np.float64)
        np.log(data, data)
        data += 1
        data *= self._idf[indices]
        total = 0.0
        for value in data.tolist():  # one by one, in order, as scikit-learn's row normalisation adds them
            total += value * value
        if total != 0.0:
            data /= math.sqrt(total)
        return indices, data


class LinearOpinion:
    """A second intent classifier: logistic regression over the sentence embedding and
    tf-idf of the letters (2 to 5 inside words: typos) and of the words (and word pairs).

    DIET fits the training data's wording closely; blended with this simpler model it
    got more messages written outside the project right, and fewer wrong (README,
    "Understanding questions"). Fitting takes about half a minute; a message costs
    about a millisecond.
    """

    def __init__(self, letters: Any, words: Any, labels: Sequence[str], coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.letters, self.words, self.labels = letters, words, list(labels)
        dims = coef.shape[1] - len(letters.vocabulary_) - len(words.vocabulary_)
        self._dense = np.ascontiguousarray(coef[:, :dims])
        # one row per letter n-gram or word feature: a message's few features pick their rows
        self._letters = np.ascontiguousarray(coef[:, dims:dims + len(letters.vocabulary_)].T)
        self._words = np.ascontiguousarray(coef[:, dims + len(letters.vocabulary_):].T)
        self.intercept = intercept
        self._rows = [TfidfRow(letters), TfidfRow(words)]

    @staticmethod
    def vectorizers() -> Tuple[Any, Any]:
        """The letters' and the words' tf-idf, not yet fitted."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        return (TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))

    @classmethod
    def fit(cls, texts: Sequence[str], vectors: np.ndarray, labels: Sequence[str], c: float) -> LinearOpinion:
        from scipy.sparse import csr_matrix, hstack
        from sklearn.linear_model import LogisticRegression

        letters, words = (vectorizer.fit(texts) for vectorizer in cls.vectorizers())
        features = hstack([csr_matrix(vectors), letters.transform(texts), words.transform(texts)]).tocsr()
        model = LogisticRegression(C=c, max_iter=3000).fit(features, list(labels))
        return cls(letters, words, [str(x) for x in model.classes_], model.coef_, model.intercept_)

    def ranking(self, text: str, vector: Optional[np.ndarray]) -> List[Tuple[str, float]]:
        """(intent, probability), most likely first; empty without an embedding."""
        if vector is None or not self.labels:
            return []
        scores = self._dense @ vector + self.intercept
        for tfidf, rows in zip(self._rows, (self._letters, self._words), strict=True):
            indices, data = tfidf(text)  # the message's one sparse row
            scores = scores + data @ rows[indices]
        scores = np.exp(scores - scores.max())
        probabilities = scores / scores.sum()
        order = np.argsort(-probabilities)
        return [(self.labels[i], float(probabilities[i])) for i in order]

    def state(self) -> Dict[str, Any]:
        coef = np.hstack([self._dense, self._letters.T, self._words.T])  # the fitted layout, rebuilt
        return {"letters": self.letters, "words": self.words, "labels": self.labels,
                "coef": coef, "intercept": self.intercept}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class TopicUnderstanding(GraphComponent, IntentClassifier):
    """DIET's ranking + nearest training examples -> answer, clarify, several answers or fallback."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        defaults = understanding.Thresholds()
        return {
            **{name: getattr(defaults, name) for name in defaults.__dataclass_fields__},
            # the linear second classifier: its share of the blended ranking, and its
            # inverse regularisation strength (README, "Understanding questions")
            "linear_weight": 0.7,
            "linear_c": 30.0,
            # the second reading's larger encoder (bot/encoders.py), for messages the first
            # reading is unsure of; None: no second reading
            "second_encoder": None,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        embeddings: Optional[np.ndarray] = None,
        labels: Sequence[str] = (),
        linear: Optional[LinearOpinion] = None,
        second: Optional[LinearOpinion] = None,
        encoder: Optional[SentenceEncoder] = None,
    ) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self.linear = linear
        # the second reading: the larger encoder, and the linear classifier over its embedding
        self.second = second
        self.encoder = encoder
        self.thresholds = understanding.Thresholds(
            **{k: config[k] for k in understanding.Thresholds.__dataclass_fields__ if k in config}
        )
        self._model_storage = model_storage
        self._resource = resource
        self.embeddings = embeddings if embeddings is not None else np.zeros((0, 0), np.float32)
        self.labels = list(labels)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicUnderstanding:
        return cls(config, model_storage, resource, encoder=cls._encoder(config))

    @classmethod
    def _encoder(cls, config: Dict[str, Any]) -> Optional[SentenceEncoder]:
        """The second reading's encoder when the config asks for one (and does not turn it off).
        Its packages missing is an error that says to run scripts/setup.sh: a model trained with
        the second reading does not silently serve without it."""
        settings = {**cls.get_default_config(), **config}
        if not settings["second_encoder"] or float(settings["reread"]) <= 0.0:
            return None
        return SentenceEncoder(encoder_folder(str(settings["second_encoder"])))

    def train(self, training_data: TrainingData) -> Resource:
        vectors, labels, texts = [], [], []
        for example in training_data.intent_examples:
            vector = _message_embedding(example)
            if vector is not None:
                vectors.append(vector)
                labels.append(example.get(nlu.INTENT))
                texts.append(example.get(nlu.TEXT) or "")
        self.embeddings = np.stack(vectors) if vectors else np.zeros((0, 0), np.float32)
        self.labels = labels
        weight = float(self.component_config["linear_weight"])
        if weight > 0.0 and len(set(labels)) >= 2:
            self.linear = LinearOpinion.fit(texts, self.embeddings, labels, float(self.component_config["linear_c"]))
        if self.encoder is not None and len(set(labels)) >= 2:
            self.second = LinearOpinion.fit(texts, self.encoder.encode(texts), labels,
                                            float(self.component_config["linear_c"]))
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(model_dir / EMBEDDINGS_FILE, embeddings=self.embeddings, labels=np.array(labels))
            for opinion, name in ((self.linear, LINEAR_FILE), (self.second, SECOND_FILE)):
                if opinion is not None:
                    (model_dir / name).write_bytes(pickle.dumps(opinion.state()))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TopicUnderstanding:
        try:
            with model_storage.read_from(resource) as model_dir:
                data = np.load(model_dir / EMBEDDINGS_FILE)
                # our own files, written by train() into the model archive this server loads
                embeddings, labels = data["embeddings"], data["labels"].tolist()
                linear, second = (
                    LinearOpinion(**pickle.loads((model_dir / name).read_bytes())) if (model_dir / name).exists() else None
                    for name in (LINEAR_FILE, SECOND_FILE)
                )
        except (ValueError, FileNotFoundError, KeyError):
            logger.warning("TopicUnderstanding has no training embeddings; train the model again.")
            return cls(config, model_storage, resource)
        encoder = cls._encoder(config) if second is not None else None
        component = cls(config, model_storage, resource, embeddings, labels, linear, second, encoder)
        if component.encoder is not None and component.second is not None:
            # its weights and graph loaded beside the server's start (which it would slow by about 9 s),
            # not at a patient's turn
            component.encoder.preload()
        return component

    def neighbours(self, vector: Optional[np.ndarray]) -> List[Tuple[str, float]]:
        """Each intent's closest training example, most similar first (the top few)."""
        if vector is None or not self.labels:
            return []
        similarities = self.embeddings @ vector
        best: Dict[str, float] = {}
        for index in np.argsort(-similarities)[: NEIGHBOURS_KEPT * 8]:
            label = self.labels[index]
            if label not in best:
                best[label] = float(similarities[index])
        return sorted(best.items(), key=lambda kv: -kv[1])[:NEIGHBOURS_KEPT]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        ranking = [
            (r[nlu.INTENT_NAME_KEY], float(r[nlu.PREDICTED_CONFIDENCE_KEY]))
            for r in message.get(nlu.INTENT_RANKING_KEY) or []
        ]
        vector = _message_embedding(message)
        opinions: Dict[str, Any] = {"diet": [[n, round(c, 4)] for n, c in ranking[:RANKING_KEPT]]}
        diet, linear = ranking, []
        if self.linear is not None and ranking:
            linear = self.linear.ranking(message.get(nlu.TEXT) or "", vector)
            opinions["linear"] = [[n, round(c, 4)] for n, c in linear[:RANKING_KEPT]]
            ranking = understanding.blend(ranking, linear, float(self.component_config["linear_weight"]), RANKING_KEPT)
            blended = [{nlu.INTENT_NAME_KEY: n, nlu.PREDICTED_CONFIDENCE_KEY: c} for n, c in ranking]
            message.set(nlu.INTENT, blended[0], add_to_output=True)
            message.set(nlu.INTENT_RANKING_KEY, blended, add_to_output=True)
        neighbours = self.neighbours(vector)
        clauses = [self.neighbours(v) for v in message.get(CLAUSE_EMBEDDINGS) or []]
        focus: List[Tuple[str, float]] = []
        if message.get(FOCUS_QUESTION) is not None and self.linear is not None:
            focus_text, focus_vector = message.get(FOCUS_QUESTION)
            focus = self.linear.ranking(focus_text, focus_vector)[:3]
            opinions["focus"] = [[n, round(c, 4)] for n, c in focus]
        if message.get(ORIGINAL_TEXT) is not None:  # no words, or far too long
            decision = understanding.Decision("not_understood")
        else:
            decision = understanding.decide(ranking, neighbours, clauses, self.thresholds)
        confidence = ranking[0][1] if ranking else 0.0
        refocused = understanding.refocus(decision, focus, self.thresholds)
        reread = refocused
        text = message.get(nlu.TEXT) or ""
        ranked: List[Tuple[str, float]] = []
        second_ranking: List[Tuple[str, float]] = []  # the second reading's, where it was read
        if (self.second is not None and self.encoder is not None and message.get(ORIGINAL_TEXT) is None
                and understanding.wants_second_reading(refocused, self.thresholds, text)
                and (whole := self.encoder.encode_whole(text)) is not None):
            ranked = self.second.ranking(text, whole)
            # the top ten, and "not in the sources" and "off-topic" wherever they rank: their share decides
            second_ranking = ranked[:RANKING_KEPT] + [
                (n, c) for n, c in ranked[RANKING_KEPT:] if n in understanding.NO_TOPIC_INTENTS]
            opinions["second"] = [[n, round(c, 6)] for n, c in second_ranking]
            reread = understanding.second_reading(refocused, second_ranking, neighbours, clauses, focus, self.thresholds, text)
        if reread != refocused:
            # unsure at first; the larger encoder's reading answers a topic, with its confidence in it
            decision, confidence = reread, dict(ranked)[str(reread.intent)]
        elif refocused != decision:
            # the message's last question, read alone, chose among the topics offered
            decision, confidence = refocused, focus[0][1]
        elif decision.kind == "intent" and ranking and decision.intent != ranking[0][0]:
            # the nearest-neighbour opinion chose the intent: its similarity is the confidence
            confidence = next((s for n, s in neighbours if n == decision.intent), confidence)
        # still unsure, but only between topics, one of which clearly leads: that one
        decision = understanding.settle(decision, ranking, self.thresholds, text, neighbours, second_ranking)
        # "not in the sources", but a topic is close: ask whether that topic was meant
        decision = understanding.reconsider_no_topic(decision, ranking, self.thresholds)
        decision = understanding.asked_about_deleting(decision, text)  # before the evidence, which must agree
        # still unsure, but most of the separate opinions rank the likeliest topic first: that one
        agreed = understanding.agreed(decision, diet, (linear, second_ranking), neighbours, self.thresholds, text)
        if agreed != decision:
            decision, confidence = agreed, dict(ranking).get(str(agreed.intent), confidence)
        evidence = {
            **decision.as_dict(),
            "neighbours": [[n, round(s, 4)] for n, s in neighbours],
            "clauses": [[[n, round(s, 4)] for n, s in c[:2]] for c in clauses],
            # each classifier's own ranking, so that bench/nlu_report.py can compare designs
            **opinions,
        }
        if decision.kind == "intent" and (not ranking or (decision.intent, confidence) != ranking[0]):
            chosen = {nlu.INTENT_NAME_KEY: decision.intent, nlu.PREDICTED_CONFIDENCE_KEY: confidence}
            message.set(nlu.INTENT, chosen, add_to_output=True)
            message.set(
                nlu.INTENT_RANKING_KEY,
                [chosen] + [r for r in message.get(nlu.INTENT_RANKING_KEY) or [] if r[nlu.INTENT_NAME_KEY] != decision.intent],
                add_to_output=True,
            )
        # the safety net after this step may put its own intent (an alert, or nlu_fallback for
        # unusable input): action_understand acts on this decision only if the intent is still ours
        evidence["confidence"] = confidence
        message.set(UNDERSTANDING, evidence, add_to_output=True)
        if decision.kind == "intent":
            return
        fallback = {nlu.INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, nlu.PREDICTED_CONFIDENCE_KEY: confidence}
        message.set(nlu.INTENT, fallback, add_to_output=True)
        others = [
            r for r in message.get(nlu.INTENT_RANKING_KEY) or []
            if r[nlu.INTENT_NAME_KEY] != DEFAULT_NLU_FALLBACK_INTENT_NAME
        ]
        message.set(nlu.INTENT_RANKING_KEY, [fallback] + others, add_to_output=True)
