"""Who is asking for a 接続ナンバー: the client's address, its network, and whether the page asking
is one of ours. Numbers are a shared, finite space, so issuing is budgeted per address, per network
and in total (server/meeting/service.py), and only our own pages may ask from a browser."""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection

from server.settings import Settings
from server.web_context import public_base_url


def network_of(address: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) an address belongs to: one actor usually holds a whole one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def origin_allowed(connection: HTTPConnection, settings: Settings) -> bool:
    """A browser names the page's origin; only our own pages may ask (the embed is an iframe of
    our start page, so its requests are same-origin too). No Origin: not a browser page's request,
    and the budgets alone apply."""
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    if origin.rstrip("/") == public_base_url(connection, settings).rstrip("/"):
        return True
    # Our own host by name, whatever the scheme: behind a TLS proxy we may see http for https.
    scheme, _, host = origin.partition("://")
    return scheme in ("http", "https") and host == connection.headers.get("host")
