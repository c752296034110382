"""The transcription worker: one non-forking RQ worker that keeps the speech model loaded.

`python -m ivr worker` starts it beside the main worker (see `alongside`); it can also run on
its own, on another machine, with `python -m ivr.transcription worker`.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys

log = logging.getLogger(__name__)


def work(burst: bool = False) -> int:
    from rq import SimpleWorker

    from ivr.runtime.embedded import ensure_embedded_redis
    from ivr.runtime.redis_client import connect
    from ivr.app.settings import load_settings
    from ivr.transcription.job import preload, transcription_queue

    settings = load_settings()
    url = settings.redis_url or ensure_embedded_redis(settings.var_dir)
    os.environ["REDIS_URL"] = url
    preload()  # the model once, for every job this process runs (SimpleWorker never forks)
    SimpleWorker([transcription_queue(url)], connection=connect(url)).work(
        with_scheduler=True, burst=burst)  # the scheduler brings back retries when their backoff is over
    return 0


def die_with_parent() -> None:
    """In a child, before exec: the kernel sends it SIGTERM when its parent dies, even by kill -9, so a
    killed `python -m ivr worker` leaves no transcription worker behind (Linux; elsewhere a no-op)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextlib.contextmanager
def alongside(settings):
    """Runs a transcription worker process while the block runs (nothing when TRANSCRIPTION_ENGINE=off)."""
    if settings.transcription_engine == "off":
        yield None
        return
    child = subprocess.Popen([sys.executable, "-m", "ivr.transcription", "worker"], env=dict(os.environ),
                             preexec_fn=die_with_parent)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
