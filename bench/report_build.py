"""`python -m bench.report_build`: how long a year's report takes to build (issue 19's reports).

A throwaway redis-server is filled with 366 days of counts the size of a busy desk (300-700 calls a day,
four written channels, 40 agents, three reasons), then the report for the whole year is built by day and by
week through the same Reports the console, the API and the CLI use (the ledger, DailyStats, service levels,
satisfaction), 5 times each; prints the best and the median.
"""
from __future__ import annotations

import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import redis

from ivr.runtime.metrics import DailyStats
from ivr.runtime.redis_server import RedisServer
from social_bridge.chat.service_levels import ServiceLevels
from social_bridge.customers.satisfaction import Satisfaction
from social_bridge.reports.ledger import Ledger, field
from social_bridge.reports.report import Reports
from social_bridge.reports.written import written_sources

INTENTS = ("internet_down", "billing", "account_access")
FIRST = date(2026, 1, 1)


def fill(client, ledger: Ledger, stats: DailyStats) -> None:
    for n in range(366):
        day, r = (FIRST + timedelta(n)).isoformat(), random.Random(n)
        stats.add(day, calls=r.randint(300, 700), contained=r.randint(50, 200),
                  call_seconds=r.randint(10**5, 3 * 10**5), before_choosing=r.randint(5, 40), **{f"intent|intent={i}": r.randint(10, 90) for i in INTENTS})
        counts = {field("contacts", channel=c): r.randint(10, 90) for c in ("messenger", "whatsapp", "sms", "x")}
        for a in range(40):
            counts[field("handled", agent=f"agent{a}")] = r.randint(5, 40)
            counts[field("handle_seconds", agent=f"agent{a}")] = r.randint(1000, 9000)
        client.hset(ledger.keys.day(day), mapping=counts)


def main() -> int:
    server = RedisServer(Path(tempfile.mkdtemp()), appendonly=False).start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        ledger, stats = Ledger(client, time.time), DailyStats(client)
        fill(client, ledger, stats)
        # read APIs only: they need Redis, not the queue, the channels or the prompts
        written = written_sources(ServiceLevels(client, None, {}, {}, None),
                                  Satisfaction(client, None, None, None, None), "Europe/Rome")
        reports = Reports(ledger, calls=stats.days, intents=INTENTS, others=written)
        for by in ("day", "week"):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                report = reports.build(FIRST, FIRST + timedelta(365), by)
                rows, _ = report.rows(), report.agents()
                times.append(time.perf_counter() - started)
            times.sort()
            print(f"366 days by {by}: {len(rows)} rows, best {times[0] * 1000:.0f} ms, median {times[2] * 1000:.0f} ms")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
