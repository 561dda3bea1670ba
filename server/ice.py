"""ICE servers handed to each participant: STUN/TURN from settings, TURN with short-lived credentials.

TURN credentials follow the TURN REST API that coturn implements as ``use-auth-secret``:
username ``<expiry unix time>:<participant id>``, password ``base64(HMAC-SHA1(secret, username))``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from protocol.signaling import IceServer
from server.settings import Settings


def turn_credential(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def ice_servers_for(settings: Settings, participant_id: str, now: float) -> list[IceServer]:
    servers = list(settings.ice_servers)
    if settings.turn_urls and settings.turn_secret:
        username = f"{int(now + settings.turn_ttl)}:{participant_id}"
        servers.append(
            IceServer(
                urls=list(settings.turn_urls),
                username=username,
                credential=turn_credential(settings.turn_secret, username),
            )
        )
    return servers
