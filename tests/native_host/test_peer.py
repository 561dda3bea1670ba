"""Trickled candidates as the page relays them (RTCIceCandidateInit in protocol.signaling shape)."""

from __future__ import annotations

import pytest

from native_host.errors import BridgeError
from native_host.peer import parse_candidate, rtc_configuration
from protocol.signaling import IceCandidate, IceServer

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
