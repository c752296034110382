"""`python -m bench.widget_latency`: how long the web chat widget's calls take, the inbox running in the request.

Its own redis-server (no AOF) and the app in dev mode through Flask's test client (no HTTP server, no network):
N visitors each open a session, write one message (POST /widget/api/messages: limits, the inbox — language,
intent, self-service, the queue, the acknowledgement) and read their conversation (GET /widget/api/messages).
Prints p50 / p95 of both; the queue grows by one thread per visitor, as it would.

    python -m bench.widget_latency
    python -m bench.widget_latency --visitors 300
"""
from __future__ import annotations

import argparse
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from ivr import create_app
from ivr.app.settings import PROJECT_ROOT, load_settings
from ivr.runtime.redis_server import RedisServer

SITE = "https://shop.example.it"
TEXTS = ("non funziona internet da ieri", "la bolletta è troppo alta", "my line has been dead since this morning",
         "vorrei disdire il contratto", "il modem lampeggia rosso")


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[int(share * (len(values) - 1))] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=100)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="widget-bench-"))
    server = RedisServer(tmp, appendonly=False).start()
    try:
        env = {"REDIS_URL": server.url, "NOHOLD_VAR_DIR": str(tmp / "var"), "WIDGET_ALLOWED_ORIGINS": SITE,
               "WIDGET_PER_ADDRESS_PER_MINUTE": "1000000", "INTENT_MODEL_CACHE": str(PROJECT_ROOT / "var" / "models")}
        client = create_app({"SETTINGS": load_settings(environ=env, dotenv=False)}).test_client()
        sends, reads = [], []
        for n in range(args.visitors):
            headers = {"Origin": SITE}
            headers["X-Nohold-Widget"] = client.post("/widget/api/session", headers=headers).get_json()["token"]
            started = time.perf_counter()
            answer = client.post("/widget/api/messages", json={"text": TEXTS[n % len(TEXTS)],
                                                               "id": secrets.token_hex(8)}, headers=headers)
            sends.append(time.perf_counter() - started)
            if answer.status_code != 202:
                raise SystemExit(f"POST answered {answer.status_code}: {answer.get_data(as_text=True)}")
            started = time.perf_counter()
            client.get("/widget/api/messages?since=0", headers=headers)
            reads.append(time.perf_counter() - started)
        print(f"{args.visitors} visitors: send p50 {percentile(sends, .5):.1f} ms, p95 {percentile(sends, .95):.1f} ms;"
              f" read p50 {percentile(reads, .5):.1f} ms, p95 {percentile(reads, .95):.1f} ms")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
