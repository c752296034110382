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


def ensure_embedded_redis(var_dir: Path, port: int = DEFAULT_PORT) -> str:
    """Reuses the embedded server of this var/ if it runs, else starts one that stops with us."""
    var_dir = Path(var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    url_file = var_dir / "redis.url"
    with open(var_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes starting at once agree on one server
        if url_file.exists() and _answers(url_file.read_text().strip()):
            return url_file.read_text().strip()
        try:
            server = RedisServer(var_dir / "redis", port=port, appendonly=True).start()
        except RedisServerError:  # the usual port is taken by something else: any free one will do
            server = RedisServer(var_dir / "redis", appendonly=True).start()
        url_file.write_text(server.url)
    atexit.register(server.stop)
    log.warning("embedded redis-server started at %s (data in %s)", server.url, server.data_dir)
    return server.url
