"""Claims on a real Redis: order, races, leases and fencing, languages, retries, dead letters."""
from __future__ import annotations

import re
import threading

import pytest
import redis

from social_bridge.queue.claims import Claim, Claims, NotClaimable, StaleFence
from social_bridge.queue.work_item import WorkItem
from tests.integration.test_work_queue import T0, Clock, clock, queue  # noqa: F401 (the same hand clock and queue fixtures)

LEASE = 120


@pytest.fixture
def claims(redis_client, clock):
    return Claims(redis_client, clock=clock, lease_seconds=LEASE, other_language_after=120, max_attempts=3)


def add(queue, key: str, kind: str = "callback", acquired_at: float = T0, lang: str = "it", **kw) -> WorkItem:
    return queue.enqueue(WorkItem(id="", kind=kind, channel="voice", lang=lang, acquired_at=acquired_at,
                                  natural_key=key, **kw)).item


def test_claim_next_follows_acquired_at_across_kinds(queue, claims):
    callback = add(queue, "call:CA1", "callback", acquired_at=T0 - 60)
    voicemail = add(queue, "call:CA2", "voicemail", acquired_at=T0 - 120)
    thread = add(queue, "messenger:m1", "thread", acquired_at=T0 - 30)
    taken = [claims.claim_next("anna").item.id for _ in range(3)]
    assert taken == [voicemail.id, callback.id, thread.id]
    assert claims.claim_next("anna") is None
    assert queue.depth() == {"callback": 0, "voicemail": 0, "thread": 0, "scheduled": 0}


def test_a_claim_is_a_lease_with_a_fresh_fence(queue, claims, redis_client):
    first, second = add(queue, "call:CA1", acquired_at=T0 - 10), add(queue, "call:CA2")
    a, b = claims.claim_next("anna"), claims.claim_next("bruno")
    assert isinstance(a, Claim)
    assert b.fence > a.fence > 0
    assert (a.item.id, a.item.status, a.item.claimed_by, a.item.claimed_at) == (first.id, "claimed", "anna", T0)
    assert a.lease_until == a.item.lease_until == T0 + LEASE
    assert a.fence == a.item.fence
    assert queue.position(first.id) is None
    assert queue.position(second.id) is None
    assert set(redis_client.zrange(queue.keys.leases, 0, -1, withscores=True)) == {(first.id, T0 + LEASE),
                                                                                  (second.id, T0 + LEASE)}
    assert queue.history(first.id)[-1] == {"event": "claimed", "agent": "anna", "fence": a.fence, "at": T0}


@pytest.mark.parametrize("how", ["claim_next", "claim"])
def test_fifty_concurrent_claimers_of_one_item_make_one_winner(queue, redis_url, how):
    only = add(queue, "call:CArace")
    start = threading.Barrier(50)
    results, errors = [], []

    def claimer(n: int) -> None:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        mine = Claims(client)
        start.wait()
        try:
            results.append(mine.claim_next(f"agent{n}") if how == "claim_next" else mine.claim(only.id, f"agent{n}"))
        except NotClaimable as e:
            errors.append(e)
        finally:
            client.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert len(results) + len(errors) == 50
    assert queue.get(only.id).claimed_by == winners[0].item.claimed_by
    assert [e["event"] for e in queue.history(only.id)].count("claimed") == 1


def test_concurrent_agents_draining_the_queue_never_share_an_item(queue, redis_url):
    ids = {add(queue, f"call:CA{n}", acquired_at=T0 - n).id for n in range(40)}
    start = threading.Barrier(10)
    taken: list[str] = []

    def agent(n: int) -> None:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        mine = Claims(client)
        start.wait()
        while (claim := mine.claim_next(f"agent{n}")) is not None:
            taken.append(claim.item.id)
            mine.complete(claim.item.id, claim.fence, "solved")
        client.close()

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(ids)


def test_claim_takes_over_an_expired_lease(queue, claims, clock):
    it = add(queue, "call:CA1")
    old = claims.claim(it.id, "anna")
    clock.advance(LEASE)
    new = claims.claim(it.id, "bruno")
    assert new.fence > old.fence
    assert new.item.claimed_by == "bruno"
    assert [e["event"] for e in queue.history(it.id)][-2:] == ["lease_expired", "claimed"]


@pytest.mark.parametrize("reaper", ["claim_next", "reap_expired"])
def test_expired_lease_returns_the_item_to_its_old_place(queue, claims, clock, reaper):
    early = add(queue, "call:CA1", acquired_at=T0 - 100)
    held = claims.claim_next("anna")
    clock.advance(30)
    later = add(queue, "call:CA2", acquired_at=clock.now)
    clock.advance(LEASE - 30 - 1)
    assert claims.reap_expired() == []  # one second of lease left
    clock.advance(1)
    if reaper == "claim_next":
        assert claims.claim_next("bruno").item.id == early.id
    else:
        assert claims.reap_expired() == [early.id]
        assert queue.position(early.id) == 1
        assert queue.position(later.id) == 2
        back = queue.get(early.id)
        assert (back.status, back.claimed_by, back.acquired_at) == ("waiting", "", T0 - 100)
    assert {"event": "lease_expired", "agent": "anna", "status": "waiting", "at": T0 + LEASE} in queue.history(early.id)
    assert held.item.id == early.id


@pytest.mark.parametrize("write", [
    lambda c, claim: c.renew(claim.item.id, claim.fence),
    lambda c, claim: c.complete(claim.item.id, claim.fence, "solved"),
    lambda c, claim: c.release(claim.item.id, claim.fence),
    lambda c, claim: c.reschedule(claim.item.id, claim.fence, T0 + 9999),
    lambda c, claim: c.cancel(claim.item.id, claim.fence, "duplicate"),
    lambda c, claim: c.fail_attempt(claim.item.id, claim.fence, "no_answer", T0 + 9999),
], ids=["renew", "complete", "release", "reschedule", "cancel", "fail_attempt"])
def test_stale_fence_is_refused_once_someone_else_claimed(queue, claims, clock, write):
    add(queue, "call:CA1")
    old = claims.claim_next("anna")
    clock.advance(LEASE)
    new = claims.claim_next("bruno")
    assert new.item.id == old.item.id
    assert new.fence > old.fence
    with pytest.raises(StaleFence):
        write(claims, old)
    now = queue.get(old.item.id)
    assert (now.status, now.claimed_by, now.fence) == ("claimed", "bruno", new.fence)
    assert claims.complete(new.item.id, new.fence, "solved").status == "done"
    with pytest.raises(StaleFence):
        write(claims, old)


def test_an_expired_lease_cannot_be_renewed_even_before_any_reaper(queue, claims, clock):
    it = add(queue, "call:CA1")
    claim = claims.claim(it.id, "anna")
    clock.advance(LEASE)
    with pytest.raises(StaleFence):
        claims.renew(it.id, claim.fence)
    assert queue.get(it.id).status == "waiting"
    assert queue.position(it.id) == 1  # put back on the spot
    with pytest.raises(StaleFence):
        claims.complete(it.id, claim.fence, "solved")
    assert claims.release(it.id, claim.fence).status == "waiting"  # what release wanted already holds


def test_renew_keeps_the_item_past_the_first_lease(queue, claims, clock):
    it = add(queue, "call:CA1")
    claim = claims.claim(it.id, "anna")
    clock.advance(100)
    assert claims.renew(it.id, claim.fence) == T0 + 100 + LEASE
    clock.advance(100)
    assert claims.reap_expired() == []
    assert claims.claim_next("bruno") is None
    assert claims.complete(it.id, claim.fence, "solved").status == "done"


@pytest.mark.parametrize("item_lang, speaks, waited, gets_it", [
    ("en", ("en",), 0, True),
    ("en", ("it", "en"), 0, True),
    ("en", ("it",), 0, False),
    ("en", ("it",), 119, False),
    ("en", ("it",), 120, True),
    ("it", ("en",), 120, True),
    ("it", ("it",), 0, True),
])
def test_language_routing_table(queue, claims, clock, item_lang, speaks, waited, gets_it):
    it = add(queue, "call:CA1", lang=item_lang, acquired_at=T0)
    clock.advance(waited)
    got = claims.claim_next("anna", languages=speaks)
    assert (got.item.id if got else None) == (it.id if gets_it else None)


def test_an_english_item_goes_to_an_english_speaker_first(queue, claims, clock):
    english = add(queue, "call:CA1", lang="en", acquired_at=T0 - 10)
    italian = add(queue, "call:CA2", lang="it", acquired_at=T0 - 5)
    assert claims.claim_next("giulia", languages=("it",)).item.id == italian.id
    assert claims.claim_next("giulia", languages=("it",)) is None
    assert claims.claim_next("john", languages=("en",)).item.id == english.id


def test_language_change_on_merge_moves_the_item_to_its_new_lane(queue, claims):
    it = add(queue, "call:CA1", lang="it")
    add(queue, "call:CA1", lang="en")
    assert claims.claim_next("giulia", languages=("it",)) is None
    assert claims.claim_next("john", languages=("en",)).item.id == it.id


def test_kinds_filter_skips_earlier_items_of_other_kinds(queue, claims):
    add(queue, "call:CA1", "callback", acquired_at=T0 - 100)
    voicemail = add(queue, "call:CA2", "voicemail", acquired_at=T0)
    assert claims.claim_next("anna", kinds=("voicemail", "thread")).item.id == voicemail.id
    assert claims.claim_next("anna", kinds=("thread",)) is None
    with pytest.raises(ValueError):
        claims.claim_next("anna", kinds=("fax",))


def test_scheduled_callback_is_not_claimable_before_its_window(queue, claims, clock):
    booked = add(queue, "call:CA1", acquired_at=T0 - 300, not_before=T0 + 600)
    walk_in = add(queue, "call:CA2", acquired_at=T0)
    with pytest.raises(NotClaimable):
        claims.claim(booked.id, "anna")
    assert claims.claim_next("anna").item.id == walk_in.id
    assert claims.claim_next("anna") is None
    clock.advance(600)
    assert claims.claim_next("anna").item.id == booked.id  # promoted inside the same script


@pytest.mark.parametrize("state", ["claimed", "done", "cancelled", "unknown"])
def test_claim_refuses_items_that_are_not_waiting(queue, claims, state):
    it = add(queue, "call:CA1")
    if state in ("claimed", "done"):
        held = claims.claim(it.id, "anna")
        if state == "done":
            claims.complete(it.id, held.fence, "solved")
    elif state == "cancelled":
        queue.cancel(it.id, "customer hung up")
    with pytest.raises(NotClaimable):
        claims.claim("nope" if state == "unknown" else it.id, "bruno")


def test_release_puts_the_item_back_at_its_place(queue, claims):
    early = add(queue, "call:CA1", acquired_at=T0 - 100)
    claim = claims.claim_next("anna")
    later = add(queue, "call:CA2", acquired_at=T0)
    back = claims.release(early.id, claim.fence)
    assert (back.status, back.claimed_by, back.lease_until) == ("waiting", "", 0.0)
    assert queue.position(early.id) == 1
    assert queue.position(later.id) == 2
    assert claims.release(early.id, claim.fence) == back  # a retried release changes nothing


def test_complete_frees_the_natural_key_and_records_handle_time_once(queue, claims, clock):
    it = add(queue, "call:CA1")
    claim = claims.claim(it.id, "anna")
    clock.advance(100)
    claims.renew(it.id, claim.fence)
    clock.advance(100)
    done = claims.complete(it.id, claim.fence, "solved")
    assert (done.status, done.outcome, done.claimed_by, done.lease_until) == ("done", "solved", "anna", 0.0)
    clock.advance(5)
    assert claims.complete(it.id, claim.fence, "other") == done  # the same fence again: the done item
    assert queue.recent_handle_times() == [200.0]
    assert queue.pending_for("call:CA1") is None
    assert add(queue, "call:CA1").id != it.id
    assert queue.history(it.id)[-1] == {"event": "completed", "agent": "anna", "outcome": "solved",
                                        "handle_seconds": 200, "at": T0 + 200}


def test_cancel_by_the_holder_is_idempotent(queue, claims):
    it = add(queue, "call:CA1")
    claim = claims.claim(it.id, "anna")
    gone = claims.cancel(it.id, claim.fence, "customer solved it")
    assert gone.status == "cancelled"
    assert claims.cancel(it.id, claim.fence, "again") == gone
    assert queue.pending_for("call:CA1") is None


def test_queue_cancel_of_a_claimed_item_ends_the_claim(queue, claims):
    it = add(queue, "call:CA1")
    claim = claims.claim(it.id, "anna")
    assert queue.cancel(it.id, "customer replied STOP")
    with pytest.raises(StaleFence):
        claims.complete(it.id, claim.fence, "solved")
    assert claims.claimed_by("anna") == []


def test_reschedule_by_the_holder_keeps_acquired_at(queue, claims, clock):
    early = add(queue, "call:CA1", acquired_at=T0 - 100)
    claim = claims.claim_next("anna")
    later = add(queue, "call:CA2", acquired_at=T0)
    moved = claims.reschedule(early.id, claim.fence, T0 + 600, T0 + 1800)
    assert (moved.status, moved.not_before, moved.not_after, moved.acquired_at) == (
        "scheduled", T0 + 600, T0 + 1800, T0 - 100)
    assert claims.reschedule(early.id, claim.fence, T0 + 600, T0 + 1800) == moved
    with pytest.raises(ValueError):
        claims.reschedule(early.id, claim.fence, T0 + 600, T0 + 60)
    clock.advance(600)
    assert queue.position(early.id) == 1
    assert queue.position(later.id) == 2


def test_failed_attempt_retries_at_its_place_from_retry_at(queue, claims, clock):
    early = add(queue, "call:CA1", acquired_at=T0 - 100)
    claim = claims.claim_next("anna")
    assert claims.fail_attempt(early.id, claim.fence, "no_answer", retry_at=T0 + 600) == "retry"
    again = queue.get(early.id)
    assert (again.status, again.attempts, again.not_before, again.claimed_by) == ("scheduled", 1, T0 + 600, "")
    later = add(queue, "call:CA2", acquired_at=T0)
    assert claims.claim_next("bruno").item.id == later.id
    assert claims.claim_next("bruno") is None
    clock.advance(600)
    assert claims.claim_next("bruno").item.id == early.id
    assert [e["event"] for e in queue.history(early.id)][-3:] == ["attempt_failed", "promoted", "claimed"]


@pytest.mark.parametrize("max_attempts", [1, 2, 3])
def test_dead_letter_after_max_attempts(redis_client, queue, clock, max_attempts):
    claims = Claims(redis_client, clock=clock, max_attempts=max_attempts)
    it = add(queue, "call:CA1")
    outcomes = []
    for _ in range(max_attempts):
        claim = claims.claim_next("anna")
        outcomes.append(claims.fail_attempt(it.id, claim.fence, "no_answer", retry_at=clock.now))
    assert outcomes == ["retry"] * (max_attempts - 1) + ["dead"]
    dead = queue.get(it.id)
    assert (dead.status, dead.attempts, dead.dead_reason) == ("dead", max_attempts, "no_answer")
    assert claims.dead_letters() == [dead]
    assert claims.claim_next("anna") is None
    assert queue.pending_for("call:CA1") is None
    assert redis_client.zscore(queue.keys.leases, it.id) is None


def test_no_retry_time_means_dead_at_once(queue, claims):
    it = add(queue, "call:CA1")
    assert claims.fail_attempt(it.id, None, "number does not exist", retry_at=None) == "dead"
    assert [d.id for d in claims.dead_letters()] == [it.id]


@pytest.mark.parametrize("state, expected", [
    ("waiting", "retry"),
    ("scheduled", "retry"),
    ("expired", "retry"),
    ("held", StaleFence),
    ("done", NotClaimable),
    ("unknown", NotClaimable),
])
def test_system_failed_attempt_without_a_fence(queue, claims, clock, state, expected):
    it = add(queue, "call:CA1", not_before=T0 + 60 if state == "scheduled" else 0.0)
    if state in ("expired", "held", "done"):
        claim = claims.claim(it.id, "anna")
        if state == "expired":
            clock.advance(LEASE)
        if state == "done":
            claims.complete(it.id, claim.fence, "solved")
    item_id = "nope" if state == "unknown" else it.id
    if isinstance(expected, str):
        assert claims.fail_attempt(item_id, None, "busy", retry_at=clock.now + 300) == expected
        assert queue.get(it.id).status == "scheduled"
    else:
        with pytest.raises(expected):
            claims.fail_attempt(item_id, None, "busy", retry_at=clock.now + 300)


def test_requeue_dead_puts_it_back_at_its_place_with_attempts_reset(queue, claims):
    early = add(queue, "call:CA1", acquired_at=T0 - 100)
    claims.fail_attempt(early.id, None, "no_answer", retry_at=None)
    later = add(queue, "call:CA2", acquired_at=T0)
    back = claims.requeue_dead(early.id)
    assert (back.status, back.attempts, back.dead_reason) == ("waiting", 0, "")
    assert queue.position(early.id) == 1
    assert queue.position(later.id) == 2
    assert claims.dead_letters() == []
    assert queue.pending_for("call:CA1").id == early.id
    with pytest.raises(NotClaimable):
        claims.requeue_dead(early.id)
    with pytest.raises(NotClaimable):
        claims.requeue_dead("nope")


def test_requeue_dead_refuses_when_the_customer_already_came_back(queue, claims):
    old = add(queue, "call:CA1", acquired_at=T0 - 100)
    claims.fail_attempt(old.id, None, "no_answer", retry_at=None)
    fresh = add(queue, "call:CA1", acquired_at=T0)
    assert fresh.id != old.id
    with pytest.raises(NotClaimable, match=fresh.id):
        claims.requeue_dead(old.id)


def test_dead_letters_newest_first_and_limited(queue, claims, clock):
    ids = []
    for n in range(3):
        ids.append(add(queue, f"call:CA{n}").id)
        claims.fail_attempt(ids[-1], None, "no_answer", retry_at=None)
        clock.advance(1)
    assert [d.id for d in claims.dead_letters(limit=2)] == ids[::-1][:2]
    assert claims.dead_letters(limit=0) == []


def test_record_attempt_appends_to_history(queue, claims):
    it = add(queue, "call:CA1")
    claims.record_attempt(it.id, {"call_sid": "CAout1", "result": "no-answer", "agent": "anna"})
    assert queue.history(it.id)[-1] == {"event": "attempt", "call_sid": "CAout1", "result": "no-answer",
                                        "agent": "anna", "at": T0}
    with pytest.raises(NotClaimable):
        claims.record_attempt("nope", {})


def test_claimed_by_lists_live_claims_only(queue, claims, clock):
    a, b, c = (add(queue, f"call:CA{n}", acquired_at=T0 - n) for n in range(3))
    first = claims.claim(a.id, "anna")
    clock.advance(60)
    claims.claim(b.id, "anna")
    claims.claim(c.id, "bruno")
    assert [x.item.id for x in claims.claimed_by("anna")] == [b.id, a.id]  # earliest acquired first
    clock.advance(LEASE - 60)
    assert [x.item.id for x in claims.claimed_by("anna")] == [b.id]
    assert first.item.id == a.id
    assert claims.claimed_by("nobody") == []


@pytest.mark.parametrize("call", [
    lambda c, item_id: c.renew(item_id, 1),
    lambda c, item_id: c.release(item_id, 1),
    lambda c, item_id: c.complete(item_id, 1, "x"),
    lambda c, item_id: c.reschedule(item_id, 1, T0),
    lambda c, item_id: c.cancel(item_id, 1, "x"),
    lambda c, item_id: c.fail_attempt(item_id, 1, "x", None),
    lambda c, item_id: c.claim(item_id, "anna"),
    lambda c, item_id: c.requeue_dead(item_id),
], ids=["renew", "release", "complete", "reschedule", "cancel", "fail_attempt", "claim", "requeue_dead"])
@pytest.mark.parametrize("forged", [False, True])
def test_unknown_or_forged_ids_are_not_claimable(queue, claims, call, forged):
    # ids come from URLs: "<id>:history" must not reach the item's history list
    item_id = f"{add(queue, 'call:CA1').id}:history" if forged else "nope"
    with pytest.raises(NotClaimable):
        call(claims, item_id)
    assert queue.get(item_id) is None
    assert queue.cancel(item_id, "x") is False


def test_claim_keys_share_the_hash_tag(queue, claims, clock, redis_client):
    for n in range(3):
        add(queue, f"call:CA{n}", lang=("it", "en", "de")[n])
    one = claims.claim_next("anna", languages=("it", "en", "de"))
    claims.complete(one.item.id, one.fence, "solved")
    two = claims.claim_next("anna", languages=("it", "en", "de"))
    claims.fail_attempt(two.item.id, two.fence, "no_answer", None)
    claims.claim_next("anna", languages=("it", "en", "de"))
    keys = redis_client.keys("*")
    assert {queue.keys.dead, queue.keys.leases, queue.keys.fence, queue.keys.handle_times} <= set(keys)
    assert all(re.match(r"^nohold:\{queue\}:", k) for k in keys), keys


# -- window callbacks: a window about to close goes first, a missed one shows -------------------------
def test_a_window_about_to_close_goes_before_older_items(queue, claims, clock):
    older = add(queue, "call:CAold", acquired_at=T0 - 3600)
    closing = add(queue, "call:CAwin", acquired_at=T0 - 60, not_before=T0 - 1800, not_after=T0 + 600)
    assert claims.claim_next("anna").item.id == closing.id
    assert claims.claim_next("bruno").item.id == older.id


def test_a_window_far_from_its_end_keeps_the_acquired_order(queue, claims, clock):
    older = add(queue, "call:CAold", acquired_at=T0 - 3600)
    add(queue, "call:CAwin", acquired_at=T0 - 60, not_before=T0 - 1800, not_after=T0 + 3600)
    assert claims.claim_next("anna").item.id == older.id


def test_windows_closing_together_go_soonest_end_first(queue, claims, clock):
    later = add(queue, "call:CAa", acquired_at=T0 - 600, not_before=T0 - 60, not_after=T0 + 800)
    sooner = add(queue, "call:CAb", acquired_at=T0 - 30, not_before=T0 - 60, not_after=T0 + 300)
    assert [claims.claim_next(a).item.id for a in ("anna", "bruno")] == [sooner.id, later.id]


def test_a_scheduled_window_is_indexed_when_it_opens(queue, claims, clock):
    older = add(queue, "call:CAold", acquired_at=T0 - 3600)
    window = add(queue, "call:CAwin", acquired_at=T0 - 60, not_before=T0 + 60, not_after=T0 + 900)
    assert window.status == "scheduled"
    clock.advance(120)  # open, 780 s before its end
    assert claims.claim_next("anna").item.id == window.id
    assert claims.claim_next("bruno").item.id == older.id


def test_a_closing_window_in_another_language_waits_like_any_other(queue, claims, clock):
    older = add(queue, "call:CAold", acquired_at=T0 - 3600)
    add(queue, "call:CAen", acquired_at=T0 - 60, lang="en", not_before=T0 - 1800, not_after=T0 + 300)
    assert claims.claim_next("anna", languages=("it",)).item.id == older.id


def test_a_kind_filter_holds_for_closing_windows(queue, claims, clock):
    thread = add(queue, "messenger:m1", kind="thread", acquired_at=T0 - 3600)
    add(queue, "call:CAwin", acquired_at=T0 - 60, not_before=T0 - 1800, not_after=T0 + 300)
    assert claims.claim_next("anna", kinds=("thread",)).item.id == thread.id


def test_a_missed_window_is_counted_until_someone_takes_it(queue, claims, clock):
    add(queue, "call:CAold", acquired_at=T0 - 7200)
    missed = add(queue, "call:CAwin", acquired_at=T0 - 3600, not_before=T0 - 3600, not_after=T0 - 60)
    add(queue, "call:CAfuture", acquired_at=T0 - 30, not_before=T0 - 60, not_after=T0 + 3600)
    count, items = queue.missed_windows()
    assert count == 1
    assert [i.id for i in items] == [missed.id]
    assert claims.claim_next("anna").item.id == missed.id  # already late: called before anyone else
    assert queue.missed_windows() == (0, [])


def test_a_window_that_ends_while_waiting_becomes_missed(queue, claims, clock):
    window = add(queue, "call:CAwin", acquired_at=T0 - 60, not_before=T0 - 60, not_after=T0 + 60)
    assert queue.missed_windows()[0] == 0
    clock.advance(61)
    assert queue.missed_windows()[0] == 1
    claim = claims.claim_next("anna")
    claims.release(claim.item.id, claim.fence)  # back in line: still missed, still first
    assert queue.missed_windows()[1][0].id == window.id


def test_an_asap_rebooking_drops_the_window_end(queue, clock):
    window = add(queue, "call:CAwin", acquired_at=T0 - 60, not_before=T0 - 60, not_after=T0 + 60)
    queue.reschedule(window.id, 0.0)
    clock.advance(120)
    assert queue.missed_windows() == (0, [])


def test_window_ends_share_the_hash_tag(queue, claims, redis_client):
    add(queue, "call:CAwin", acquired_at=T0 - 60, not_before=T0 - 60, not_after=T0 + 60)
    assert redis_client.zcard(queue.keys.window_ends) == 1
    assert re.match(r"^nohold:\{queue\}:", queue.keys.window_ends)
    assert queue.keys.window_ends in queue.keys.script_keys()
