"""DIET's compiled predict step called directly (bot/rasa_ext/compiled_predict.py), on the trained model.

The trained model is loaded in this process; the validation set's messages are parsed with
Rasa's own ``_rasa_predict`` and then with the installed one, and every parse must be equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.utils.tensorflow.models import RasaModel

from bot.rasa_ext import compiled_predict
from tests.test_nlu_concurrent import messages

RASAS = getattr(RasaModel._rasa_predict, "__wrapped__", RasaModel._rasa_predict)


@pytest.mark.server
def test_the_trained_models_parses_are_rasas(trained_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.trackers import DialogueStateTracker

    monkeypatch.setattr(RasaModel, "_rasa_predict", RASAS)
    agent = Agent.load(str(trained_model))
    tracker = DialogueStateTracker.from_events("p", [])
    texts = messages()[:150]

    def parses() -> List[Dict[str, Any]]:
        return [agent.processor._parse_message_with_graph(UserMessage(text, sender_id="p"), tracker)
                for text in texts]

    rasas = parses()
    calls: List[int] = []
    through_rasas: List[int] = []

    def counted_rasas(self: Any, batch: Any) -> Any:
        through_rasas.append(1)
        return RASAS(self, batch)

    installed = compiled_predict.concrete_predict(counted_rasas)
    monkeypatch.setattr(RasaModel, "_rasa_predict", lambda self, batch: calls.append(1) or installed(self, batch))
    ours = parses()
    assert ours == rasas
    assert len(calls) == len(texts) and not through_rasas
    import tensorflow as tf

    tf.config.run_functions_eagerly(True)  # debugging: Rasa's own path, which then runs the Python step
    try:
        agent.processor._parse_message_with_graph(UserMessage(texts[0], sender_id="p"), tracker)
    finally:
        tf.config.run_functions_eagerly(False)
    assert len(through_rasas) == 1
    assert any(compiled_predict.KEPT in vars(node._component.model)
               for node in agent.processor.graph_runner._instantiated_nodes.values()
               if hasattr(getattr(node, "_component", None), "model") and isinstance(node._component.model, RasaModel))
