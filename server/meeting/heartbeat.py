"""Instances of one deployment watch each other through the database (R-10.2): each writes its
heartbeat; the sockets of an instance that fell silent (killed, machine gone) count as lost."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.db.models import Participant, ServerInstance

from .delivery import Delivery
from .presence import Presence
from .views import participant_view

log = logging.getLogger(__name__)


async def beat(db: AsyncSession, instance_id: str, now: float, started: bool = False) -> None:
    """Tell the other instances we are alive (and hold the sockets we hold)."""
    touched = await db.execute(
        update(ServerInstance)
        .where(ServerInstance.id == instance_id)
        .values(seen_at=now, **({"started_at": now} if started else {}))
        .execution_options(synchronize_session=False)
    )
    if touched.rowcount == 0:  # type: ignore[attr-defined]
        db.add(ServerInstance(id=instance_id, started_at=now, seen_at=now))
        await db.flush()


async def sockets_lost_at_start(db: AsyncSession, instance_id: str, now: float) -> None:
    """After a restart this instance's sockets are gone: their grace period starts.

    Participants connected to other instances are theirs to look after.
    """
    await db.execute(
        update(Participant)
        .where(Participant.presence == Presence.CONNECTED, Participant.instance_id == instance_id)
        .values(presence=Presence.RECONNECTING, disconnected_at=now, version=Participant.version + 1)
    )
    await beat(db, instance_id, now, started=True)


async def sockets_lost_with_silent_instances(
    db: AsyncSession, instance_timeout: float, now: float
) -> list[Delivery]:
    """An instance that stopped without a word took its sockets along: their grace period starts."""
    silent = select(ServerInstance.id).where(ServerInstance.seen_at < now - instance_timeout)
    rows = list(
        await db.scalars(
            select(Participant)
            .where(Participant.presence == Presence.CONNECTED, Participant.instance_id.in_(silent))
            .with_for_update(skip_locked=True)
        )
    )
    deliveries = []
    for row in rows:
        row.presence = Presence.RECONNECTING
        row.disconnected_at = now
        row.version += 1
        update_ = p.ParticipantUpdated(participant=participant_view(row))
        deliveries.append(Delivery(row.meeting_id, update_, exclude=row.id))
    if rows:
        log.info("sockets of silent instances lost", extra={"participants": len(rows)})
    return deliveries
