"""Trickled candidates as the page relays them (RTCIceCandidateInit in protocol.signaling shape), and
which remote tracks a peer relays to the page."""

from __future__ import annotations

import asyncio

import pytest
from aiortc import VideoStreamTrack
from av.frame import Frame
from pydantic import BaseModel

from native_host.errors import BridgeError
from native_host.peer import Peer, parse_candidate, rtc_configuration
from protocol.signaling import IceCandidate, IceServer
from tests.support.aio import run

CHROMIUM_HOST = (
    "candidate:3115979190 1 udp 2122260223 192.0.2.2 53461 typ host generation 0 ufrag x9Ab network-id 1"
)


def test_a_chromium_candidate_keeps_its_mid_and_index() -> None:
    parsed = parse_candidate(IceCandidate(candidate=CHROMIUM_HOST, sdp_mid="0", sdp_mline_index=0))
    assert parsed is not None
    assert (parsed.ip, parsed.port, parsed.protocol, parsed.type) == ("192.0.2.2", 53461, "udp", "host")
    assert (parsed.sdpMid, parsed.sdpMLineIndex) == ("0", 0)


def test_sdp_line_form_and_end_of_candidates() -> None:
    assert parse_candidate(IceCandidate(candidate="a=" + CHROMIUM_HOST)) is not None
    assert parse_candidate(IceCandidate(candidate="")) is None


def test_mdns_candidates_parse_so_the_peer_can_drop_them() -> None:
    text = "candidate:1 1 udp 2122260223 0b5a7c1e-1111-4222-8333-944444444444.local 53461 typ host"
    parsed = parse_candidate(IceCandidate(candidate=text))
    assert parsed is not None and parsed.ip.endswith(".local")


def test_garbage_is_a_signal_error() -> None:
    with pytest.raises(BridgeError):
        parse_candidate(IceCandidate(candidate="candidate:nonsense"))


def test_no_ice_servers_means_none_at_all() -> None:
    """aiortc's default would ask Google's STUN server: tests and private deployments must not."""
    assert rtc_configuration([]).iceServers == []
    servers = rtc_configuration(
        [IceServer(urls=["turn:turn.example.jp:443?transport=tcp"], username="u", credential="p")]
    )
    assert servers.iceServers is not None and servers.iceServers[0].username == "u"


class CountingTrack(VideoStreamTrack):
    """aiortc's own test-pattern track, counting the frames someone read."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    async def recv(self) -> Frame:
        self.read += 1
        return await super().recv()


def test_a_second_video_track_is_read_but_not_relayed_into_the_cameras_frames() -> None:
    async def scenario() -> tuple[int, set[str], int, int]:
        sent: list[BaseModel] = []

        async def send(message: BaseModel) -> None:
            sent.append(message)

        peer = Peer("remote1", polite=True, initiator=False, ice_servers=[], local_tracks=[], send=send)
        camera, screen = CountingTrack(), CountingTrack()
        peer._on_track(camera)
        peer._on_track(screen)  # someone shares their screen: one more video track on the link
        await asyncio.sleep(0.5)
        relays = len(peer.relays)
        kinds = {message.type for message in sent if hasattr(message, "type")}
        camera.stop()
        screen.stop()
        await peer.close()
        return relays, kinds, camera.read, screen.read

    relays, kinds, camera_read, screen_read = run(scenario())
    assert relays == 1 and "frame" in kinds
    assert camera_read > 3 and screen_read > 3  # both read: nothing queues up unread
