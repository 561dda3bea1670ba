"""The synthetic camera and microphone (``MENDAN_BRIDGE_SOURCE=synthetic``).

Video: a bar sweeping across a grey gradient, 640x360 at 30 fps, with the capture time in
milliseconds written as 24 black/white blocks along the top edge, so a receiver can measure the
end-to-end delay from any decoded picture (``read_timestamp``). Audio: a 440 Hz tone.
Pure bytes arithmetic: no numpy, a few microseconds a frame.
"""

from __future__ import annotations

import array
import asyncio
import fractions
import math
import time

import av
from aiortc.mediastreams import MediaStreamTrack

WIDTH, HEIGHT, FPS = 640, 360, 30
SAMPLE_RATE, AUDIO_PTIME = 48000, 0.020
TONE_HZ = 440
STAMP_BITS = 24
_VIDEO_CLOCK = 90000
_BAND = HEIGHT // 10
_BAR = WIDTH // 16


def stamp_ms(now: float) -> int:
    """The capture time as the blocks carry it: milliseconds modulo 2**24 (about 4.6 hours)."""
    return int(now * 1000) % (1 << STAMP_BITS)


def _stamp_row(value: int, width: int) -> bytes:
    row = bytearray(width)
    block = width // (STAMP_BITS + 8)
    for bit in range(STAMP_BITS):
        if value >> (STAMP_BITS - 1 - bit) & 1:
            start = (bit + 4) * block
            row[start : start + block] = b"\xeb" * block
    return bytes(row)


def read_timestamp(luma: bytes, width: int, height: int, stride: int | None = None) -> int:
    """The value ``stamp_ms`` wrote, read back from a (possibly scaled, lossy) luma plane."""
    stride = stride or width
    y = (height // 10) // 2
    block = width / (STAMP_BITS + 8)
    value = 0
    for bit in range(STAMP_BITS):
        x = int((bit + 4 + 0.5) * block)
        value = value << 1 | (luma[y * stride + x] > 128)
    return value


class SyntheticVideoTrack(MediaStreamTrack):
    """A moving test pattern with the capture time stamped into each picture."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._gradient = bytes(16 + (180 * x) // WIDTH for x in range(WIDTH))
        self._chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
        self._start: float | None = None
        self._count = 0

    async def recv(self) -> av.VideoFrame:
        if self._start is None:
            self._start = time.time()
        due = self._start + self._count / FPS
        wait = due - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        now = time.time()
        x = (self._count * 8) % (WIDTH - _BAR)
        row = self._gradient[:x] + b"\xeb" * _BAR + self._gradient[x + _BAR :]
        luma = _stamp_row(stamp_ms(now), WIDTH) * _BAND + row * (HEIGHT - _BAND)
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        frame.planes[0].update(luma)
        frame.planes[1].update(self._chroma)
        frame.planes[2].update(self._chroma)
        frame.pts = self._count * (_VIDEO_CLOCK // FPS)
        frame.time_base = fractions.Fraction(1, _VIDEO_CLOCK)
        self._count += 1
        return frame


class SyntheticAudioTrack(MediaStreamTrack):
    """A steady 440 Hz tone, 20 ms frames of mono s16 at 48 kHz."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        # 440 whole cycles fit in one second, so one second of samples loops without a click.
        self._second = array.array(
            "h", (int(8000 * math.sin(2 * math.pi * TONE_HZ * n / SAMPLE_RATE)) for n in range(SAMPLE_RATE))
        ).tobytes()
        self._samples = int(SAMPLE_RATE * AUDIO_PTIME)
        self._start: float | None = None
        self._count = 0

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.time()
        wait = self._start + self._count * AUDIO_PTIME - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        offset = (self._count * self._samples) % SAMPLE_RATE * 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=self._samples)
        frame.planes[0].update(self._second[offset : offset + self._samples * 2])
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._count * self._samples
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self._count += 1
        return frame
