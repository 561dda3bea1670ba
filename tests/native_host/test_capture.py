"""Which device each OS opens, the synthetic source, and switching camera and mic off."""

from __future__ import annotations

import av
import pytest

from native_host.capture import LocalMedia, default_devices, open_media
from native_host.errors import BridgeError
from native_host.messages import ErrorCode
from native_host.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.support.aio import run


def test_devices_per_os() -> None:
    video, audio = default_devices("linux")
    assert (video and video.format, video and video.file, audio and audio.format) == (
        "v4l2",
        "/dev/video0",
        "alsa",
    )
    video, audio = default_devices("darwin")
    assert video and video.format == "avfoundation" and video.file == "default:none"
    assert audio and audio.file == "none:default"
    assert default_devices("win32") == (None, None)  # dshow needs names from config.json
    video, audio = default_devices("win32", "Integrated Camera", "Microphone (Realtek)")
    assert video and video.file == "video=Integrated Camera" and video.format == "dshow"
    assert audio and audio.file == "audio=Microphone (Realtek)"


def test_a_missing_camera_is_media_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MENDAN_BRIDGE_SOURCE", raising=False)
    with pytest.raises(BridgeError) as info:
        open_media(True, False, video_device="/dev/video-nonexistent")
    assert info.value.code == ErrorCode.MEDIA_UNAVAILABLE and "video-nonexistent" in info.value.message


async def _switch() -> tuple[int, int, float]:
    media = LocalMedia(SyntheticVideoTrack(), SyntheticAudioTrack())
    video, audio = media.video, media.audio
    assert video is not None and audio is not None
    on = await video.recv()
    media.set_enabled(camera=False, mic=False)
    off = await video.recv()
    silent = await audio.recv()
    media.stop()
    assert (
        isinstance(on, av.VideoFrame) and isinstance(off, av.VideoFrame) and isinstance(silent, av.AudioFrame)
    )
    return max(bytes(on.planes[0])), max(bytes(off.planes[0])), max(bytes(silent.planes[0]))


def test_switching_off_sends_black_and_silence() -> None:
    lit, black, silence = run(_switch())
    assert lit > 200 and black == 16 and silence == 0
