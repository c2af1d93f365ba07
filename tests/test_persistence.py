"""Conversations are kept in the SQL tracker store (SQLite by default) across a restart."""

from pathlib import Path

import pytest

from harness.stack import Stack, payload_values

pytestmark = pytest.mark.server


def test_conversations_survive_a_server_restart(trained_model: Path, tmp_path: Path) -> None:
    stack = Stack(workdir=tmp_path, model_dir=trained_model)
    try:
        stack.start()
        assert payload_values(stack.send("patient-1", "so what exactly is this mild thing?"), "topic") == ["what_is_mild"]
        # another patient is in the middle of the questionnaire
        stack.send("patient-2", "can you run through my symptoms with me")
        stack.send("patient-2", "ok, yes")
        stack.send("patient-2", "no, none of them")  # red flags
        assert payload_values(stack.send("patient-2", "yeah, I do"), "questionnaire")[-1]["item"] == "q2"

        stack.stop("rasa")
        assert (tmp_path / "rasa.db").stat().st_size > 0
        stack.start_rasa()

        said = [e.get("text") for e in stack.tracker("patient-1")["events"] if e["event"] == "user"]
        assert "so what exactly is this mild thing?" in said
        # the questionnaire goes on where it was
        assert payload_values(stack.send("patient-2", "yeah, that's right"), "questionnaire")[-1]["item"] == "q3"
    finally:
        stack.stop()
