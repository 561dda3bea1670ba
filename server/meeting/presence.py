"""Where a participant's row stands, in the database; the protocol shows it as ParticipantState."""

from __future__ import annotations

import enum

from protocol import signaling as p


class Presence(enum.StrEnum):
    """A participant row's presence (stored as its string value)."""

    CONNECTING = "connecting"
    """Created (number issued, claimed or invite opened); the socket has not joined yet."""
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    """The socket was lost; inside the grace period the person may come back."""
    LEFT = "left"
    """Gone for good (接続終了, removed, or the grace period ran out)."""

    @property
    def shown(self) -> p.ParticipantState:
        """What the others see: connected, or (also while still connecting) reconnecting."""
        return p.ParticipantState.CONNECTED if self is Presence.CONNECTED else p.ParticipantState.RECONNECTING
