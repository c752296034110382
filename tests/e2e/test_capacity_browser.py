"""Pause reasons in a real browser: an agent's top bar offers them in one menu and still fits 1280 px; in a
pause, take-next says so and claims nothing."""
from __future__ import annotations

from social_bridge.queue.capacity import Capacity
from tests.e2e.test_console_browser import browser, server, shot, sign_in  # noqa: F401 (fixtures)


def test_a_pause_from_the_top_bar_stops_take_next(server, browser):  # noqa: F811
    bridge = server["bridge"]
    bridge.capacity = Capacity(bridge.claims, bridge.presence)  # as ivr/app/agent_side.py builds it
    page = sign_in(browser, server["url"], "maria")
    bar = page.locator("header.top").bounding_box()
    right = max(box["x"] + box["width"] for box in
                (page.locator(sel).bounding_box() for sel in ("form.presence", "header.top .who", "#help-open")))
    assert right <= bar["x"] + bar["width"]  # an agent's bar still fits 1280 px with the pause menu
    page.click("form.presence summary")
    shot(page, "pause-menu")
    page.click("form.presence button[value=formazione]")
    page.wait_for_selector("form.presence button[value=formazione].on", state="attached")  # the menu closed
    assert page.locator("form.presence summary").inner_text() == "Formazione"
    assert bridge.presence.state("maria") == "formazione"
    page.click("#take-next")
    page.wait_for_selector(".flash.error")
    assert "Sei in pausa" in page.locator(".flash.error").inner_text()
    assert bridge.claims.claimed_by("maria") == []
