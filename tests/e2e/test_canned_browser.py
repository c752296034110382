"""Canned replies in a real browser (Debian chromium through Playwright), keyboard only: "/" in the reply box
opens the picker, typing filters, the arrows move, Enter inserts the reply filled for the item, Esc closes."""
from __future__ import annotations

import pytest

from social_bridge.queue.work_item import WorkItem
from tests.support.browser import PASSWORD, browser, chromium_or_skip, shot, signed_in  # noqa: F401 (fixture)
from tests.support.served import served

chromium_or_skip()

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
    with served(app) as url:
        yield {"url": url, "item": item}


@pytest.fixture
def page(server, browser):  # noqa: F811
    tab = signed_in(browser, server["url"], "sara")
    tab.goto(f"{server['url']}/console/items/{server['item'].id}")
    tab.click("#reply-text")
    return tab


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
