"""The embedded Redis used when REDIS_URL is unset: one per var/ directory, shared by local processes."""
from __future__ import annotations

import atexit
import fcntl
import logging
from pathlib import Path

import redis

from ivr.runtime.redis_server import RedisServer, RedisServerError

log = logging.getLogger(__name__)
DEFAULT_PORT = 6399


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def start_on(data_dir: Path, port: int | None) -> RedisServer:
    """A redis-server of our own on the usual port, or on any free one if that port is taken."""
    if port is not None and not _answers(f"redis://127.0.0.1:{port}/0"):
        try:
            return RedisServer(data_dir, port=port, appendonly=True).start()
        except RedisServerError:  # taken meanwhile (another nohold starting at the same moment)
            pass
    return RedisServer(data_dir, appendonly=True).start()


def ensure_embedded_redis(var_dir: Path, port: int = DEFAULT_PORT) -> str:
    """Reuses the embedded server of this var/ if it runs, else starts one that stops with us."""
    var_dir = Path(var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    url_file = var_dir / "redis.url"
    with open(var_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes starting at once agree on one server
        if url_file.exists() and _answers(url_file.read_text().strip()):
            return url_file.read_text().strip()
        server = start_on(var_dir / "redis", port)
        url_file.write_text(server.url)
    atexit.register(server.stop)
    log.warning("embedded redis-server started at %s (data in %s)", server.url, server.data_dir)
    return server.url
