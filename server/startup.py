"""Start-up and shut-down of the long-lived services, in one AsyncExitStack.

Each resource registers its own clean-up the moment it exists, so a start that fails half way
closes what it had opened (sockets to Redis, database connections, worker tasks) and shut-down
undoes everything in reverse order of start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from server.auth.login_throttle import LoginThrottle
from server.auth.passwords import PasswordPool
from server.bridge.downloads import BridgeDownloads
from server.clock import Clock
from server.collector import CollectorSchedule
from server.db.database import Database
from server.documents.meeting import MeetingDocuments
from server.documents.render_queue import RenderQueue
from server.documents.signed_url import UrlSigner
from server.documents.store import DocumentStore
from server.history.service import HistoryService
from server.i18n import catalogue_for
from server.integrations.dispatcher import WebhookDispatcher
from server.meeting.annotations import Annotations
from server.meeting.schedule import Schedule
from server.meeting.screen_share import ScreenShares
from server.meeting.service import MeetingService
from server.metrics import Metrics
from server.recording.store import RecordingStore
from server.services import Services
from server.settings import Settings
from server.signaling.bus import Bus, InProcessBus
from server.signaling.hub import CloseCode, Hub
from server.signaling.longpoll import PollSessions

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 1.0


async def sweep_once(services: Services) -> None:
    """One round: numbers that expired, grace periods run out, recordings due, idle polling clients."""
    await services.bus.publish(await services.meetings.sweep())
    await services.recordings.finish_due()
    await services.poll_sessions.close_idle()


async def _sweep_forever(services: Services) -> None:
    while True:
        await asyncio.sleep(SWEEP_INTERVAL)
        try:
            await sweep_once(services)
        except Exception:  # keep sweeping: one failed round must not stop expiry for good
            log.exception("sweep failed")


async def _make_bus(settings: Settings, hub: Hub) -> Bus:
    if not settings.redis_url:
        return InProcessBus(hub)
    from server.signaling.redis_bus import RedisBus  # only deployments with Redis need redis-py

    return await RedisBus(hub, settings.redis_url, settings.instance_id).start()


def _background(stack: contextlib.AsyncExitStack, work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` until the stack closes; then cancel it and wait until it has stopped."""
    task = asyncio.create_task(work)

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(stop)


def _close_sockets(hub: Hub) -> None:
    for connection in hub.all_connections():
        connection.close(CloseCode.SHUTTING_DOWN)


@contextlib.asynccontextmanager
async def started_services(
    settings: Settings, clock: Clock | None = None, sweeper: bool = True
) -> AsyncIterator[Services]:
    """The services, running; on leaving (or on a failed start) everything started is stopped.

    ``sweeper=False``: no sweep every second; a test that moves the clock sweeps when it wants.
    """
    clock = clock or Clock()
    bridge_downloads = BridgeDownloads.scan(
        settings.bridge_dir
    )  # a folder with nothing built stops the start
    async with contextlib.AsyncExitStack() as stack:
        database = Database(settings.database_url)
        stack.push_async_callback(database.dispose)
        passwords = PasswordPool(settings.hash_workers)
        stack.callback(passwords.close)
        metrics = Metrics()
        hub = Hub()
        bus = await _make_bus(settings, hub)
        stack.push_async_callback(bus.close)
        poll_sessions = PollSessions(clock.now)
        stack.push_async_callback(poll_sessions.close_all)
        stack.callback(_close_sockets, hub)  # runs before the bus and polling sessions close
        meetings = MeetingService(
            database, settings, clock, catalogue_for("ja").text("participant.customer_name")
        )
        await meetings.sockets_lost_at_start()
        url_signer = UrlSigner(settings.secret_key, clock.now)
        document_store = DocumentStore(database, settings.data_dir, clock.now, settings.instance_id)
        await document_store.clear_incoming()
        render_queue = RenderQueue(document_store, settings)
        stack.push_async_callback(render_queue.close)
        await render_queue.resume_unfinished()
        recordings = RecordingStore(database, settings, clock.now, bus.publish)
        stack.push_async_callback(recordings.close)
        await recordings.resume_after_restart()
        webhooks = WebhookDispatcher(database, settings, clock)
        stack.push_async_callback(webhooks.close)
        await webhooks.release_own_leases()
        services = Services(
            settings=settings,
            clock=clock,
            database=database,
            metrics=metrics,
            hub=hub,
            bus=bus,
            poll_sessions=poll_sessions,
            meetings=meetings,
            schedule=Schedule(database, meetings, clock, settings.timezone),
            url_signer=url_signer,
            document_store=document_store,
            render_queue=render_queue,
            meeting_documents=MeetingDocuments(database, document_store, url_signer, settings, clock),
            recordings=recordings,
            history=HistoryService(database, settings.timezone),
            webhooks=webhooks,
            passwords=passwords,
            login_throttle=LoginThrottle(settings.login_limit, settings.login_max_delay),
            bridge_downloads=bridge_downloads,
            screen_shares=ScreenShares(database, clock),
            annotations=Annotations(database, clock),
        )
        _background(stack, webhooks.run())
        if sweeper:
            _background(stack, _sweep_forever(services))
        _background(stack, CollectorSchedule(settings.gc_freeze_interval, settings.gc_full_interval).run())
        yield services
