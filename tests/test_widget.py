"""The web widget in a real headless Chromium (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from bot import PROJECT_ROOT
from bot.settings import load_settings
from bot.stack import Stack
from bot.web import DemoHandler

pytestmark = pytest.mark.server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "tests" / "artifacts" / "widget"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def demo_page(stack: Stack) -> Iterator[str]:
    handler = partial(DemoHandler, rasa_url=stack.rasa_url, settings=load_settings())
    server = ThreadingHTTPServer(("127.0.0.1", stack.web_port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{stack.web_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: scripts/system-deps.sh installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(30_000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_chat(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Chat with us").click()
    page.locator(".mw-bot").first.wait_for()  # the greeting


def ask(page, text: str) -> None:
    before = page.locator(".mw-bot, .mw-alert").count()
    page.get_by_label("Your message").fill(text)
    page.keyboard.press("Enter")
    page.locator(".mw-bot, .mw-alert").nth(before).wait_for()


def choose(page, title: str) -> None:
    before = page.locator(".mw-bot, .mw-alert").count()
    page.locator(".mw-replies").last.get_by_role("button", name=title, exact=True).click()
    page.locator(".mw-bot, .mw-alert").nth(before).wait_for()


def test_a_question_is_answered_with_its_sources(page, demo_page: str) -> None:
    open_chat(page, demo_page)
    assert "automated assistant" in page.locator(".mw-bot").first.inner_text()
    assert page.locator("[role=log][aria-live=polite]").count() == 1
    ask(page, "how long is the recovery after mild?")
    answer = page.locator(".mw-bot").last
    answer.locator(".mw-sources li").first.wait_for()
    titles = answer.locator(".mw-sources li").all_inner_texts()
    assert titles and all(len(t) > 10 for t in titles)  # titles from the catalog, not ids
    shot(page, "answer-with-sources")


def test_questionnaire_by_quick_replies_with_progress_result_and_history(page, demo_page: str) -> None:
    open_chat(page, demo_page)
    choose(page, "Check my symptoms")
    choose(page, "Yes, let's start")
    assert page.locator(".mw-progress").last.inner_text().startswith("Question 1 of 14")
    choose(page, "No, none of these")
    for step in range(2, 12):  # q1 to q10: yes
        assert f"Question {step} of 14" in page.locator(".mw-progress").last.inner_text()
        choose(page, "Yes")
    shot(page, "questionnaire-progress")
    choose(page, "10 minutes")
    choose(page, "None yet")
    choose(page, "No")
    page.get_by_text("Thank you for your answers").wait_for()
    assert "spine specialist" in page.locator(".mw-bot").filter(has_text="Thank you for your answers").inner_text()
    shot(page, "questionnaire-result")

    shown = page.locator(".mw-msg").all_inner_texts()
    session_id = page.evaluate("() => JSON.parse(Object.values(sessionStorage)[0]).sessionId")
    page.reload()
    page.locator(".mw-msg").nth(len(shown) - 1).wait_for()
    assert page.locator(".mw-msg").all_inner_texts() == shown
    assert page.evaluate("() => JSON.parse(Object.values(sessionStorage)[0]).sessionId") == session_id
    ask(page, "what are the risks?")
    assert page.locator(".mw-bot").last.locator(".mw-sources").count() == 1
    shot(page, "after-reload")


def test_markup_is_shown_as_text(page, demo_page: str) -> None:
    open_chat(page, demo_page)
    ask(page, "<img src=x onerror=alert(1)>")
    user = page.locator(".mw-user").last
    assert user.inner_text() == "<img src=x onerror=alert(1)>"
    assert page.locator(".mw-root img").count() == 0
    assert page.dialogs == []
    shot(page, "markup-as-text")


def test_keyboard_only_and_a_phone_screen(browser, demo_page: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(demo_page)
        launcher = page.get_by_role("button", name="Chat with us")
        launcher.focus()
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "mw-input"
        page.locator(".mw-bot").first.wait_for()
        page.keyboard.type("is mild done under general anesthesia?")
        page.keyboard.press("Enter")
        page.locator(".mw-bot").nth(1).wait_for()
        box = page.locator("#mw-panel").bounding_box()
        assert box["width"] <= 375 and box["x"] >= 0
        shot(page, "phone")
        page.keyboard.press("Escape")
        assert page.locator("#mw-panel").is_hidden()
        assert page.evaluate("() => document.activeElement.className") == "mw-launch"
    finally:
        context.close()
