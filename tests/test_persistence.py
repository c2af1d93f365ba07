"""Conversations are kept in the SQL tracker store (SQLite by default) across a restart."""

from pathlib import Path

import pytest

from bot.stack import Stack, payload_values

pytestmark = pytest.mark.server


def test_a_conversation_survives_a_server_restart(trained_model: Path, tmp_path: Path) -> None:
    stack = Stack(workdir=tmp_path, model_dir=trained_model)
    try:
        stack.start()
        assert payload_values(stack.send("patient-1", "what is mild?"), "topic") == ["what_is_mild"]
        stack.stop("rasa")
        assert (tmp_path / "rasa.db").stat().st_size > 0
        stack.start_rasa()
        events = stack.tracker("patient-1")["events"]
        said = [e.get("text") for e in events if e["event"] == "user"]
        assert "what is mild?" in said
    finally:
        stack.stop()
