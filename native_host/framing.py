"""Native messaging framing: a 4-byte native-endian length, then UTF-8 JSON.

Reading never raises on bad input from the browser except through ``BridgeError`` (answered,
then the loop goes on) or returns ``None`` at EOF (the browser closed the port: exit cleanly).
Writing refuses frames over the browser's 1 MiB limit, because one such frame closes the port.
"""

from __future__ import annotations

import asyncio
import json
import logging
import struct
from typing import Any, Protocol

from pydantic import BaseModel

from native_host.errors import BridgeError
from native_host.messages import ErrorCode, encode

log = logging.getLogger(__name__)

HEADER = struct.Struct("=I")  # native byte order, as Chrome and Firefox write it
MAX_OUTGOING_BYTES = 1024 * 1024
"""Chrome closes the port on a host->browser message above 1 MiB (measured, docs/testing.md)."""
MAX_INCOMING_BYTES = 4 * 1024 * 1024
"""A page sends SDP and small commands; 4 MiB is far above any of them."""
_DISCARD_CHUNK = 64 * 1024


class Truncated(Exception):
    """The input ended inside a frame: the browser is gone, mid-write."""


def pack(body: bytes, limit: int = MAX_OUTGOING_BYTES) -> bytes:
    """One frame for ``body``; raises BridgeError(FRAME_TOO_LARGE) over ``limit``."""
    if len(body) > limit:
        raise BridgeError(ErrorCode.FRAME_TOO_LARGE, f"message of {len(body)} bytes is over {limit}")
    return HEADER.pack(len(body)) + body


def decode_body(body: bytes) -> dict[str, Any]:
    """The JSON object in a frame body, or BridgeError(MALFORMED_FRAME) saying why not."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BridgeError(ErrorCode.MALFORMED_FRAME, f"frame is not UTF-8 JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BridgeError(
            ErrorCode.MALFORMED_FRAME, f"frame holds a JSON {type(value).__name__}, not an object"
        )
    return value


class FrameReader:
    """Reads frames from the browser (the host's stdin)."""

    def __init__(self, stream: asyncio.StreamReader, limit: int = MAX_INCOMING_BYTES) -> None:
        self._stream = stream
        self._limit = limit

    async def read(self) -> dict[str, Any] | None:
        """The next message object; ``None`` at EOF; BridgeError for a frame that can be skipped.

        Raises Truncated when the input ends inside a frame.
        """
        try:
            header = await self._stream.readexactly(HEADER.size)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return None
            raise Truncated(f"input ended after {len(exc.partial)} of {HEADER.size} header bytes") from None
        (length,) = HEADER.unpack(header)
        if length > self._limit:
            # Skip the body so the next frame is read from its start; memory stays bounded.
            await self._discard(length)
            raise BridgeError(ErrorCode.FRAME_TOO_LARGE, f"frame of {length} bytes is over {self._limit}")
        try:
            body = await self._stream.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            raise Truncated(f"input ended after {len(exc.partial)} of {length} body bytes") from None
        return decode_body(body)

    async def _discard(self, length: int) -> None:
        left = length
        while left:
            chunk = await self._stream.read(min(left, _DISCARD_CHUNK))
            if not chunk:
                raise Truncated(f"input ended inside an oversized frame of {length} bytes")
            left -= len(chunk)


class _Writer(Protocol):
    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...


class FrameWriter:
    """Writes frames to the browser (the host's stdout); one frame at a time, in order."""

    def __init__(self, writer: _Writer, limit: int = MAX_OUTGOING_BYTES) -> None:
        self._writer = writer
        self._limit = limit
        self._lock = asyncio.Lock()
        self.closed = False

    async def send(self, message: BaseModel) -> None:
        """Write one message; BridgeError(FRAME_TOO_LARGE) if it would break the port."""
        frame = pack(encode(message), self._limit)
        async with self._lock:
            if self.closed:
                return
            try:
                self._writer.write(frame)
                await self._writer.drain()
            except (ConnectionError, BrokenPipeError) as exc:
                # The browser closed the port; the reader sees EOF and ends the host.
                log.info("stdout closed: %s", exc)
                self.closed = True
