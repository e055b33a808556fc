"""A TCP proxy on loopback that adds a fixed latency to every chunk in each direction (a slow office link).

Each chunk read from one side is delivered to the other side ``delay`` seconds after it arrived, in order; chunks
are not serialised behind each other's delay (like a link with that one-way latency and plenty of bandwidth). With
``delay=0.030`` every SQL round trip costs at least 60 ms more.

    with LatencyProxy("127.0.0.1", 5432, delay=0.030) as proxy:
        url = f"postgresql+psycopg://user@127.0.0.1:{proxy.port}/db"
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time


class LatencyProxy:
    def __init__(self, target_host: str, target_port: int, *, delay: float = 0.030) -> None:
        self.target = (target_host, target_port)
        self.delay = delay
        self.port = 0
        self.chunks = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None

    # --- public -----------------------------------------------------------------------------------------------

    def start(self) -> LatencyProxy:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        self._thread = threading.Thread(target=self._run, args=(sock,), name="latency-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the latency proxy did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the event loop thread --------------------------------------------------------------------------------

    def _run(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(asyncio.start_server(self._handle, sock=sock))
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        for sock_w in (client_w, server_w):
            raw = sock_w.get_extra_info("socket")
            if raw is not None:
                raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(self._pipe(client_r, server_w), self._pipe(server_r, client_w))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                self.chunks += 1
                await queue.put((time.monotonic() + self.delay, data))
                if not data:
                    break
            await sender
        except (ConnectionError, OSError):
            sender.cancel()
        finally:
            with contextlib.suppress(Exception):
                writer.close()
