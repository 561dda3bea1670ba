"""Camera and microphone: the OS devices through ffmpeg (aiortc's MediaPlayer), or the synthetic
source when ``MENDAN_BRIDGE_SOURCE=synthetic``.

Each peer gets its own view of the one capture (aiortc's MediaRelay), so three remote participants
do not open the camera three times. Turning the camera or mic off swaps in black frames or
silence without renegotiating, as ``track.enabled = false`` does in a browser.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass

import av
from aiortc.contrib.media import MediaPlayer, MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from native_host.errors import BridgeError
from native_host.messages import ErrorCode
from native_host.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

log = logging.getLogger(__name__)

SOURCE_ENV = "MENDAN_BRIDGE_SOURCE"


@dataclass(frozen=True)
class DeviceSpec:
    """How ffmpeg opens a device on one OS: file name, input format, options."""

    file: str
    format: str
    options: dict[str, str]


def default_devices(
    platform: str, video_device: str | None = None, audio_device: str | None = None
) -> tuple[DeviceSpec | None, DeviceSpec | None]:
    """The (camera, mic) ffmpeg inputs for ``platform``; None where the OS needs a configured name."""
    # 640x480 at 30 fps: the mode nearly every webcam offers (aiortc's webcam example uses it).
    video_options = {"framerate": "30", "video_size": "640x480"}
    if platform == "darwin":
        # avfoundation opens camera and mic by index: "video:audio".
        return (
            DeviceSpec(f"{video_device or 'default'}:none", "avfoundation", video_options),
            DeviceSpec(f"none:{audio_device or 'default'}", "avfoundation", {}),
        )
    if platform == "win32":
        # dshow has no "default" device; names come from config.json (video_device/audio_device).
        video = DeviceSpec(f"video={video_device}", "dshow", video_options) if video_device else None
        audio = DeviceSpec(f"audio={audio_device}", "dshow", {}) if audio_device else None
        return video, audio
    return (
        DeviceSpec(video_device or "/dev/video0", "v4l2", video_options),
        DeviceSpec(audio_device or "default", "alsa", {}),
    )


class SwitchableTrack(MediaStreamTrack):
    """Passes a source track through, or black frames / silence while switched off."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self.live = True

    async def recv(self) -> av.VideoFrame | av.AudioFrame:
        # Keep pulling from the source even while off, so its clock and pacing stay real time.
        frame = await self._source.recv()
        assert isinstance(frame, av.VideoFrame | av.AudioFrame)
        if self.live:
            return frame
        if isinstance(frame, av.VideoFrame):
            black = av.VideoFrame(frame.width, frame.height, "yuv420p")
            for plane, value in zip(black.planes, (16, 128, 128), strict=True):
                plane.update(bytes([value]) * plane.buffer_size)
            black.pts, black.time_base = frame.pts, frame.time_base
            return black
        assert isinstance(frame, av.AudioFrame)
        silent = av.AudioFrame(format=frame.format.name, layout=frame.layout.name, samples=frame.samples)
        for audio_plane in silent.planes:
            audio_plane.update(bytes(audio_plane.buffer_size))
        silent.pts, silent.time_base, silent.sample_rate = frame.pts, frame.time_base, frame.sample_rate
        return silent

    def stop(self) -> None:
        super().stop()
        self._source.stop()


class LocalMedia:
    """The host's camera and mic while a meeting runs; ``subscribe`` gives a peer its tracks."""

    def __init__(self, video: MediaStreamTrack | None, audio: MediaStreamTrack | None) -> None:
        self._relay = MediaRelay()
        self.video = SwitchableTrack(video) if video else None
        self.audio = SwitchableTrack(audio) if audio else None

    def tracks(self) -> list[MediaStreamTrack]:
        """One fresh view of each local track, for one peer connection or the preview."""
        return [self._relay.subscribe(t, buffered=False) for t in (self.audio, self.video) if t is not None]

    def preview(self) -> MediaStreamTrack | None:
        return self._relay.subscribe(self.video, buffered=False) if self.video else None

    def set_enabled(self, camera: bool, mic: bool) -> None:
        if self.video:
            self.video.live = camera
        if self.audio:
            self.audio.live = mic

    def stop(self) -> None:
        for track in (self.video, self.audio):
            if track is not None:
                track.stop()


def _open(spec: DeviceSpec, kind: str) -> MediaStreamTrack:
    try:
        player = MediaPlayer(spec.file, format=spec.format, options=spec.options)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise BridgeError(
            ErrorCode.MEDIA_UNAVAILABLE, f"cannot open {kind} {spec.file} ({spec.format}): {exc}"
        ) from exc
    track = player.video if kind == "camera" else player.audio
    if track is None:
        raise BridgeError(ErrorCode.MEDIA_UNAVAILABLE, f"{spec.file} ({spec.format}) has no {kind} stream")
    return track


def open_media(
    camera: bool, mic: bool, video_device: str | None = None, audio_device: str | None = None
) -> LocalMedia:
    """Start capture; BridgeError(MEDIA_UNAVAILABLE) naming the device that failed."""
    if os.environ.get(SOURCE_ENV) == "synthetic":
        log.info("using the synthetic source (%s=synthetic)", SOURCE_ENV)
        return LocalMedia(SyntheticVideoTrack() if camera else None, SyntheticAudioTrack() if mic else None)
    video_spec, audio_spec = default_devices(sys.platform, video_device, audio_device)
    video = audio = None
    if camera:
        if video_spec is None:
            raise BridgeError(
                ErrorCode.MEDIA_UNAVAILABLE, "no camera configured (video_device in config.json)"
            )
        video = _open(video_spec, "camera")
    if mic:
        if audio_spec is None:
            raise BridgeError(
                ErrorCode.MEDIA_UNAVAILABLE, "no microphone configured (audio_device in config.json)"
            )
        try:
            audio = _open(audio_spec, "microphone")
        except BridgeError:
            if video is not None:
                video.stop()
            raise
    return LocalMedia(video, audio)
