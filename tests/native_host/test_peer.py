"""Trickled candidates as the page relays them (RTCIceCandidateInit in protocol.signaling shape), and
which remote tracks a peer relays to the page, labelled with which stream."""

from __future__ import annotations

import asyncio

import pytest
from aiortc import RTCPeerConnection, VideoStreamTrack
from av.frame import Frame
from pydantic import BaseModel

from native_host.errors import BridgeError
from native_host.messages import Signal
from native_host.peer import SCREEN_FPS, SCREEN_WIDTH, Peer, parse_candidate, rtc_configuration, stream_ids
from protocol.signaling import IceCandidate, IceServer, SessionDescription
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


def test_every_video_track_is_relayed_and_a_screen_wider() -> None:
    async def scenario() -> tuple[list[tuple[int, float]], set[str], int, int]:
        sent: list[BaseModel] = []

        async def send(message: BaseModel) -> None:
            sent.append(message)

        peer = Peer("remote1", polite=True, initiator=False, ice_servers=[], local_tracks=[], send=send)
        camera, screen = CountingTrack(), CountingTrack()
        peer._on_track(camera)
        peer._on_track(screen)  # someone shares their screen: one more video track on the link
        await asyncio.sleep(0.5)
        sizes = [(relay._ladder.max_width, relay._min_interval) for relay in peer.relays]
        kinds = {message.type for message in sent if hasattr(message, "type")}
        camera.stop()
        screen.stop()
        await peer.close()
        return sizes, kinds, camera.read, screen.read

    sizes, kinds, camera_read, screen_read = run(scenario())
    assert sizes == [(640, 1 / 30), (SCREEN_WIDTH, 1 / SCREEN_FPS)] and "frame" in kinds
    assert camera_read > 3 and screen_read > 3


# Chromium's answer to the host while it shares a screen (abridged): the camera and the screen in
# two streams, and a receive-only audio line that names none.
CHROMIUM_SDP = """v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1 2
a=msid-semantic: WMS
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=mid:0
a=recvonly
a=rtpmap:111 opus/48000/2
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=mid:1
a=sendrecv
a=msid:d0b6c5e2-camera 6f1f9a2c-track
a=rtpmap:96 VP8/90000
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=mid:2
a=sendonly
a=msid:{4b1e0f9a-screen} {91c2-track}
a=rtpmap:96 VP8/90000
"""


def test_stream_ids_come_from_each_m_lines_msid() -> None:
    assert stream_ids(CHROMIUM_SDP) == {"1": "d0b6c5e2-camera", "2": "{4b1e0f9a-screen}"}
    assert stream_ids(CHROMIUM_SDP.replace("a=msid:d0b6c5e2-camera", "a=msid:-")) == {
        "2": "{4b1e0f9a-screen}"
    }


def test_a_remote_offers_video_is_relayed_labelled_with_its_stream() -> None:
    """aiortc reports a remote track before its description is set: the label still arrives."""

    async def scenario() -> tuple[list[str | None], dict[str, str]]:
        remote = RTCPeerConnection(rtc_configuration([]))
        remote.addTrack(VideoStreamTrack())
        await remote.setLocalDescription(await remote.createOffer())

        async def send(message: BaseModel) -> None:
            pass

        peer = Peer("remote1", polite=True, initiator=False, ice_servers=[], local_tracks=[], send=send)
        offer = SessionDescription(type="offer", sdp=remote.localDescription.sdp)
        peer.signal(Signal(peer_id="remote1", description=offer))
        for _ in range(100):
            if peer.relays:
                break
            await asyncio.sleep(0.05)
        labels = [relay.stream_id for relay in peer.relays]
        await peer.close()
        await remote.close()
        return labels, stream_ids(offer.sdp)

    labels, offered = run(scenario())
    assert labels == list(offered.values()) and labels[0]
