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
    installed = compiled_predict.concrete_predict(RASAS)
    monkeypatch.setattr(RasaModel, "_rasa_predict", lambda self, batch: calls.append(1) or installed(self, batch))
    ours = parses()
    assert ours == rasas
    assert len(calls) == len(texts)
    assert any(compiled_predict.KEPT in vars(node._component.model)
               for node in agent.processor.graph_runner._instantiated_nodes.values()
               if hasattr(getattr(node, "_component", None), "model") and isinstance(node._component.model, RasaModel))
