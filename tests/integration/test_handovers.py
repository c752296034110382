"""Transfers and assignments on a real Redis: the place is kept, fences move, bad input changes nothing."""
from __future__ import annotations

import pytest

from social_bridge.queue.agents import AgentDirectory
from social_bridge.queue.claims import Claims, StaleFence
from social_bridge.queue.handovers import HANDED_SHOWN_SECONDS, HandoverRefused, Handovers, handed_over
from social_bridge.queue.notes import Notes
from social_bridge.queue.teams import Teams
from social_bridge.queue.work_item import WorkItem
from tests.integration.test_work_queue import T0, clock, queue  # noqa: F401 (the same hand clock and queue)

PASSWORD = "correct horse battery"
LEASE = 120


@pytest.fixture
def claims(redis_client, clock):
    return Claims(redis_client, clock=clock, lease_seconds=LEASE, team_overflow_seconds=180)


@pytest.fixture
def agents(redis_client, clock):
    directory = AgentDirectory(redis_client, clock=clock)
    directory.create("Anna", PASSWORD)
    directory.create("Bruno", PASSWORD)
    directory.create("Sara", PASSWORD, role="supervisor")
    return directory


@pytest.fixture
def handovers(claims, agents, redis_client, clock):
    return Handovers(claims, agents, Notes(redis_client, clock=clock), Teams(redis_client))


def add(queue, key="call:1", intent="internet_down", acquired_at=T0 - 100) -> WorkItem:
    return queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=acquired_at,
                                  natural_key=key, intent=intent)).item


def snapshot(redis_client) -> dict:
    """Every key and its content: a refused hand-over must leave all of it as it was."""
    seen = {}
    for key in sorted(redis_client.scan_iter("*")):
        kind = redis_client.type(key)
        seen[key] = {"hash": redis_client.hgetall, "zset": lambda k: redis_client.zrange(k, 0, -1, withscores=True),
                     "list": lambda k: redis_client.lrange(k, 0, -1), "set": redis_client.smembers,
                     "string": redis_client.get}[kind](key)
    return seen


def test_transfer_to_a_colleague_moves_the_claim_and_stales_the_old_fence(queue, claims, handovers, agents, clock):
    item = add(queue)
    mine = claims.claim_next("anna")
    clock.advance(30)
    moved = handovers.transfer(item.id, agents.get("anna"), to_agent="bruno", note="linea muta, già provato reset")
    assert (moved.status, moved.claimed_by, moved.acquired_at) == ("claimed", "bruno", T0 - 100)
    assert moved.fence > mine.fence
    assert moved.lease_until == T0 + 30 + LEASE
    assert (moved.handed_by, moved.handed_note, moved.handed_at) == ("anna", "linea muta, già provato reset", T0 + 30)
    with pytest.raises(StaleFence):
        claims.complete(item.id, mine.fence, "resolved")
    assert claims.complete(item.id, moved.fence, "resolved").status == "done"
    assert handovers.notes.for_item(item.id)[0]["text"] == "linea muta, già provato reset"
    assert [c.item.id for c in claims.claimed_by("bruno")] == []


def test_transfer_to_a_team_puts_it_back_at_its_place_in_that_teams_lane(queue, claims, handovers, agents,
                                                                          redis_client):
    first = add(queue, "call:1", acquired_at=T0 - 100)
    later = add(queue, "call:2", "billing", acquired_at=T0 - 50)
    mine = claims.claim_next("anna")
    moved = handovers.transfer(first.id, agents.get("anna"), to_team="amministrativo", note="è una fattura")
    assert (moved.status, moved.team, moved.claimed_by, moved.acquired_at) == ("waiting", "amministrativo", "", T0 - 100)
    assert queue.position(first.id) == 1
    assert redis_client.zrange(queue.keys.lane("callback", "it", "amministrativo"), 0, -1) == [first.id, later.id]
    with pytest.raises(StaleFence):
        claims.renew(first.id, mine.fence)
    assert claims.claim_next("bea", teams=("amministrativo",)).item.id == first.id
    assert queue.history(first.id)[-2]["event"] == "transferred"


def test_a_supervisor_assigns_a_waiting_item_and_a_claimed_one(queue, claims, handovers, agents):
    waiting, held = add(queue, "call:1"), add(queue, "call:2", acquired_at=T0 - 200)
    anna = claims.claim_next("anna")
    assert anna.item.id == held.id
    given = handovers.assign(waiting.id, agents.get("sara"), "bruno", note="cliente VIP")
    taken = handovers.assign(held.id, agents.get("sara"), "bruno")
    assert (given.claimed_by, given.handed_by, given.acquired_at) == ("bruno", "sara", T0 - 100)
    assert (taken.claimed_by, taken.acquired_at) == ("bruno", T0 - 200)
    with pytest.raises(StaleFence):
        claims.release(held.id, anna.fence)
    assert queue.history(held.id)[-1]["event"] == "assigned"


def test_assign_takes_a_scheduled_item_now(queue, claims, handovers, agents, clock):
    later = queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=T0 - 10,
                                   natural_key="call:9", not_before=T0 + 3600)).item
    assert later.status == "scheduled"
    assert handovers.assign(later.id, agents.get("sara"), "anna").status == "claimed"
    assert queue.redis.zscore(queue.keys.items_scheduled, later.id) is None


@pytest.mark.parametrize("case, code, status", [
    ("unknown agent", "unknown_agent", 400),
    ("unknown team", "unknown_team", 400),
    ("both targets", "no_target", 400),
    ("no target", "no_target", 400),
    ("not the holder", "not_holder", 403),
    ("to myself", "same_agent", 400),
    ("long note", "bad_note", 400),
    ("expired lease", "not_holder", 403),
    ("final item", "final", 409),
    ("agent assigns", "not_supervisor", 403),
    ("assign to nobody", "unknown_agent", 400),
    ("assign final", "final", 409),
    ("assign to the holder", "already_theirs", 409),
    ("unknown item", "unknown_item", 404),
])
def test_bad_hand_overs_say_why_and_change_nothing(queue, claims, handovers, agents, redis_client, clock,
                                                   case, code, status):
    item = add(queue)
    claim = claims.claim_next("anna")
    anna, bruno, sara = agents.get("anna"), agents.get("bruno"), agents.get("sara")
    if case in ("final item", "assign final"):
        claims.complete(item.id, claim.fence, "resolved")
    if case == "expired lease":
        clock.advance(LEASE + 1)
    attempts = {
        "unknown agent": lambda: handovers.transfer(item.id, anna, to_agent="zeno"),
        "unknown team": lambda: handovers.transfer(item.id, anna, to_team="vendite"),
        "both targets": lambda: handovers.transfer(item.id, anna, to_agent="bruno", to_team="tecnico"),
        "no target": lambda: handovers.transfer(item.id, anna),
        "not the holder": lambda: handovers.transfer(item.id, bruno, to_agent="sara"),
        "to myself": lambda: handovers.transfer(item.id, anna, to_agent="anna"),
        "long note": lambda: handovers.transfer(item.id, anna, to_agent="bruno", note="x" * 501),
        "expired lease": lambda: handovers.transfer(item.id, anna, to_agent="bruno"),
        "final item": lambda: handovers.transfer(item.id, anna, to_agent="bruno"),
        "agent assigns": lambda: handovers.assign(item.id, bruno, "bruno"),
        "assign to nobody": lambda: handovers.assign(item.id, sara, "zeno"),
        "assign final": lambda: handovers.assign(item.id, sara, "bruno"),
        "assign to the holder": lambda: handovers.assign(item.id, sara, "anna"),
        "unknown item": lambda: handovers.assign("nope", sara, "bruno"),
    }
    before = snapshot(redis_client)
    with pytest.raises(HandoverRefused) as refused:
        attempts[case]()
    assert (refused.value.code, refused.value.status) == (code, status)
    assert str(refused.value)  # a sentence for the API's message
    assert snapshot(redis_client) == before


def test_the_receivers_console_hears_of_a_hand_over_for_ten_minutes(queue, claims, handovers, agents, clock):
    item = add(queue)
    claims.claim_next("anna")
    handovers.transfer(item.id, agents.get("anna"), to_agent="bruno", note="richiamare dopo le 18")
    names = {"anna": "Anna"}
    held = [c.item for c in claims.claimed_by("bruno")]
    assert handed_over(held, names, clock()) == [{"item_id": item.id, "to": "bruno", "by": "anna", "by_name": "Anna",
                                                  "note": "richiamare dopo le 18", "at": T0}]
    assert handed_over(held, names, clock() + HANDED_SHOWN_SECONDS) == []
    claims.release(item.id, held[0].fence)
    again = claims.claim_next("carla")  # a plain claim after the hand-over is no news for anyone
    assert handed_over([again.item], names, clock()) == []


@pytest.fixture
def with_capacity(claims, agents, redis_client, clock):
    from social_bridge.queue.capacity import Capacity
    from social_bridge.queue.presence import Presence

    presence = Presence(redis_client, clock=clock)
    return presence, Handovers(claims, agents, Notes(redis_client, clock=clock), Teams(redis_client),
                               Capacity(claims, presence, max_threads=3))


def test_a_colleague_busy_on_a_call_or_on_a_break_is_refused_and_nothing_moves(queue, claims, agents, redis_client,
                                                                                with_capacity):
    presence, handovers = with_capacity
    first, second = add(queue, "call:1"), add(queue, "call:2", acquired_at=T0 - 50)
    claims.claim(first.id, "bruno")          # Bruno is already on a callback: one voice item at a time
    anna = claims.claim(second.id, "anna")
    before = snapshot(redis_client)
    with pytest.raises(HandoverRefused) as refused:
        handovers.transfer(second.id, agents.get("anna"), to_agent="bruno")
    assert (refused.value.code, refused.value.status) == ("receiver_full", 409)
    assert snapshot(redis_client) == before
    with pytest.raises(HandoverRefused) as refused:
        handovers.assign(second.id, agents.get("sara"), "bruno")
    assert refused.value.code == "receiver_full"
    presence.set_state("sara", "pausa")      # a supervisor on a break takes nothing either
    with pytest.raises(HandoverRefused) as refused:
        handovers.transfer(second.id, agents.get("anna"), to_agent="sara")
    assert refused.value.code == "receiver_paused"
    assert claims.redis.hget(claims.keys.item(second.id), "fence") == str(anna.fence)


def test_a_colleague_with_room_receives_the_transfer(queue, claims, agents, with_capacity):
    _, handovers = with_capacity
    item = add(queue)
    claims.claim(item.id, "anna")
    assert handovers.transfer(item.id, agents.get("anna"), to_agent="bruno").claimed_by == "bruno"
