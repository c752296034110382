"""A window callback still waiting after its window ended shows on the supervisor's page (real Flask, real Redis)."""
from __future__ import annotations

from tests.integration.test_console import app, bridge, enqueue, maria, sara  # noqa: F401 (the console's fixtures)


def test_a_missed_window_shows_on_the_supervisor_page(sara, bridge, clock):
    now = clock()
    missed = enqueue(bridge, "callback:missed", ago=5400, not_before=now - 3600, not_after=now - 600,
                     customer="+393330000077")
    enqueue(bridge, "callback:open", ago=60, not_before=now - 60, not_after=now + 3600, customer="+393330000078")
    data = sara.get("/console/supervisor.json").json
    assert data["missed_windows_count"] == 1
    assert [v["id"] for v in data["missed_windows"]] == [missed.id]
    assert data["missed_windows"][0]["late_seconds"] == 600
    page = sara.get("/console/supervisor").get_data(as_text=True)
    assert "Fasce orarie mancate" in page
    assert f"/console/items/{missed.id}" in page


def test_the_page_body_counts_missed_windows_as_they_happen(sara, bridge, clock):
    enqueue(bridge, "callback:closing", ago=60, not_before=clock() - 60, not_after=clock() + 60)
    assert 'id="missed-windows"><b>0</b>' in sara.get("/console/supervisor/body").get_data(as_text=True)
    clock.advance(61)
    assert 'id="missed-windows"><b>1</b>' in sara.get("/console/supervisor/body").get_data(as_text=True)


def test_a_taken_missed_window_leaves_the_page(sara, bridge, clock):
    enqueue(bridge, "callback:missed", ago=5400, not_before=clock() - 3600, not_after=clock() - 600)
    bridge.claims.claim_next("luca", languages=("it",))
    assert sara.get("/console/supervisor.json").json["missed_windows_count"] == 0
