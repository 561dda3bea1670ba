"""The native host protocol: every message between the page (through the extension) and the host.

This module is the one definition; ``native_host/PROTOCOL.md`` is generated from it by
``python -m native_host.generate`` (a test fails when they drift).

Transport: Chrome/Firefox native messaging. Each message is one frame: a 4-byte length in native
byte order, then that many bytes of UTF-8 JSON, ``{"v": 1, "type": "...", ...}``. Host to browser
frames stay under 1 MiB (the browser closes the port above); browser to host frames are refused
above 4 MiB.

A message carrying ``request_id`` gets exactly one reply with the same ``request_id``: ``ok`` (or
``welcome`` for ``hello``) or ``error``. Notifications get no reply; a notification the host cannot
act on is answered by an ``error`` without ``request_id``. Types are never renamed or reused.

One host process serves one page: the browser starts a host for each ``connectNative`` port, and
the first ``hello`` binds the meeting origin for the life of the process.

The host is a remote RTCPeerConnection provider: the page keeps its own signaling WebSocket, asks
the host for one peer per remote participant (``create_peer``), relays the host's
``local_signal`` to the server and the server's relayed signals back (``signal``), and paints the
``frame`` messages. SDP and ICE shapes are those of ``protocol.signaling``.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from protocol.signaling import IceCandidate, IceServer, SessionDescription

VERSION = 1
HOST_VERSION = "0.1.0"
MAX_PEERS = 3
"""Remote participants one host serves: a meeting has at most 4 people (R-3.1)."""
LOCAL_PEER_ID = "local"
"""``frame.peer_id`` of the preview of the host's own camera."""


class ErrorCode(enum.StrEnum):
    """Why a request failed. Append only: the page maps each code to a catalogue key."""

    MALFORMED_FRAME = "malformed_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    MALFORMED_MESSAGE = "malformed_message"
    UNKNOWN_MESSAGE_TYPE = "unknown_message_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    CALLER_NOT_ALLOWED = "caller_not_allowed"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    NOT_READY = "not_ready"
    CONSENT_DENIED = "consent_denied"
    MEDIA_UNAVAILABLE = "media_unavailable"
    MEDIA_NOT_STARTED = "media_not_started"
    UNKNOWN_PEER = "unknown_peer"
    PEER_EXISTS = "peer_exists"
    TOO_MANY_PEERS = "too_many_peers"
    SIGNAL_FAILED = "signal_failed"
    INTERNAL = "internal"


class PeerState(enum.StrEnum):
    """RTCPeerConnection.connectionState of one peer, as aiortc reports it."""

    NEW = "new"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    FAILED = "failed"
    CLOSED = "closed"


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    v: Literal[1] = 1


RequestId = Annotated[str, Field(min_length=1, max_length=64)]
PeerId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class ErrorBody(BaseModel):
    """A code for the page and a message for people (English; the page shows catalogue text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: ErrorCode
    message: str


# ---- page -> host ---------------------------------------------------------------------------


class Hello(_Message):
    """Open the session for a meeting origin; replied with ``welcome``. Must come first."""

    type: Literal["hello"] = "hello"
    request_id: RequestId
    origin: str = Field(max_length=512, description="the meeting page's origin, e.g. https://meet.example.jp")
    language: str | None = Field(
        None, pattern=r"^[a-z]{2}$", description="the page's UI language for the consent window (default ja)"
    )


class ListOrigins(_Message):
    """The extension (never a page) asks which meeting origins this computer serves: those set at
    install or with ``mendan-bridge allow``. It answers only pages of these origins and starts the
    host for no other site. Allowed before ``hello``; replied with ``origins``."""

    type: Literal["list_origins"] = "list_origins"
    request_id: RequestId


class StartMedia(_Message):
    """Start camera and mic (asks the user in the host's own window on first use on the origin).

    The ``ok`` comes once the user has answered and capture runs; the host handles other
    messages meanwhile. Sent again after success, it only switches camera and mic.
    """

    type: Literal["start_media"] = "start_media"
    request_id: RequestId
    camera: bool = True
    mic: bool = True
    preview: bool = Field(True, description="send the own camera as frame messages (peer_id local)")


class CreatePeer(_Message):
    """Make the peer connection to one remote participant (perfect negotiation, as peer.js)."""

    type: Literal["create_peer"] = "create_peer"
    request_id: RequestId
    peer_id: PeerId = Field(description="the remote participant's id")
    polite: bool = Field(description="peer.js: selfId > remoteId")
    initiator: bool = Field(description="add tracks and send the offer now (selfId < remoteId)")
    ice_servers: list[IceServer] = Field(default_factory=list, max_length=16)
    max_width: int = Field(640, ge=160, le=1280, description="widest frame the page wants for this peer")


class Signal(_Message):
    """The remote participant's SDP or ICE candidate, as the server relayed it."""

    type: Literal["signal"] = "signal"
    request_id: RequestId | None = None
    peer_id: PeerId
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None


class ClosePeer(_Message):
    """The remote participant left: close its peer connection."""

    type: Literal["close_peer"] = "close_peer"
    request_id: RequestId | None = None
    peer_id: PeerId


class SetMedia(_Message):
    """Camera on/off and mic mute: a muted track sends black frames / silence."""

    type: Literal["set_media"] = "set_media"
    request_id: RequestId | None = None
    camera: bool
    mic: bool


class Shutdown(_Message):
    """Close every peer, release camera and mic, and exit (after the ``ok``)."""

    type: Literal["shutdown"] = "shutdown"
    request_id: RequestId | None = None


AnyPageMessage = Hello | ListOrigins | StartMedia | CreatePeer | Signal | ClosePeer | SetMedia | Shutdown
PageMessage = Annotated[AnyPageMessage, Field(discriminator="type")]

# ---- host -> page ---------------------------------------------------------------------------


class Welcome(_Message):
    """Reply to ``hello``: the origin is allowed; says whether ``start_media`` will ask the user."""

    type: Literal["welcome"] = "welcome"
    request_id: str
    host_version: str
    protocol_version: int
    consent_needed: bool
    max_peers: int


class Origins(_Message):
    """Reply to ``list_origins``: the meeting origins this computer serves."""

    type: Literal["origins"] = "origins"
    request_id: str
    origins: list[str]


class Ok(_Message):
    """Success reply to a request."""

    type: Literal["ok"] = "ok"
    request_id: str


class Error(_Message):
    """Failure reply to a request, or a notification when the bad message had no request id."""

    type: Literal["error"] = "error"
    request_id: str | None = None
    error: ErrorBody


class LocalSignal(_Message):
    """The host's SDP for one remote participant: the page sends it as a signaling ``signal``.

    aiortc does not trickle: the description is sent after ICE gathering, candidates inside.
    """

    type: Literal["local_signal"] = "local_signal"
    peer_id: str
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None


class PeerStateChanged(_Message):
    """The connection state of one peer changed (sent only on change)."""

    type: Literal["peer_state"] = "peer_state"
    peer_id: str
    state: PeerState


class Frame(_Message):
    """One video frame of a remote participant (or ``local`` preview) as a JPEG.

    Every remote video track is relayed: a participant's camera and shared screen are told apart by
    ``stream_id``. Frames are dropped, never queued: ``seq`` may skip. ``captured_at`` is the host's
    Unix time when the frame was decoded, so ``Date.now()/1000 - captured_at`` is the delay the
    bridge added.
    """

    type: Literal["frame"] = "frame"
    peer_id: str
    stream_id: str | None = Field(
        None,
        description="the MediaStream id (SDP msid) the video came in: a shared screen's is announced "
        "in start_screen_share; null for the preview and when the remote named no stream",
    )
    width: int
    height: int
    seq: int
    captured_at: float
    jpeg: str = Field(description="base64 of the JPEG bytes")


class AudioLevel(_Message):
    """Loudness of a remote participant (0..1 peak), a few times a second, for the talk meter."""

    type: Literal["audio_level"] = "audio_level"
    peer_id: str
    level: float


AnyHostMessage = Welcome | Origins | Ok | Error | LocalSignal | PeerStateChanged | Frame | AudioLevel
HostMessage = Annotated[AnyHostMessage, Field(discriminator="type")]

PAGE_MESSAGES: tuple[type[_Message], ...] = (
    Hello,
    ListOrigins,
    StartMedia,
    CreatePeer,
    Signal,
    ClosePeer,
    SetMedia,
    Shutdown,
)
HOST_MESSAGES: tuple[type[_Message], ...] = (
    Welcome,
    Origins,
    Ok,
    Error,
    LocalSignal,
    PeerStateChanged,
    Frame,
    AudioLevel,
)

page_adapter: TypeAdapter[AnyPageMessage] = TypeAdapter(PageMessage)
host_adapter: TypeAdapter[AnyHostMessage] = TypeAdapter(HostMessage)


def type_name(model: type[BaseModel]) -> str:
    """The wire ``type`` tag of a message class."""
    default = model.model_fields["type"].default
    assert isinstance(default, str)
    return default


def encode(message: BaseModel) -> bytes:
    """The wire form of a message (the frame body): compact JSON without unset optional noise."""
    return message.model_dump_json(exclude_none=True).encode("utf-8")
