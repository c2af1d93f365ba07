"""The linear second intent classifier of TopicUnderstanding (bot/rasa_ext/topic_classifier.py)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from bot.rasa_ext.topic_classifier import LinearOpinion

TEXTS = {
    "faq_risks": ["what could go wrong", "any dangers with it", "is there a chance of nerve damage",
                  "complications possible?", "what can go badly"],
    "faq_recovery_time": ["how soon am I back on my feet", "weeks to heal?", "when can I walk again after",
                          "how long to get better", "time off needed after it"],
    "greet": ["hello there", "hi", "good morning", "hey you", "hiya"],
}


def _training() -> tuple:
    rng = np.random.default_rng(7)
    centres = {label: rng.normal(size=8) for label in TEXTS}
    texts, vectors, labels = [], [], []
    for label, examples in TEXTS.items():
        for text in examples:
            v = centres[label] + rng.normal(scale=0.2, size=8)
            texts.append(text)
            vectors.append(v / np.linalg.norm(v))
            labels.append(label)
    return texts, np.stack(vectors).astype(np.float32), labels, centres


def test_ranks_every_intent_and_sums_to_one() -> None:
    texts, vectors, labels, _ = _training()
    model = LinearOpinion.fit(texts, vectors, labels, c=30.0)
    ranking = model.ranking(texts[0], vectors[0])
    assert sorted(n for n, _ in ranking) == sorted(TEXTS)
    assert sum(p for _, p in ranking) == pytest.approx(1.0)
    assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)


def test_agrees_with_sklearn_on_the_same_features() -> None:
    """The hand-written scoring (no hstack per message) is the fitted model's own."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    texts, vectors, labels, _ = _training()
    model = LinearOpinion.fit(texts, vectors, labels, c=30.0)
    reference = LogisticRegression(C=30.0, max_iter=3000).fit(
        hstack([csr_matrix(vectors), model.letters.transform(texts), model.words.transform(texts)]).tocsr(), labels)
    probe, vector = "helo, any danger of complications?", vectors[3]
    expected = reference.predict_proba(
        hstack([csr_matrix(vector[None]), model.letters.transform([probe]), model.words.transform([probe])]).tocsr())[0]
    got = dict(model.ranking(probe, vector))
    assert [got[str(c)] for c in reference.classes_] == pytest.approx(list(expected), abs=1e-6)


def test_words_and_meaning_both_count() -> None:
    texts, vectors, labels, centres = _training()
    model = LinearOpinion.fit(texts, vectors, labels, c=30.0)
    neutral = np.mean(np.stack(list(centres.values())), axis=0)
    assert model.ranking("what are the dangers and complications", neutral)[0][0] == "faq_risks"
    greeting = centres["greet"] / np.linalg.norm(centres["greet"])
    assert model.ranking("xyz", greeting)[0][0] == "greet"


def test_no_embedding_no_opinion() -> None:
    texts, vectors, labels, _ = _training()
    assert LinearOpinion.fit(texts, vectors, labels, c=30.0).ranking("hello", None) == []


def test_survives_the_model_archive() -> None:
    texts, vectors, labels, _ = _training()
    model = LinearOpinion.fit(texts, vectors, labels, c=30.0)
    again = LinearOpinion(**pickle.loads(pickle.dumps(model.state())))
    assert again.ranking("any dangers?", vectors[5]) == model.ranking("any dangers?", vectors[5])


def project_texts() -> list:
    """Every example line of the project's NLU data, and odd input."""
    from pathlib import Path

    found = []
    for path in sorted((Path(__file__).resolve().parent.parent / "data" / "nlu").glob("*.yml")):
        found += [line.strip()[2:] for line in path.read_text(encoding="utf-8").splitlines()
                  if line.strip().startswith("- ") and not line.strip().startswith("- intent:")]
    return found + ["", "   ", "Ünïcödé ａｂｃ 日本語 🙂", "<b>recovery</b>?!", "x" * 500, "pain pain pain pain"]


def test_the_tfidf_row_is_scikit_learns_to_the_last_bit() -> None:
    from bot.rasa_ext.topic_classifier import TfidfRow

    texts = project_texts()
    assert len(texts) > 4000
    fitted = [vectorizer.fit(texts[::2]) for vectorizer in LinearOpinion.vectorizers()]  # half unseen
    for vectorizer in fitted:
        row = TfidfRow(vectorizer)
        for text in texts:
            expected = vectorizer.transform([text])
            indices, data = row(text)
            assert np.array_equal(indices, expected.indices), text
            assert np.array_equal(data, expected.data), text


def test_the_tfidf_row_refuses_settings_it_does_not_do() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.rasa_ext.topic_classifier import TfidfRow

    for settings in ({"sublinear_tf": False}, {"sublinear_tf": True, "norm": "l1"},
                     {"sublinear_tf": True, "use_idf": False}, {"sublinear_tf": True, "binary": True},
                     {"sublinear_tf": True, "dtype": np.float32}):
        with pytest.raises(ValueError):
            TfidfRow(TfidfVectorizer(**settings).fit(["a b", "b c"]))
