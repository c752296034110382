"""The teams page in a real browser: a supervisor opens a team for cancellations from the Manage menu, gives it
Luca, and the next cancellation request joins that team (issue 19: teams and routing)."""
from __future__ import annotations

import time

import pytest

from social_bridge.queue.teams import Teams
from tests.e2e.test_console_browser import browser, shot, sign_in  # noqa: F401 (the same browser fixture)
from tests.integration.test_console import build_app, build_bridge, enqueue, seed_agents
from tests.support.served import served


@pytest.fixture
def server(redis_client):
    teams = Teams(redis_client)
    bridge = build_bridge(redis_client, time.time, teams=teams)
    seed_agents(bridge)
    enqueue(bridge, "callback:9", ago=300, intent="internet_down")  # a queue to list on sign-in
    with served(build_app(bridge)) as url:
        yield {"url": url, "bridge": bridge, "teams": teams}


def test_a_supervisor_adds_a_team_gives_it_a_member_and_its_requests_join_it(server, browser):  # noqa: F811
    url, bridge, teams = server["url"], server["bridge"], server["teams"]
    assert enqueue(bridge, "callback:1", intent="cancel_contract").team == "commerciale"
    sara = sign_in(browser, url, "sara")
    sara.click("#nav-manage summary")
    sara.click("#nav-teams")
    sara.wait_for_url(f"{url}/console/teams")

    add = sara.locator("#team-add")
    add.locator("input[name=name]").fill("Disdette")
    add.locator("input[name=intents][value=cancel_contract]").check()
    add.locator("button[type=submit]").click()
    sara.wait_for_url(f"{url}/console/teams")
    assert sara.locator(".flash.ok").count() == 1
    created = [t for t in teams.all() if t.name == "Disdette"]
    assert len(created) == 1
    team = created[0]
    # an intent belongs to one team: commerciale no longer lists it
    commerciale = sara.locator("tr[data-team=commerciale]")
    assert not commerciale.locator("input[name=intents][value=cancel_contract]").is_checked()

    row = sara.locator(f"tr[data-team='{team.id}']")
    luca = next(a for a in bridge.agents.all() if a.name == "Luca")
    row.locator(f"input[name=members][value='{luca.id}']").check()
    row.locator("button[type=submit]").click()
    sara.wait_for_url(f"{url}/console/teams")
    shot(sara, "teams")
    assert team.id in bridge.agents.get(luca.id).teams
    assert enqueue(bridge, "callback:2", intent="cancel_contract").team == team.id


def test_a_team_without_a_name_is_refused_with_a_sentence_and_nothing_changes(server, browser):  # noqa: F811
    url, teams = server["url"], server["teams"]
    before = [(t.id, t.name, tuple(t.intents)) for t in teams.all()]
    sara = sign_in(browser, url, "sara")
    sara.goto(f"{url}/console/teams")
    add = sara.locator("#team-add")
    add.locator("input[name=name]").fill("   ")  # passes the browser's "required", not ours
    add.locator("button[type=submit]").click()
    sara.wait_for_url(f"{url}/console/teams")
    assert sara.locator(".flash.error").count() == 1
    assert [(t.id, t.name, tuple(t.intents)) for t in teams.all()] == before
