"""Capacity (issue 19) on a real Redis: up to N threads and one voice item per agent, nothing in a pause;
the console's take-next and the API's claim routes ask first and claim nothing when the agent is full."""
from __future__ import annotations

import pytest

from social_bridge.queue.capacity import Capacity
from tests.integration.test_console import (
    build_api_only, build_app, build_bridge, enqueue, post, seed_agents, signed_in,
)


@pytest.fixture
def bridge(redis_client, clock):
    b = build_bridge(redis_client, clock)
    b.capacity = Capacity(b.claims, b.presence, max_threads=2)
    seed_agents(b)
    return b


def threads(bridge, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        enqueue(bridge, f"thread:{i}", ago=600 - i, kind="thread", channel="messenger")


def held_kinds(bridge, agent: str) -> list[str]:
    return sorted(c.item.kind for c in bridge.claims.claimed_by(agent))


def test_room_counts_threads_and_voice_apart(bridge):
    threads(bridge, 2)
    enqueue(bridge, "callback:1", ago=10)
    for _ in range(3):
        bridge.claims.claim_next("maria", ("it",))
    room = bridge.capacity.room("maria")
    assert room.full
    assert room.reason == "full"
    assert (room.threads, room.voice) == (2, 1)


def test_a_full_thread_count_leaves_voice_open(bridge):
    threads(bridge, 3)
    enqueue(bridge, "callback:1", ago=10)
    kinds = bridge.capacity.room("maria").claim_kinds()
    assert kinds is None  # everything open: claim_next gets no filter at all
    for _ in range(2):
        bridge.claims.claim_next("maria", ("it",), kinds=bridge.capacity.room("maria").claim_kinds())
    open_now = bridge.capacity.room("maria").claim_kinds()
    assert set(open_now) == {"callback", "voicemail"}
    assert bridge.capacity.room("maria").limited == "threads_full"
    assert bridge.claims.claim_next("maria", ("it",), kinds=open_now).item.kind == "callback"


def test_one_voice_item_at_a_time(bridge):
    enqueue(bridge, "callback:1", ago=20)
    enqueue(bridge, "voicemail:1", ago=10, kind="voicemail")
    bridge.claims.claim_next("maria", ("it",))
    assert bridge.capacity.room("maria", ("callback", "voicemail")).reason == "voice_busy"


@pytest.mark.parametrize("state", ["pausa", "formazione", "back-office"])
def test_a_pause_takes_nothing(bridge, state):
    bridge.presence.set_state("maria", state)
    room = bridge.capacity.room("maria")
    assert room.reason == "paused"


def test_max_threads_must_be_positive(bridge):
    with pytest.raises(ValueError):
        Capacity(bridge.claims, max_threads=0)


# --- the console ----------------------------------------------------------------------------------
@pytest.fixture
def app(bridge):
    return build_app(bridge)


def test_console_take_next_stops_at_the_limit_with_a_sentence(app, bridge):
    threads(bridge, 3)
    maria = signed_in(app, "maria")
    for _ in range(2):
        assert post(maria, "/console/next").status_code == 302
    refused = post(maria, "/console/next")
    page = maria.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Hai già 2 conversazioni aperte" in page
    assert held_kinds(bridge, "maria") == ["thread", "thread"]


def test_console_take_next_in_a_pause_claims_nothing(app, bridge):
    threads(bridge, 1)
    maria = signed_in(app, "maria")
    assert post(maria, "/console/presence", state="formazione").status_code == 302
    refused = post(maria, "/console/next")
    assert "Sei in pausa" in maria.get(refused.headers["Location"]).get_data(as_text=True)
    assert held_kinds(bridge, "maria") == []


def test_console_selector_offers_the_pause_reasons(app):
    page = signed_in(app, "maria").get("/console/").get_data(as_text=True)
    assert all(f'value="{state}"' in page for state in ("pausa", "formazione", "back-office"))


def test_supervisor_picking_a_voice_item_while_on_one_is_refused(app, bridge):
    enqueue(bridge, "callback:1", ago=20)
    other = enqueue(bridge, "callback:2", ago=10)
    sara = signed_in(app, "sara")
    post(sara, "/console/next")
    post(sara, f"/console/items/{other.id}/claim")
    assert held_kinds(bridge, "sara") == ["callback"]


# --- the API --------------------------------------------------------------------------------------
@pytest.fixture
def api_call(bridge):
    client, token = build_api_only(bridge).test_client(), bridge.agents.issue_token("luca")

    def call(path: str, body=None):
        return client.post(path, headers={"Authorization": f"Bearer {token}"}, json=body or {})

    return call


def test_api_claim_next_when_full_is_a_409_with_the_reason(api_call, bridge):
    threads(bridge, 3)
    for _ in range(2):
        assert api_call("/api/claims/next", {"kinds": ["thread"]}).status_code == 200
    refused = api_call("/api/claims/next", {"kinds": ["thread"]})
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "capacity_threads_full"
    assert held_kinds(bridge, "luca") == ["thread", "thread"]


def test_api_claim_next_skips_to_what_is_still_open(api_call, bridge):
    threads(bridge, 3)
    enqueue(bridge, "callback:1", ago=10)  # the newest: a thread would come first if threads were open
    for _ in range(2):
        api_call("/api/claims/next")
    assert api_call("/api/claims/next").get_json()["item"]["kind"] == "callback"


def test_api_pause_state_is_accepted_and_blocks_claims(api_call, bridge):
    threads(bridge, 1)
    assert api_call("/api/presence", {"state": "back-office"}).status_code == 200
    assert api_call("/api/claims/next").get_json()["error"] == "capacity_paused"


def test_without_capacity_configured_nothing_changes(api_call, bridge):
    bridge.capacity = None
    threads(bridge, 3)
    for _ in range(3):
        assert api_call("/api/claims/next").status_code == 200
    assert len(held_kinds(bridge, "luca")) == 3

