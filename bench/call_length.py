"""How long each scripted call costs the caller (words at 2.5/s + 3 s per answer), how it ends, in-process.

    python -m bench.call_length [scenarios/*.yaml]

Also prints the containment rate (calls self-service solved, no human needed) and the average time on
the line over the scenario set, the figures docs/benchmarks.md reports.

Runs against a real redis-server and the real app at a fixed weekday morning, so figures do
not depend on the hour the command is run.
"""
from __future__ import annotations

import logging
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from ivr import create_app
from ivr.runtime.redis_server import RedisServer
from ivr.app.settings import load_settings
from ivr.simulate import FlaskTransport, Phone

ROOT = Path(__file__).resolve().parent.parent
# Ring -> outcome bars the issues set, checked on top of each scenario's own max_seconds:
# an English speaker on an Italian number who just answers in English (issue 15 §2)
BARS = {"en_speaker_italian_number_callback": 55.0}
MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Rome")).timestamp()


def main(argv: list[str]) -> int:
    logging.disable(logging.WARNING)  # the dev-mode notice of every app built here is not the report
    paths = [Path(p) for p in argv] or sorted((ROOT / "scenarios").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp, RedisServer(Path(tmp) / "redis", appendonly=False) as server:
        failures, outcomes, seconds, measured = 0, [], [], {}
        print(f"{'scenario':<58} {'caller s':>8} {'words':>6} {'answers':>7}  outcome")
        for path in paths:
            server_client = __import__("redis").Redis.from_url(server.url)
            server_client.flushdb()
            settings = load_settings({"REDIS_URL": server.url, "NOHOLD_VAR_DIR": tmp,
                                      "PUBLIC_BASE_URL": "https://bench.local"})
            app = create_app({"SETTINGS": settings, "CLOCK": lambda: MORNING})
            phone = Phone(settings.public_base_url, settings.signing_token, FlaskTransport(app))
            result = phone.run_script(yaml.safe_load(path.read_text()))
            failures += not result.ok
            state = app.extensions["nohold"].calls.load(result.call_sid) if result.call_sid else None
            outcome = (state.outcome if state else "") or "abandoned"
            outcomes.append(outcome)
            seconds.append(result.caller_seconds)
            measured[path.stem] = result.caller_seconds
            app.extensions["nohold"].metrics.close()
            mark = "" if result.ok else f"  FAILED: {result.error}"
            print(f"{path.stem:<58} {result.caller_seconds:>8.1f} {result.words:>6} {result.answers:>7}  "
                  f"{outcome}{mark}")
        for name, bar in BARS.items():
            if name in measured:
                ok = measured[name] <= bar
                failures += not ok
                print(f"bar: {name} <= {bar:.0f} s: {measured[name]:.1f} s {'ok' if ok else 'FAILED'}")
        contained = outcomes.count("contained")
        print(f"\n{len(outcomes)} scripted calls: {contained} contained ({contained / max(len(outcomes), 1):.0%}), "
              f"average time on the line {sum(seconds) / max(len(seconds), 1):.1f} s")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
