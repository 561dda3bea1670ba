"""A TCP proxy on loopback for tests: a failover load balancer, or a company proxy refusing WebSocket.

Each new connection goes to the first backend in the preference order that accepts it; bytes are
piped both ways; when either side closes, so does the other. Pages keep their one origin (the
proxy's) and their WebSocket re-joins land on whichever instance is alive. With
``refuse_websocket`` it answers every WebSocket upgrade with 403, as some company proxies do.

Every accepted socket is closed on stop, also one whose handler never got to run: a socket left to
the garbage collector turns into a ResourceWarning in whichever later test happens to collect it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager

from tests.support.server import free_port

REFUSAL = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class TcpProxy:
    """Listens on a free loopback port in a thread of its own; ``url`` is what browsers open."""

    def __init__(self, backend_ports: list[int], *, refuse_websocket: bool = False) -> None:
        self.backend_ports = backend_ports
        self.refuse_websocket = refuse_websocket
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.routed: list[int] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready: Future[None] = Future()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(
            target=self._loop.run_until_complete, args=(self._serve(),), daemon=True
        )

    def start(self) -> TcpProxy:
        self._thread.start()
        self._ready.result(timeout=10)
        return self

    def stop(self) -> None:
        if self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        if not self._loop.is_closed():
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._accepted, "127.0.0.1", self.port)
        self._ready.set_result(None)
        await self._stop.wait()
        server.close()
        await server.wait_closed()
        await asyncio.sleep(0)  # handlers of connections accepted just now take their first step
        for writer in list(self._writers):
            writer.transport.abort()
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for writer in list(self._writers):
            writer.transport.abort()

    def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> asyncio.Task[None]:
        # Registered here, synchronously: a handler task cancelled before it ran still gets closed.
        self._writers.add(writer)
        return asyncio.ensure_future(self._handle(reader, writer))

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            head = b""
            if self.refuse_websocket:
                head = await client_reader.readuntil(b"\r\n\r\n")
                if b"upgrade: websocket" in head.lower():
                    client_writer.write(REFUSAL)
                    await client_writer.drain()
                    return
            for port in self.backend_ports:
                try:
                    backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    continue  # that instance is down: try the next
                self._writers.add(backend_writer)
                self.routed.append(port)
                backend_writer.write(head)
                await asyncio.gather(
                    self._pipe(client_reader, backend_writer), self._pipe(backend_reader, client_writer)
                )
                return
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            client_writer.close()  # flushes a refusal, then closes

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()


@contextmanager
def websocket_blocking_proxy(upstream_port: int) -> Iterator[str]:
    """Yields the proxy's base URL; HTTP goes through to the server, WebSocket upgrades get 403."""
    proxy = TcpProxy([upstream_port], refuse_websocket=True).start()
    try:
        yield proxy.url
    finally:
        proxy.stop()
