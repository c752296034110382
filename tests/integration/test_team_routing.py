"""claim_next with teams on a real Redis: own team first, other teams after the overflow wait, hand clock."""
from __future__ import annotations

import pytest

from social_bridge.queue.claims import Claims
from social_bridge.queue.work_item import WorkItem
from tests.integration.test_work_queue import T0, clock, queue  # noqa: F401 (the same hand clock and queue)

OVERFLOW = 180


@pytest.fixture
def claims(redis_client, clock):
    return Claims(redis_client, clock=clock, other_language_after=120, team_overflow_seconds=OVERFLOW)


def add(queue, key: str, intent: str, acquired_at: float, lang: str = "it", **kw) -> WorkItem:
    return queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang=lang, acquired_at=acquired_at,
                                  natural_key=key, intent=intent, **kw)).item


def taken(claims, agent: str, teams=(), languages=("it",)) -> str | None:
    claim = claims.claim_next(agent, languages, teams=tuple(teams))
    return None if claim is None else claim.item.id


def test_own_team_first_even_when_another_teams_item_is_older(queue, claims, clock):
    bill = add(queue, "call:1", "billing", T0 - 60)
    line = add(queue, "call:2", "internet_down", T0 - 10)
    assert taken(claims, "tina", ["tecnico"]) == line.id
    assert taken(claims, "tina", ["tecnico"]) is None  # the bill has waited 60 s, not 180
    clock.advance(OVERFLOW - 60)  # now it has waited exactly the overflow time
    assert taken(claims, "tina", ["tecnico"]) == bill.id


def test_an_overflowed_item_keeps_its_place_against_newer_own_items(queue, claims):
    bill = add(queue, "call:1", "billing", T0 - OVERFLOW - 1)
    line = add(queue, "call:2", "internet_down", T0 - 5)
    assert [taken(claims, "tina", ["tecnico"]) for _ in range(2)] == [bill.id, line.id]


def test_an_agent_in_several_teams_takes_each_teams_items_by_place(queue, claims):
    offer = add(queue, "call:1", "change_plan", T0 - 30)
    bill = add(queue, "call:2", "billing", T0 - 40)
    line = add(queue, "call:3", "internet_down", T0 - 50)
    assert [taken(claims, "mia", ["amministrativo", "commerciale"]) for _ in range(3)] == [bill.id, offer.id, None]
    assert taken(claims, "tina", ["tecnico"]) == line.id


def test_an_agent_without_teams_takes_everything_by_place(queue, claims):
    ids = [add(queue, f"call:{n}", intent, T0 - 100 + n).id
           for n, intent in enumerate(["billing", "internet_down", "change_plan"])]
    assert [taken(claims, "gino") for _ in range(3)] == ids


def test_an_item_without_a_team_is_everyones(queue, claims, redis_client):
    old = add(queue, "call:1", "billing", T0 - 10)
    redis_client.hdel(queue.keys.item(old.id), "team")  # stored before teams existed
    queue.reschedule(old.id, T0)
    assert taken(claims, "tina", ["tecnico"]) == old.id


def test_the_language_rule_still_holds_inside_a_team(queue, claims, clock):
    english = add(queue, "call:1", "internet_down", T0 - 30, lang="en")
    assert taken(claims, "tina", ["tecnico"], ["it"]) is None
    clock.advance(120)
    assert taken(claims, "tina", ["tecnico"], ["it"]) == english.id


def test_both_waits_must_pass_for_another_team_in_another_language(queue, claims, clock):
    english_bill = add(queue, "call:1", "billing", T0 - 130, lang="en")  # past the language wait only
    assert taken(claims, "tina", ["tecnico"], ["it"]) is None
    clock.advance(OVERFLOW)
    assert taken(claims, "tina", ["tecnico"], ["it"]) == english_bill.id


def test_a_window_about_to_close_goes_first_within_the_team_rule(queue, claims, clock):
    own = add(queue, "call:1", "internet_down", T0 - 300)
    other_window = add(queue, "call:2", "billing", T0 - 10, not_after=T0 + 60)
    own_window = add(queue, "call:3", "internet_down", T0 - 5, not_after=T0 + 120)
    assert [taken(claims, "tina", ["tecnico"]) for _ in range(2)] == [own_window.id, own.id]
    assert taken(claims, "bea", ["amministrativo"]) == other_window.id


def test_the_overflow_time_is_a_setting(redis_client, clock, queue):
    strict = Claims(redis_client, clock=clock, team_overflow_seconds=600)
    bill = add(queue, "call:1", "billing", T0 - 300)
    assert taken(strict, "tina", ["tecnico"]) is None
    clock.advance(300)
    assert taken(strict, "tina", ["tecnico"]) == bill.id


def test_lanes_are_per_kind_language_and_team(queue, redis_client):
    add(queue, "call:1", "billing", T0)
    add(queue, "call:2", "internet_down", T0, lang="en")
    add(queue, "call:3", "internet_slow", T0, lang="en")
    assert redis_client.smembers(queue.keys.lanes) == {"callback:it:amministrativo", "callback:en:tecnico"}
