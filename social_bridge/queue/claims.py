"""Agents claiming work items: leases with fencing tokens, retries and dead letters.

A claim gives the agent a lease until lease_until and a fencing token (fence). Every later write
by the holder carries the fence; Redis accepts it only while that fence holds a live lease, so an
agent whose lease ran out cannot complete or release an item someone else has claimed since.
Each transition below is one Lua script in lua/ (see docs/queue.md).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable

from social_bridge.queue.keys import QueueKeys
from social_bridge.queue.scripts import QueueScripts
from social_bridge.queue.work_item import KINDS, WorkItem
from social_bridge.queue.work_queue import HANDLE_TIMES_KEPT, ITEM_ID

REAP_BATCH = 100  # expired leases returned per script run; bounds how long one script blocks Redis
WINDOW_SCAN = 50  # window ends read per claim_next: bounds the script when many windows close together


class StaleFence(Exception):
    """A write with a fencing token that is no longer the item's."""


class NotClaimable(Exception):
    """Item is not in a state that allows this (final, not claimed, unknown)."""


@dataclass(frozen=True)
class Claim:
    """An agent's hold on one item: write with `fence` until `lease_until`."""

    item: WorkItem
    fence: int
    lease_until: float


def _item(reply) -> WorkItem:
    return WorkItem.from_hash(dict(zip(reply[1::2], reply[2::2])))


def _claim(item: WorkItem) -> Claim:
    return Claim(item, item.fence, item.lease_until)


class Claims:
    """Who is working on what, on the shared queue's Redis keys."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: QueueKeys | None = None,
                 lease_seconds: float = 120, other_language_after: float = 120, max_attempts: int = 3,
                 team_overflow_seconds: float = 180,
                 window_due_within: float = 900, ledger=None,
                 on_complete: Callable[[WorkItem], None] | None = None):
        if lease_seconds <= 0 or other_language_after < 0 or max_attempts < 1 or window_due_within < 0:
            raise ValueError("lease_seconds > 0, other_language_after >= 0, max_attempts >= 1 and "
                             "window_due_within >= 0 are required")
        self.redis, self.clock, self.keys = redis, clock, keys or QueueKeys()
        self.lease_seconds, self.other_language_after, self.max_attempts = (
            lease_seconds, other_language_after, max_attempts)
        # a window callback whose end (not_after) is this close goes before older items: its promise expires
        self.window_due_within = window_due_within
        # another team's item goes to an agent once it has waited this long (its own team is busy)
        self.team_overflow_seconds = max(0.0, float(team_overflow_seconds))
        self._run = QueueScripts(redis, self.keys)
        self.ledger = ledger  # social_bridge.reports.ledger.Ledger: completions counted per agent for the reports
        self.on_complete = on_complete  # after a completion: the written channels' clocks stop, satisfaction is asked

    def _call(self, name: str, item_id: str, *args, now: float | None = None):
        """Run a script on one item; turn its refusal into StaleFence or NotClaimable."""
        if not ITEM_ID.fullmatch(item_id):  # ids come from URLs; "x:history" must not reach another key
            raise NotClaimable(f"{item_id!r}: no such item")
        reply = self._run(name, self.clock() if now is None else now, item_id, *args)
        flag = reply[0]
        if flag == "stale":
            raise StaleFence(f"{item_id}: this fence no longer holds a live lease")
        if flag == "unknown":
            raise NotClaimable(f"{item_id}: no such item")
        if flag == "not_claimable":
            raise NotClaimable(f"{item_id}: {reply[1]}")
        return reply

    def _lease_until(self, now: float) -> str:
        return repr(now + self.lease_seconds)

    def claim_next(self, agent_id: str, languages: tuple[str, ...] = ("it",),
                   kinds: tuple[str, ...] | None = None, teams: tuple[str, ...] = ()) -> Claim | None:
        """The eligible waiting item for this agent, claimed; None when nothing fits.

        A window whose end is within window_due_within (or past) goes first, soonest end first;
        otherwise the earliest acquired. With teams, another team's item is eligible only once it has
        waited team_overflow_seconds (an agent without teams takes every team's items alike).
        """
        _check_agent(agent_id)
        if not languages:
            raise ValueError("an agent speaks at least one language")
        if kinds is not None and not set(kinds) <= set(KINDS):
            raise ValueError(f"unknown kinds {sorted(set(kinds) - set(KINDS))}")
        now = self.clock()
        reply = self._run("claim_next", now, self._lease_until(now), agent_id, REAP_BATCH,
                          repr(float(self.other_language_after)), json.dumps(list(languages)),
                          "" if kinds is None else json.dumps(list(kinds)),
                          repr(float(self.window_due_within)), WINDOW_SCAN, json.dumps(list(teams)),
                          repr(self.team_overflow_seconds))
        return None if reply[0] == "none" else _claim(_item(reply))

    def claim(self, item_id: str, agent_id: str) -> Claim:
        """Take this waiting item (an agent picked it in the console)."""
        _check_agent(agent_id)
        now = self.clock()
        return _claim(_item(self._call("claim", item_id, agent_id, self._lease_until(now), now=now)))

    def transfer_to_team(self, item_id: str, fence: int, team: str, note: str = "") -> WorkItem:
        """The holder hands the item to a team: waiting at its acquired place in that team's lane."""
        return _item(self._call("transfer_team", item_id, str(fence), team, note))

    def transfer_to_agent(self, item_id: str, fence: int, agent_id: str, note: str = "") -> Claim:
        """The holder hands the item to a colleague, who holds it now (new lease and fence; this one is stale)."""
        _check_agent(agent_id)
        now = self.clock()
        return _claim(_item(self._call("transfer_agent", item_id, str(fence), agent_id, self._lease_until(now),
                                       note, now=now)))

    def assign(self, item_id: str, agent_id: str, by: str, note: str = "") -> Claim:
        """A supervisor gives a pending item (waiting, scheduled or held by anyone) to an agent."""
        _check_agent(agent_id)
        now = self.clock()
        return _claim(_item(self._call("assign", item_id, agent_id, self._lease_until(now), by, note, now=now)))

    def renew(self, item_id: str, fence: int) -> float:
        """Extend the lease by lease_seconds from now; returns the new lease_until."""
        now = self.clock()
        return float(self._call("renew", item_id, str(fence), self._lease_until(now), now=now)[1])

    def release(self, item_id: str, fence: int) -> WorkItem:
        """Give the item back: waiting again at its acquired place."""
        return _item(self._call("release", item_id, str(fence)))

    def complete(self, item_id: str, fence: int, outcome: str) -> WorkItem:
        """Done: out of the queue, natural key freed, handle time (now - claimed_at) recorded."""
        done = _item(self._call("complete", item_id, str(fence), outcome, HANDLE_TIMES_KEPT))
        if self.ledger is not None:
            self.ledger.completed(done)
        if self.on_complete is not None:
            self.on_complete(done)
        return done

    def reschedule(self, item_id: str, fence: int, not_before: float, not_after: float = 0.0) -> WorkItem:
        """Hand the item back with a new window; it keeps its acquired_at."""
        if not_after and not_after < not_before:
            raise ValueError("not_after is before not_before")
        return _item(self._call("claim_reschedule", item_id, str(fence),
                                repr(float(not_before)), repr(float(not_after))))

    def cancel(self, item_id: str, fence: int, reason: str) -> WorkItem:
        """The holder withdraws the item; its natural key is freed."""
        return _item(self._call("claim_cancel", item_id, str(fence), reason))

    def fail_attempt(self, item_id: str, fence: int | None, reason: str, retry_at: float | None) -> str:
        """Count a failed attempt: "retry" (scheduled at retry_at, same place) or "dead" (dead letters).

        fence None is the system (the dialer's job): allowed unless an agent holds a live lease.
        """
        return self._call("fail_attempt", item_id, "" if fence is None else str(fence), reason,
                          "" if retry_at is None else repr(float(retry_at)), self.max_attempts)[0]

    def record_attempt(self, item_id: str, attempt: dict) -> None:
        """Append an attempt (who dialed, provider id, result...) to the item's history."""
        self._call("record_attempt", item_id, json.dumps(attempt))

    def reap_expired(self) -> list[str]:
        """Put every item whose lease ran out back at its place; returns their ids."""
        reaped: list[str] = []
        while True:
            batch = self._run("reap", self.clock(), REAP_BATCH)
            reaped += batch
            if len(batch) < REAP_BATCH:
                return reaped

    def claimed_by(self, agent_id: str) -> list[Claim]:
        """The agent's live claims, earliest acquired first."""
        ids = self.redis.zrangebyscore(self.keys.leases, f"({self.clock()!r}", "+inf")
        items = [WorkItem.from_hash(h) for h in self._hashes(ids)]
        mine = [it for it in items if it.status == "claimed" and it.claimed_by == agent_id]
        return [_claim(it) for it in sorted(mine, key=lambda it: (it.acquired_at, it.id))]

    def dead_letters(self, limit: int = 50) -> list[WorkItem]:
        """Items that ran out of attempts, most recent death first."""
        ids = self.redis.zrevrange(self.keys.dead, 0, max(0, limit - 1)) if limit > 0 else []
        return [WorkItem.from_hash(h) for h in self._hashes(ids)]

    def requeue_dead(self, item_id: str) -> WorkItem:
        """A supervisor puts a dead item back at its place, attempts reset, eligible now."""
        return _item(self._call("requeue_dead", item_id))

    def _hashes(self, ids: list[str]) -> list[dict]:
        with self.redis.pipeline(transaction=False) as pipe:
            for item_id in ids:
                pipe.hgetall(self.keys.item(item_id))
            return [h for h in pipe.execute() if h]


def _check_agent(agent_id: str) -> None:
    if not agent_id or len(agent_id) > 128:
        raise ValueError(f"bad agent id {agent_id!r}")
