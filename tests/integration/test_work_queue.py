"""The shared work queue on a real Redis: order, idempotency, schedules, cancel, races, keys."""
from __future__ import annotations

import re
import threading

import pytest
import redis

from social_bridge.queue.keys import QueueKeys
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue
from tests.support.clock import Clock

T0 = 1_700_000_000.0


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def queue(redis_client, clock):
    return WorkQueue(redis_client, clock=clock)


def item(natural_key: str, kind: str = "callback", acquired_at: float = T0, id: str = "", **kw) -> WorkItem:
    return WorkItem(id=id, kind=kind, channel="voice", lang="it", acquired_at=acquired_at,
                    natural_key=natural_key, **kw)


def test_orders_by_acquired_at_across_kinds(queue, clock):
    callback = queue.enqueue(item("call:CA1", "callback", acquired_at=T0 - 60)).item
    clock.advance(30)
    voicemail = queue.enqueue(item("call:CA2", "voicemail", acquired_at=T0 - 120)).item
    assert queue.position(voicemail.id) == 1
    assert queue.position(callback.id) == 2
    assert queue.depth() == {"callback": 1, "voicemail": 1, "thread": 0, "scheduled": 0}


def test_same_natural_key_twice_is_one_item_with_earliest_acquired_at(queue, redis_client, clock):
    first = queue.enqueue(item("call:CA1", acquired_at=T0))
    clock.advance(5)
    again = queue.enqueue(item("call:CA1", acquired_at=T0 - 100, intent="billing"))
    later = queue.enqueue(item("call:CA1", acquired_at=T0 + 100))
    assert first.created
    assert not again.created
    assert not later.created
    assert first.item.id == again.item.id == later.item.id
    assert later.item.acquired_at == T0 - 100
    assert later.item.intent == "billing"  # a later enqueue without intent does not blank it
    assert later.item.created_at == T0
    assert later.item.updated_at == T0 + 5
    assert redis_client.zcard(queue.keys.items_waiting) == 1
    assert [e["event"] for e in queue.history(first.item.id)] == ["created", "merged", "merged"]


def test_enqueue_does_not_mutate_the_argument_and_keeps_a_given_id(queue):
    given = item("call:CA1")
    stored = queue.enqueue(given).item
    assert given.id == ""
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", stored.id)
    assert queue.enqueue(item("call:CA2", id="vm-42")).item.id == "vm-42"


def test_a_used_id_or_a_bad_item_is_refused(queue):
    queue.enqueue(item("call:CA1", id="x1"))
    queue.cancel("x1", "test")
    with pytest.raises(ValueError):
        queue.enqueue(item("call:CA9", id="x1"))
    for bad in (item("k", kind="fax"), item(""), item("k", id="a:history")):
        with pytest.raises(ValueError):
            queue.enqueue(bad)


def test_enqueue_after_cancel_creates_a_new_item(queue):
    old = queue.enqueue(item("tel:+390612345678")).item
    assert queue.cancel(old.id, "customer replied STOP")
    fresh = queue.enqueue(item("tel:+390612345678"))
    assert fresh.created
    assert fresh.item.id != old.id
    assert queue.pending_for("tel:+390612345678").id == fresh.item.id
    assert queue.get(old.id).status == "cancelled"


def test_scheduled_item_waits_for_its_window_then_keeps_its_place(queue, clock):
    scheduled = queue.enqueue(item("call:CA1", acquired_at=T0 - 300, not_before=T0 + 3600)).item
    walk_in = queue.enqueue(item("call:CA2", acquired_at=T0)).item
    assert scheduled.status == "scheduled"
    assert queue.position(scheduled.id) is None
    assert queue.position(walk_in.id) == 1
    assert queue.depth()["callback"] == 1
    assert queue.depth()["scheduled"] == 1
    assert queue.oldest_wait() == 0.0

    clock.advance(3600)
    assert queue.promote_due() == 1
    assert queue.promote_due() == 0
    assert queue.position(scheduled.id) == 1
    assert queue.position(walk_in.id) == 2
    promoted = queue.get(scheduled.id)
    assert promoted.status == "waiting"
    assert promoted.acquired_at == T0 - 300
    assert queue.depth() == {"callback": 2, "voicemail": 0, "thread": 0, "scheduled": 0}
    assert queue.oldest_wait() == 3600 + 300
    assert [e["event"] for e in queue.history(scheduled.id)] == ["created", "promoted"]


def test_position_promotes_due_items_by_itself(queue, clock):
    it = queue.enqueue(item("call:CA1", not_before=T0 + 10)).item
    clock.advance(10)
    assert queue.position(it.id) == 1


def test_cancel_is_idempotent_and_frees_the_natural_key(queue, redis_client):
    it = queue.enqueue(item("call:CA1", not_before=T0 + 60)).item
    assert queue.cancel(it.id, "customer hung up") is True
    assert queue.cancel(it.id, "again") is False
    assert queue.cancel("no-such-item", "x") is False
    assert queue.pending_for("call:CA1") is None
    assert not redis_client.exists(queue.keys.natural("call:CA1"))
    assert redis_client.zcard(queue.keys.items_waiting) == redis_client.zcard(queue.keys.items_scheduled) == 0
    events = queue.history(it.id)
    assert events[-1] == {"event": "cancelled", "reason": "customer hung up", "previous": "scheduled", "at": T0}
    assert queue.reschedule(it.id, T0 + 100) is False


def test_reschedule_keeps_the_place_earned(queue, clock):
    early = queue.enqueue(item("call:CA1", acquired_at=T0 - 50)).item
    late = queue.enqueue(item("call:CA2", acquired_at=T0)).item
    assert queue.reschedule(early.id, T0 + 600, T0 + 1800)
    assert queue.position(early.id) is None
    assert queue.position(late.id) == 1
    moved = queue.get(early.id)
    assert (moved.status, moved.not_before, moved.not_after) == ("scheduled", T0 + 600, T0 + 1800)

    clock.advance(600)
    assert queue.position(early.id) == 1
    assert queue.position(late.id) == 2
    assert queue.get(early.id).acquired_at == T0 - 50


def test_reschedule_to_now_makes_a_scheduled_item_eligible(queue):
    it = queue.enqueue(item("call:CA1", not_before=T0 + 600)).item
    assert queue.reschedule(it.id, 0.0)
    assert queue.position(it.id) == 1
    with pytest.raises(ValueError):
        queue.reschedule(it.id, T0 + 600, T0 + 60)


def test_repeat_enqueue_moves_window_and_refreshes_given_fields(queue):
    first = queue.enqueue(item("call:CA1", not_before=T0 + 600, summary="bolletta")).item
    merged = queue.enqueue(item("call:CA1", kind="voicemail", not_before=T0 - 1,
                                recording_url="https://rec/1", details={"digits": "2"})).item
    assert merged.id == first.id
    assert merged.kind == "callback"
    assert merged.status == "waiting"
    assert queue.position(merged.id) == 1
    assert (merged.summary, merged.recording_url, merged.details) == ("bolletta", "https://rec/1", {"digits": "2"})


def test_twenty_concurrent_enqueues_of_one_natural_key_make_one_item(redis_url, redis_client):
    start = threading.Barrier(20)
    results = []

    def enqueue(n: int) -> None:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        queue = WorkQueue(client)
        start.wait()
        results.append(queue.enqueue(item("call:CArace", acquired_at=T0 + n)))
        client.close()

    threads = [threading.Thread(target=enqueue, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.created for r in results) == 1
    assert len({r.item.id for r in results}) == 1
    item_hashes = [k for k in redis_client.keys("nohold:{queue}:item:*") if not k.endswith(":history")]
    assert len(item_hashes) == 1
    assert redis_client.zrange(QueueKeys().items_waiting, 0, -1, withscores=True) == [(results[0].item.id, T0)]


def test_every_key_shares_one_hash_tag(queue, redis_client, clock):
    a = queue.enqueue(item("call:CA1")).item
    b = queue.enqueue(item("call:CA2", not_before=T0 + 60)).item
    queue.enqueue(item("tel:{odd}:+39", kind="voicemail"))
    queue.cancel(a.id, "x")
    queue.reschedule(b.id, T0 + 120)
    queue.record_handle_time(240)
    clock.advance(120)
    queue.depth()
    keys = redis_client.keys("*")
    assert len(keys) >= 6
    assert all(re.match(r"^nohold:\{queue\}:", k) for k in keys), keys


def test_prefix_cannot_break_the_hash_tag():
    assert QueueKeys("acme").item("x") == "acme:{queue}:item:x"
    with pytest.raises(ValueError):
        QueueKeys("{acme}")


def test_handle_times_keep_the_last_fifty(queue):
    for s in range(60):
        queue.record_handle_time(s)
    recent = queue.recent_handle_times()
    assert len(recent) == 50
    assert recent[0] == 59.0
    assert recent[-1] == 10.0
    with pytest.raises(ValueError):
        queue.record_handle_time(-1)


def test_work_item_round_trips_through_a_hash_and_ignores_unknown_fields():
    it = item("k", id="abc", details={"a": [1, 2]}, recording_seconds=17, not_before=T0 + 0.125)
    h = it.to_hash()
    assert all(isinstance(v, str) for v in h.values())
    assert WorkItem.from_hash({**h, "lane": "callback:it", "added_later": "x"}) == it


def test_client_without_decoding_is_refused(redis_url):
    with pytest.raises(ValueError):
        WorkQueue(redis.Redis.from_url(redis_url))


def test_ahead_in_language_reads_every_page_of_the_scheduled_items(queue):
    from social_bridge.queue.work_queue import AHEAD_PAGE

    opening = T0 + 36000
    n = 2 * AHEAD_PAGE + 1
    for i in range(n):
        queue.enqueue(item(f"call:it{i}", acquired_at=T0 - n + i, not_before=opening))
    for i in range(3):
        queue.enqueue(item(f"call:late{i}", acquired_at=T0 + 1 + i, not_before=opening))  # asked after: not ahead
        queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="en", acquired_at=T0 - 5,
                               natural_key=f"call:en{i}", not_before=opening))
    queue.enqueue(item("call:waiting", acquired_at=T0 - 9000))
    assert queue.ahead_in_language("it", T0, by=opening) == n + 1
    assert queue.ahead_in_language("it", T0) == 1  # now: only the waiting one
