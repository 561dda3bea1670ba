"""A message for the participants of one meeting, published on the bus after the commit."""

from __future__ import annotations

from dataclasses import dataclass

from protocol.signaling import AnyServerMessage


@dataclass(frozen=True)
class Delivery:
    """Send ``message`` to everyone in ``meeting_id`` (or only ``to``), except ``exclude``."""

    meeting_id: str
    message: AnyServerMessage
    to: str | None = None
    exclude: str | None = None
