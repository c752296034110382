"""RQ jobs of the written channels: handle what the webhooks stored, send what agents and the inbox wrote.

Module-level functions taking ids; the collaborators are rebuilt once per process from the
environment (REDIS_URL and the settings), like every other job here.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache

from rq import Retry

log = logging.getLogger(__name__)
DELIVERY_RETRY = Retry(max=4, interval=[5, 30, 120, 600])
FAILURE_TTL = 7 * 86400


def drain_enqueuer(queue):
    def enqueue() -> None:
        queue.enqueue(drain_inbound, failure_ttl=FAILURE_TTL)
    return enqueue


def delivery_enqueuer(queue):
    def enqueue(message_id: str) -> None:
        queue.enqueue(deliver_message, message_id, job_id=f"deliver-{message_id}", retry=DELIVERY_RETRY,
                      failure_ttl=FAILURE_TTL, on_failure=_gave_up)
    return enqueue


def build_inbox(nohold):
    """The Inbox for a process that has the voice side's services (the web app, a worker)."""
    from ivr.chat.replies import ChatReplies
    from social_bridge.chat.inbox import Inbox

    return Inbox(nohold.social.threads, nohold.queue, nohold.codes, nohold.social.delivery, ChatReplies(nohold),
                 clock=nohold.clock)


@lru_cache(maxsize=4)
def _runtime(redis_url: str):
    from ivr.app.factory import build
    from ivr.app.settings import load_settings
    from social_bridge.queue.presence import Presence

    nohold = build(load_settings())
    nohold.eta.presence = Presence(nohold.redis)  # waits announced in chats count the agents really there
    return nohold, build_inbox(nohold)


def preload() -> None:
    """Call in the worker's parent before it forks: each job then starts with everything built."""
    _runtime(os.environ.get("REDIS_URL", ""))


def drain_inbound() -> dict:
    """Turns every stored webhook batch, oldest first, into threads, queue places and acknowledgements."""
    nohold, inbox = _runtime(os.environ.get("REDIS_URL", ""))
    inbound = nohold.social.inbound
    inbound.start_draining()
    outcomes: dict[str, int] = {}
    while batches := inbound.pending():
        for batch_id in batches:
            _handle(inbound, inbox, batch_id, outcomes)
    return outcomes


def _handle(inbound, inbox, batch_id: str, outcomes: dict[str, int]) -> None:
    for message in inbound.take(batch_id):
        try:
            outcome = inbox.receive(message)
        except ValueError as unusable:  # an id we cannot store safely: skip it, keep the rest of the batch
            log.warning("inbound on %s skipped: %s", message.channel, unusable)
            outcome = "skipped"
        except Exception:  # a bug must not hold back the other 999 messages of a batch, nor loop in the sweep
            log.exception("inbound on %s failed; the rest of the batch goes on", message.channel)
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    inbound.done(batch_id)


def deliver_message(message_id: str) -> str:
    """Sends one of our messages on its thread's channel, at most once."""
    nohold, _ = _runtime(os.environ.get("REDIS_URL", ""))
    return nohold.social.delivery.deliver(message_id)


def _gave_up(job, connection, exc_type, exc_value, traceback) -> None:
    if job.retries_left:
        return
    nohold, _ = _runtime(os.environ.get("REDIS_URL", ""))
    nohold.social.delivery.give_up(job.args[0])


def sweep_lost_batches(older_than: float = 60.0) -> int:
    """Batches waiting too long (their drain was lost with a worker) get a new drain; handling is idempotent."""
    nohold, _ = _runtime(os.environ.get("REDIS_URL", ""))
    stale = nohold.social.inbound.stale(older_than)
    if stale:
        nohold.social.inbound.enqueue_drain()
        log.warning("%d inbound batch(es) waited over %.0f s: a drain is queued", len(stale), older_than)
    return len(stale)
