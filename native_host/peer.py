"""One aiortc RTCPeerConnection to one remote participant, driven by the page's signaling.

It follows the page's ``peer.js`` (W3C perfect negotiation): the participant with the smaller id
is the initiator and impolite: it adds its tracks and offers; the other answers, adding its tracks
after setRemoteDescription. What aiortc lacks shapes the rest:

- no trickle ICE: the host sends one complete description after gathering (candidates inside);
  trickled remote candidates are accepted, and kept until the remote description is set;
- no rollback: a polite host never has an offer of its own outstanding (it never initiates and
  does not restart ICE), so a collision can only reach the impolite side, which ignores the offer;
- ``.local`` (mDNS) candidates are dropped: resolving them would send multicast queries, and the
  remote finds the host through the candidates in the host's SDP (peer-reflexive) anyway.

Signals for one peer are handled in arrival order by the peer's own task, so a slow ICE gathering
on one peer never delays the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcicetransport import RTCIceCandidate
from aiortc.sdp import SessionDescription as ParsedSdp
from aiortc.sdp import candidate_from_sdp
from pydantic import BaseModel

from native_host.audio import AudioSink
from native_host.errors import BridgeError
from native_host.messages import ErrorCode, LocalSignal, Ok, PeerState, PeerStateChanged, Signal
from native_host.relay import VideoRelay
from protocol.signaling import IceCandidate, IceServer, SessionDescription

log = logging.getLogger(__name__)

Send = Callable[[BaseModel], Awaitable[None]]
SCREEN_WIDTH, SCREEN_FPS = 1280, 15
"""A video track after a link's first is someone's shared screen: text needs the width, and the
sharer sends at most 15 frames a second (web/static/js/screen_share.js)."""


def rtc_configuration(servers: list[IceServer]) -> RTCConfiguration:
    # An explicit (possibly empty) list: aiortc's default would query Google's public STUN server.
    return RTCConfiguration(
        iceServers=[RTCIceServer(urls=s.urls, username=s.username, credential=s.credential) for s in servers]
    )


def parse_candidate(candidate: IceCandidate) -> RTCIceCandidate | None:
    """aiortc's candidate for a trickled one; None for end-of-candidates (empty string)."""
    text = candidate.candidate.strip()
    if not text:
        return None
    try:
        parsed = candidate_from_sdp(text.removeprefix("a=").removeprefix("candidate:"))
    except (ValueError, IndexError, AssertionError):  # aiortc asserts on too few fields
        raise BridgeError(ErrorCode.SIGNAL_FAILED, f"unreadable candidate: {text[:100]!r}") from None
    parsed.sdpMid = candidate.sdp_mid
    parsed.sdpMLineIndex = candidate.sdp_mline_index
    return parsed


def stream_ids(sdp: str) -> dict[str, str]:
    """mid -> the MediaStream id of the ``msid`` line of each m-line that names a stream.

    aiortc keeps only the track id of ``msid``; the stream id is what the page knows a shared
    screen by (``start_screen_share.stream_id``), the same in Chromium and Firefox.
    """
    found: dict[str, str] = {}
    for media in ParsedSdp.parse(sdp).media:
        stream = (media.msid or "").split(" ")[0]
        if media.rtp.muxId and stream and stream != "-":
            found[media.rtp.muxId] = stream
    return found


class Peer:
    """The host's side of the link to one remote participant."""

    def __init__(
        self,
        peer_id: str,
        *,
        polite: bool,
        initiator: bool,
        ice_servers: list[IceServer],
        local_tracks: list[MediaStreamTrack],
        send: Send,
        play_audio: bool = True,
        max_width: int = 640,
    ) -> None:
        self.peer_id = peer_id
        self.polite = polite
        self.initiator = initiator
        self._send = send
        self._play_audio = play_audio
        self._max_width = max_width
        self._local_tracks = local_tracks
        self._tracks_added = False
        self._ignore_offer = False
        self._pending_candidates: list[RTCIceCandidate | None] = []
        self._remote_sdp = ""  # the description being applied: aiortc fires "track" before it is set
        self._inbox: asyncio.Queue[Signal | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self.state = PeerState.NEW
        self.relays: list[VideoRelay] = []
        self.sinks: list[AudioSink] = []
        self.pc = RTCPeerConnection(rtc_configuration(ice_servers))
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_connection_state)
        self._worker = asyncio.create_task(self._work(), name=f"peer-{peer_id}")

    # ---- commands from the host loop ---------------------------------------------------------

    def start(self) -> None:
        """As peer.js's start(): the initiator adds its tracks and offers; the other waits."""
        if self.initiator:
            self._spawn(self._first_offer())

    def signal(self, message: Signal) -> None:
        """Queue the remote's description or candidate; handled in order by this peer's task."""
        self._inbox.put_nowait(message)

    async def close(self) -> None:
        self._inbox.put_nowait(None)
        for task in [*self._tasks, self._worker]:
            task.cancel()
        for track in self._local_tracks:
            track.stop()
        await self.pc.close()
        await self._set_state(PeerState.CLOSED)

    # ---- negotiation -------------------------------------------------------------------------

    def _add_local_media(self) -> None:
        if self._tracks_added:
            return
        self._tracks_added = True
        kinds = {"audio": False, "video": False}
        for track in self._local_tracks:
            self.pc.addTrack(track)
            kinds[track.kind] = True
        if self.pc.remoteDescription is None:
            # As peer.js: without a camera or mic still ask to receive that kind.
            for kind, have in kinds.items():
                if not have:
                    self.pc.addTransceiver(kind, direction="recvonly")

    async def _first_offer(self) -> None:
        try:
            await self._offer()
        except Exception as exc:  # answered as a notification: no request is waiting for it
            log.exception("%s: offer failed", self.peer_id)
            await self._send(BridgeError(ErrorCode.SIGNAL_FAILED, f"offer failed: {exc}").reply())

    async def _offer(self) -> None:
        self._add_local_media()
        offer = await self.pc.createOffer()
        await self.pc.setLocalDescription(offer)  # gathers ICE: the SDP holds every candidate
        await self._send_description()

    async def _send_description(self) -> None:
        local = self.pc.localDescription
        description = SessionDescription(type=local.type, sdp=local.sdp)
        await self._send(LocalSignal(peer_id=self.peer_id, description=description))

    async def _work(self) -> None:
        while True:
            message = await self._inbox.get()
            if message is None:
                return
            try:
                await self._handle(message)
            except BridgeError as exc:
                await self._send(exc.reply(message.request_id))
                continue
            except Exception as exc:  # aiortc raises plain exceptions for refused SDP
                log.exception("signal for %s failed", self.peer_id)
                await self._send(
                    BridgeError(ErrorCode.SIGNAL_FAILED, str(exc) or type(exc).__name__).reply(
                        message.request_id
                    )
                )
                continue
            if message.request_id is not None:
                await self._send(Ok(request_id=message.request_id))

    async def _handle(self, message: Signal) -> None:
        if message.description is not None:
            await self._handle_description(message.description)
        if message.candidate is not None:
            await self._handle_candidate(message.candidate)

    async def _handle_description(self, description: SessionDescription) -> None:
        pc = self.pc
        if description.type == "rollback":
            raise BridgeError(ErrorCode.SIGNAL_FAILED, "rollback is not supported by aiortc")
        collision = description.type == "offer" and pc.signalingState != "stable"
        self._ignore_offer = not self.polite and collision
        if self._ignore_offer:
            log.info("%s: ignoring a colliding offer (impolite side)", self.peer_id)
            return
        if collision:
            raise BridgeError(ErrorCode.SIGNAL_FAILED, "offer collision on the polite side needs rollback")
        self._remote_sdp = description.sdp
        await pc.setRemoteDescription(RTCSessionDescription(sdp=description.sdp, type=description.type))
        for candidate in self._pending_candidates:
            await pc.addIceCandidate(candidate)
        self._pending_candidates.clear()
        if description.type == "offer":
            self._add_local_media()
            answer = await pc.createAnswer()
            await pc.setLocalDescription(answer)
            await self._send_description()

    async def _handle_candidate(self, candidate: IceCandidate) -> None:
        parsed = parse_candidate(candidate)
        if parsed is not None and parsed.ip.endswith(".local"):
            log.info("%s: dropping mDNS candidate %s", self.peer_id, parsed.ip)
            return
        if self.pc.remoteDescription is None:
            if not self._ignore_offer:
                self._pending_candidates.append(parsed)
            return
        if parsed is not None and parsed.sdpMid is None and parsed.sdpMLineIndex is None:
            parsed.sdpMLineIndex = 0  # bundled: the first m-line's transport carries everything
        await self.pc.addIceCandidate(parsed)

    # ---- events ------------------------------------------------------------------------------

    def _stream_id(self, track: MediaStreamTrack) -> str | None:
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track and transceiver.mid is not None:
                return stream_ids(self._remote_sdp).get(transceiver.mid) if self._remote_sdp else None
        return None

    def _on_track(self, track: MediaStreamTrack) -> None:
        stream_id = self._stream_id(track)
        log.info("%s: remote %s track in stream %s", self.peer_id, track.kind, stream_id)
        if track.kind == "video":
            # Every video is relayed, its frames labelled with its stream: the page tells the camera
            # from a shared screen by the stream id the sharer announced (screen_share.js).
            # Only the size is guessed from the order: peer.js adds the camera before any screen.
            screen = bool(self.relays)
            relay = VideoRelay(
                self.peer_id,
                track,
                self._send,
                max_width=max(self._max_width, SCREEN_WIDTH) if screen else self._max_width,
                max_fps=SCREEN_FPS if screen else 30.0,
                stream_id=stream_id,
            )
            self.relays.append(relay)
            self._spawn(relay.run())
        elif track.kind == "audio":
            sink = AudioSink(self.peer_id, track, self._send, play=self._play_audio)
            self.sinks.append(sink)
            self._spawn(sink.run())

    async def _on_connection_state(self) -> None:
        await self._set_state(PeerState(self.pc.connectionState))

    async def _set_state(self, state: PeerState) -> None:
        if state == self.state:
            return
        log.info("%s: %s -> %s", self.peer_id, self.state, state)
        self.state = state
        await self._send(PeerStateChanged(peer_id=self.peer_id, state=state))

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: task failed", self.peer_id, exc_info=task.exception())
