"""Tables. Times are Unix seconds (float) so every backend stores them alike."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Contract(Base):
    """A customer company of the operator, known by its customer number C00XXXX."""

    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(16), unique=True)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[float] = mapped_column(Float)
    embed_key: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Web sites (origins, space-separated) that may show this contract's start page in a frame.
    embed_origins: Mapped[str] = mapped_column(Text, default="", server_default="")
    __table_args__ = (UniqueConstraint("embed_key", name="uq_contracts_embed_key"),)


class Account(Base):
    """A login ID under a contract; several reps may share one."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    login: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[float] = mapped_column(Float)


class AuthSession(Base):
    """A logged-in browser; the cookie holds a token whose SHA-256 is the key."""

    __tablename__ = "auth_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class NumberReservation(Base):
    """A 5-digit number and until when nobody else may be given it (live, then 24 h after use)."""

    __tablename__ = "number_reservations"
    number: Mapped[str] = mapped_column(String(5), primary_key=True)
    reserved_until: Mapped[float] = mapped_column(Float, index=True)
    meeting_id: Mapped[str] = mapped_column(String(32))


class Meeting(Base):
    """One 商談: from the issued number, through the call, to its end."""

    __tablename__ = "meetings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(5), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    scope_contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), nullable=True)
    recording: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_by_address: Mapped[str] = mapped_column(String(64), default="")


class Participant(Base):
    """Someone in a meeting; the ticket's secret is kept only as a hash."""

    __tablename__ = "participants"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(200))
    company_name: Mapped[str] = mapped_column(String(200), default="")
    secret_hash: Mapped[str] = mapped_column(String(64))
    presence: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[float] = mapped_column(Float)
    disconnected_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    left_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    media_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    camera: Mapped[bool] = mapped_column(Boolean, default=True)
    mic: Mapped[bool] = mapped_column(Boolean, default=True)
    # The server instance that holds (or last held) the participant's socket.
    instance_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class ServerInstance(Base):
    """A running `mendan serve`, seen alive at ``seen_at``; sockets of a silent one count as lost."""

    __tablename__ = "server_instances"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[float] = mapped_column(Float)
    seen_at: Mapped[float] = mapped_column(Float)


class RateLimitHit(Base):
    """One counted event (a number issued, a wrong guess) for a rate-limit bucket and key."""

    __tablename__ = "rate_limit_hits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_rate_limit_hits_bucket_key_at", "bucket", "key", "at"),)


class Lockout(Base):
    """A rep ID or address barred from guessing numbers until a time."""

    __tablename__ = "lockouts"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    until: Mapped[float] = mapped_column(Float)


class ChatMessage(Base):
    """A line of in-meeting chat, kept for the history."""

    __tablename__ = "chat_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    participant_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[float] = mapped_column(Float)


class Document(Base):
    """A file in a rep ID's document library (資料), with how far its pages are rendered for showing."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    memo: Mapped[str] = mapped_column(Text, default="")
    shareable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown on download only; the stored file's name is generated, never taken from here.
    original_filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped when the file is replaced: files and page links of older revisions stop working.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    render_state: Mapped[str] = mapped_column(String(16), index=True)
    render_failure: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    rendered_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Set for a file someone picked during a meeting: it belongs to that meeting, is never
    # in the rep's library, and only the meeting's participants may show or give it.
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), nullable=True, index=True)


class DocumentShow(Base):
    """One 見せる in a meeting, from the click to 閉じる (or the meeting's end), for the history."""

    __tablename__ = "document_shows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    # No foreign key: the history keeps the title after the document is deleted.
    document_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    participant_id: Mapped[str] = mapped_column(String(32))
    page: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class DocumentPageView(Base):
    """A page on everyone's screen during a show, from when it was turned to until the next turn."""

    __tablename__ = "document_page_views"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("document_shows.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class DocumentGive(Base):
    """One 渡す in a meeting: the file offered to the others until ``expires_at``."""

    __tablename__ = "document_gives"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    document_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    participant_id: Mapped[str] = mapped_column(String(32))
    given_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class DocumentGiveLink(Base):
    """A recipient's one-time download link of a give; ``used_at`` is set by the one download."""

    __tablename__ = "document_give_links"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    give_id: Mapped[str] = mapped_column(ForeignKey("document_gives.id"), index=True)
    participant_id: Mapped[str] = mapped_column(String(32))
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Recording(Base):
    """One recording of a meeting, made in the rep's browser and uploaded in numbered chunks."""

    __tablename__ = "recordings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # recording (chunks arrive) -> finalising (being remuxed) -> ready | failed
    state: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[float] = mapped_column(Float)
    last_chunk_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Chunks announced by the writer at its end (None: the writer vanished).
    expected_chunks: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stop_reason: Mapped[str] = mapped_column(String(32), default="")
    # Bytes this recording holds of the ID's quota: its chunks, then its finished file.
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    mime_type: Mapped[str] = mapped_column(String(100), default="video/webm")


class RecordingChunk(Base):
    """A received piece of a recording; the primary key makes a repeated chunk a no-op."""

    __tablename__ = "recording_chunks"
    recording_id: Mapped[str] = mapped_column(ForeignKey("recordings.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[float] = mapped_column(Float)


class StorageUsage(Base):
    """Bytes of recordings an ID stores; changed only by conditional UPDATEs so the quota holds."""

    __tablename__ = "storage_usage"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True, autoincrement=False)
    used_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class TalkTime(Base):
    """Seconds a participant spoke in a meeting, summed from the rep's browser's audio levels."""

    __tablename__ = "talk_times"
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    participant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class WebhookEndpoint(Base):
    """Where a contract's events are posted (R-18), and the secret their signatures are made with."""

    __tablename__ = "webhook_endpoints"
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id"), primary_key=True, autoincrement=False
    )
    url: Mapped[str] = mapped_column(String(2000))
    # Kept in clear: signing needs it. The receiver holds the same value.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)


class WebhookEvent(Base):
    """One event waiting for (or done with) delivery; the queue that outlives restarts (outbox).

    Events of one ``order_key`` (a meeting) go out one after the other: a later one waits until
    every earlier one is delivered or given up. An instance sending one holds its lease.
    """

    __tablename__ = "webhook_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    order_key: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    # pending -> delivered | abandoned
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (
        Index("ix_webhook_events_state_next", "state", "next_attempt_at"),
        Index("ix_webhook_events_order", "order_key", "id"),
    )


class WebhookAttempt(Base):
    """One try at delivering an event and what the receiver answered: the portal's delivery log."""

    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    at: Mapped[float] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The start of the receiver's answer, or why there was none (timeout, refused).
    response: Mapped[str] = mapped_column(String(500), default="")
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiToken(Base):
    """A bearer token of a login ID for the REST API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # read | write
    scope: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[float] = mapped_column(Float)
    last_used_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class ScheduledMeeting(Base):
    """A meeting a rep booked for a time slot; the customer's link opens it from shortly before the
    start until the end of the slot, and then waits for the rep like a customer with a number."""

    __tablename__ = "scheduled_meetings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # In the customer's link (/s/<key>); unguessable, as the link is the only key.
    link_key: Mapped[str] = mapped_column(String(32), unique=True)
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    company_name: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[float] = mapped_column(Float, index=True)
    ends_at: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    cancelled_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The waiting meeting the customer's link made last (a fresh one if the customer comes back).
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), nullable=True)


class ScreenShare(Base):
    """One 画面共有 in a meeting, from its start to 共有を停止 (or the sharer leaving), for the history."""

    __tablename__ = "screen_shares"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    participant_id: Mapped[str] = mapped_column(String(32))
    # The MediaStream id (msid) that carries the screen on the mesh links.
    stream_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class AnnotationStroke(Base):
    """A piece of a 書き込み on a page of a shown document; kept after 閉じる for the annotated PDF."""

    __tablename__ = "annotation_strokes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("document_shows.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[str] = mapped_column(String(32))
    stroke_id: Mapped[str] = mapped_column(String(32))
    tool: Mapped[str] = mapped_column(String(16))
    color: Mapped[str] = mapped_column(String(7))
    width: Mapped[int] = mapped_column(Integer)
    points: Mapped[str] = mapped_column(Text)  # JSON [[x, y], …], fractions of the page
    drawn_at: Mapped[float] = mapped_column(Float)
    removed_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # undone or cleared


class DrawingPermission(Base):
    """Whether the rep lets the customer and guests draw on shown pages in a meeting."""

    __tablename__ = "drawing_permissions"
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    allowed: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[float] = mapped_column(Float)


class MeetingNotes(Base):
    """The rep's own notes of a meeting (商談記録), written in the room and kept for the minutes."""

    __tablename__ = "meeting_notes"
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Float)
