"""Jobs of outbound SMS: send one (ids only), and the minute sweep's part for messages."""
from __future__ import annotations

import logging

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from ivr.call.callback_policy import mask
from ivr.call.messaging import Messages, deliver
from ivr.jobs.runtime import services
from ivr.runtime.job_queue import QUEUE_NAME, SMS_RETRY, job_queue, sms_enqueuer
from ivr.runtime.metrics import METRICS_KEY, Metrics

__all__ = ["QUEUE_NAME", "job_queue", "sms_enqueuer", "send_message", "sweep_messages", "sweep_lost_messages"]
MESSAGES_SWEPT = "messages_swept"
MESSAGE_STUCK_AFTER = 120.0            # a message still queued this long after it was stored is looked at
MESSAGE_SENDING_UNKNOWN_AFTER = 600.0  # claimed for sending this long ago and never marked: outcome unknown
_ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}

log = logging.getLogger(__name__)


def send_message(message_id: str) -> str:
    """Sends one queued outbound message, at most once."""
    nohold = services()
    return deliver(nohold.messages, nohold.sender, message_id, nohold.settings.twilio_number,
                   nohold.settings.whatsapp_number)


def _job_alive(queue: Queue, message_id: str) -> bool:
    """Whether the message's job is still waiting or running (not lost with a killed worker)."""
    job_id = f"send-{message_id}"
    try:
        status = Job.fetch(job_id, connection=queue.connection).get_status()
    except NoSuchJobError:
        return False
    if status == JobStatus.STARTED:  # running, unless its worker stopped heartbeating (killed)
        return job_id not in queue.started_job_registry.get_expired_job_ids()
    if status == JobStatus.QUEUED:  # waiting, unless a worker killed mid-dequeue took it off the list
        return queue.connection.lpos(queue.key, job_id) is not None
    return status in _ALIVE


def sweep_messages(messages: Messages, queue: Queue) -> dict:
    """The minute sweep's part for outbound messages: none is lost with a job, none is sent twice.

    Queued with no live job (its worker was killed, or the web process died before queueing it): a
    new job, unless the provider already refused it on every try (then failed). Claimed for sending
    long ago and never marked: the provider may or may not have it, so it is marked unknown, never
    sent again (at most once)."""
    counts = {"requeued": 0, "failed": 0, "unknown": 0}
    now = messages.clock()
    for message_id in messages.pending(older_than=MESSAGE_STUCK_AFTER):
        message = messages.get(message_id)
        status = (message or {}).get("status")
        if status == "sending":
            if now - float(message.get("claimed_at") or 0) >= MESSAGE_SENDING_UNKNOWN_AFTER:
                messages.mark(message_id, "unknown")
                counts["unknown"] += 1
                log.warning("sms %s to %s: claimed but never confirmed sent; outcome unknown",
                            message_id, mask(message.get("to", "")))
        elif status != "queued":
            messages.forget(message_id)
        elif _job_alive(queue, message_id):
            continue
        elif int(message.get("attempts") or 0) > SMS_RETRY.max:
            messages.mark(message_id, "failed")
            counts["failed"] += 1
            log.warning("sms %s to %s: refused on every try, given up", message_id, mask(message.get("to", "")))
        else:
            messages.enqueue_job(message_id)
            counts["requeued"] += 1
    if any(counts.values()):  # /metrics: nohold_messages_swept_total{outcome=…}, for an alert on failed/unknown
        pipe = messages.redis.pipeline(transaction=False)
        for outcome, count in counts.items():
            if count:
                pipe.hincrby(METRICS_KEY, Metrics.field(MESSAGES_SWEPT, outcome=outcome), count)
        pipe.execute()
    return counts


def sweep_lost_messages() -> dict:
    """Job-side entry of sweep_messages (run by the minute sweep)."""
    nohold = services()
    queue = job_queue(nohold.settings.redis_url)
    return sweep_messages(Messages(nohold.redis, sms_enqueuer(queue), clock=nohold.clock), queue)
