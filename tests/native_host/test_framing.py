"""Framing: every bad frame is answered or ends the host cleanly, never a traceback."""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

import pytest

from native_host.errors import BridgeError
from native_host.framing import MAX_OUTGOING_BYTES, FrameReader, FrameWriter, Truncated, pack
from native_host.messages import ErrorCode, Ok
from tests.support.aio import run


def frame(obj: Any) -> bytes:
    body = json.dumps(obj).encode()
    return struct.pack("=I", len(body)) + body


async def _read_all(data: bytes, limit: int = 4 * 1024 * 1024) -> list[Any]:
    """Every outcome of reading ``data``: objects, BridgeError codes, 'truncated', then 'eof'."""
    stream = asyncio.StreamReader()
    stream.feed_data(data)
    stream.feed_eof()
    reader = FrameReader(stream, limit)
    out: list[Any] = []
    while True:
        try:
            value = await reader.read()
        except BridgeError as exc:
            out.append(exc.code)
            continue
        except Truncated:
            out.append("truncated")
            return out
        if value is None:
            out.append("eof")
            return out
        out.append(value)


def read_all(data: bytes, limit: int = 4 * 1024 * 1024) -> list[Any]:
    return run(_read_all(data, limit))


def test_reads_frames_in_order_then_eof() -> None:
    assert read_all(frame({"a": 1}) + frame({"b": "日本語"})) == [{"a": 1}, {"b": "日本語"}, "eof"]


def test_empty_input_is_a_clean_eof() -> None:
    assert read_all(b"") == ["eof"]


def test_truncated_header_and_body() -> None:
    assert read_all(b"\x05\x00") == ["truncated"]
    assert read_all(frame({"a": 1})[:-2]) == ["truncated"]


def test_oversized_frame_is_skipped_and_the_next_one_read() -> None:
    big = frame({"x": "y" * 200})
    assert read_all(big + frame({"ok": True}), limit=100) == [ErrorCode.FRAME_TOO_LARGE, {"ok": True}, "eof"]


def test_oversized_length_without_body_ends_as_truncated() -> None:
    assert read_all(struct.pack("=I", 0xFFFFFFFF) + b"abc") == ["truncated"]


def test_non_json_and_non_object_are_answered_and_reading_goes_on() -> None:
    bad_utf8 = struct.pack("=I", 2) + b"\xff\xfe"
    not_json = struct.pack("=I", 3) + b"{x}"
    empty = struct.pack("=I", 0)
    data = bad_utf8 + not_json + empty + frame([1, 2]) + frame("s") + frame({"fine": 1})
    assert read_all(data) == [ErrorCode.MALFORMED_FRAME] * 5 + [{"fine": 1}, "eof"]


def test_pack_refuses_frames_the_browser_would_reject() -> None:
    assert len(pack(b"x" * MAX_OUTGOING_BYTES)) == MAX_OUTGOING_BYTES + 4
    with pytest.raises(BridgeError) as info:
        pack(b"x" * (MAX_OUTGOING_BYTES + 1))
    assert info.value.code == ErrorCode.FRAME_TOO_LARGE


class _Sink:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data

    async def drain(self) -> None:
        return None


def test_writer_writes_native_endian_length_and_compact_json() -> None:
    sink = _Sink()
    run(FrameWriter(sink).send(Ok(request_id="r1")))
    (length,) = struct.unpack("=I", sink.data[:4])
    assert json.loads(sink.data[4 : 4 + length]) == {"v": 1, "type": "ok", "request_id": "r1"}
    assert len(sink.data) == 4 + length
