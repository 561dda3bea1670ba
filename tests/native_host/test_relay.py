"""Remote video to JPEG frames: size cap, size ladder, and dropping instead of queueing."""

from __future__ import annotations

import asyncio
import base64
import os

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from native_host.framing import MAX_OUTGOING_BYTES, pack
from native_host.messages import Frame, encode
from native_host.relay import MAX_JPEG_BYTES, JpegEncoder, Ladder, VideoRelay
from native_host.synthetic import SyntheticVideoTrack
from tests.support.aio import run


def _noise(width: int, height: int) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane in frame.planes:
        plane.update(os.urandom(plane.buffer_size))
    return frame


def test_a_jpeg_over_the_cap_is_re_encoded_coarser_then_smaller() -> None:
    encoder = JpegEncoder(max_bytes=100_000)
    jpeg, width, height = encoder.encode(_noise(640, 360), 640)
    assert (width, height) == (640, 360) and len(jpeg) <= 100_000 and encoder.quality > 0
    jpeg, width, height = JpegEncoder(max_bytes=30_000).encode(_noise(640, 360), 640)
    assert len(jpeg) <= 30_000 and width < 640


def test_the_largest_frame_still_fits_the_browser_limit() -> None:
    jpeg, width, height = JpegEncoder().encode(_noise(1280, 720), 1280)
    assert len(jpeg) <= MAX_JPEG_BYTES
    message = Frame(
        peer_id="x" * 64,
        width=width,
        height=height,
        seq=1,
        captured_at=1.0,
        jpeg="A" * (MAX_JPEG_BYTES * 4 // 3 + 4),
    )
    assert len(pack(encode(message))) <= MAX_OUTGOING_BYTES + 4


def test_scaling_keeps_the_aspect_and_even_sizes() -> None:
    _, width, height = JpegEncoder().encode(_noise(640, 480), 321)
    assert (width, height) == (320, 240)


def test_the_ladder_shrinks_on_costly_encodes_and_grows_back_when_cheap() -> None:
    ladder = Ladder(max_width=640, interval=1 / 30)
    assert ladder.width == 640
    ladder.record(0.030, 0.0)
    assert ladder.width == 480
    for t in range(40):
        ladder.record(0.001, 1.0 + t * 0.1)
    assert ladder.width == 640


class _Burst(MediaStreamTrack):
    """Frames as fast as they can be pulled, then the end of the track."""

    kind = "video"

    def __init__(self, count: int) -> None:
        super().__init__()
        self._left = count
        self._source = SyntheticVideoTrack()

    async def recv(self) -> av.VideoFrame:
        if not self._left:
            raise MediaStreamError
        self._left -= 1
        frame = await self._source.recv()
        self._source._start = None  # no pacing: a burst
        self._source._count = 0
        await asyncio.sleep(0.001)
        assert isinstance(frame, av.VideoFrame)
        return frame


async def _slow_page(count: int) -> tuple[VideoRelay, list[Frame]]:
    sent: list[Frame] = []

    async def send(frame: Frame) -> None:
        await asyncio.sleep(0.05)  # a page that reads slowly
        sent.append(frame)

    relay = VideoRelay("p", _Burst(count), send, max_fps=1000)
    await relay.run()
    return relay, sent


def test_a_slow_page_gets_fewer_frames_never_a_queue() -> None:
    relay, sent = run(_slow_page(60))
    assert relay.frames_received == 60
    assert 0 < len(sent) < 30
    seqs = [f.seq for f in sent]
    assert seqs == sorted(seqs)
    assert base64.b64decode(sent[0].jpeg)[:2] == b"\xff\xd8"
