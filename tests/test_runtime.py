"""The changes of Rasa the server and the shell install (bot/rasa_ext/runtime.py)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any, List

import pytest

from bot.rasa_ext import runtime


def test_the_loaded_objects_are_set_aside_once_the_model_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Any] = []

    async def load(*args: Any, **kwargs: Any) -> str:
        calls.append(("load", args, kwargs))
        return "the agent"

    monkeypatch.setattr(gc, "collect", lambda: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 620000)
    loading = runtime._frozen_after(load)
    assert asyncio.run(loading("models", endpoints=None)) == "the agent"
    assert calls == [("load", ("models",), {"endpoints": None}), "collect", "freeze"]
    assert loading.__wrapped__ is load  # type: ignore[attr-defined]


def test_install_wraps_the_server_start_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.run

    from bot.rasa_ext import applied_events, debug_text, prediction_states, remote_action, tracker_copy

    installed: List[str] = []
    for module in (applied_events, debug_text, prediction_states, remote_action, tracker_copy):
        monkeypatch.setattr(module, "install", lambda name=module.__name__: installed.append(name))
    monkeypatch.setattr(runtime, "_installed", False)
    original = rasa.core.run.load_agent_on_start
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", original)
    runtime.install()
    runtime.install()
    assert sorted(installed) == sorted(m.__name__ for m in (applied_events, debug_text, prediction_states,
                                                            remote_action, tracker_copy))
    assert rasa.core.run.load_agent_on_start.__wrapped__ is original  # type: ignore[attr-defined]
