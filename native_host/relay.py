"""Remote video to the page: decoded frames become JPEG ``frame`` messages.

Latency beats smoothness: one task keeps only the newest decoded frame, another encodes and sends
it as soon as the previous one has left. A page that reads slowly gets fewer frames, never old
ones. When encoding and sending take longer than the frame interval the picture shrinks (and
grows back when there is room); a JPEG over the size cap is re-encoded at a coarser quality.
"""

from __future__ import annotations

import asyncio
import base64
import fractions
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from native_host.messages import Frame

log = logging.getLogger(__name__)

MAX_JPEG_BYTES = 512 * 1024
"""Base64 makes 4/3 of this, plus JSON: the frame stays well under the browser's 1 MiB."""
WIDTHS = (1280, 960, 640, 480, 320, 240)
QUALITIES = (4, 6, 9, 14, 20, 31)
"""mjpeg qscale, best first; 4 looks like a browser's JPEG at about 85."""

Send = Callable[[Frame], Awaitable[None]]
_TIME_BASE = fractions.Fraction(1, 30)


@dataclass
class Ladder:
    """Picks the picture width from the CPU one encode takes: down when it would eat half the frame
    interval, up when it stays far below. CPU time, not wall time: on a busy machine waiting for a
    core says nothing about the picture size, and shrinking it would only lose detail."""

    max_width: int
    interval: float
    step: int = 0
    _cost: float = 0.0
    _cheap_since: float | None = field(default=None)

    def __post_init__(self) -> None:
        self._widths = [w for w in WIDTHS if w <= self.max_width] or [WIDTHS[-1]]

    @property
    def width(self) -> int:
        return self._widths[self.step]

    def record(self, cost: float, now: float) -> None:
        """Feed the CPU seconds one frame took to scale and encode."""
        self._cost = cost if not self._cost else 0.8 * self._cost + 0.2 * cost
        if self._cost > 0.5 * self.interval and self.step < len(self._widths) - 1:
            self.step += 1
            self._cost = 0.0
            self._cheap_since = None
            log.info("encoding costs %.1f ms of CPU: width down to %d", cost * 1000, self.width)
        elif self._cost < 0.2 * self.interval and self.step > 0:
            if self._cheap_since is None:
                self._cheap_since = now
            elif now - self._cheap_since > 2.0:
                self.step -= 1
                self._cheap_since = None
                log.info("frames are cheap: width up to %d", self.width)
        else:
            self._cheap_since = None


class JpegEncoder:
    """Scales a decoded frame and encodes it as one JPEG under ``max_bytes``."""

    def __init__(self, max_bytes: int = MAX_JPEG_BYTES) -> None:
        self.max_bytes = max_bytes
        self.quality = 0
        self.cpu_seconds = 0.0
        self._pts = 0
        self._contexts: dict[tuple[int, int, int], av.VideoCodecContext] = {}

    def _context(self, width: int, height: int) -> av.VideoCodecContext:
        key = (width, height, self.quality)
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = av.CodecContext.create("mjpeg", "w")
            assert isinstance(ctx, av.VideoCodecContext)
            ctx.width, ctx.height, ctx.pix_fmt = width, height, "yuvj420p"
            ctx.time_base = _TIME_BASE
            ctx.qmin = ctx.qmax = QUALITIES[self.quality]
            ctx.open()
            self._contexts = {key: ctx}  # sizes change rarely: keep only the current one
        return ctx

    def encode(self, frame: av.VideoFrame, max_width: int) -> tuple[bytes, int, int]:
        """(jpeg, width, height): at most ``max_width`` wide, aspect kept, even dimensions.

        ``cpu_seconds`` then holds the thread CPU time it took.
        """
        started = time.thread_time()
        try:
            return self._encode(frame, max_width)
        finally:
            self.cpu_seconds = time.thread_time() - started

    def _encode(self, frame: av.VideoFrame, max_width: int) -> tuple[bytes, int, int]:
        width = min(frame.width, max_width) // 2 * 2
        while True:
            height = max(2, round(frame.height * width / frame.width) // 2 * 2)
            scaled = frame.reformat(width=width, height=height, format="yuvj420p")
            # The encoder refuses a frame without a pts newer than the last one.
            self._pts += 1
            scaled.pts = self._pts
            scaled.time_base = _TIME_BASE  # else PyAV rescales the pts and may repeat one
            data = b"".join(bytes(p) for p in self._context(width, height).encode(scaled))
            if len(data) <= self.max_bytes:
                if len(data) < self.max_bytes // 4 and self.quality > 0:
                    self.quality -= 1  # the picture calmed down: finer from the next frame on
                return data, width, height
            if self.quality < len(QUALITIES) - 1:
                self.quality += 1
                log.info("JPEG of %d bytes over the cap: quality step %d", len(data), self.quality)
            elif width > WIDTHS[-1]:
                width = width // 4 * 2  # coarsest quality and still too big: half the size
            else:
                return data, width, height  # a 240 px JPEG is far below any cap the host uses


class VideoRelay:
    """Turns one remote video track into ``frame`` messages for ``peer_id``."""

    def __init__(
        self,
        peer_id: str,
        track: MediaStreamTrack,
        send: Send,
        max_width: int = 640,
        max_fps: float = 30.0,
        stream_id: str | None = None,
    ) -> None:
        self.peer_id = peer_id
        self.stream_id = stream_id
        self._track = track
        self._send = send
        self._ladder = Ladder(max_width, 1.0 / max_fps)
        self._min_interval = 1.0 / max_fps
        self._encoder = JpegEncoder()
        self._latest: tuple[av.VideoFrame, float] | None = None
        self._fresh = asyncio.Event()
        self.frames_received = 0
        self.frames_sent = 0

    async def run(self) -> None:
        """Relay until the track ends; cancelling stops it."""
        pusher = asyncio.create_task(self._push(), name=f"relay-push-{self.peer_id}")
        puller = asyncio.create_task(self._pull(), name=f"relay-pull-{self.peer_id}")
        try:
            # Whichever ends first ends both; a failure in either is raised here, not lost.
            done, _ = await asyncio.wait((pusher, puller), return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            pusher.cancel()
            puller.cancel()

    async def _pull(self) -> None:
        while True:
            try:
                frame = await self._track.recv()
            except MediaStreamError:
                log.info("video of %s ended", self.peer_id)
                return
            assert isinstance(frame, av.VideoFrame)
            self.frames_received += 1
            self._latest = (frame, time.time())  # an unsent older frame is dropped here
            self._fresh.set()

    async def _push(self) -> None:
        seq = 0
        next_allowed = 0.0
        while True:
            await self._fresh.wait()
            # Never faster than max_fps (the preview asks for fewer frames than remote streams);
            # wait before taking the frame, so the one taken is the newest.
            delay = next_allowed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._fresh.clear()
            if self._latest is None:
                continue
            frame, captured_at = self._latest
            self._latest = None
            next_allowed = time.monotonic() + self._min_interval
            jpeg, width, height = await asyncio.to_thread(self._encoder.encode, frame, self._ladder.width)
            seq += 1
            await self._send(
                Frame(
                    peer_id=self.peer_id,
                    stream_id=self.stream_id,
                    width=width,
                    height=height,
                    seq=seq,
                    captured_at=captured_at,
                    jpeg=base64.b64encode(jpeg).decode("ascii"),
                )
            )
            self.frames_sent += 1
            self._ladder.record(self._encoder.cpu_seconds, time.monotonic())
