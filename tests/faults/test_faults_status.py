"""Twilio's status callbacks for a callback attempt, duplicated (each 3×) and out of order (completed before
ringing): one final state, and a missed callback back in its old place exactly once, acquired time unchanged.

Real Redis, Flask, RQ and twilio's validator (every callback signed like Twilio); Twilio's cloud is
tests/support/fake_twilio.py. Builds on tests/integration/test_dialer.py's fixtures; a second or two.
"""
from __future__ import annotations

import pytest

from social_bridge.queue.work_item import WorkItem
from tests.integration.test_dialer import (agent_leg, dialer, fake, item, live_settings, nohold,  # noqa: F401 (fixtures)
                               ring_and_accept, sms_for, start)

NEWER = "+393479999999"


def reversed_thrice(*statuses: str) -> list[str]:
    """The natural order of a leg's callbacks, delivered last first, each three times."""
    return [status for status in reversed(statuses) for _ in range(3)]


def newer_item(nohold, clock) -> WorkItem:
    """Someone who asked after our customer: must stay behind them whatever the callbacks do."""
    return nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 60,
                                         natural_key=f"callback:{NEWER}", customer=NEWER)).item


def places(nohold, item_id: str) -> int:
    """How many times the item sits in the queue (waiting or scheduled): 1 when it has a place, never 2."""
    keys = nohold.queue.keys
    return sum(nohold.redis.zscore(key, item_id) is not None for key in (keys.items_waiting, keys.items_scheduled))


def replay_the_ends(fake, sid: str) -> None:
    """Twilio retrying the <Dial> action, then the agent leg's end, 3× each, and a stray late 'ringing'."""
    parent = fake.calls[sid]
    action = parent["events"][-1]["request"]
    for _ in range(2):
        fake.webhook(parent, action["url"], action["parameters"])
    for status in reversed_thrice("ringing", "completed"):
        fake.status(sid, status)


def test_customer_reached_callbacks_last_first_thrice_end_done_once(nohold, dialer, item, fake, run_jobs):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    fake.dial(sid, connect, "completed", statuses=reversed_thrice("initiated", "ringing", "in-progress", "completed"))
    replay_the_ends(fake, sid)
    after, attempt = nohold.queue.get(item.id), dialer.attempts.get(attempt_id)
    events = [event["event"] for event in nohold.queue.history(item.id)]
    assert (after.status, attempt.state, attempt.customer_status) == ("done", "reached", "completed")
    assert events.count("completed") == 1
    assert events.count("attempt") == 1
    assert places(nohold, item.id) == 0
    assert not nohold.redis.keys("nohold:{msgkey:dial-*")


@pytest.mark.parametrize("missed", ["no-answer", "busy"])
def test_customer_missed_callbacks_last_first_thrice_keep_one_place_at_the_same_time(
        nohold, dialer, item, fake, run_jobs, clock, missed):
    newer = newer_item(nohold, clock)
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    fake.dial(sid, connect, missed, statuses=reversed_thrice("initiated", "ringing", missed))
    replay_the_ends(fake, sid)
    after, attempt = nohold.queue.get(item.id), dialer.attempts.get(attempt_id)
    events = [event["event"] for event in nohold.queue.history(item.id)]
    assert (after.status, attempt.state, attempt.customer_status, after.attempts) == ("scheduled", "retried", missed, 1)
    assert after.acquired_at == item.acquired_at
    assert places(nohold, item.id) == 1
    assert events.count("attempt_failed") == 1
    assert len(nohold.redis.keys("nohold:{msgkey:dial-*")) == 1
    clock.advance(11 * 60)  # the first retry (10 minutes) is due: back first in line, ahead of the newer caller
    assert nohold.queue.position(item.id) == 1
    assert nohold.queue.position(newer.id) == 2
    assert nohold.queue.get(item.id).acquired_at == item.acquired_at
    assert places(nohold, item.id) == 1


def test_agent_missed_callbacks_last_first_thrice_put_the_item_back_once_in_its_old_place(
        nohold, dialer, item, fake, run_jobs, clock):
    newer = newer_item(nohold, clock)
    attempt_id, _ = start(dialer, item)
    run_jobs()
    sid = agent_leg(fake, attempt_id)["sid"]
    for status in reversed_thrice("initiated", "ringing", "no-answer"):
        fake.status(sid, status)
    back, attempt = nohold.queue.get(item.id), dialer.attempts.get(attempt_id)
    events = [event["event"] for event in nohold.queue.history(item.id)]
    assert (back.status, back.attempts, attempt.state) == ("waiting", 0, "agent_missed")
    assert back.acquired_at == item.acquired_at
    assert places(nohold, item.id) == 1
    assert nohold.queue.position(item.id) == 1
    assert nohold.queue.position(newer.id) == 2
    assert events.count("released") == 1
    assert sms_for(nohold, f"dial-missed:{attempt_id}") is None
