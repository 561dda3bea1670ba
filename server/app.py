"""The Starlette application: long-lived parts are built in the lifespan and kept on app.state."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server import api, environment, invite_api, pages, portal
from server.auth.login_throttle import LoginThrottle
from server.auth.passwords import PasswordPool
from server.body_limit import BodyLimit, route_limits
from server.bridge import pages as bridge_pages
from server.bridge.downloads import BridgeDownloads
from server.clock import Clock
from server.collector import CollectorSchedule
from server.db.database import Database
from server.documents import api as documents_api
from server.documents import meeting_api as meeting_documents_api
from server.documents.render_queue import RenderQueue
from server.documents.signed_url import UrlSigner
from server.documents.store import DocumentStore
from server.errors import MendanError, handle_mendan_error
from server.history import api as history_api
from server.history import minutes_api
from server.history.service import HistoryService
from server.i18n import WEB_DIR, catalogue_for
from server.integrations import portal_pages as integrations_pages
from server.integrations import rest_api
from server.integrations.dispatcher import WebhookDispatcher
from server.meeting import schedule_api
from server.meeting.documents import MeetingDocuments
from server.meeting.schedule import Schedule
from server.meeting.service import MeetingService
from server.metrics import Metrics
from server.recording import api as recording_api
from server.recording.store import RecordingStore
from server.security_headers import SecurityHeaders
from server.settings import Settings
from server.signaling import longpoll
from server.signaling.bus import Bus, InProcessBus
from server.signaling.endpoint import signaling_endpoint
from server.signaling.hub import CloseCode, Hub
from server.signaling.longpoll import PollSessions
from server.transport_security import StrictTransportSecurity

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 1.0


async def _sweep_forever(app: Starlette) -> None:
    while True:
        await asyncio.sleep(SWEEP_INTERVAL)
        try:
            await app.state.bus.publish(await app.state.meetings.sweep())
            await app.state.recordings.finish_due()
            await app.state.poll_sessions.close_idle()
        except Exception:  # keep sweeping: one failed round must not stop expiry for good
            log.exception("sweep failed")


async def _make_bus(settings: Settings, hub: Hub) -> Bus:
    if not settings.redis_url:
        return InProcessBus(hub)
    from server.signaling.redis_bus import RedisBus  # only deployments with Redis need redis-py

    return await RedisBus(hub, settings.redis_url, settings.instance_id).start()


def create_app(settings: Settings, clock: Clock | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        hub = Hub()
        app.state.settings = settings
        app.state.bridge_downloads = BridgeDownloads.scan(settings.bridge_dir)  # stops a bad start
        app.state.clock = clock or Clock()
        app.state.database = database
        app.state.hub = hub
        app.state.metrics = Metrics()
        app.state.bus = await _make_bus(settings, hub)
        app.state.poll_sessions = PollSessions()
        app.state.meetings = MeetingService(
            database, settings, app.state.clock, catalogue_for("ja").text("participant.customer_name")
        )
        await app.state.meetings.sockets_lost_at_start()
        app.state.schedule = Schedule(database, app.state.meetings, app.state.clock, settings.timezone)
        app.state.url_signer = UrlSigner(settings.secret_key, app.state.clock.now)
        app.state.document_store = DocumentStore(
            database, settings.data_dir, app.state.clock.now, settings.instance_id
        )
        app.state.render_queue = RenderQueue(app.state.document_store, settings)
        app.state.meeting_documents = MeetingDocuments(
            database, app.state.document_store, app.state.url_signer, settings, app.state.clock
        )
        await app.state.document_store.clear_incoming()
        await app.state.render_queue.resume_unfinished()
        app.state.recordings = RecordingStore(database, settings, app.state.clock.now, app.state.bus.publish)
        await app.state.recordings.resume_after_restart()
        app.state.history = HistoryService(database, settings.timezone)
        app.state.webhooks = WebhookDispatcher(database, settings, app.state.clock)
        await app.state.webhooks.release_own_leases()
        webhooks = asyncio.create_task(app.state.webhooks.run())
        app.state.passwords = PasswordPool(settings.hash_workers)
        app.state.login_throttle = LoginThrottle(settings.login_limit, settings.login_max_delay)
        sweeper = asyncio.create_task(_sweep_forever(app))
        collector = asyncio.create_task(
            CollectorSchedule(settings.gc_freeze_interval, settings.gc_full_interval).run()
        )
        try:
            yield
        finally:
            sweeper.cancel()
            webhooks.cancel()
            collector.cancel()
            await app.state.render_queue.close()
            await app.state.recordings.close()
            for connection in hub.all_connections():
                connection.close(CloseCode.SHUTTING_DOWN)
            await app.state.poll_sessions.close_all()
            await app.state.bus.close()
            await app.state.webhooks.close()
            await database.dispose()
            app.state.passwords.close()

    routes = [
        *pages.routes,
        *api.routes,
        *invite_api.routes,
        *portal.routes,
        *environment.routes,
        *documents_api.routes,
        *meeting_documents_api.routes,
        *recording_api.routes,
        *history_api.routes,
        *integrations_pages.routes,
        *rest_api.routes,
        *schedule_api.routes,
        *bridge_pages.routes,
        *minutes_api.routes,
        WebSocketRoute("/ws", signaling_endpoint),
        *longpoll.routes,
        Mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static"),
    ]
    middleware = [
        # Outermost: only a trusted proxy's X-Forwarded-For/-Proto replace the peer and the scheme, so
        # everything inside (limits, cookies, HSTS) sees the visitor. uvicorn's own copy is off (cli).
        Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies)),
        Middleware(StrictTransportSecurity),
        Middleware(SecurityHeaders),
        Middleware(BodyLimit, limits=route_limits(settings), idle_timeout=settings.body_timeout),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={MendanError: handle_mendan_error},
    )
