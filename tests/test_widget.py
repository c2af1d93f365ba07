"""The web widget in a real headless Chromium (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import json
from functools import partial

import pytest
from playwright.sync_api import expect

from bot import PROJECT_ROOT
from bot.app.web import DemoHandler
from bot.core.settings import load_settings
from harness.stack import Stack, rendered

pytestmark = pytest.mark.server

SHOTS = PROJECT_ROOT / "tests" / "artifacts" / "widget"


@pytest.fixture(scope="module")
def demo_page(stack: Stack, serve_allowed_origin) -> str:
    return serve_allowed_origin(partial(DemoHandler, rasa_url=stack.rasa_url, settings=load_settings()))


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
    # the progress comes in the custom payload right after the question's text
    expect(page.locator(".mw-progress").last).to_contain_text("Question 1 of 14")
    choose(page, "No, none of these")
    for step in range(2, 12):  # q1 to q10: yes
        expect(page.locator(".mw-progress").last).to_contain_text(f"Question {step} of 14")
        choose(page, "Yes")
    shot(page, "questionnaire-progress")
    choose(page, "10 minutes")
    choose(page, "None yet")
    choose(page, "No")
    page.get_by_text("Thank you for your answers").wait_for()
    assert "spine specialist" in page.locator(".mw-bot").filter(has_text="Thank you for your answers").inner_text()
    shot(page, "questionnaire-result")

    shown = page.locator(".mw-msg").all_inner_texts()
    token = stored(page)["token"]
    page.reload()
    page.locator(".mw-msg").nth(len(shown) - 1).wait_for()
    assert page.locator(".mw-msg").all_inner_texts() == shown
    assert stored(page)["token"] == token
    ask(page, "what are the risks?")
    # the answer with its sources (the payload follows), then the consultation offer again
    expect(page.locator(".mw-bot").last).to_contain_text(rendered("utter_offer_consultation")[0])
    expect(page.locator(".mw-bot").nth(-2).locator(".mw-sources")).to_have_count(1)
    shot(page, "after-reload")


def stored(page) -> dict:
    """What the widget keeps in this tab's sessionStorage."""
    return page.evaluate("() => JSON.parse(Object.values(sessionStorage)[0])")


def test_an_emergency_shows_as_an_alert_and_no_id_travels_in_a_url(page, demo_page: str) -> None:
    urls = []
    page.on("websocket", lambda ws: urls.append(ws.url))
    open_chat(page, demo_page)
    ask(page, "since this morning I suddenly cannot hold my pee at all")
    alert = page.locator(".mw-alert[role=alert]")
    alert.wait_for()
    assert alert.count() == 1 and alert.inner_text()
    shot(page, "emergency-alert")
    token = stored(page)["token"]
    conversation = token.split(".")[0]
    assert urls and not [u for u in urls if conversation in u or "sender=" in u]


@pytest.mark.parametrize("clear", ["start over", "delete my data"])
def test_start_over_and_delete_my_data_clear_the_history_kept_in_the_tab(page, demo_page: str, clear: str) -> None:
    open_chat(page, demo_page)
    ask(page, "what are the risks of mild?")
    assert "what are the risks of mild?" in json.dumps(stored(page))
    if clear == "start over":
        page.get_by_role("button", name="Start over").click()
    else:
        ask(page, "please delete my data")
        page.locator(".mw-replies").last.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_function("() => !JSON.stringify(Object.values(sessionStorage)).includes('risks of mild')")
    assert "risks of mild" not in page.locator(".mw-log").inner_text()
    page.reload()
    page.get_by_label("Your message").wait_for()
    assert "risks of mild" not in page.locator(".mw-log").inner_text()
    shot(page, f"after-{clear.replace(' ', '-')}")


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


CONTROLS = """() => {
  const log = document.querySelector('.mw-log').getBoundingClientRect();
  const found = [];
  for (const el of document.querySelectorAll('.mw-root button, .mw-root textarea, .mw-root a')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') { continue; }
    // a control in the conversation only counts while it is scrolled into view
    if (el.closest('.mw-log') && (r.top < log.top || r.bottom > log.bottom)) { continue; }
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    found.push({name: el.textContent.trim() || el.id, box: [r.left, r.top, r.right, r.bottom],
                on_top: !!hit && (hit === el || el.contains(hit)),
                inside: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight});
  }
  return found;
}"""


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_controls(page, must_show) -> None:
    controls = page.evaluate(CONTROLS)
    names = {c["name"] for c in controls}
    assert set(must_show) <= names, names
    for c in controls:
        assert c["on_top"] and c["inside"], c
    for i, a in enumerate(controls):
        for b in controls[i + 1:]:
            assert not overlaps(a["box"], b["box"]), (a, b)


@pytest.mark.parametrize("width", [320, 390, 430])
def test_no_control_covers_another_on_a_phone(browser, demo_page: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(demo_page)
        check_controls(page, ["Chat with us"])
        page.get_by_role("button", name="Chat with us").click()
        page.locator(".mw-replies button").first.wait_for()  # the greeting and its quick replies
        check_controls(page, ["Send", "Start over", "Close", "mw-input"])
        shot(page, f"phone-{width}")
        # the on-screen keyboard takes the lower part of the screen: input and Send stay usable
        page.set_viewport_size({"width": width, "height": 400})
        page.get_by_label("Your message").focus()
        check_controls(page, ["Send", "mw-input"])
        shot(page, f"phone-{width}-keyboard")
    finally:
        context.close()
