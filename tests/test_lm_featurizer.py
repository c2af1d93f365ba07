"""The compiled language-model featurizer remembers each word's tokens (bot/rasa_ext/components.py).

The featurizer here is the one ``config.yml`` names, with its real tokenizer and weights; Rasa's own
``_lm_tokenize`` on the same featurizer says what every word must give.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List

import numpy as np
import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.featurizers.dense_featurizer.lm_featurizer import LanguageModelFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext import components
from bot.rasa_ext.components import CompiledLanguageModelFeaturizer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def featurizer() -> CompiledLanguageModelFeaturizer:
    step = next(s for s in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
                if s["name"].endswith("LanguageModelFeaturizer"))
    config = {**CompiledLanguageModelFeaturizer.get_default_config(),
              **{k: v for k, v in step.items() if k != "name"}}
    return CompiledLanguageModelFeaturizer(config, ExecutionContext(GraphSchema({}), "test"))


def words() -> Iterator[str]:
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        yield from path.read_text(encoding="utf-8").split()
    # odd input: accents, other scripts, emoji, markup, digits, joined punctuation, a very long word
    yield from ["Ünïcödé", "ａｂｃ", "日本語", "🙂🙂", "<b>hi</b>", "L4-L5", "5mm", "don't", "...", "x" * 60, "–"]


def test_every_word_gives_rasas_tokens(featurizer: CompiledLanguageModelFeaturizer) -> None:
    seen = sorted(set(words()))
    assert len(seen) > 3000
    for _ in range(2):  # worked out, then remembered
        for word in seen:
            assert featurizer._lm_tokenize(word) == LanguageModelFeaturizer._lm_tokenize(featurizer, word), word


def test_a_remembered_word_is_handed_out_as_a_new_list(featurizer: CompiledLanguageModelFeaturizer) -> None:
    ids, strings = featurizer._lm_tokenize("recovery")
    ids.append(-1)
    strings.clear()
    assert featurizer._lm_tokenize("recovery") == LanguageModelFeaturizer._lm_tokenize(featurizer, "recovery")


def test_the_words_kept_are_bounded(featurizer: CompiledLanguageModelFeaturizer,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(components, "WORDS_KEPT", 5)
    featurizer._word_tokens.clear()
    for n in range(12):
        featurizer._lm_tokenize(f"word{n}")
        assert len(featurizer._word_tokens) <= 5
    featurizer._lm_tokenize("y" * (components.LONGEST_WORD_KEPT + 1))
    assert "y" * (components.LONGEST_WORD_KEPT + 1) not in featurizer._word_tokens


def test_a_message_gets_the_same_features_as_under_rasa(featurizer: CompiledLanguageModelFeaturizer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["how long is recovry after mild?", "My mum (82) has spinal stenosis... will she be asleep??",
             "ok ok ok", "Ünïcödé 🙂 <b>hi</b>"]

    def features() -> List[np.ndarray]:
        messages = [Message(data={TEXT: text}) for text in texts]
        WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(messages)
        featurizer.process(messages)
        return [feature.features for m in messages for feature in m.features]  # sequence and sentence

    ours = features()
    monkeypatch.setattr(CompiledLanguageModelFeaturizer, "_lm_tokenize", LanguageModelFeaturizer._lm_tokenize)
    rasas = features()
    assert len(ours) == len(rasas) == 2 * len(texts)
    for a, b in zip(ours, rasas, strict=True):
        assert np.array_equal(a, b)


def test_the_compiled_model_call_gives_rasas_eager_numbers(featurizer: CompiledLanguageModelFeaturizer) -> None:
    ids = [[101, 2129, 2146, 2003, 7233, 102, 0, 0], [101, 2097, 1045, 2022, 6680, 1029, 2077, 102]]
    mask = [[1, 1, 1, 1, 1, 1, 0, 0], [1] * 8]
    ours = featurizer._compute_batch_sequence_features(mask, ids)
    rasas = LanguageModelFeaturizer._compute_batch_sequence_features(featurizer, mask, ids)
    assert ours.shape == np.asarray(rasas).shape == (2, 8, 384)
    assert np.allclose(ours, rasas, atol=1e-5)
    assert np.array_equal(featurizer._compute_batch_sequence_features(mask, ids), ours)  # and the same every time
