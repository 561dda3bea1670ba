"""A real call: the host (synthetic source) and a real aiortc remote participant, SDP relayed by
the test as the page relays it. Media must flow both ways."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from tests.support.aio import run
from tests.support.bridge_host import HostProcess, frames_of, jpeg_of, socket_kinds, write_config
from tests.support.remote_peer import RemoteParticipant, split_candidates

CALL_SECONDS = 3.0


@dataclass
class CallResult:
    remote_frames_on_page: list[dict[str, Any]]
    preview_frames: int
    levels: list[float]
    states: list[str]
    remote_video_frames: int
    remote_audio_frames: int
    remote_audio_peak: float
    sockets: dict[str, int]
    luma_on: int
    luma_off: int
    audio_peak_off: float
    exit_code: int
    stderr: str


async def _call(
    home: Path, host_initiates: bool, env: dict[str, str] | None = None, max_width: int = 640
) -> CallResult:
    host = await HostProcess(home).start(env)
    remote = RemoteParticipant()
    try:
        await host.open_session()
        created = await host.request(
            {
                "type": "create_peer",
                "peer_id": "remote1",
                "polite": not host_initiates,
                "initiator": host_initiates,
                "max_width": max_width,
            }
        )
        assert created["type"] == "ok", created
        if host_initiates:
            offer = await host.wait_for(lambda m: m.get("type") == "local_signal", 10)
            answer = await remote.accept(offer["description"])
            assert answer is not None
            reply = await host.request({"type": "signal", "peer_id": "remote1", "description": answer})
            assert reply["type"] == "ok", reply
        else:
            # The browser trickles: description first, then each candidate as its own signal.
            sdp, candidates = split_candidates((await remote.offer())["sdp"])
            reply = await host.request(
                {"type": "signal", "peer_id": "remote1", "description": {"type": "offer", "sdp": sdp}}
            )
            assert reply["type"] == "ok", reply
            for candidate in candidates:
                reply = await host.request({"type": "signal", "peer_id": "remote1", "candidate": candidate})
                assert reply["type"] == "ok", reply
            answer_msg = await host.wait_for(lambda m: m.get("type") == "local_signal", 10)
            await remote.accept(answer_msg["description"])
        await host.wait_for(lambda m: m.get("type") == "peer_state" and m["state"] == "connected", 15)
        await host.wait_for(lambda m: m.get("type") == "frame" and m["peer_id"] == "remote1", 10)
        await asyncio.sleep(CALL_SECONDS)
        sockets = socket_kinds(host.pid)
        luma_on = remote.last_luma
        muted = await host.request({"type": "set_media", "camera": False, "mic": False})
        assert muted["type"] == "ok", muted
        await asyncio.sleep(1.0)
        luma_off, audio_peak_off = remote.last_luma, remote.last_audio_peak
        closed = await host.request({"type": "close_peer", "peer_id": "remote1"})
        assert closed["type"] == "ok", closed
        assert (await host.request({"type": "shutdown"}))["type"] == "ok"
        code = await host.close()
    finally:
        await remote.close()
        if host.process is not None and host.process.returncode is None:
            host.process.kill()
            await host.process.wait()
    messages = [m for _, m in host.received]
    return CallResult(
        remote_frames_on_page=[m for _, m in frames_of(host, "remote1")],
        preview_frames=len(frames_of(host, "local")),
        levels=[m["level"] for m in messages if m.get("type") == "audio_level" and m["peer_id"] == "remote1"],
        states=[m["state"] for m in messages if m.get("type") == "peer_state"],
        remote_video_frames=remote.video_frames,
        remote_audio_frames=remote.audio_frames,
        remote_audio_peak=remote.audio_peak,
        sockets=sockets,
        luma_on=luma_on,
        luma_off=luma_off,
        audio_peak_off=audio_peak_off,
        exit_code=code,
        stderr=host.stderr.decode(),
    )


def _decoded(jpeg: bytes) -> av.VideoFrame:
    ctx = av.CodecContext.create("mjpeg", "r")
    (picture,) = ctx.decode(av.Packet(jpeg))
    assert isinstance(picture, av.VideoFrame)
    return picture


def _check(result: CallResult, width: int = 640) -> None:
    print(
        f"page got {len(result.remote_frames_on_page)} remote frames, "
        f"{result.preview_frames} preview frames; "
        f"remote decoded {result.remote_video_frames} video / {result.remote_audio_frames} audio frames; "
        f"levels {result.levels[:5]}; sockets {result.sockets}"
    )
    frames = result.remote_frames_on_page
    assert len(frames) >= CALL_SECONDS * 10, "remote video reaches the page"
    jpegs = [jpeg_of(m) for m in frames]
    assert all(j[:2] == b"\xff\xd8" for j in jpegs)
    assert len(set(jpegs)) > len(jpegs) // 2, "the picture changes over time"
    first, last = _decoded(jpegs[0]), _decoded(jpegs[-1])
    assert (
        (first.width, first.height) == (frames[0]["width"], frames[0]["height"]) == (width, width * 9 // 16)
    )
    assert bytes(first.planes[0]) != bytes(last.planes[0])
    assert [m["seq"] for m in frames] == sorted({m["seq"] for m in frames})
    assert result.preview_frames >= CALL_SECONDS * 5, "the local preview reaches the page"
    assert result.levels and max(result.levels) > 0.1, "remote audio is decoded by the host"
    assert result.remote_video_frames >= CALL_SECONDS * 10, "the host's camera reaches the remote"
    assert result.remote_audio_frames >= CALL_SECONDS * 25 and result.remote_audio_peak > 0.1
    assert result.states[:2] == ["connecting", "connected"] and result.states[-1] == "closed"
    assert set(result.sockets) <= {"udp", "udp6", "unix"}, "only ICE's UDP sockets, no TCP"
    assert result.luma_on > 60 and result.luma_off < 30, "camera off sends black frames"
    assert result.audio_peak_off < 0.01, "mic off sends silence"
    assert result.exit_code == 0
    assert "Traceback" not in result.stderr, result.stderr


def test_call_when_the_host_offers(tmp_path: Path) -> None:
    write_config(tmp_path)
    _check(run(_call(tmp_path, host_initiates=True)))


def test_call_when_the_remote_offers_and_trickles_and_the_page_wants_small_frames(tmp_path: Path) -> None:
    write_config(tmp_path)
    started = time.monotonic()
    _check(run(_call(tmp_path, host_initiates=False, max_width=320)), width=320)
    print(f"call took {time.monotonic() - started:.1f}s")
