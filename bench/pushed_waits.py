"""One pushed-waits pass (the minute sweep's step) over a long queue: how long the sweep spends on it.

    python -m bench.pushed_waits                     # 2,000 waiting callbacks, 20 available agents
    python -m bench.pushed_waits --items 500 --agents 5

Starts its own redis-server, enqueues the callbacks (a quarter in English), marks the agents available,
then times two passes of PushedWaits.run(): the first records what each customer was told, the second
compares (nothing changed, so nothing is sent). Business hours, words and the SMS sender are stand-ins
that answer at once: the figure is the queue's and the estimate's cost in Redis round trips.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import redis

from ivr.runtime.redis_server import RedisServer
from social_bridge.chat.pushed_waits import PushedWaits
from social_bridge.queue.agents import AgentDirectory
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue


class _Open:
    def is_open(self) -> bool:
        return True


class _Words:
    def text(self, lang: str, key: str, **values) -> str:
        return key

    def wait(self, seconds: float, lang: str) -> str:
        return f"{seconds:.0f} s"


class _Sms:
    def send_sms(self, to: str, body: str, key: str, lang: str = "it") -> str:
        return "SM0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=20)
    args = parser.parse_args()
    server = RedisServer(Path(tempfile.mkdtemp()), appendonly=False).start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        queue, presence, directory, now = WorkQueue(client), Presence(client), AgentDirectory(client), time.time()
        for n in range(args.agents):
            directory.create(f"agent{n}", "a long enough password 1", languages=("it", "en"))
            presence.set_state(f"agent{n}", "available")
        for n in range(args.items):
            queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="en" if n % 4 == 0 else "it",
                                   acquired_at=now - 3600 + n, natural_key=f"call:{n}", customer=f"+39347{n:07d}"))
        eta = EtaEstimator(queue, presence=presence, agents=directory, cache_seconds=0, threads_per_agent=3)
        pushed = PushedWaits(client, queue, eta, _Open(), _Words(), _Words(), None, None, _Sms())
        for label in ("first pass (records what was told)", "second pass (compares)"):
            started = time.perf_counter()
            counts = pushed.run()
            elapsed = time.perf_counter() - started
            print(f"{label}: {args.items} waiting, {args.agents} agents: {elapsed:.2f} s "
                  f"({1000 * elapsed / max(1, args.items):.2f} ms per item), {counts}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
