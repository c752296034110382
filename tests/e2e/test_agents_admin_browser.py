"""The agents page in a real browser (Debian chromium through Playwright): a supervisor adds an agent, the new
agent signs in in a second browser context, the supervisor disables them and their next click lands on the login
page."""
from __future__ import annotations

import pytest

from tests.support.browser import PASSWORD, browser, chromium_or_skip, shot, signed_in  # noqa: F401 (fixture)
from tests.support.served import served

chromium_or_skip()



@pytest.fixture
def server(app, nohold):
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    with served(app) as url:
        yield url


def test_a_supervisor_adds_an_agent_then_disables_them_and_their_next_click_is_the_login_page(server, browser):
    sara = signed_in(browser, server, "sara", PASSWORD)
    sara.click("#nav-manage summary")  # the supervisor's pages sit in one menu
    sara.click("#nav-agents")
    sara.wait_for_url("**/console/agents")
    sara.fill("#agent-add input[name=name]", "Luca Verdi")
    sara.check("#agent-add input[name=languages][value=en]")
    sara.check("#agent-add input[name=teams][value=tecnico]")
    sara.click("#agent-add button[type=submit]")
    password = sara.text_content("#secret-value").strip()
    shot(sara, "agents-added")

    luca = signed_in(browser, server, "luca-verdi", password)
    assert luca.locator("#nav-agents").count() == 0  # an agent sees no link to the page

    sara.goto(f"{server}/console/agents")
    row = sara.locator("#agent-luca-verdi")
    assert "tecnico" in row.inner_text().lower()
    row.locator("summary").click()
    row.locator("button[data-act=disable]").click()
    sara.wait_for_selector("#agent-luca-verdi.off")
    shot(sara, "agents-disabled")
    assert "disattivato" in sara.locator("#agent-audit").inner_text()

    luca.click("#nav-canned")
    luca.wait_for_url("**/console/login**")
    assert luca.locator("input[name=password]").is_visible()
