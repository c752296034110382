"""The agents page in a real browser (Debian chromium through Playwright): a supervisor adds an agent, the new
agent signs in in a second browser context, the supervisor disables them and their next click lands on the login
page."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.e2e.test_console_browser import CHROMIUM, FLAGS, VIEWPORT, shot

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
if not shutil.which(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)", allow_module_level=True)

PASSWORD = "long enough secret"


@pytest.fixture
def server(app, nohold):
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    if "console_watcher" in app.extensions:
        app.extensions["console_watcher"].close()
    http.shutdown()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def signed_in(browser, url: str, name: str, password: str):
    tab = browser.new_context(viewport=VIEWPORT, locale="it-IT", timezone_id="Europe/Rome").new_page()
    tab.goto(f"{url}/console/login")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/console/")
    return tab


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
