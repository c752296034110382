"""gunicorn hooks for `make run` (`-c python:ivr.gunicorn_conf`).

With `--preload` the master builds the app (and loads the intent model) before forking. Freezing the
garbage collector's view of everything built so far keeps those objects out of every later
collection in the workers: the collector never writes to their pages (so they stay shared with the
master instead of being copied into each worker) and never spends time walking them.
"""
import gc


def pre_fork(server, worker):
    gc.freeze()
