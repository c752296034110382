"""A TCP proxy that can hold every byte sent to the server for a while: Redis made slow on demand.

    with SlowProxy(6379) as proxy:      # clients connect to proxy.port instead
        proxy.delay = 3.0               # from now on each chunk sent to Redis waits 3 s (order kept)
        proxy.delay = 0.0               # and back to normal

Replies are not delayed: a held request is enough to hold its answer. It runs its own asyncio loop in a
thread, so a test (or several client threads) can drive it from ordinary code.
"""
from __future__ import annotations

import asyncio
import threading
import time


class SlowProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.delay = 0.0
        self.port = 0
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="slow-proxy", daemon=True)
        self._server = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "SlowProxy":
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop).result(5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close():
            self._server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> "SlowProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    async def _serve(self, client_reader, client_writer) -> None:
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        held: asyncio.Queue = asyncio.Queue()
        tasks = [asyncio.ensure_future(self._hold(client_reader, held)),
                 asyncio.ensure_future(self._release(held, server_writer)),
                 asyncio.ensure_future(self._pipe(server_reader, client_writer))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for writer in (client_writer, server_writer):
            writer.close()

    async def _hold(self, reader, held: asyncio.Queue) -> None:
        """Client → proxy: stamp each chunk with the time it may go on."""
        while data := await reader.read(65536):
            held.put_nowait((time.monotonic() + self.delay, data))
        held.put_nowait((0.0, b""))

    @staticmethod
    async def _release(held: asyncio.Queue, writer) -> None:
        while True:
            due, data = await held.get()
            if not data:
                return
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    @staticmethod
    async def _pipe(reader, writer) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
