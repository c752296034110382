"""Operator endpoints: health, metrics, and the dev-mode outbox."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template_string
from redis.exceptions import RedisError

from ivr.call.callback_policy import mask

bp = Blueprint("ops", __name__)

OUTBOX_PAGE = """<!doctype html><meta charset="utf-8"><title>nohold · dev outbox</title>
<style>body{font:14px system-ui;margin:2rem;max-width:960px}td,th{padding:.4rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}</style>
<h1>Dev outbox</h1><p>Dev mode: nothing is sent. These are the messages nohold would have sent.</p>
<table><tr><th>When</th><th>To</th><th>Message</th></tr>
{% for m in entries %}<tr><td>{{ m.at|int }}</td><td>{{ m.to }}</td><td>{{ m.body }}</td></tr>
{% else %}<tr><td colspan=3>Nothing yet: try <code>python -m ivr simulate</code>.</td></tr>{% endfor %}</table>"""


@bp.get("/healthz")
def healthz():
    try:
        current_app.extensions["nohold"].redis.ping()
    except RedisError as exc:
        return {"ok": False, "redis": type(exc).__name__}, 503
    return {"ok": True, "redis": "ok"}


@bp.get("/metrics")
def metrics():
    nohold = current_app.extensions["nohold"]
    depth = nohold.queue.depth()
    gauges = {f"queue_depth_{kind}": count for kind, count in depth.items()}
    gauges["queue_oldest_wait_seconds"] = round(nohold.queue.oldest_wait(), 1)
    gauges["callback_windows_missed"] = nohold.queue.missed_windows(0)[0]  # waiting past the window promised
    if nohold.service_levels is not None:  # written requests with a running clock past its target (issue 19)
        gauges["written_threads_in_breach"] = nohold.service_levels.in_breach()
    return Response(nohold.metrics.render(gauges), mimetype="text/plain; version=0.0.4")


@bp.get("/dev/outbox")
def outbox():
    nohold = current_app.extensions["nohold"]
    if not nohold.settings.dev_mode:
        abort(404)
    entries = nohold.outbox.entries(100)
    for entry in entries:  # the page may be shown on a shared screen: numbers masked
        entry["to"] = mask(entry["to"])
    return render_template_string(OUTBOX_PAGE, entries=entries)
