"""gunicorn hooks of the web server (`-c python:ivr.runtime.gunicorn_conf`: make run, deploy/, bench/, tests/).

With `--preload` the master builds the app (and loads the intent model) before forking. Freezing the
garbage collector's view of everything built so far keeps those objects out of every later
collection in the workers: the collector never writes to their pages (so they stay shared with the
master instead of being copied into each worker) and never spends time walking them.

This server gives every request one of its threads, and the webhooks need them all: it never holds a
live console stream (a minute each). Its /console/events points to the stream server instead
(social_bridge/web/console/events.py; the stream server is ivr/runtime/streams.py, started without this file).
"""
import gc


def pre_fork(server, worker):
    gc.freeze()


def post_worker_init(worker):
    config = getattr(worker.wsgi, "config", None)  # a Flask app; bench/bare_app.py's has nothing to serve
    if config is not None:
        config["CONSOLE_STREAMS"] = False
