"""The signaling protocol: every message between a page (or the native host) and the server.

This module is the one definition. The server and the native host import it; the pages get
`web/static/js/protocol.js` and readers get `docs/protocol.md`, both generated from it by
`python -m protocol.generate` (a test fails when they drift).

Wire format: one JSON object per WebSocket text message, ``{"v": 1, "type": "...", ...}``,
snake_case fields. A message carrying ``request_id`` gets exactly one reply (``ok``, ``joined`` or
``error`` with the same ``request_id``); notifications get none. Types are never renamed or reused.
"""

from __future__ import annotations

import enum
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
"""Largest message accepted from a client; an SDP with many candidates stays far below it."""


class ErrorCode(enum.StrEnum):
    """Why a request failed. Append only: pages map each code to a catalogue key ``error.<code>``."""

    BAD_REQUEST = "bad_request"
    MALFORMED_MESSAGE = "malformed_message"
    UNKNOWN_MESSAGE_TYPE = "unknown_message_type"
    MESSAGE_TOO_LARGE = "message_too_large"
    UNSUPPORTED_VERSION = "unsupported_version"
    NOT_JOINED = "not_joined"
    ALREADY_JOINED = "already_joined"
    INVALID_TICKET = "invalid_ticket"
    MEETING_ENDED = "meeting_ended"
    MEETING_FULL = "meeting_full"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    INVALID_NUMBER = "invalid_number"
    RATE_LIMITED = "rate_limited"
    LOCKED_OUT = "locked_out"
    NUMBERS_EXHAUSTED = "numbers_exhausted"
    NOT_AUTHENTICATED = "not_authenticated"
    CSRF_FAILED = "csrf_failed"
    INVALID_LOGIN = "invalid_login"
    NOT_FOUND = "not_found"
    INTERNAL = "internal"
    RECORDING_UNANSWERED = "recording_unanswered"
    INVALID_INVITE = "invalid_invite"
    INVITE_EXPIRED = "invite_expired"
    NOT_ALLOWED = "not_allowed"
    INVALID_NAME = "invalid_name"
    DOCUMENT_TITLE_REQUIRED = "document_title_required"
    DOCUMENT_TITLE_TOO_LONG = "document_title_too_long"
    DOCUMENT_FILE_REQUIRED = "document_file_required"
    DOCUMENT_TYPE_NOT_ALLOWED = "document_type_not_allowed"
    DOCUMENT_CONTENT_MISMATCH = "document_content_mismatch"
    DOCUMENT_TOO_LARGE = "document_too_large"
    DOCUMENT_UNSAFE = "document_unsafe"
    DOCUMENT_NOT_READY = "document_not_ready"
    LINK_INVALID = "link_invalid"
    DOCUMENT_NOT_SHAREABLE = "document_not_shareable"
    NOT_PRESENTING = "not_presenting"
    LINK_USED = "link_used"
    GIVE_EXPIRED = "give_expired"
    RECORDING_QUOTA_EXCEEDED = "recording_quota_exceeded"
    RECORDING_CLOSED = "recording_closed"
    RECORDING_NOT_ALLOWED = "recording_not_allowed"
    SIGNALS_TOO_FAST = "signals_too_fast"
    CHAT_TOO_FAST = "chat_too_fast"
    CHAT_FULL = "chat_full"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    SCHEDULE_NOT_OPEN = "schedule_not_open"
    SCHEDULE_INVALID = "schedule_invalid"
    SCREEN_SHARE_BUSY = "screen_share_busy"
    NOT_SHARING = "not_sharing"
    PAGE_NOT_SHOWN = "page_not_shown"
    TOO_MANY_STROKES = "too_many_strokes"
    STROKES_TOO_FAST = "strokes_too_fast"


class CloseCode(enum.IntEnum):
    """Why the server closed a signaling socket (4000-4999 is the application range).

    Pages re-join after every close (and get a fresh snapshot) except ``REMOVED``.
    """

    SHUTTING_DOWN = 1012  # service restart: the client reconnects
    REPLACED = 4001  # the same participant connected again from elsewhere
    TOO_SLOW = 4002  # the socket could not keep up with its messages: nothing after this was sent
    REMOVED = 4003  # the participant is no longer in the meeting (left, ended, grace ran out)


class Role(enum.StrEnum):
    """A participant's place in the meeting: the rep who connected is the host (親)."""

    HOST = "host"
    CUSTOMER = "customer"
    INVITEE = "invitee"


class ParticipantState(enum.StrEnum):
    """Presence of a participant; ``reconnecting`` while inside the grace period after a drop."""

    CONNECTED = "connected"
    RECONNECTING = "reconnecting"


class MeetingState(enum.StrEnum):
    """Lifecycle of a meeting: a number is issued (waiting), a rep claims it (active), it ends."""

    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(enum.StrEnum):
    """Why a meeting ended or a participant left."""

    LEFT = "left"
    OTHER_LEFT = "other_left"
    CONNECTION_LOST = "connection_lost"
    NUMBER_EXPIRED = "number_expired"


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    v: Literal[1] = 1


# ---- shared parts ---------------------------------------------------------------------------


class MediaState(BaseModel):
    """What a participant is sending: ``ready`` once camera and mic were started."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    ready: bool = False
    camera: bool = True
    mic: bool = True


class Participant(BaseModel):
    """Someone in a meeting, as everyone else sees them. Updates bump ``version``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    display_name: str
    company_name: str = ""
    role: Role
    state: ParticipantState
    media: MediaState
    version: int


class Meeting(BaseModel):
    """The meeting a participant is in."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    number: str
    state: MeetingState
    recording: bool
    max_participants: int
    expires_at: float | None = Field(None, description="Unix time an unclaimed number expires")


LINK_ID_LENGTH = 32


class SessionDescription(BaseModel):
    """An SDP offer or answer (RTCSessionDescriptionInit)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type: Literal["offer", "answer", "pranswer", "rollback"]
    sdp: str = Field(max_length=MAX_MESSAGE_BYTES)


class IceCandidate(BaseModel):
    """A trickled ICE candidate (RTCIceCandidateInit); an empty candidate ends gathering."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    candidate: str = Field(max_length=2048)
    sdp_mid: str | None = None
    sdp_mline_index: int | None = None


class ChatLine(BaseModel):
    """One chat message as everyone sees it; kept with the meeting for the history."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: int
    participant_id: str
    display_name: str
    text: str
    sent_at: float


MAX_CHAT_LENGTH = 2000


class ShownDocument(BaseModel):
    """The document everyone sees now: its current page as a signed image link anyone may load."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    show_id: int
    document_id: str
    title: str
    presenter: str = Field(description="participant id of who shows it")
    page: int
    page_count: int
    url: str
    width: int
    height: int


MEDIA_STREAM_ID_LENGTH = 64


class ScreenShare(BaseModel):
    """Someone's shared screen: the MediaStream id (``msid``) that carries it on every mesh link."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    participant_id: str
    stream_id: str
    started_at: float


MAX_STROKE_POINTS = 64
"""Points in one stroke message: pages send a stroke in pieces while it is drawn (about 20 a second)."""
STROKE_ID_LENGTH = 32
StrokeTool = Literal["pen", "highlighter", "eraser"]
StrokePoint = tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]]


class Stroke(BaseModel):
    """One piece of a 書き込み on a shown page: a line through ``points`` (fractions of the page's
    width and height), ``width`` in thousandths of the page's width. The eraser erases along it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    stroke_id: str = Field(
        min_length=1, max_length=STROKE_ID_LENGTH, description="the pen-down to pen-up it belongs to"
    )
    tool: StrokeTool
    color: str = Field(pattern=r"^#[0-9a-f]{6}$")
    width: int = Field(ge=1, le=60)
    points: list[StrokePoint] = Field(min_length=1, max_length=MAX_STROKE_POINTS)


MAX_VIEW_PIXELS = 8192


class ViewSize(BaseModel):
    """How large the receiver shows a participant's video, in device pixels (the tile's CSS size ×
    devicePixelRatio): the sender sends no more than that on this link (sender_policy.js)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    width: int = Field(ge=1, le=MAX_VIEW_PIXELS)
    height: int = Field(ge=1, le=MAX_VIEW_PIXELS)


class DrawnStroke(BaseModel):
    """A stroke piece as everyone receives it: on which show and page, by whom."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    show_id: int
    page: int
    participant_id: str
    stroke: Stroke


class IceServer(BaseModel):
    """One entry of RTCConfiguration.iceServers."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class ErrorBody(BaseModel):
    """The error shape shared by HTTP and WebSocket: a code, the values its text names, and a
    message for people. Pages show ``error.<code>`` from their own catalogue with ``values``
    filled in; ``message`` is the server's Japanese text, for logs and API clients."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: ErrorCode
    message: str
    values: dict[str, str | int | float] = Field(default_factory=dict)


# ---- client -> server -----------------------------------------------------------------------


class Join(_Message):
    """Enter the meeting the ticket belongs to (again, after a reconnect). Replied with ``joined``."""

    type: Literal["join"] = "join"
    request_id: str = Field(max_length=64)
    ticket: str = Field(max_length=256)


class Signal(_Message):
    """An SDP, an ICE candidate, or the size this page shows the other's video at, for one other
    participant; relayed only inside the meeting."""

    type: Literal["signal"] = "signal"
    to: str = Field(max_length=64)
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None
    view: ViewSize | None = None
    # The sender's peer connection (one generation of the link) and the receiver's it is meant
    # for; empty ``to_link`` opens a new connection (docs/negotiation.md).
    link: str | None = Field(None, max_length=LINK_ID_LENGTH)
    to_link: str | None = Field(None, max_length=LINK_ID_LENGTH)


class UpdateMedia(_Message):
    """Tell the others what this participant now sends (camera/mic toggles, media started)."""

    type: Literal["update_media"] = "update_media"
    request_id: str | None = Field(None, max_length=64)
    media: MediaState


class Leave(_Message):
    """Leave the meeting on purpose (接続終了)."""

    type: Literal["leave"] = "leave"
    request_id: str | None = Field(None, max_length=64)


class Ping(_Message):
    """Keep-alive; replied with ``ok``."""

    type: Literal["ping"] = "ping"
    request_id: str = Field(max_length=64)


class CreateInvite(_Message):
    """The host asks for an invite URL (チャット招待); replied with ``invite_created``."""

    type: Literal["create_invite"] = "create_invite"
    request_id: str = Field(max_length=64)


class SendChat(_Message):
    """A chat message to everyone in the meeting."""

    type: Literal["send_chat"] = "send_chat"
    request_id: str | None = Field(None, max_length=64)
    text: str = Field(min_length=1, max_length=MAX_CHAT_LENGTH)


class ShowDocument(_Message):
    """見せる: show a ready document (the host's library, or one shared in this meeting) to everyone."""

    type: Literal["show_document"] = "show_document"
    request_id: str | None = Field(None, max_length=64)
    document_id: str = Field(max_length=64)
    page: int = Field(1, ge=1)


class TurnPage(_Message):
    """The presenter moves the shown document to another page (synced for everyone)."""

    type: Literal["turn_page"] = "turn_page"
    request_id: str | None = Field(None, max_length=64)
    page: int = Field(ge=1)


class CloseDocument(_Message):
    """閉じる: the presenter (or the host) closes the shown document for everyone."""

    type: Literal["close_document"] = "close_document"
    request_id: str | None = Field(None, max_length=64)


class MovePointer(_Message):
    """The presenter's mouse over the document, as a fraction of its size; null hides the hand.

    Relayed to the others, never stored; pages send at most about 20 a second.
    """

    type: Literal["move_pointer"] = "move_pointer"
    x: float | None = Field(None, ge=0, le=1)
    y: float | None = Field(None, ge=0, le=1)


class GiveDocument(_Message):
    """渡す: offer a shareable document to every other participant; replied with ``document_given``."""

    type: Literal["give_document"] = "give_document"
    request_id: str = Field(max_length=64)
    document_id: str = Field(max_length=64)


class StartScreenShare(_Message):
    """画面共有: announce the stream that carries this participant's screen before adding its track.

    One share at a time: refused with ``screen_share_busy`` while someone else shares."""

    type: Literal["start_screen_share"] = "start_screen_share"
    request_id: str = Field(max_length=64)
    stream_id: str = Field(min_length=1, max_length=MEDIA_STREAM_ID_LENGTH)


class StopScreenShare(_Message):
    """共有を停止: the sharer (or the host) ends the share for everyone."""

    type: Literal["stop_screen_share"] = "stop_screen_share"
    request_id: str | None = Field(None, max_length=64)


class DrawStroke(_Message):
    """書き込み: a piece of a stroke on the page shown now (the host always; others when allowed)."""

    type: Literal["draw_stroke"] = "draw_stroke"
    request_id: str | None = Field(None, max_length=64)
    show_id: int
    page: int = Field(ge=1)
    stroke: Stroke


class UndoStroke(_Message):
    """元に戻す: removes this participant's latest stroke on that page."""

    type: Literal["undo_stroke"] = "undo_stroke"
    request_id: str | None = Field(None, max_length=64)
    show_id: int
    page: int = Field(ge=1)


class ClearStrokes(_Message):
    """すべて消す: the host removes every stroke on that page."""

    type: Literal["clear_strokes"] = "clear_strokes"
    request_id: str | None = Field(None, max_length=64)
    show_id: int
    page: int = Field(ge=1)


class AllowDrawing(_Message):
    """The host lets the customer and guests draw on shown pages, or stops them."""

    type: Literal["allow_drawing"] = "allow_drawing"
    request_id: str | None = Field(None, max_length=64)
    allowed: bool


class GetStrokes(_Message):
    """The strokes of a page of the open document (after a page turn); replied with ``strokes``."""

    type: Literal["get_strokes"] = "get_strokes"
    request_id: str = Field(max_length=64)
    show_id: int
    page: int = Field(ge=1)


AnyClientMessage = (
    Join
    | Signal
    | UpdateMedia
    | Leave
    | Ping
    | CreateInvite
    | SendChat
    | ShowDocument
    | TurnPage
    | CloseDocument
    | MovePointer
    | GiveDocument
    | StartScreenShare
    | StopScreenShare
    | DrawStroke
    | UndoStroke
    | ClearStrokes
    | AllowDrawing
    | GetStrokes
)
ClientMessage = Annotated[AnyClientMessage, Field(discriminator="type")]

# ---- server -> client -----------------------------------------------------------------------


class Joined(_Message):
    """Reply to ``join``: who you are and a full snapshot of the meeting."""

    type: Literal["joined"] = "joined"
    request_id: str
    self_id: str
    meeting: Meeting
    participants: list[Participant]
    ice_servers: list[IceServer]
    ice_transport_policy: Literal["all", "relay"] = "all"
    chat: list[ChatLine] = Field(default_factory=list)
    document: ShownDocument | None = Field(None, description="what is being shown, if anything")
    recording_active: bool | None = Field(
        None, description="whether the rep's browser records now; null before any recording of this meeting"
    )
    screen_share: ScreenShare | None = Field(None, description="whose screen is shared now, if anyone's")
    strokes: list[DrawnStroke] = Field(default_factory=list, description="書き込み on the page shown now")
    drawing_allowed: bool = Field(False, description="whether the customer and guests may draw")


class Ok(_Message):
    """Success reply to a request that returns nothing else."""

    type: Literal["ok"] = "ok"
    request_id: str


class Error(_Message):
    """Failure reply to a request, or a notification when the bad message had no request id."""

    type: Literal["error"] = "error"
    request_id: str | None = None
    error: ErrorBody


class ParticipantJoined(_Message):
    """Someone entered: announced to everyone before any media with them may flow."""

    type: Literal["participant_joined"] = "participant_joined"
    participant: Participant


class ParticipantUpdated(_Message):
    """A participant's state or media changed; drop it if ``version`` is not newer."""

    type: Literal["participant_updated"] = "participant_updated"
    participant: Participant


class ParticipantLeft(_Message):
    """Someone left the meeting for good."""

    type: Literal["participant_left"] = "participant_left"
    participant_id: str
    reason: EndReason


class SignalRelayed(_Message):
    """An SDP, an ICE candidate or a view size from another participant."""

    type: Literal["signal_relayed"] = "signal_relayed"
    sender: str
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None
    view: ViewSize | None = None
    link: str | None = None
    to_link: str | None = None


class MeetingStarted(_Message):
    """The number was claimed: the meeting is active (sent to the customer who waited)."""

    type: Literal["meeting_started"] = "meeting_started"
    meeting: Meeting


class InviteCreated(_Message):
    """Reply to ``create_invite``: the URL to share, valid until ``expires_at`` or the meeting's end."""

    type: Literal["invite_created"] = "invite_created"
    request_id: str
    url: str
    expires_at: float


class ChatPosted(_Message):
    """A chat message someone sent (also to its sender, as confirmation)."""

    type: Literal["chat_posted"] = "chat_posted"
    line: ChatLine


class MeetingEnded(_Message):
    """The meeting is over for this participant; a new number is needed to meet again."""

    type: Literal["meeting_ended"] = "meeting_ended"
    reason: EndReason


class DocumentShown(_Message):
    """A document is shown, or its page turned: everyone shows ``document`` as it is now."""

    type: Literal["document_shown"] = "document_shown"
    document: ShownDocument


class DocumentClosed(_Message):
    """The shown document was closed for everyone."""

    type: Literal["document_closed"] = "document_closed"
    show_id: int


class PointerMoved(_Message):
    """The presenter's pointer (a hand on the others' screens); null coordinates hide it."""

    type: Literal["pointer_moved"] = "pointer_moved"
    sender: str
    x: float | None = None
    y: float | None = None


class DocumentOffered(_Message):
    """資料を受け取る: a file offered to this participant through a one-time link until ``expires_at``."""

    type: Literal["document_offered"] = "document_offered"
    give_id: str
    giver: str
    title: str
    filename: str
    size: int
    url: str = Field(description="the one-time download, opened by the browser itself")
    status_url: str = Field(description="whether ``url`` would still be served, asked first")
    expires_at: float
    ttl: float = Field(description="seconds the offer lasts, for a countdown independent of clocks")


class DocumentGiven(_Message):
    """Reply to ``give_document``: the offer went to ``recipients`` people until ``expires_at``."""

    type: Literal["document_given"] = "document_given"
    request_id: str
    give_id: str
    recipients: int
    expires_at: float
    ttl: float


class RecordingUpdated(_Message):
    """The rep's browser started or stopped recording the meeting (the indicator says which)."""

    type: Literal["recording_updated"] = "recording_updated"
    active: bool


class ScreenShareUpdated(_Message):
    """A share started (``share``) or ended (null): everyone shows it large, or goes back to cameras."""

    type: Literal["screen_share_updated"] = "screen_share_updated"
    share: ScreenShare | None = None


class StrokeDrawn(_Message):
    """A piece of someone's stroke on a shown page (not echoed to its sender)."""

    type: Literal["stroke_drawn"] = "stroke_drawn"
    drawn: DrawnStroke


class StrokeRemoved(_Message):
    """A stroke was undone: every piece with ``stroke_id`` on that page goes."""

    type: Literal["stroke_removed"] = "stroke_removed"
    show_id: int
    page: int
    stroke_id: str


class StrokesCleared(_Message):
    """Every stroke on that page was removed."""

    type: Literal["strokes_cleared"] = "strokes_cleared"
    show_id: int
    page: int


class DrawingAllowed(_Message):
    """Whether the customer and guests may draw now."""

    type: Literal["drawing_allowed"] = "drawing_allowed"
    allowed: bool


class Strokes(_Message):
    """Reply to ``get_strokes``: that page's strokes in the order they were drawn."""

    type: Literal["strokes"] = "strokes"
    request_id: str
    show_id: int
    page: int
    strokes: list[DrawnStroke]


AnyServerMessage = (
    Joined
    | Ok
    | Error
    | ParticipantJoined
    | ParticipantUpdated
    | ParticipantLeft
    | SignalRelayed
    | MeetingStarted
    | MeetingEnded
    | InviteCreated
    | ChatPosted
    | DocumentShown
    | DocumentClosed
    | PointerMoved
    | DocumentOffered
    | DocumentGiven
    | RecordingUpdated
    | ScreenShareUpdated
    | StrokeDrawn
    | StrokeRemoved
    | StrokesCleared
    | DrawingAllowed
    | Strokes
)
ServerMessage = Annotated[AnyServerMessage, Field(discriminator="type")]

CLIENT_MESSAGES: tuple[type[_Message], ...] = (
    Join,
    Signal,
    UpdateMedia,
    Leave,
    Ping,
    CreateInvite,
    SendChat,
    ShowDocument,
    TurnPage,
    CloseDocument,
    MovePointer,
    GiveDocument,
    StartScreenShare,
    StopScreenShare,
    DrawStroke,
    UndoStroke,
    ClearStrokes,
    AllowDrawing,
    GetStrokes,
)
SERVER_MESSAGES: tuple[type[_Message], ...] = (
    Joined,
    Ok,
    Error,
    ParticipantJoined,
    ParticipantUpdated,
    ParticipantLeft,
    SignalRelayed,
    MeetingStarted,
    MeetingEnded,
    InviteCreated,
    ChatPosted,
    DocumentShown,
    DocumentClosed,
    PointerMoved,
    DocumentOffered,
    DocumentGiven,
    RecordingUpdated,
    ScreenShareUpdated,
    StrokeDrawn,
    StrokeRemoved,
    StrokesCleared,
    DrawingAllowed,
    Strokes,
)

_client_adapter: TypeAdapter[AnyClientMessage] = TypeAdapter(ClientMessage)
_CLIENT_TYPES = frozenset(m.model_fields["type"].default for m in CLIENT_MESSAGES)
_server_adapter: TypeAdapter[AnyServerMessage] = TypeAdapter(ServerMessage)


class ProtocolError(Exception):
    """A message that cannot be accepted; carries the code and the request id if one was readable."""

    def __init__(self, code: ErrorCode, detail: str, request_id: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.request_id = request_id


def _request_id_of(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("request_id")
        if isinstance(value, str) and len(value) <= 64:
            return value
    return None


def _utf8_size(text: str | bytes) -> int:
    """Bytes on the wire: a Japanese character is one ``str`` character but three UTF-8 bytes."""
    return len(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))


def parse_client_message(text: str | bytes) -> AnyClientMessage:
    """Decode and validate one message from a client, or raise ProtocolError saying why."""
    if _utf8_size(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(ErrorCode.MESSAGE_TOO_LARGE, f"message over {MAX_MESSAGE_BYTES} bytes")
    try:
        # One pass: pydantic's own JSON parser validates while it reads (the hot path of every
        # signal; 4x faster than json.loads and then validating). A message it refuses, or one
        # without its "v" (the schema's default would fill it in), goes the slower way below,
        # which says why.
        message = _client_adapter.validate_json(text)
        if "v" in message.model_fields_set:
            return message
    except ValidationError:
        pass
    try:
        raw = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(ErrorCode.MALFORMED_MESSAGE, f"not JSON: {exc}") from None
    request_id = _request_id_of(raw)
    if not isinstance(raw, dict):
        raise ProtocolError(ErrorCode.MALFORMED_MESSAGE, "not a JSON object")
    if raw.get("v") != VERSION:
        raise ProtocolError(ErrorCode.UNSUPPORTED_VERSION, f"v must be {VERSION}", request_id)
    if raw.get("type") not in _CLIENT_TYPES:
        raise ProtocolError(ErrorCode.UNKNOWN_MESSAGE_TYPE, f"unknown type {raw.get('type')!r}", request_id)
    try:
        return _client_adapter.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:])
        raise ProtocolError(ErrorCode.MALFORMED_MESSAGE, f"{where}: {first['msg']}", request_id) from None


def parse_server_message(text: str | bytes) -> AnyServerMessage:
    """Decode a message from the server (used by the native host and tests)."""
    return _server_adapter.validate_json(text)


def encode(message: BaseModel) -> str:
    """The wire form of a message: compact JSON without unset optional noise."""
    return message.model_dump_json(exclude_none=True)
