"""Tables. Times are Unix seconds (float) so every backend stores them alike."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
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
