"""Canned replies in a real browser (Debian chromium through Playwright), keyboard only: "/" in the reply box
opens the picker, typing filters, the arrows move, Enter inserts the reply filled for the item, Esc closes."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from social_bridge.queue.work_item import WorkItem
from tests.e2e.test_console_browser import CHROMIUM, FLAGS, VIEWPORT, shot

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
if not shutil.which(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)", allow_module_level=True)

PASSWORD = "long enough secret"
WAITED = "Grazie per l'attesa di {wait}: la richiesta {case_number} è mia, la seguo io."
RESET = "Per entrare di nuovo nell'area clienti usa questo link: {reset_link}"


@pytest.fixture
def server(app, nohold):
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    item = WorkItem(id="", kind="thread", channel="messenger", lang="it", acquired_at=nohold.clock() - 300,
                    natural_key="thread:messenger:e2e-canned", customer="messenger:5551234987", intent="login_problem")
    item = nohold.queue.enqueue(item).item
    nohold.bridge.claims.claim(item.id, "sara")
    canned = nohold.bridge.canned
    canned.create("it", "Attesa e presa in carico", WAITED, "sara")
    canned.create("it", "Password dimenticata", RESET, "sara")
    canned.create("en", "Thanks for waiting", "Thanks for waiting {wait}.", "sara")
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{http.server_port}", "item": item}
    if "console_watcher" in app.extensions:
        app.extensions["console_watcher"].close()
    http.shutdown()


@pytest.fixture
def page(server):
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = chromium.new_context(viewport=VIEWPORT, locale="it-IT", timezone_id="Europe/Rome")
        tab = context.new_page()
        tab.goto(f"{server['url']}/console/login")
        tab.fill("input[name=name]", "sara")
        tab.fill("input[name=password]", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url("**/console/")
        tab.goto(f"{server['url']}/console/items/{server['item'].id}")
        tab.click("#reply-text")
        yield tab
        chromium.close()


def test_slash_filters_and_enter_inserts_the_filled_reply(server, page):
    page.keyboard.type("Ciao! ")
    page.keyboard.press("/")
    page.wait_for_selector("#canned-options li")
    assert page.locator("#canned-options li").count() == 2  # the item's language only
    page.keyboard.type("attesa")
    page.wait_for_function("document.querySelectorAll('#canned-options li').length === 1")
    shot(page, "canned-picker")
    page.keyboard.press("Enter")
    number = server["item"].case_number
    filled = f"Grazie per l'attesa di 5 min: la richiesta {number[:4]} {number[4:]} è mia, la seguo io."
    assert page.input_value("#reply-text") == "Ciao! " + filled
    assert page.locator("#canned-picker").is_hidden()
    assert page.evaluate("document.activeElement.id") == "reply-text"


def test_arrows_choose_and_escape_gives_the_box_back(page):
    page.keyboard.press("/")
    page.wait_for_selector("#canned-options li")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#reply-text") == RESET  # the link is left for the agent to complete
    page.keyboard.type(" a/b")  # a slash inside a word is just a slash
    assert page.locator("#canned-picker").is_hidden()
    page.keyboard.press(" ")
    page.keyboard.press("/")
    page.wait_for_selector("#canned-picker:not([hidden])")
    page.keyboard.press("Escape")
    assert page.locator("#canned-picker").is_hidden()
    assert page.evaluate("document.activeElement.id") == "reply-text"
    assert page.input_value("#reply-text") == RESET + " a/b "
