"""Security headers on every HTTP response, pages, JSON, files and errors alike.

The pages load scripts and styles only from our own origin (no inline script or handler), so an
injected ``<script>`` cannot run; other sites may not frame us, except a contract's start page on the
sites that contract named (its handler sets its own policy, which this middleware then leaves as is).
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAME_ORIGIN_FRAMES = "'self'"
"""Our own pages frame our own downloads (a hidden iframe); nobody else frames us."""

_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,255}$")


def content_security_policy(frame_ancestors: str = SAME_ORIGIN_FRAMES, host: str = "") -> str:
    # 'self' covers ws(s) of our host in current browsers; older ones need it spelled out.
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            f"connect-src 'self'{sockets}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


class SecurityHeaders:
    """ASGI middleware adding the headers to each HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = content_security_policy(host=host)
                    headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without frame-ancestors
            await send(message)

        await self.app(scope, receive, send_with_headers)
