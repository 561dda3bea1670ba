"""Remote audio: play it on the default output device and report its level to the page.

Audio must be pulled even when it cannot be played (no sound card), or aiortc's queue grows
without end. Playback is fed from a short buffer that starts after ``PREBUFFER_SECONDS`` and drops
the oldest audio past ``MAX_BUFFER_SECONDS``, so speech neither crackles nor lags the picture.
"""

from __future__ import annotations

import array
import collections
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from native_host.messages import AudioLevel

log = logging.getLogger(__name__)

SAMPLE_RATE = 48000
CHANNELS = 2
LEVEL_INTERVAL = 0.2
MAX_BUFFER_SECONDS = 0.2
PREBUFFER_SECONDS = 0.06
"""Playback starts (and restarts after running dry) with this much queued: absorbs network jitter."""
_BYTES_PER_SECOND = SAMPLE_RATE * CHANNELS * 2

Send = Callable[[AudioLevel], Awaitable[None]]


def peak_level(pcm: bytes) -> float:
    """Peak of signed 16-bit samples, 0..1 (every 4th sample: enough for a meter)."""
    samples = array.array("h", pcm[: len(pcm) // 2 * 2])
    if not samples:
        return 0.0
    return max(abs(s) for s in samples[::4]) / 32768


class _Speaker:
    """One output stream on the default device; silent (logged once) when there is none."""

    def __init__(self, peer_id: str) -> None:
        self._buffer: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._playing = False
        self._lock = threading.Lock()
        self._stream: Any = None
        try:
            import sounddevice  # imported here: a missing libportaudio2 must not stop the host

            self._stream = sounddevice.RawOutputStream(
                samplerate=SAMPLE_RATE,
                channels=CHANNELS,
                dtype="int16",
                callback=self._fill,
                # A Python callback on a busy machine misses tight deadlines: ~100 ms of device
                # buffer trades a little delay for no crackle.
                latency="high",
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError, OSError (no libportaudio2): no sound, the call goes on
            log.warning("no audio output for %s: %s", peer_id, exc)
            self._stream = None

    def _fill(self, out: Any, frames: int, _time: Any, _status: Any) -> None:
        wanted = frames * CHANNELS * 2
        chunk = bytearray()
        with self._lock:
            if not self._playing and self._buffered >= PREBUFFER_SECONDS * _BYTES_PER_SECOND:
                self._playing = True
            while self._playing and self._buffer and len(chunk) < wanted:
                piece = self._buffer.popleft()
                take = piece[: wanted - len(chunk)]
                chunk += take
                if len(take) < len(piece):
                    self._buffer.appendleft(piece[len(take) :])
            self._buffered -= len(chunk)
            if len(chunk) < wanted:
                self._playing = False  # ran dry: wait for the prebuffer again instead of crackling
        out[:] = bytes(chunk) + bytes(wanted - len(chunk))

    def play(self, pcm: bytes) -> None:
        if self._stream is None:
            return
        with self._lock:
            self._buffer.append(pcm)
            self._buffered += len(pcm)
            while self._buffered > MAX_BUFFER_SECONDS * _BYTES_PER_SECOND and self._buffer:
                self._buffered -= len(self._buffer.popleft())

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()


class AudioSink:
    """Consumes one remote audio track: plays it and sends ``audio_level`` a few times a second."""

    def __init__(self, peer_id: str, track: MediaStreamTrack, send: Send, play: bool = True) -> None:
        self.peer_id = peer_id
        self._track = track
        self._send = send
        self._play = play
        self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=SAMPLE_RATE)
        self.frames_received = 0

    async def run(self) -> None:
        speaker = _Speaker(self.peer_id) if self._play else None
        peak = 0.0
        last_report = time.monotonic()
        try:
            while True:
                try:
                    frame = await self._track.recv()
                except MediaStreamError:
                    log.info("audio of %s ended", self.peer_id)
                    return
                assert isinstance(frame, av.AudioFrame)
                self.frames_received += 1
                for out in self._resampler.resample(frame):
                    pcm = bytes(out.planes[0])[: out.samples * CHANNELS * 2]
                    peak = max(peak, peak_level(pcm))
                    if speaker is not None:
                        speaker.play(pcm)
                now = time.monotonic()
                if now - last_report >= LEVEL_INTERVAL:
                    await self._send(AudioLevel(peer_id=self.peer_id, level=round(peak, 3)))
                    peak, last_report = 0.0, now
        finally:
            if speaker is not None:
                speaker.close()
