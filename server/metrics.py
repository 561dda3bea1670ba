"""Prometheus metrics of one instance: what moves through it, and the state it sees in the database."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select

from protocol import signaling as p
from server.db.database import Database
from server.db.models import Meeting, NumberReservation


class Metrics:
    """The instance's registry (not prometheus-client's global one) and its counters and gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.messages_in = Counter(
            "mendan_signaling_messages_in",
            "signaling messages received from clients",
            ["type"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "mendan_signaling_messages_out",
            "signaling messages queued to clients",
            ["type"],
            registry=self.registry,
        )
        self.errors = Counter(
            "mendan_errors",
            "errors answered to clients, by code and transport",
            ["code", "transport"],
            registry=self.registry,
        )
        self.meetings = Gauge(
            "mendan_meetings",
            "meetings in the database by state (all instances)",
            ["state"],
            registry=self.registry,
        )
        self.participants_connected = Gauge(
            "mendan_participants_connected",
            "signaling sockets joined to a meeting on this instance",
            registry=self.registry,
        )
        self.numbers_live = Gauge(
            "mendan_numbers_live",
            "connection numbers issued and still waiting to be claimed",
            registry=self.registry,
        )
        self.numbers_reserved = Gauge(
            "mendan_numbers_reserved",
            "numbers out of circulation (live, or used within the reuse delay)",
            registry=self.registry,
        )
        # Label children looked up once: counting a message is then one dictionary hit.
        self._in = {t: self.messages_in.labels(t) for t in _types(p.CLIENT_MESSAGES)}
        self._out = {t: self.messages_out.labels(t) for t in _types(p.SERVER_MESSAGES)}

    def received(self, message_type: str) -> None:
        counter = self._in.get(message_type)
        if counter is not None:
            counter.inc()

    def sent(self, message_type: str) -> None:
        counter = self._out.get(message_type)
        if counter is not None:
            counter.inc()

    def error(self, code: p.ErrorCode, transport: str) -> None:
        self.errors.labels(code.value, transport).inc()

    async def render(self, database: Database, connected: int, now: float) -> bytes:
        """The text exposition, with the gauges read fresh from the database."""
        async with database.session() as db:
            counted = await db.execute(select(Meeting.state, func.count()).group_by(Meeting.state))
            by_state = {state: count for state, count in counted}
            live = await db.scalar(
                select(func.count())
                .select_from(Meeting)
                .where(Meeting.state == p.MeetingState.WAITING, Meeting.expires_at > now)
            )
            reserved = await db.scalar(
                select(func.count())
                .select_from(NumberReservation)
                .where(NumberReservation.reserved_until > now)
            )
        for state in p.MeetingState:
            self.meetings.labels(state.value).set(by_state.get(state.value, 0))
        self.participants_connected.set(connected)
        self.numbers_live.set(live or 0)
        self.numbers_reserved.set(reserved or 0)
        return generate_latest(self.registry)


def _types(classes: tuple[type[p._Message], ...]) -> list[str]:
    return [str(cls.model_fields["type"].default) for cls in classes]
