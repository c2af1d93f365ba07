"""`rasa shell` as staff use it (make shell), driven through a pseudo-terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from harness.stack import VENV_BIN, Stack, free_port

pytestmark = pytest.mark.server


def test_greeting_question_and_two_questionnaire_steps(stack: Stack, trained_model: Path, tmp_path: Path) -> None:
    import pexpect

    env = {**stack.env(), "TERM": "xterm", "DATABASE_URL": f"sqlite:///{tmp_path}/shell.db"}
    shell = pexpect.spawn(str(VENV_BIN / "rasa"),
                          ["shell", "-m", str(trained_model), "--endpoints", "endpoints.yml", "--port", str(free_port())],
                          env=env, cwd=str(PROJECT_ROOT), encoding="utf-8", timeout=180, dimensions=(50, 200))
    shell.logfile_read = open(tmp_path / "shell.log", "w")
    try:
        shell.expect("Your input ->")
        shell.sendline("hello")
        # buttons are numbered choices; typing the number picks one
        shell.expect("1: What is mild", timeout=60)
        shell.sendline("1")
        shell.expect('"topic": "what_is_mild"', timeout=60)
        shell.expect("Your input ->")
        shell.sendline("how long is the recovery after mild?")
        shell.expect('"topic": "recovery_time"', timeout=60)
        shell.expect("Your input ->")
        shell.sendline("can you check my symptoms")
        shell.expect("1: Yes, let's start", timeout=60)
        shell.sendline("1")
        shell.expect('"item": "red_flags"', timeout=60)
        shell.sendline("2")
        shell.expect('"item": "q1"', timeout=60)
    finally:
        shell.terminate(force=True)
