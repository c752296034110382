"""Streams like a console's EventSource: the stand-ins for agents' browsers that hold /console/events open."""
from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass, field

RETRY_S = 1.0  # what the stream's `retry:` asks of EventSource
CLIENT_NICE = 10


@dataclass
class Stream:
    index: int
    cookie: str
    conn: int = 0                 # connections that got a 200
    connected: bool = False
    first_event: float | None = None
    statuses: dict = field(default_factory=dict)   # non-200 answers by code
    errors: int = 0
    seen: dict = field(default_factory=dict)       # marker -> (seconds after it was enqueued, same connection)


class StreamClients:
    """Streams like a console's EventSource, on one asyncio loop in a thread of its own."""

    def __init__(self, host: str, port: int, path: str, origin: str):
        self.host, self.port, self.path, self.origin = host, port, path, origin
        self.streams: list[Stream] = []
        self.markers: dict[str, tuple[float, list]] = {}  # marker -> (t0, each stream's connection at t0)
        self.stopping = False
        self.tasks: list = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._loop, name="stream-clients", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        # these clients stand for browsers on other machines: on this one they yield the cores to the
        # servers measured (this thread only; Linux gives threads their own nice value). Their CPU is reported.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CLIENT_NICE)
        self.loop.run_forever()

    def add(self, cookies: list[str], timeout: float = 120.0) -> float:
        """Opens one stream per cookie, 50 at a time; seconds until all had their first event."""
        started = time.monotonic()
        for i in range(0, len(cookies), 50):
            batch = [Stream(len(self.streams) + n, cookie) for n, cookie in enumerate(cookies[i:i + 50])]
            self.streams += batch
            # kept: the loop holds its tasks weakly, and a collected task would drop its stream mid-run
            self.tasks += [asyncio.run_coroutine_threadsafe(self._run(stream), self.loop) for stream in batch]
            while any(s.first_event is None for s in batch) and time.monotonic() - started < timeout:
                time.sleep(0.05)
        if any(s.first_event is None for s in self.streams):
            raise RuntimeError(f"{sum(s.first_event is None for s in self.streams)} streams never got an event; "
                               f"answers {self.statuses()}")
        return time.monotonic() - started

    def mark(self, marker: str) -> None:
        """Call just before the change that shows `marker` is made."""
        self.markers[marker] = (time.monotonic(), [s.conn if s.connected else None for s in self.streams])

    def statuses(self) -> dict:
        out: dict = {}
        for s in self.streams:
            for code, n in s.statuses.items():
                out[code] = out.get(code, 0) + n
        return out

    async def _run(self, s: Stream) -> None:
        request = (f"GET {self.path} HTTP/1.0\r\nHost: {self.host}:{self.port}\r\nAccept: text/event-stream\r\n"
                   f"Origin: {self.origin}\r\nCookie: {s.cookie}\r\n\r\n").encode()
        while not self.stopping:
            writer = None
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 24)
                writer.write(request)
                code = int((await reader.readline()).split()[1])
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                if code != 200:
                    s.statuses[code] = s.statuses.get(code, 0) + 1
                else:
                    s.conn, s.connected = s.conn + 1, True
                    while line := await reader.readline():
                        if line.startswith(b"data: "):
                            self._saw(s, line, time.monotonic())
            except (OSError, ValueError, IndexError):
                s.errors += 1
            finally:
                s.connected = False
                if writer is not None:
                    writer.close()
            await asyncio.sleep(RETRY_S)

    def _saw(self, s: Stream, line: bytes, now: float) -> None:
        if s.first_event is None:
            s.first_event = now
        for marker, (t0, at_t0) in list(self.markers.items()):
            if marker not in s.seen and marker.encode() in line:
                s.seen[marker] = (now - t0, s.index < len(at_t0) and at_t0[s.index] == s.conn)

    def close(self) -> None:
        self.stopping = True

        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

