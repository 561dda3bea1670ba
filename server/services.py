"""The application's long-lived services, typed, and the one way a handler reaches them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

if TYPE_CHECKING:  # only the types: this container must not pull every module into its import
    from server.auth.login_throttle import LoginThrottle
    from server.auth.passwords import PasswordPool
    from server.bridge.downloads import BridgeDownloads
    from server.clock import Clock
    from server.db.database import Database
    from server.documents.meeting import MeetingDocuments
    from server.documents.render_queue import RenderQueue
    from server.documents.signed_url import UrlSigner
    from server.documents.store import DocumentStore
    from server.history.service import HistoryService
    from server.integrations.dispatcher import WebhookDispatcher
    from server.meeting.annotations import Annotations
    from server.meeting.schedule import Schedule
    from server.meeting.screen_share import ScreenShares
    from server.meeting.service import MeetingService
    from server.metrics import Metrics
    from server.recording.store import RecordingStore
    from server.settings import Settings
    from server.signaling.bus import Bus
    from server.signaling.hub import Hub
    from server.signaling.longpoll import PollSessions


@dataclass(frozen=True)
class Services:
    """Everything the handlers share; built once at start-up by ``server.startup.started_services``."""

    settings: Settings
    clock: Clock
    database: Database
    metrics: Metrics
    hub: Hub
    bus: Bus
    poll_sessions: PollSessions
    meetings: MeetingService
    schedule: Schedule
    url_signer: UrlSigner
    document_store: DocumentStore
    render_queue: RenderQueue
    meeting_documents: MeetingDocuments
    recordings: RecordingStore
    history: HistoryService
    webhooks: WebhookDispatcher
    passwords: PasswordPool
    login_throttle: LoginThrottle
    bridge_downloads: BridgeDownloads
    screen_shares: ScreenShares
    annotations: Annotations


def services(connection: HTTPConnection) -> Services:
    """The running app's services, for a request or a socket (typed: no ``Any`` from app.state)."""
    return app_services(connection.app)


def app_services(app: Starlette) -> Services:
    """The services of a running app, where there is no request (server/signaling/socket.py)."""
    found = getattr(app.state, "services", None)
    if not isinstance(found, Services):
        raise RuntimeError("the app has not started: its services are built in the lifespan")
    return found


def services_if_started(connection: HTTPConnection) -> Services | None:
    """The services, or None before start-up finished (an error handler may run that early)."""
    found = getattr(connection.app.state, "services", None)
    return found if isinstance(found, Services) else None
