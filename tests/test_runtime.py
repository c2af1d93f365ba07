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

    from bot.rasa_ext import applied_events, debug_text, nlu_thread, prediction_states, remote_action, tracker_copy

    modules = (applied_events, debug_text, nlu_thread, prediction_states, remote_action, tracker_copy)
    installed: List[str] = []
    for module in modules:
        monkeypatch.setattr(module, "install", lambda name=module.__name__: installed.append(name))
    monkeypatch.setattr(runtime, "_installed", False)
    original = rasa.core.run.load_agent_on_start
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", original)
    runtime.install()
    runtime.install()
    assert sorted(installed) == sorted(m.__name__ for m in modules)
    assert rasa.core.run.load_agent_on_start.__wrapped__ is original  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", ["launch", "quiet"])
def test_the_server_and_the_shell_install_them(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import rasa.__main__

    from bot.app import launch, quiet, threads

    installed: List[str] = []
    monkeypatch.setattr(runtime, "install", lambda: installed.append(module))
    # the thread settings are tested in new processes (tests/test_threads.py): set here, they would
    # reach every later child process of this test run, training included
    monkeypatch.setattr(threads, "for_command", lambda argv, environ: {})
    monkeypatch.setattr(rasa.__main__, "main", lambda: None)
    monkeypatch.setattr("sys.argv", ["x", "run"])
    for name in (launch.TOKEN_ENV, launch.REST_TOKEN_ENV):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    umask = os.umask(0o022)
    try:
        (launch.main if module == "launch" else quiet.main)()
    finally:
        os.umask(umask)
    assert installed == [module]


def _owners() -> List[Any]:
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_ext import applied_events, tracker_copy

    return [(applied_events, DialogueStateTracker, "applied_events"), (tracker_copy, DialogueStateTracker, "copy")]


@pytest.mark.parametrize("at", range(2))
def test_each_change_is_installed_once_and_calls_through_to_rasa(at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installing twice wraps Rasa's function once; the installed one keeps Rasa's as ``__wrapped__``."""
    from rasa.shared.core.trackers import DialogueStateTracker

    module, owner, name = _owners()[at]
    rasa_function = getattr(getattr(owner, name), "__wrapped__", getattr(owner, name))
    monkeypatch.setattr(module, "_installed", False)
    monkeypatch.setattr(owner, name, rasa_function)
    module.install()
    installed = getattr(owner, name)
    module.install()
    assert getattr(owner, name) is installed and installed.__wrapped__ is rasa_function
    assert installed.__name__ == rasa_function.__name__ and installed.__doc__ == rasa_function.__doc__
    from rasa.shared.core.events import ActionExecuted

    tracker = DialogueStateTracker.from_events("installed", [ActionExecuted("action_listen")], None)
    result, expected = getattr(tracker, name)(), rasa_function(tracker)
    if name == "copy":
        assert [id(e) for e in result.events] == [id(e) for e in expected.events]
    else:
        assert result == expected
