"""The console's stream server: /console/events (and /healthz) in a process of its own.

A live console stream waits for a minute; in the web server it would hold one of the threads the
webhooks need (issue 13: one login holding 34 streams made a signed /voice/incoming take 20 s). Here
gunicorn's gevent worker serves each stream as a greenlet: gevent patches threading and sockets before
this app is built (no --preload), so the QueueWatcher's Condition, its poller thread and redis-py's
sockets are all cooperative, and one process holds thousands of streams.

Only what the queue snapshot reads is built: Redis, the queue, presence, agents. No intent model, no
Twilio, no jobs: the process stays small (docs/benchmarks.md has its RSS per open stream).

    gunicorn -c python:ivr.runtime.streams_conf --no-control-socket -b 127.0.0.1:5001 'ivr.runtime.streams:create_app()'

(ivr/runtime/streams_conf.py: the gevent worker, 1 of them, 4,000 connections, a lower CPU priority than the web.)

`make run` starts it beside the web server (ivr/runtime/launcher.py); deploy/ has the same command.
"""
from __future__ import annotations

import logging
import sys
import time

from flask import Flask
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError, RedisError
from redis.retry import Retry
from werkzeug.exceptions import HTTPException

from ivr.runtime.embedded import ensure_embedded_redis
from ivr.runtime.redis_client import state_client
from ivr.app.settings import load_settings
from ivr.app.widget_parts import build_widget
from social_bridge.queue.agents import AgentDirectory
from social_bridge.web.bridge import Bridge
from social_bridge.queue.claims import Claims
from social_bridge.web.console import streams
from social_bridge.web import widget_stream
from social_bridge.web.console.events import origin_of
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_queue import WorkQueue

log = logging.getLogger("nohold.streams")


def command(bind: str, web_origin: str = "", access_log: bool = False) -> list[str]:
    """The gunicorn command line of the stream server (ivr/runtime/launcher.py, bench/, tests/)."""
    app = f"ivr.runtime.streams:create_app(web_origin={web_origin!r})" if web_origin else "ivr.runtime.streams:create_app()"
    args = [sys.executable, "-m", "gunicorn", "-c", "python:ivr.runtime.streams_conf", "--no-control-socket", "-b", bind]
    if access_log:
        args += ["--access-logfile", "-", "--access-logformat", '%(m)s %(U)s %(s)s %(M)sms']
    return args + [app]


def create_app(web_origin: str = "", test_config: dict | None = None) -> Flask:
    """web_origin: where the console pages are, when not on this server's origin (CORS answers it with
    credentials); default the origin of PUBLIC_BASE_URL. test_config may hold SETTINGS and CLOCK."""
    test_config = test_config or {}
    settings = test_config.get("SETTINGS") or load_settings()
    if not settings.redis_url:
        settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
    clock = test_config.get("CLOCK", time.time)
    timeout = settings.redis_timeout_seconds  # as the web processes: a gone Redis costs a stream at most this
    client = state_client(settings, decode_responses=True, health_check_interval=30, socket_timeout=timeout,
                          socket_connect_timeout=timeout,
                          retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
    queue = WorkQueue(client, clock=clock)
    presence = Presence(client, clock=clock)
    bridge = Bridge(redis=client, queue=queue, claims=Claims(client, clock=clock, lease_seconds=settings.lease_seconds),
                    presence=presence, agents=AgentDirectory(client, clock=clock),
                    eta=EtaEstimator(queue, settings.agents_on_shift, settings.handle_seconds, presence=presence,
                                     threads_per_agent=settings.agent_max_threads),
                    clock=clock, dev_mode=settings.dev_mode, target_wait_seconds=settings.target_wait_seconds)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, NOHOLD=settings,
                      CONSOLE_WEB_ORIGIN=web_origin or origin_of(settings.public_base_url))
    app.extensions["social_bridge"] = bridge
    app.register_blueprint(streams.bp)
    app.extensions["nohold_widget"] = build_widget(settings, client, queue, bridge.eta, clock)  # reads only
    app.register_blueprint(widget_stream.bp)  # the web chat widget's live stream (social_bridge/web/widget_stream.py)

    @app.get("/healthz")
    def healthz():
        try:
            client.ping()
        except RedisError as exc:
            return {"ok": False, "redis": type(exc).__name__}, 503
        from gevent import monkey

        # under gunicorn's gevent worker threading is patched: the watcher's Condition waits cooperatively
        return {"ok": True, "redis": "ok", "cooperative": monkey.is_module_patched("threading")}

    @app.errorhandler(Exception)
    def _on_error(error):
        if isinstance(error, HTTPException):
            return {"error": error.name, "message": error.description}, error.code
        if isinstance(error, RedisError):  # EventSource retries: nothing is lost while Redis is away
            log.error("redis unavailable (%s) on a console stream", type(error).__name__)
            return {"error": "unavailable", "message": "storage unavailable; retry later"}, 503
        log.error("unhandled %s on a console stream", type(error).__name__, exc_info=error)
        return {"error": "internal error", "message": "something went wrong on our side; it has been logged"}, 500

    return app
