"""The Starlette application: routes, middleware, and the services started in its lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server import environment, health, pages, portal
from server.body_limit import BodyLimit, route_limits
from server.bridge import pages as bridge_pages
from server.clock import Clock
from server.documents import api as documents_api
from server.documents import meeting_api as meeting_documents_api
from server.errors import MendanError, handle_mendan_error
from server.history import api as history_api
from server.history import minutes_api
from server.i18n import WEB_DIR
from server.integrations import portal_pages as integrations_pages
from server.integrations import rest_api
from server.meeting import api as meeting_api
from server.meeting import invite_api, schedule_api
from server.recording import api as recording_api
from server.security_headers import SecurityHeaders
from server.settings import Settings
from server.signaling import longpoll
from server.signaling.endpoint import signaling_endpoint
from server.startup import started_services
from server.transport_security import StrictTransportSecurity


def create_app(settings: Settings, clock: Clock | None = None, sweeper: bool = True) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with started_services(settings, clock, sweeper) as services:
            app.state.services = services  # handlers reach it through server.services.services()
            yield

    routes = [
        *pages.routes,
        *meeting_api.routes,
        *health.routes,
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
