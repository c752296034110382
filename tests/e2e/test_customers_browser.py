"""The customer pages in a real browser (Debian chromium through Playwright), keyboard only: search by case
number, by name with j/k and Enter, "/" to search again, "o" to open the first open request."""
from __future__ import annotations

import pytest

from social_bridge.customers.proofs import Proof
from social_bridge.queue.work_item import WorkItem
from tests.support.browser import PASSWORD, browser, chromium_or_skip, shot, signed_in  # noqa: F401 (fixture)
from tests.support.served import served

chromium_or_skip()

GIULIA, GIUSEPPE = "+393471234567", "+393339876543"
PSID = "6543210987654321"


def book(nohold, number: str, ago: float, intent: str) -> WorkItem:
    item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=nohold.clock() - ago,
                    natural_key=f"callback:e2e-{number}", customer=number, intent=intent, summary="",
                    call_sid="CA" + number[-8:].rjust(32, "0"))
    return nohold.queue.enqueue(item).item


@pytest.fixture
def server(app, nohold):
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    giulia = book(nohold, GIULIA, 300, "internet_down")
    book(nohold, GIUSEPPE, 120, "billing")
    people = nohold.customers
    people.join(people.find("phone", GIULIA).id, "messenger", PSID, Proof("handoff_code", "CA1"))
    people.set_account(people.find("phone", GIULIA).id, name="Giulia Bianchi", customer_code="C-100231")
    people.set_account(people.find("phone", GIUSEPPE).id, name="Giuseppe Verdi", customer_code="C-100472")
    with served(app) as url:
        yield {"url": url, "giulia": giulia}


@pytest.fixture
def page(server, browser):  # noqa: F811
    return signed_in(browser, server["url"], "sara")


def test_a_case_number_typed_opens_the_person_with_every_channel(server, page):
    number = server["giulia"].case_number
    page.click("#nav-customers")
    page.wait_for_url("**/console/customers")
    assert page.evaluate("document.activeElement.id") == "customer-search"
    page.keyboard.type(f"{number[:4]} {number[4:]}")
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-name")
    assert page.locator("#customer-name").inner_text() == "Giulia Bianchi"
    assert page.locator("#identities tr[data-identity]").count() == 2
    assert page.locator(f"#open-cases tr[data-case='{number}']").count() == 1
    assert page.locator("#timeline tr[data-type='call']").count() == 1
    shot(page, "customer")
    page.keyboard.press("o")
    page.wait_for_url(f"**/console/items/{server['giulia'].id}")


def test_search_by_name_with_the_keyboard_only(server, page):
    page.goto(page.url + "customers")
    page.wait_for_function("document.activeElement.id === 'customer-search'")  # the box has the focus at once
    page.keyboard.press("Escape")          # leave the search box: the page's keys work again
    page.keyboard.press("/")
    page.keyboard.type("giu")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results [data-customer]")
    assert page.locator("#results [data-customer]").count() == 2
    shot(page, "customer-search")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-name")
    assert page.locator("#customer-name").inner_text() == "Giuseppe Verdi"
