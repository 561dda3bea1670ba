"""WebM as MediaRecorder writes it (live: no duration, no cues), made with PyAV, and its chunks."""

from __future__ import annotations

import fractions
import io
import math
import struct
import time
from typing import Any

import av
import httpx
from PIL import Image

from tests.support.clients import Rep, issue_number
from tests.support.server import MendanServer


def live_webm(seconds: float, width: int = 320, height: int = 240, fps: int = 15) -> bytes:
    """VP8 + Opus in a live WebM stream, a moving colour and a tone, ``seconds`` long."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm", options={"live": "1"}) as out:
        video = out.add_stream("libvpx", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.bit_rate = 300_000
        video.options = {"g": str(fps * 2)}  # a keyframe every 2 s, like Chromium's recorder
        audio = out.add_stream("libopus", rate=48000)
        audio.layout = "mono"
        for index in range(int(seconds * fps)):
            frame = av.VideoFrame.from_image(Image.new("RGB", (width, height), ((index * 7) % 256, 90, 160)))
            frame.pts, frame.time_base = index, fractions.Fraction(1, fps)
            out.mux(video.encode(frame))
        # 480 Hz: a whole number of periods in every 960-sample frame, so one block serves all.
        pcm = b"".join(
            struct.pack("<h", int(6000 * math.sin(2 * math.pi * 480 * k / 48000))) for k in range(960)
        )
        for start in range(0, int(seconds * 48000), 960):
            sound = av.AudioFrame(format="s16", layout="mono", samples=960)
            sound.planes[0].update(pcm)
            sound.sample_rate, sound.pts, sound.time_base = 48000, start, fractions.Fraction(1, 48000)
            out.mux(audio.encode(sound))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))
    return buffer.getvalue()


def split(data: bytes, parts: int) -> list[bytes]:
    """Cut a byte stream anywhere, as MediaRecorder's timeslices cut it (not on element borders)."""
    size = math.ceil(len(data) / parts)
    return [data[i : i + size] for i in range(0, len(data), size)]


class Recorder:
    """A rep's recording over HTTP: start, chunks, finish, wait until it is finished."""

    def __init__(self, rep: Rep, server: MendanServer) -> None:
        self.rep = rep
        self.http: httpx.Client = rep.http
        number = issue_number(server)["number"]
        claimed = rep.claim(number, recording=True)
        assert claimed.status_code == 200, claimed.text
        self.meeting_id: str = claimed.json()["meeting_id"]

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.rep.csrf}

    def start(self) -> httpx.Response:
        return self.http.post("/api/recordings", json={"meeting_id": self.meeting_id}, headers=self.headers())

    def started(self) -> str:
        response = self.start()
        assert response.status_code == 201, response.text
        recording_id: str = response.json()["recording"]["id"]
        return recording_id

    def put(self, recording_id: str, seq: int, data: bytes) -> httpx.Response:
        return self.http.put(
            f"/api/recordings/{recording_id}/chunks/{seq}", content=data, headers=self.headers()
        )

    def finish(self, recording_id: str, chunks: int, reason: str = "stopped") -> httpx.Response:
        return self.http.post(
            f"/api/recordings/{recording_id}/finish",
            json={"chunks": chunks, "reason": reason},
            headers=self.headers(),
        )

    def state(self, recording_id: str) -> dict[str, Any]:
        response = self.http.get(f"/api/recordings/{recording_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait_finished(self, recording_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            recording: dict[str, Any] = self.state(recording_id)["recording"]
            if recording["state"] in ("ready", "failed"):
                return recording
            time.sleep(0.2)
        raise AssertionError(f"recording {recording_id} not finished after {timeout} s")

    def usage(self) -> dict[str, Any]:
        usage: dict[str, Any] = self.http.get("/api/recordings/usage").json()["usage"]
        return usage


def probe(data: bytes) -> tuple[float, int]:
    """(duration in seconds from the container, video frames decoded) of a WebM file's bytes."""
    with av.open(io.BytesIO(data)) as container:
        duration = (container.duration or 0) / av.time_base
        frames = sum(1 for _ in container.decode(video=0))
    return duration, frames
