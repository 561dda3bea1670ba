"""A tiny TCP load balancer for tests, as a deployment puts one in front of its instances.

Each new connection goes to the first backend in the preference order that accepts it; bytes are
piped both ways; when either side closes, so does the other. Pages keep their one origin (the
balancer's) and their WebSocket re-joins land on whichever instance is alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from concurrent.futures import Future

from tests.support.server import free_port


class FailoverBalancer:
    """Listens on a free loopback port in a thread of its own; ``url`` is what browsers open."""

    def __init__(self, backend_ports: list[int]) -> None:
        self.backend_ports = backend_ports
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.routed: list[int] = []
        self._loop = asyncio.new_event_loop()
        self._ready: Future[None] = Future()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(
            target=self._loop.run_until_complete, args=(self._serve(),), daemon=True
        )

    def start(self) -> FailoverBalancer:
        self._thread.start()
        self._ready.result(timeout=10)
        return self

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self._ready.set_result(None)
        async with server:
            await self._stop.wait()
        server.close()
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        for port in self.backend_ports:
            try:
                backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue  # that instance is down: try the next
            self.routed.append(port)
            await asyncio.gather(
                self._pipe(client_reader, backend_writer), self._pipe(backend_reader, client_writer)
            )
            return
        client_writer.close()

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

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        self._loop.close()
