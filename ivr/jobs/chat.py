"""RQ jobs of the written channels: handle what the webhooks stored, send what agents and the inbox wrote.

Module-level functions taking ids; their services come from the composition root (ivr.jobs.runtime).
"""
from __future__ import annotations

import logging

from ivr.jobs.runtime import inbox as the_inbox
from ivr.jobs.runtime import services

log = logging.getLogger(__name__)


def drain_inbound() -> dict:
    """Turns every stored webhook batch, oldest first, into threads, queue places and acknowledgements."""
    nohold, inbox = services(), the_inbox()
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
    return services().social.delivery.deliver(message_id)


def gave_up(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's failure callback of a delivery: after its last try the message is marked failed."""
    if job.retries_left:
        return
    services().social.delivery.give_up(job.args[0])


def sweep_lost_batches(older_than: float = 60.0) -> int:
    """Batches waiting too long (their drain was lost with a worker) get a new drain; handling is idempotent."""
    nohold = services()
    stale = nohold.social.inbound.stale(older_than)
    if stale:
        nohold.social.inbound.enqueue_drain()
        log.warning("%d inbound batch(es) waited over %.0f s: a drain is queued", len(stale), older_than)
    return len(stale)
