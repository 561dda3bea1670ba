"""Every setting of the server, read once from the environment.

One table (name, default, help) feeds the code, ``mendan serve --help`` and the README.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from protocol.signaling import IceServer

SETTINGS_TABLE: tuple[tuple[str, str, str], ...] = (
    ("MENDAN_DATA_DIR", "./mendan-data", "folder for the SQLite database, uploads and recordings"),
    ("MENDAN_DATABASE_URL", "", "SQLAlchemy URL; empty means SQLite in the data folder"),
    ("MENDAN_REDIS_URL", "", "Redis URL for the message bus between instances; empty means in-process"),
    ("MENDAN_ICE_SERVERS", "[]", "JSON list of RTCIceServer objects handed to browsers"),
    (
        "MENDAN_TURN_URLS",
        "",
        "comma-separated TURN URLs (turn:host:3478?transport=udp, turns:host:443?transport=tcp)",
    ),
    (
        "MENDAN_TURN_SECRET",
        "",
        "coturn static-auth-secret for short-lived TURN credentials (use-auth-secret)",
    ),
    ("MENDAN_TURN_TTL", "7200", "seconds a TURN credential stays valid"),
    ("MENDAN_ICE_TRANSPORT_POLICY", "all", "all, or relay to send media only through TURN"),
    ("MENDAN_INVITE_TTL", "3600", "seconds an invite URL stays valid (it also dies with the meeting)"),
    ("MENDAN_PUBLIC_URL", "", "the URL people reach Mendan at, for invite links; empty means the request's"),
    ("MENDAN_SECRET_KEY", "", "key for signed tokens; empty means one generated and kept in the data folder"),
    ("MENDAN_NUMBER_TTL", "600", "seconds an unclaimed connection number stays valid"),
    ("MENDAN_NUMBER_REUSE_AFTER", "86400", "seconds before a used number may be issued again"),
    ("MENDAN_ISSUE_LIMIT", "20/600", "numbers one client address may issue: count/seconds"),
    ("MENDAN_ISSUE_NETWORK_LIMIT", "60/600", "numbers one /24 (IPv4) or /64 (IPv6) network may issue"),
    (
        "MENDAN_ISSUE_GLOBAL_LIMIT",
        "20000/600",
        "numbers all clients together may issue (keeps most of the 90,000 numbers free)",
    ),
    (
        "MENDAN_MEETING_UPLOAD_LIMIT",
        "30/3600",
        "files the people of one meeting may pick from their computers (資料共有): count/seconds",
    ),
    (
        "MENDAN_SIGNAL_LIMIT",
        "300/10",
        "WebRTC signals one socket may send: a burst of COUNT, then COUNT per SECONDS",
    ),
    ("MENDAN_CHAT_LIMIT", "10/10", "chat messages one socket may send: a burst of COUNT, then COUNT/SECONDS"),
    ("MENDAN_CHAT_MAX_PER_MEETING", "2000", "chat messages one meeting keeps; more get chat_full"),
    ("MENDAN_GUESS_LIMIT", "10/600", "wrong numbers per ID and per address before a lock: count/seconds"),
    ("MENDAN_LOCKOUT", "600", "seconds a rep ID or address stays locked after too many wrong numbers"),
    ("MENDAN_GRACE_PERIOD", "30", "seconds a dropped participant may take to come back"),
    ("MENDAN_MAX_PARTICIPANTS", "4", "people in one meeting, the rep included"),
    ("MENDAN_SESSION_TTL", "43200", "seconds a rep stays logged in"),
    (
        "MENDAN_SECURE_COOKIES",
        "auto",
        "auto: cookies are Secure when the request came over HTTPS (directly or via a trusted proxy); "
        "1 always; 0 never",
    ),
    ("MENDAN_TLS_CERT", "", "PEM certificate (chain) file: serve HTTPS and WSS on the port itself"),
    ("MENDAN_TLS_KEY", "", "PEM private key file of MENDAN_TLS_CERT"),
    (
        "MENDAN_TRUSTED_PROXIES",
        "127.0.0.1,::1",
        "comma-separated addresses or CIDRs of proxies whose X-Forwarded-For/-Proto are believed",
    ),
    ("MENDAN_DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024), "largest document file a rep may upload, in bytes"),
    ("MENDAN_DOCUMENT_MAX_PAGES", "500", "pages beyond which a document is not rendered for showing"),
    (
        "MENDAN_MEETING_DOCUMENT_MAX_BYTES",
        str(20 * 1024 * 1024),
        "largest file a participant may pick during a meeting (資料共有), in bytes",
    ),
    (
        "MENDAN_MEETING_DOCUMENT_MAX_PAGES",
        "100",
        "pages beyond which a file picked in a meeting is not shown",
    ),
    (
        "MENDAN_MEETING_RENDER_TIMEOUT",
        "60",
        "seconds a file picked in a meeting may take to convert and render",
    ),
    ("MENDAN_RENDER_WORKERS", "2", "documents rendered at the same time, each in its own process"),
    ("MENDAN_RENDER_TIMEOUT", "180", "seconds one document may take to convert and render"),
    ("MENDAN_SOFFICE", "soffice", "LibreOffice program that converts Office files to PDF; empty disables it"),
    ("MENDAN_DOCUMENT_URL_TTL", "3600", "seconds a signed link to a page image or a download stays valid"),
    ("MENDAN_GIVE_TTL", "60", "seconds a 渡す offer (and its one-time download link) stays open"),
    ("MENDAN_RECORDING_QUOTA_BYTES", str(5 * 1000**3), "bytes of recordings one rep ID may store (5 GB)"),
    ("MENDAN_RECORDING_MAX_SECONDS", "3600", "longest recording in seconds; it then stops with a notice"),
    (
        "MENDAN_RECORDING_IDLE_TIMEOUT",
        "60",
        "seconds without a chunk after which a recording whose writer vanished is finished from what arrived",
    ),
    ("MENDAN_TIMEZONE", "Asia/Tokyo", "time zone of the dates and times in the meeting history and its CSV"),
    ("MENDAN_RECORDING_CHUNK_MAX_BYTES", str(8 * 1024 * 1024), "largest recording chunk accepted, in bytes"),
    (
        "MENDAN_INSTANCE_ID",
        "",
        "this server instance's name among several; empty means one generated and kept in the data folder",
    ),
    (
        "MENDAN_INSTANCE_TIMEOUT",
        "15",
        "seconds without a heartbeat after which another instance's sockets count as lost",
    ),
    ("MENDAN_LOG_FORMAT", "json", "json (one object per line) or text"),
    (
        "MENDAN_GC_FREEZE_INTERVAL",
        "1",
        "seconds between freezing the long-lived heap so collections stay short (0: CPython's own schedule)",
    ),
    ("MENDAN_GC_FULL_INTERVAL", "1800", "seconds between full garbage collections of the frozen heap"),
    (
        "MENDAN_WEBHOOK_TIMEOUT",
        "10",
        "seconds a webhook receiver may take to answer before the try counts as failed",
    ),
    (
        "MENDAN_WEBHOOK_RETRY_BASE",
        "30",
        "seconds before a failed webhook is tried again; doubled after each failure",
    ),
    ("MENDAN_WEBHOOK_RETRY_MAX", "3600", "longest pause between two tries of a webhook, in seconds"),
    (
        "MENDAN_WEBHOOK_MAX_ATTEMPTS",
        "15",
        "tries of a webhook before it is given up (the delivery log keeps them)",
    ),
    # Hardening against abuse (docs/security.md).
    ("MENDAN_HEADER_TIMEOUT", "10", "seconds a client has to send a request's headers before it is cut off"),
    ("MENDAN_BODY_TIMEOUT", "30", "seconds a request body may pause before the request is answered 408"),
    ("MENDAN_MAX_CONNECTIONS", "4000", "connections and requests at once (sockets included); more get 503"),
    ("MENDAN_JOIN_TIMEOUT", "10", "seconds a signaling WebSocket has to join a meeting before it is closed"),
    (
        "MENDAN_PING_INTERVAL",
        "10",
        "seconds of silence after which a signaling WebSocket is pinged; two unanswered pings close it",
    ),
    ("MENDAN_METRICS_TOKEN", "", "bearer token /metrics requires; empty means /metrics is off"),
    (
        "MENDAN_LOGIN_LIMIT",
        "5/900",
        "wrong passwords per ID and per address before each further try must wait longer: count/seconds",
    ),
    ("MENDAN_LOGIN_MAX_DELAY", "900", "longest wait in seconds between login tries after many wrong ones"),
    ("MENDAN_HASH_WORKERS", "2", "password hashes computed at once (threads beside the event loop)"),
    (
        "MENDAN_BRIDGE_DIR",
        "",
        "folder of built bridge files /bridge offers (python -m native_host.freeze --dist)",
    ),
    (
        "MENDAN_STROKE_LIMIT",
        "100/5",
        "書き込み pieces one socket may send (pages send ~20 a second): a burst of COUNT, then COUNT/SECONDS",
    ),
)

DEFAULTS: dict[str, str] = {name: default for name, default, _ in SETTINGS_TABLE}


def _rate(text: str, name: str) -> tuple[int, float]:
    count, _, seconds = text.partition("/")
    try:
        return int(count), float(seconds)
    except ValueError:
        raise ValueError(f"{name} must look like COUNT/SECONDS, got {text!r}") from None


def _networks(text: str, name: str) -> tuple[str, ...]:
    """Addresses and CIDRs, checked here so a typo stops the start instead of trusting nobody."""
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{name} must list addresses or CIDRs, got {item!r}") from None
    return items


def _choice(text: str, allowed: tuple[str, ...], name: str) -> str:
    if text not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {text!r}")
    return text


@dataclass(frozen=True)
class Settings:
    """The server's configuration, resolved from the environment and command line."""

    data_dir: Path
    database_url: str
    redis_url: str
    ice_servers: list[IceServer]
    turn_urls: tuple[str, ...]
    turn_secret: str
    turn_ttl: float
    ice_transport_policy: str
    invite_ttl: float
    public_url: str
    secret_key: bytes
    number_ttl: float
    number_reuse_after: float
    issue_limit: tuple[int, float]
    meeting_upload_limit: tuple[int, float]
    guess_limit: tuple[int, float]
    lockout: float
    grace_period: float
    max_participants: int
    session_ttl: float
    secure_cookies: bool | None  # None: Secure exactly when the request came over HTTPS
    document_max_bytes: int = 50 * 1024 * 1024
    document_max_pages: int = 500
    render_workers: int = 2
    render_timeout: float = 180.0
    soffice: str = "soffice"
    document_url_ttl: float = 3600.0
    give_ttl: float = 60.0
    recording_quota_bytes: int = 5 * 1000**3
    recording_max_seconds: float = 3600.0
    recording_idle_timeout: float = 60.0
    recording_chunk_max_bytes: int = 8 * 1024 * 1024
    timezone: str = "Asia/Tokyo"
    instance_id: str = "local"
    instance_timeout: float = 15.0
    log_format: str = "json"
    gc_freeze_interval: float = 1.0
    gc_full_interval: float = 1800.0
    tls_cert: str = ""
    tls_key: str = ""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    issue_network_limit: tuple[int, float] = (60, 600.0)
    issue_global_limit: tuple[int, float] = (20000, 600.0)
    meeting_document_max_bytes: int = 20 * 1024 * 1024
    meeting_document_max_pages: int = 100
    meeting_render_timeout: float = 60.0
    signal_limit: tuple[int, float] = (300, 10.0)
    chat_limit: tuple[int, float] = (10, 10.0)
    stroke_limit: tuple[int, float] = (100, 5.0)
    chat_max_per_meeting: int = 2000
    webhook_timeout: float = 10.0
    webhook_retry_base: float = 30.0
    webhook_retry_max: float = 3600.0
    webhook_max_attempts: int = 15
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 4000
    join_timeout: float = 10.0
    ping_interval: float = 10.0
    metrics_token: str = ""
    login_limit: tuple[int, float] = (5, 900.0)
    login_max_delay: float = 900.0
    hash_workers: int = 2
    bridge_dir: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, data_dir: str | None = None) -> Settings:
        source = dict(DEFAULTS)
        source.update({k: v for k, v in (os.environ if env is None else env).items() if k in DEFAULTS})
        root = Path(data_dir or source["MENDAN_DATA_DIR"]).resolve()
        database_url = source["MENDAN_DATABASE_URL"] or f"sqlite:///{root / 'mendan.sqlite3'}"
        try:
            ice = [IceServer.model_validate(item) for item in json.loads(source["MENDAN_ICE_SERVERS"])]
        except ValueError as exc:
            raise ValueError(f"MENDAN_ICE_SERVERS is not a JSON list of ICE servers: {exc}") from None
        return cls(
            data_dir=root,
            database_url=database_url,
            redis_url=source["MENDAN_REDIS_URL"],
            ice_servers=ice,
            turn_urls=tuple(url.strip() for url in source["MENDAN_TURN_URLS"].split(",") if url.strip()),
            turn_secret=source["MENDAN_TURN_SECRET"],
            turn_ttl=float(source["MENDAN_TURN_TTL"]),
            ice_transport_policy=_choice(
                source["MENDAN_ICE_TRANSPORT_POLICY"], ("all", "relay"), "MENDAN_ICE_TRANSPORT_POLICY"
            ),
            invite_ttl=float(source["MENDAN_INVITE_TTL"]),
            public_url=source["MENDAN_PUBLIC_URL"].rstrip("/"),
            secret_key=_secret_key(source["MENDAN_SECRET_KEY"], root),
            number_ttl=float(source["MENDAN_NUMBER_TTL"]),
            number_reuse_after=float(source["MENDAN_NUMBER_REUSE_AFTER"]),
            issue_limit=_rate(source["MENDAN_ISSUE_LIMIT"], "MENDAN_ISSUE_LIMIT"),
            meeting_upload_limit=_rate(source["MENDAN_MEETING_UPLOAD_LIMIT"], "MENDAN_MEETING_UPLOAD_LIMIT"),
            guess_limit=_rate(source["MENDAN_GUESS_LIMIT"], "MENDAN_GUESS_LIMIT"),
            lockout=float(source["MENDAN_LOCKOUT"]),
            grace_period=float(source["MENDAN_GRACE_PERIOD"]),
            max_participants=int(source["MENDAN_MAX_PARTICIPANTS"]),
            session_ttl=float(source["MENDAN_SESSION_TTL"]),
            secure_cookies={"auto": None, "1": True, "0": False}[
                _choice(source["MENDAN_SECURE_COOKIES"], ("auto", "1", "0"), "MENDAN_SECURE_COOKIES")
            ],
            document_max_bytes=int(source["MENDAN_DOCUMENT_MAX_BYTES"]),
            document_max_pages=int(source["MENDAN_DOCUMENT_MAX_PAGES"]),
            render_workers=max(1, int(source["MENDAN_RENDER_WORKERS"])),
            render_timeout=float(source["MENDAN_RENDER_TIMEOUT"]),
            soffice=source["MENDAN_SOFFICE"],
            document_url_ttl=float(source["MENDAN_DOCUMENT_URL_TTL"]),
            give_ttl=float(source["MENDAN_GIVE_TTL"]),
            recording_quota_bytes=int(source["MENDAN_RECORDING_QUOTA_BYTES"]),
            recording_max_seconds=float(source["MENDAN_RECORDING_MAX_SECONDS"]),
            recording_idle_timeout=float(source["MENDAN_RECORDING_IDLE_TIMEOUT"]),
            recording_chunk_max_bytes=int(source["MENDAN_RECORDING_CHUNK_MAX_BYTES"]),
            timezone=source["MENDAN_TIMEZONE"],
            instance_id=_instance_id(source["MENDAN_INSTANCE_ID"], root),
            instance_timeout=float(source["MENDAN_INSTANCE_TIMEOUT"]),
            log_format=_choice(source["MENDAN_LOG_FORMAT"], ("json", "text"), "MENDAN_LOG_FORMAT"),
            gc_freeze_interval=float(source["MENDAN_GC_FREEZE_INTERVAL"]),
            gc_full_interval=float(source["MENDAN_GC_FULL_INTERVAL"]),
            tls_cert=source["MENDAN_TLS_CERT"],
            tls_key=source["MENDAN_TLS_KEY"],
            trusted_proxies=_networks(source["MENDAN_TRUSTED_PROXIES"], "MENDAN_TRUSTED_PROXIES"),
            issue_network_limit=_rate(source["MENDAN_ISSUE_NETWORK_LIMIT"], "MENDAN_ISSUE_NETWORK_LIMIT"),
            issue_global_limit=_rate(source["MENDAN_ISSUE_GLOBAL_LIMIT"], "MENDAN_ISSUE_GLOBAL_LIMIT"),
            meeting_document_max_bytes=int(source["MENDAN_MEETING_DOCUMENT_MAX_BYTES"]),
            meeting_document_max_pages=int(source["MENDAN_MEETING_DOCUMENT_MAX_PAGES"]),
            meeting_render_timeout=float(source["MENDAN_MEETING_RENDER_TIMEOUT"]),
            signal_limit=_rate(source["MENDAN_SIGNAL_LIMIT"], "MENDAN_SIGNAL_LIMIT"),
            chat_limit=_rate(source["MENDAN_CHAT_LIMIT"], "MENDAN_CHAT_LIMIT"),
            stroke_limit=_rate(source["MENDAN_STROKE_LIMIT"], "MENDAN_STROKE_LIMIT"),
            chat_max_per_meeting=int(source["MENDAN_CHAT_MAX_PER_MEETING"]),
            webhook_timeout=float(source["MENDAN_WEBHOOK_TIMEOUT"]),
            webhook_retry_base=float(source["MENDAN_WEBHOOK_RETRY_BASE"]),
            webhook_retry_max=float(source["MENDAN_WEBHOOK_RETRY_MAX"]),
            webhook_max_attempts=max(1, int(source["MENDAN_WEBHOOK_MAX_ATTEMPTS"])),
            header_timeout=float(source["MENDAN_HEADER_TIMEOUT"]),
            body_timeout=float(source["MENDAN_BODY_TIMEOUT"]),
            max_connections=int(source["MENDAN_MAX_CONNECTIONS"]),
            join_timeout=float(source["MENDAN_JOIN_TIMEOUT"]),
            ping_interval=max(0.1, float(source["MENDAN_PING_INTERVAL"])),
            metrics_token=source["MENDAN_METRICS_TOKEN"],
            login_limit=_rate(source["MENDAN_LOGIN_LIMIT"], "MENDAN_LOGIN_LIMIT"),
            login_max_delay=float(source["MENDAN_LOGIN_MAX_DELAY"]),
            hash_workers=max(1, int(source["MENDAN_HASH_WORKERS"])),
            bridge_dir=source["MENDAN_BRIDGE_DIR"],
        )


def _instance_id(configured: str, data_dir: Path) -> str:
    """The configured name, or one made once per data folder, so a restarted instance is the same one."""
    if configured:
        return configured[:64]
    path = data_dir / "instance.id"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    made = secrets.token_hex(8)
    path.write_text(made + "\n")
    return made


def _secret_key(configured: str, data_dir: Path) -> bytes:
    """The configured key, or one made once and kept beside the data so restarts keep sessions."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    path.write_bytes(key)
    path.chmod(0o600)
    return key
