"""A remote participant made of a real aiortc peer: what a native browser's PeerLink does,
with the SDP relayed by the test exactly as the page would relay it through the server."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from native_host.audio import peak_level
from native_host.synthetic import SyntheticAudioTrack, SyntheticVideoTrack, read_timestamp, stamp_ms


class RemoteParticipant:
    """Sends the synthetic camera and tone; counts what it decodes from the host."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_frames = 0
        self.audio_frames = 0
        self.audio_peak = 0.0
        self.last_luma = 0
        self.last_audio_peak = 0.0
        self.video_delays: list[float] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._sources = [SyntheticAudioTrack(), SyntheticVideoTrack()]
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._tasks.append(asyncio.ensure_future(self._consume(track)))

    async def _consume(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if isinstance(frame, av.VideoFrame):
                self.video_frames += 1
                plane = frame.planes[0]
                sent = read_timestamp(bytes(plane), frame.width, frame.height, plane.line_size)
                self.video_delays.append(((stamp_ms(time.time()) - sent) % (1 << 24)) / 1000)
                middle = bytes(plane)[plane.line_size * (frame.height // 2) :][: frame.width]
                self.last_luma = sum(middle) // len(middle)
            elif isinstance(frame, av.AudioFrame):
                self.audio_frames += 1
                self.last_audio_peak = peak_level(bytes(frame.planes[0]))
                self.audio_peak = max(self.audio_peak, self.last_audio_peak)

    def add_tracks(self) -> None:
        for track in self._sources:
            self.pc.addTrack(track)

    async def offer(self) -> dict[str, Any]:
        self.add_tracks()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return {"type": self.pc.localDescription.type, "sdp": self.pc.localDescription.sdp}

    async def accept(self, description: dict[str, Any]) -> dict[str, Any] | None:
        """setRemoteDescription; for an offer add tracks after it and return the answer (peer.js)."""
        await self.pc.setRemoteDescription(
            RTCSessionDescription(sdp=description["sdp"], type=description["type"])
        )
        if description["type"] != "offer":
            return None
        self.add_tracks()
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return {"type": self.pc.localDescription.type, "sdp": self.pc.localDescription.sdp}

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.pc.close()
        for track in self._sources:
            track.stop()


def split_candidates(sdp: str) -> tuple[str, list[dict[str, Any]]]:
    """The SDP without its candidate lines, and those candidates as trickled signals would carry
    them (so a test can trickle as a browser does, although aiortc itself does not)."""
    kept: list[str] = []
    candidates: list[dict[str, Any]] = []
    mline = -1
    mid: str | None = None
    for line in sdp.splitlines():
        if line.startswith("m="):
            mline += 1
            mid = None
        elif line.startswith("a=mid:"):
            mid = line[6:]
        if line.startswith("a=candidate:"):
            candidates.append({"candidate": line[2:], "sdp_mline_index": mline, "sdp_mid": mid})
            continue
        if line.startswith("a=end-of-candidates"):
            continue
        kept.append(line)
    # The mid line comes after the candidates in aiortc's SDP: fill it in afterwards.
    mids = [line[6:] for line in sdp.splitlines() if line.startswith("a=mid:")]
    for candidate in candidates:
        candidate["sdp_mid"] = mids[candidate["sdp_mline_index"]]
    return "\r\n".join(kept) + "\r\n", candidates
