"""The complaint badge in a real browser: the live queue row and the item page (issue 16)."""
from __future__ import annotations

from tests.e2e.test_console_browser import browser, server, shot, sign_in  # noqa: F401 (fixtures)
from tests.integration.test_console import enqueue


def test_a_flagged_item_wears_the_badge_in_the_queue_and_on_its_page(server, browser):  # noqa: F811
    bridge = server["bridge"]
    flagged = enqueue(bridge, "callback:angry", ago=20, intent="billing", customer="+393471110000",
                      summary="terza bolletta sbagliata di fila", complaint=True)
    maria = sign_in(browser, server["url"], "maria")
    row = maria.locator(f'#rows tr[data-id="{flagged.id}"]')
    assert row.locator(".pill.complaint").inner_text() == "Scontento"
    assert maria.locator("#rows .pill.complaint").count() == 1  # the seeded items carry no grievance
    shot(maria, "queue-complaint-badge")
    maria.goto(f"{server['url']}/console/items/{flagged.id}")
    assert maria.locator("#complaint-flag").inner_text() == "Scontento"
    shot(maria, "item-complaint-badge")
