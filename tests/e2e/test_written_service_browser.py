"""The supervisor page's written-channel part in a real browser (Debian chromium through Playwright): a chat past
its first-response target, listed and opened; the week's satisfaction by agent after a customer answered "5"."""
from __future__ import annotations

import pytest

from tests.support.browser import PASSWORD, browser, chromium_or_skip, shot, signed_in  # noqa: F401 (fixture)
from tests.support.inbound import write
from tests.support.served import served

chromium_or_skip()

SERVED, WAITING = "+393471234567", "+393409876512"


@pytest.fixture
def server(app, nohold, social_jobs, clock):
    nohold.bridge.agents.create("Maria", PASSWORD)
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    token = {"Authorization": f"Bearer {nohold.bridge.agents.issue_token('maria')}"}
    api = app.test_client()
    write(nohold, "la fibra va lentissima da ieri sera", SERVED)
    social_jobs()
    claim = api.post("/api/claims/next", json={}, headers=token).get_json()
    item_id, fence = claim["item"]["id"], claim["fence"]
    api.post(f"/api/items/{item_id}/reply", json={"fence": fence, "text": "Ho sistemato il profilo"}, headers=token)
    api.post(f"/api/items/{item_id}/complete", json={"fence": fence, "outcome": "resolved"}, headers=token)
    write(nohold, "5", SERVED)
    write(nohold, "internet non va, la luce del modem è rossa", WAITING)
    social_jobs()
    waiting = nohold.social.threads.for_customer("sms", WAITING).item_id
    clock.advance(40 * 60)  # past SMS's default first-response target (30 minutes)
    with served(app) as url:
        yield {"url": url, "waiting": waiting}


@pytest.fixture
def page(server, browser):  # noqa: F811
    tab = signed_in(browser, server["url"], "sara")
    tab.goto(f"{server['url']}/console/supervisor")
    return tab


def test_the_chat_past_its_target_is_listed_and_opens(server, page):
    row = page.locator(f"#written-service tr[data-id='{server['waiting']}']")
    assert row.get_attribute("class") == "breach"
    assert row.locator(".pill").inner_text() == "Oltre l'obiettivo"
    page.locator("#written-service").scroll_into_view_if_needed()
    shot(page, "supervisor-written-service")
    row.get_by_role("link").click()
    page.wait_for_url(f"**/console/items/{server['waiting']}")


def test_the_weeks_satisfaction_shows_the_agent(page):
    card = page.locator("#satisfaction")
    assert card.locator("h2 .count").inner_text() == "5,0"
    assert card.locator("tr", has_text="maria").locator("td.num.mono").inner_text() == "5,0"
