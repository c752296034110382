"""A transfer in a real browser: Maria hands her item to Luca from the item page; Luca's open console says so live."""
from __future__ import annotations

import time

import pytest

from social_bridge.queue.handovers import Handovers
from social_bridge.queue.notes import Notes
from social_bridge.queue.teams import Teams
from tests.e2e.test_console_browser import browser, shot, sign_in  # noqa: F401 (the same browser fixture)
from tests.integration.test_console import build_app, build_bridge, enqueue, seed_agents
from tests.support.served import served

NOTE = "Linea muta da ieri, reset del modem già fatto: serve un tecnico"


@pytest.fixture
def server(redis_client):
    teams = Teams(redis_client)
    bridge = build_bridge(redis_client, time.time, teams=teams)
    bridge.handovers = Handovers(bridge.claims, bridge.agents, Notes(redis_client, time.time, bridge.queue.keys),
                                 teams)
    seed_agents(bridge)
    item = enqueue(bridge, "callback:1", ago=200, customer="+393471234567", summary="La linea è muta")
    enqueue(bridge, "callback:2", ago=30, intent="billing", customer="+393409876512")  # a queue to list
    with served(build_app(bridge)) as url:
        yield {"url": url, "bridge": bridge, "item": item}


def test_a_transfer_reaches_the_colleagues_open_console_live(server, browser):  # noqa: F811
    url, item, bridge = server["url"], server["item"], server["bridge"]
    luca = sign_in(browser, url, "luca")
    luca.wait_for_selector("#live:not([hidden])")  # Luca's console is listening
    maria = sign_in(browser, url, "maria")
    maria.keyboard.press("n")  # she takes the next item: the oldest, the silent line
    maria.wait_for_url(f"**/console/items/{item.id}")
    maria.select_option("#transfer-to", "agent:luca")
    maria.fill("#transfer-note", NOTE)
    shot(maria, "transfer-form")
    maria.click("#transfer-send")
    maria.wait_for_url(f"{url}/console/")
    assert "Trasferito a Luca." in maria.locator(".flash").first.inner_text()

    notice = luca.locator(f".flash.handover[data-item='{item.id}']")
    notice.wait_for(timeout=5000)  # no reload: the live stream brought it
    assert "Assegnato a te da Maria" in notice.inner_text()
    assert NOTE in notice.inner_text()
    assert luca.locator("#mine").inner_text().count("Internet") == 1  # listed among his items too
    shot(luca, "transfer-received")
    notice.locator("a.handover-open").click()
    luca.wait_for_url(f"**/console/items/{item.id}")
    assert NOTE in luca.locator("ul.notes").inner_text()
    assert bridge.queue.get(item.id).claimed_by == "luca"
