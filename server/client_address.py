"""Who is on the other end of a request: the one place that answers it for limits, lock-outs and logs.

The proxy middleware (see ``server.app``) has already replaced the socket's peer and scheme with what
a trusted proxy forwarded, so what is read here is the visitor's own address and whether their
browser spoke HTTPS; headers from anyone else were ignored there.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

SECURE_SCHEMES = frozenset({"https", "wss"})


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


def came_over_https(connection: HTTPConnection) -> bool:
    return connection.url.scheme in SECURE_SCHEMES
