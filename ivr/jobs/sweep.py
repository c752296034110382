"""The minute sweep, and what a worker does when it starts.

Every minute one sweep (however many workers run) reconciles what crashed workers left behind: dial
attempts, inbound batches whose drain was lost, messages whose job was lost; once an hour it applies the
retention periods (social_bridge/privacy/retention.py). Then it schedules the next.
"""
from __future__ import annotations

from ivr.dialer.dialer import SWEEP_GRACE_SECONDS
from ivr.jobs.chat import sweep_lost_batches
from ivr.jobs.messages import sweep_lost_messages
from ivr.jobs.pushed_waits import push_waits
from ivr.jobs.runtime import install, services
from ivr.runtime.job_queue import job_queue, schedule_sweep


def sweep() -> dict:
    """Job, every minute."""
    nohold = services()
    counts = nohold.dialer.sweep()
    counts["inbound_batches_requeued"] = sweep_lost_batches()
    counts["messages"] = sweep_lost_messages()
    counts["pushed_waits"] = push_waits()  # wait updates to customers waiting by callback or chat (issue 20)
    if nohold.privacy is not None:  # storage limitation: each kind of personal data for its own time (hourly pass)
        counts["retention"] = nohold.privacy.retention.run_if_due()
    schedule_sweep(job_queue(nohold.settings.redis_url), nohold.redis)
    return counts


def on_worker_start(nohold) -> None:
    """In the worker's parent, before it forks: every job then starts with the services built (nothing
    here opens a socket to Twilio, so forked work horses share no connection); and a sweep now, which
    reschedules itself."""
    install(nohold)
    nohold.dialer.calls.warm()
    nohold.dialer.hours.is_open(nohold.dialer.now())  # the holiday calendar fills in the year on first use
    schedule_sweep(job_queue(nohold.settings.redis_url), nohold.redis, now=True)


def reconcile_command(grace: float = SWEEP_GRACE_SECONDS) -> int:
    """`python -m ivr reconcile`: one sweep, printed; attempts younger than `grace` seconds are left alone."""
    dialer = services().dialer
    counts = dialer.sweep(grace=grace)
    print("dial attempts:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do")
    review = dialer.attempts.to_review()
    if review:
        print(f"{len(review)} attempt(s) need a supervisor: {' '.join(review[-10:])}")
    return 0
