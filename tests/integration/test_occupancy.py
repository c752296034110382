"""Occupancy per agent and day (issue 19) on a real Redis with an injected clock: time handling items over
time logged in, from state changes, heartbeats and claims; in the supervisor's page and GET /api/agents/occupancy."""
from __future__ import annotations

import pytest

from social_bridge.queue.claims import Claims
from social_bridge.queue.occupancy import Occupancy
from social_bridge.queue.presence import Presence
from tests.integration.test_console import build_api_only, build_app, build_bridge, enqueue, seed_agents, signed_in


@pytest.fixture
def bridge(redis_client, clock):
    b = build_bridge(redis_client, clock)
    occupancy = Occupancy(redis_client, Claims(redis_client, clock=clock), clock=clock, timezone="Europe/Rome")
    b.presence = Presence(redis_client, clock=clock, occupancy=occupancy)
    seed_agents(b)
    return b


def row(bridge, agent: str) -> dict:
    [found] = [r for r in bridge.presence.occupancy.day() if r["agent_id"] == agent]
    return found


def beats(bridge, clock, agent: str, seconds: int, every: int = 30) -> None:
    for _ in range(seconds // every):
        clock.advance(every)
        bridge.presence.heartbeat(agent)


def test_handling_counts_from_the_claim_to_the_report_after_completion(bridge, clock):
    bridge.presence.set_state("maria", "available")
    enqueue(bridge, "callback:1")
    beats(bridge, clock, "maria", 30)
    clock.advance(10)
    claim = bridge.claims.claim_next("maria", ("it",))  # at 40 s
    beats(bridge, clock, "maria", 40, every=20)  # 60, 80 (holding since 40)
    bridge.claims.complete(claim.item.id, claim.fence, "resolved")
    bridge.presence.heartbeat("maria")  # the console reports right after completing: at 80 s
    beats(bridge, clock, "maria", 40, every=20)  # 100, 120: logged in, not handling
    figures = row(bridge, "maria")
    assert (figures["logged_seconds"], figures["handling_seconds"]) == (120, 40)
    assert figures["occupancy"] == 0.333


def test_a_pause_is_logged_in_and_paused_not_handling(bridge, clock):
    bridge.presence.set_state("maria", "available")
    beats(bridge, clock, "maria", 60)
    bridge.presence.set_state("maria", "pausa")
    beats(bridge, clock, "maria", 90)
    figures = row(bridge, "maria")
    assert (figures["logged_seconds"], figures["paused_seconds"], figures["handling_seconds"]) == (150, 90, 0)


def test_away_time_and_a_silent_console_do_not_count(bridge, clock):
    bridge.presence.set_state("maria", "available")
    beats(bridge, clock, "maria", 30)
    clock.advance(600)  # the laptop closed: only the heartbeat TTL (90 s) after the last beat counts
    bridge.presence.heartbeat("maria")
    bridge.presence.set_state("maria", "away")
    clock.advance(300)
    bridge.presence.set_state("maria", "available")
    assert row(bridge, "maria")["logged_seconds"] == 120


def test_days_are_kept_apart(bridge, clock):
    bridge.presence.set_state("maria", "available")
    beats(bridge, clock, "maria", 60)
    bridge.presence.set_state("maria", "away")  # signed out at the end of the day
    today = bridge.presence.occupancy.today()
    clock.advance(86400)
    bridge.presence.set_state("maria", "available")
    beats(bridge, clock, "maria", 30)
    assert row(bridge, "maria")["logged_seconds"] == 30
    assert bridge.presence.occupancy.day(today)[0]["logged_seconds"] == 60


def test_the_supervisor_page_shows_todays_occupancy(bridge, clock):
    app = build_app(bridge)
    bridge.presence.set_state("maria", "available")
    beats(bridge, clock, "maria", 60)
    page = signed_in(app, "sara").get("/console/supervisor").get_data(as_text=True)
    section = page[page.index('id="occupancy"'):]
    assert "Occupazione di oggi" in section
    assert "Maria" in section[:section.index("</section>")]


@pytest.fixture
def api_get(bridge):
    client = build_api_only(bridge).test_client()
    tokens = {name: bridge.agents.issue_token(name) for name in ("maria", "sara")}
    return lambda who, query="": client.get(f"/api/agents/occupancy{query}",
                                            headers={"Authorization": f"Bearer {tokens[who]}"})


def test_api_supervisor_sees_everyone_an_agent_only_themself(api_get, bridge, clock):
    for agent in ("maria", "luca"):
        bridge.presence.set_state(agent, "available")
    clock.advance(30)
    for agent in ("maria", "luca"):
        bridge.presence.heartbeat(agent)
    everyone = api_get("sara").get_json()
    assert [r["agent_id"] for r in everyone["agents"]] == ["luca", "maria"]
    assert [r["agent_id"] for r in api_get("maria").get_json()["agents"]] == ["maria"]


def test_api_a_past_day_and_a_bad_day(api_get, bridge):
    assert api_get("sara", "?day=2026-11-30").get_json() == {"day": "2026-11-30", "agents": []}
    assert api_get("sara", "?day=yesterday").status_code == 400
