"""claim_next with teams on 10,000 waiting items: intents over the three teams, three agents in one team each
and one in none, drained from one client (claim_next + complete). Prints the figures of docs/queue.md's
"Teams and routing"; the bar is bench/queue_claims.py's (p99 <= 5 ms per operation).

    python -m bench.queue_teams
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import redis

from bench.queue_claims import BAR_P99_MS, LANGS, drain, summary, timed
from ivr.runtime.redis_server import RedisServer
from social_bridge.queue.claims import Claims
from social_bridge.queue.work_item import KINDS, WorkItem
from social_bridge.queue.work_queue import WorkQueue

N_ITEMS = 10_000
INTENTS = ("internet_down", "billing", "change_plan", "internet_slow", "account_access", "cancel_contract")
AGENTS = (("anna", ("it",), ("tecnico",)), ("john", ("en",), ("amministrativo",)),
          ("carla", ("it", "en"), ("commerciale",)), ("gino", ("it", "en"), ()))


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, RedisServer(Path(tmp), appendonly=False) as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        queue, claims = WorkQueue(client), Claims(client)
        samples: dict[str, list[int]] = {"enqueue": [], "claim_next": [], "complete": []}
        start = time.time()
        for i in range(N_ITEMS):  # every kind, language and team mixed: 18 lanes
            item = WorkItem(id="", kind=KINDS[i % 3], channel="voice", lang=LANGS[i % 4], intent=INTENTS[(i // 7) % 6],
                            acquired_at=start - 2 * (N_ITEMS - i), natural_key=f"bench:{i}")
            timed(samples["enqueue"], queue.enqueue, item)
        lanes = client.scard(queue.keys.lanes)
        claimed = drain(claims, AGENTS, samples)
        client.close()
    print(f"{N_ITEMS} items in {lanes} lanes; {claimed} claimed and completed")
    worst = 0.0
    for name, s in samples.items():
        figures = summary(s)
        worst = max(worst, figures["p99_ms"])
        print(f"{name:10} n={figures['n']:6} p50={figures['p50_ms']:.3f} p95={figures['p95_ms']:.3f} "
              f"p99={figures['p99_ms']:.3f} max={figures['max_ms']:.2f} ms  {figures['ops_per_s']:,.0f} ops/s")
    print(f"{'PASS' if worst <= BAR_P99_MS else 'FAIL'} (worst p99 {worst:.2f} ms, bar {BAR_P99_MS} ms)")
    return 0 if worst <= BAR_P99_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
