"""The webhook signature: HMAC-SHA256 over ``<timestamp>.<body>`` with the endpoint's secret.

docs/integrations.md shows the receiver's side; a test runs that code against these headers.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Mendan-Signature"
TIMESTAMP_HEADER = "X-Mendan-Timestamp"
EVENT_HEADER = "X-Mendan-Event"
DELIVERY_HEADER = "X-Mendan-Delivery"
VERSION = "v1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``v1=`` and the hex HMAC of ``<timestamp>.<body>``."""
    message = str(timestamp).encode() + b"." + body
    return f"{VERSION}=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, timestamp: int, body: bytes, event_type: str, event_id: str
) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Mendan-Webhook/1",
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
