"""Where a signed, stateful webhook's CPU goes: from a bare Flask view up to nohold, in one process.

    python -m bench.webhook_floor               # 5,000 requests per rung, printed and written to bench/out/
    python -m bench.webhook_floor --requests 20000

Each rung is a Flask view called through `app.wsgi_app` with pre-built WSGI environs (no server, no
network between client and Flask), timed in CPU seconds of this process (time.process_time), so the
figures move little with other load on the machine:

  bare          the constant TwiML of bench/bare_app.py
  + form        request.form parsed (Twilio's 12 parameters)
  + signature   X-Twilio-Signature checked with twilio's RequestValidator (one HMAC)
  + one write   one EVALSHA storing the call's state and reply (what any design that keeps each
                call's state in Redis must do at least once per webhook)
  nohold        POST /voice/incoming and POST /voice/step?seq=1 of the real app (dev mode)

Gunicorn and wrk add about the same to every rung (measured in docs/benchmarks.md), so this ladder
shows how far under the load bar (>= 60 % of the bare app's throughput) the floor of a stateful
webhook already is on this machine, and how much nohold adds above that floor.
"""
from __future__ import annotations

import argparse
import hmac
import io
import json
import os
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import redis
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder

from bench.bare_app import TWIML
from ivr.runtime.redis_server import RedisServer

BASE = "http://127.0.0.1:5000"
TOKEN = "floor-bench-token"
OUT = Path(__file__).parent / "out" / "webhook_floor.json"
RUNGS = ("bare", "form", "signature", "one_write")
SPEECH = ("non mi va internet da stamattina", "ho un problema con la bolletta", "vorrei parlare con un operatore",
          "la linea è lentissima", "non riesco ad entrare nell'area clienti", "voglio fare un reclamo")


def twilio_form(i: int) -> dict:
    caller = "+39333%07d" % i
    return {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": f"CA{i:032d}",
            "CallStatus": "ringing", "Called": "+390212345678", "CalledCountry": "IT", "Caller": caller,
            "CallerCountry": "IT", "Direction": "inbound", "From": caller, "FromCountry": "IT", "To": "+390212345678"}


def environ(path: str, form: dict) -> dict:
    signature = RequestValidator(TOKEN).compute_signature(BASE + path, form)
    route, _, query = path.partition("?")
    env = EnvironBuilder(path=route, query_string=query or None, method="POST", data=urllib.parse.urlencode(form),
                         content_type="application/x-www-form-urlencoded",
                         headers={"X-Twilio-Signature": signature}).get_environ()
    env["bench.body"] = env["wsgi.input"].read()
    return env


def ladder_app(rung: str, client: redis.Redis) -> Flask:
    app = Flask("floor")
    store = client.register_script("redis.call('SET', KEYS[1], ARGV[1], 'EX', 3600) "
                                   "redis.call('HSET', KEYS[2], '0', ARGV[2]) return 1")
    validator = RequestValidator(TOKEN)

    @app.post("/voice/incoming")
    def incoming():
        if rung == "bare":
            return Response(TWIML, mimetype="text/xml")
        form = request.form
        if rung in ("signature", "one_write"):
            expected = validator.compute_signature(BASE + request.full_path.rstrip("?"), form)
            if not hmac.compare_digest(expected.encode(), request.headers.get("X-Twilio-Signature", "").encode()):
                return Response(status=403)
        if rung == "one_write":
            sid = form["CallSid"]
            store(keys=[f"nohold:{{call:{sid}}}", f"nohold:{{call:{sid}}}:replies"],
                  args=[json.dumps({"sid": sid, "caller": form["From"], "seq": 1}), TWIML])
        return Response(TWIML, mimetype="text/xml")
    return app


def cpu_ms_per_request(app, environs: list[dict], expect: str = "200") -> float:
    def call(env):
        env = dict(env, **{"wsgi.input": io.BytesIO(env["bench.body"])})
        status = []
        b"".join(app.wsgi_app(env, lambda s, h: status.append(s)))
        if not status[0].startswith(expect):
            raise SystemExit(f"unexpected {status[0]} from {env['PATH_INFO']}")
    for env in environs[:200]:  # warm-up: first imports, connections, caches
        call(env)
    started = time.process_time()
    for env in environs[200:]:
        call(env)
    return 1000 * (time.process_time() - started) / (len(environs) - 200)


def nohold_app(redis_url: str, var_dir: str):
    from ivr.app.settings import _ENV as SETTINGS_ENV

    for key in SETTINGS_ENV.values():  # empty, not absent: a .env file must not fill them in either
        os.environ[key] = ""
    os.environ.update(REDIS_URL=redis_url, NOHOLD_VAR_DIR=var_dir, NOHOLD_DEV_TOKEN=TOKEN, PUBLIC_BASE_URL=BASE,
                      BUSINESS_HOURS="mon-sun 00:00-24:00")
    from ivr import create_app

    return create_app()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_floor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    n = max(args.requests, 400) + 200
    with tempfile.TemporaryDirectory(prefix="nohold-floor-") as workdir:
        server = RedisServer(Path(workdir) / "redis", appendonly=False).start()
        try:
            client = redis.Redis.from_url(server.url, decode_responses=True)
            figures = {}
            for rung in RUNGS:
                client.flushdb()
                figures[rung] = cpu_ms_per_request(ladder_app(rung, client),
                                                   [environ("/voice/incoming", twilio_form(i)) for i in range(n)])
            client.flushdb()
            app = nohold_app(server.url, str(Path(workdir) / "var"))
            figures["nohold_incoming"] = cpu_ms_per_request(
                app, [environ("/voice/incoming", twilio_form(i)) for i in range(n)])
            steps = [environ("/voice/step?seq=1", dict(twilio_form(i), SpeechResult=SPEECH[i % len(SPEECH)],
                                                           Confidence="0.9")) for i in range(n)]
            figures["nohold_step"] = cpu_ms_per_request(app, steps)
            app.extensions["nohold"].metrics.close()
        finally:
            server.stop()
    report = {"requests": n - 200, "cpu_ms_per_request": {k: round(v, 3) for k, v in figures.items()},
              "python": sys.version.split()[0], "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    bare = figures["bare"]
    print(f"CPU per request in one process ({n - 200} requests each; gunicorn and wrk not included):")
    for name, value in figures.items():
        print(f"  {name:<16} {value:6.3f} ms   (+{value - bare:.3f} over bare)")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
