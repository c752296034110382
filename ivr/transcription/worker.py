"""The transcription worker: one non-forking RQ worker that keeps the speech model loaded.

`python -m ivr worker` starts it beside the main worker (see `alongside`); it can also run on
its own, on another machine, with `python -m ivr.transcription worker`.
"""
from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys

from rq import SimpleWorker

from ivr.app.services import build_services
from ivr.app.settings import child_environment, load_settings
from ivr.jobs.runtime import install
from ivr.runtime.embedded import ensure_embedded_redis
from ivr.runtime.job_queue import transcription_queue
from ivr.runtime.redis_client import connect
from ivr.transcription.job import preload

log = logging.getLogger(__name__)


def work(burst: bool = False) -> int:
    """`python -m ivr.transcription worker`: the services and the speech model once, then the jobs."""
    settings = load_settings()
    if not settings.redis_url:
        settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
    install(build_services(settings))
    preload()  # the model once, for every job this process runs (SimpleWorker never forks)
    SimpleWorker([transcription_queue(settings.redis_url)], connection=connect(settings.redis_url)).work(
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
    child = subprocess.Popen([sys.executable, "-m", "ivr.transcription", "worker"], env=child_environment(REDIS_URL=settings.redis_url),
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
