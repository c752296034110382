"""Auto-dial: an available agent who turned it on is offered the next callback without a click.

The offer is the agent's phone ringing with the whispered context ("press 1"): exactly what a
click on "call back" starts, so missed, declined and reached offers settle the same way. Offers
are made when the agent becomes available, at each heartbeat of their console and when the
console sees the queue change — never while the agent holds an item, never before the wrap-up
time after the last offered callback has ended, never when the desk is closed.
"""
from __future__ import annotations

import logging
import secrets
import time
from typing import Callable

from social_bridge.queue.keys import QueueKeys

log = logging.getLogger(__name__)
LOCK_MS = 15_000  # longer than one offer takes; a crashed offer frees the agent after this


class AutoOffer:
    def __init__(self, redis, agents, presence, claims, queue, dial: Callable, desk_closed: Callable[[], str | None],
                 clock: Callable[[], float] = time.time, wrap_up_seconds: float = 30, keys: QueueKeys | None = None):
        """dial(item, claim, agent) starts an agent-first callback (ValueError when refused);
        desk_closed() says why callbacks cannot be dialed now, or None when they can."""
        self.redis, self.agents, self.presence, self.claims, self.queue = redis, agents, presence, claims, queue
        self.dial, self.desk_closed, self.clock = dial, desk_closed, clock
        self.wrap_up_seconds, self.keys = wrap_up_seconds, keys or QueueKeys()

    def offer(self, agent_id: str) -> str | None:
        """Offers the agent the next callback they may take; the item's id, or None when nothing was offered."""
        agent = self.agents.get(agent_id)
        if agent is None or not agent.auto_dial or not agent.phone:
            return None
        lock, token = self.keys.auto_offer(agent_id) + ":lock", secrets.token_hex(8)
        if not self.redis.set(lock, token, nx=True, px=LOCK_MS):
            return None  # another request is offering to this agent right now
        try:
            if not self._free(agent_id):
                return None
            return self._offer_next(agent)
        finally:
            if self.redis.get(lock) == token:
                self.redis.delete(lock)

    def _free(self, agent_id: str) -> bool:
        """Available, holding nothing, wrapped up after the last offer, and the desk open."""
        if self.presence.state(agent_id) != "available" or self.claims.claimed_by(agent_id):
            return False
        last_id = self.redis.get(self.keys.auto_offer(agent_id))
        last = self.queue.get(last_id) if last_id else None
        if last is not None and self.clock() - last.updated_at < self.wrap_up_seconds:
            return False
        return not self.desk_closed()

    def _offer_next(self, agent) -> str | None:
        claim = self.claims.claim_next(agent.id, agent.languages, kinds=("callback",), teams=agent.teams)
        if claim is None:
            return None
        item = claim.item
        try:
            self.dial(item, claim, agent)
        except ValueError as refused:
            if self.desk_closed():  # closed in the meantime: back in place for the opening
                self.claims.release(item.id, claim.fence)
                return None
            # the customer's number is one we may not call: no agent can, so supervisors decide
            self.claims.fail_attempt(item.id, claim.fence, f"auto-dial refused: {refused}", retry_at=None)
            log.warning("auto-dial: item %s cannot be dialed, sent to dead letters", item.id)
            return None
        self.redis.set(self.keys.auto_offer(agent.id), item.id)
        log.info("auto-dial: offered item %s to agent %s", item.id, agent.id)
        return item.id
