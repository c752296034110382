"""Callbacks in the reports: one callback dialed three times through the real dialer, Flask and RQ against
the fake Twilio — a machine, then no answer, then the customer reached — counted once each, per day."""
from __future__ import annotations

from datetime import date

from tests.integration.test_dialer import (  # noqa: F401  (fixtures, found by name)
    GIULIA, dialer, fake, item, nohold, ring_and_accept)
from tests.integration.test_dialer_machines import check_mode, live_settings, machine_message  # noqa: F401


def next_attempt(nohold, clock, item):
    """The retry's window opens: the clock moves to it; the item as it is now."""
    clock.advance(max(0.0, nohold.queue.get(item.id).not_before - clock()))
    return nohold.queue.get(item.id)


def test_reached_machine_and_failed_are_counted_once_each(nohold, dialer, item, fake, run_jobs, clock):
    first = date.fromisoformat(nohold.bridge.reports.ledger.day_of(clock()))
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)  # 1: a machine (no key pressed)
    child = fake.dial_start(sid, connect)
    question = fake.whisper(child["sid"])
    fake.press(child["sid"], question, "")
    fake.status(child["sid"], "completed")
    fake.dial_end(sid, connect, child["sid"], "completed")
    fake.dial_end(sid, connect, child["sid"], "completed")  # Twilio repeating the <Dial> action
    assert dialer.attempts.get(attempt_id).state == "machine"

    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, next_attempt(nohold, clock, item))
    fake.dial(sid, connect, "no-answer")  # 2: nobody answers
    assert dialer.attempts.get(attempt_id).state == "retried"

    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, next_attempt(nohold, clock, item))
    child = fake.dial_start(sid, connect)  # 3: the customer presses 1 and talks to Giulia
    fake.press(child["sid"], fake.whisper(child["sid"]), "1")
    for status in ("in-progress", "completed"):
        fake.status(child["sid"], status)
    fake.dial_end(sid, connect, child["sid"], "completed")
    assert nohold.queue.get(item.id).status == "done"

    last = date.fromisoformat(nohold.bridge.reports.ledger.day_of(clock()))  # a retry may wait for the next opening
    report = nohold.bridge.reports.build(first, last)
    row = report.total.row(report.intents)
    assert (row["callbacks_reached"], row["callbacks_machine"], row["callbacks_failed"]) == (1, 1, 1)
    assert [(a["agent"], a["handled"]) for a in report.agents()] == [(GIULIA.id, 1)]
