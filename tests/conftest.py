"""Session fixtures: one trained model and one running stack for all server tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import uuid
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator, List

import pytest
from hypothesis import settings

from bot import PROJECT_ROOT
from harness.stack import Stack

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

HYPOTHESIS_PROFILE = "HYPOTHESIS_PROFILE"


def pytest_configure(config: pytest.Config) -> None:
    """Fuzz tests draw the same examples on every run (CI, `make test`): a failure seen once is seen
    again. HYPOTHESIS_PROFILE=explore draws fresh ones, for looking for new failures by hand."""
    settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
    settings.register_profile("explore", derandomize=False, print_blob=True)
    settings.load_profile(os.environ.get(HYPOTHESIS_PROFILE) or "repeatable")


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Train once per session (fixed seeds); Rasa keeps the model when the data is unchanged."""
    result = subprocess.run([str(PROJECT_ROOT / "scripts" / "train.sh")], cwd=PROJECT_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return PROJECT_ROOT / "models"


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(workdir=tmp_path_factory.mktemp("stack"), model_dir=trained_model)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id per test."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (the widget and rasa-webchat tests)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: scripts/system-deps.sh installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def serve_allowed_origin(stack: Stack) -> Iterator[Callable[[type], str]]:
    """Serve pages from the origin the stack allows (RASA_CORS_ORIGINS): ``serve(handler) -> url``."""
    servers: List[ThreadingHTTPServer] = []

    def serve(handler: type) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", stack.web_port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{stack.web_port}/"

    try:
        yield serve
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
