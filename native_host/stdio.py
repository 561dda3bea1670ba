"""The browser's pipes as asyncio streams, on every OS.

A thread does blocking reads of stdin and feeds an asyncio StreamReader (Windows' proactor loop
cannot wrap an inherited pipe); writes go to a private duplicate of stdout, and fd 1 itself is
pointed at stderr, so a stray ``print`` or C library message can never corrupt the channel.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading


def take_stdout() -> int:
    """A private fd for frames; fd 1 and ``sys.stdout`` then write to stderr."""
    sys.stdout.flush()
    frames = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _binary(0)
    _binary(frames)
    return frames


def _binary(fd: int) -> None:
    # Windows opens the standard fds in text mode: CRLF translation would corrupt the lengths.
    if sys.platform == "win32":
        import msvcrt

        msvcrt.setmode(fd, os.O_BINARY)


def stdin_reader(loop: asyncio.AbstractEventLoop, fd: int = 0) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=2**24)

    def pump() -> None:
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                loop.call_soon_threadsafe(reader.feed_eof)
                return
            loop.call_soon_threadsafe(reader.feed_data, data)

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    return reader


class FdWriter:
    """``write`` + ``drain`` over a blocking fd; drain runs in a thread so the loop never blocks."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pending = bytearray()

    def write(self, data: bytes) -> None:
        self._pending += data

    async def drain(self) -> None:
        data, self._pending = bytes(self._pending), bytearray()
        if data:
            await asyncio.to_thread(self._write_all, data)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
