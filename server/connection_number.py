"""接続ナンバー: normalising what a rep typed, and allocating random 5-digit numbers atomically."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from protocol.signaling import ErrorCode
from server.db.models import NumberReservation
from server.errors import MendanError

LOWEST, HIGHEST = 10000, 99999
SPACE = HIGHEST - LOWEST + 1
NEARLY_FULL = int(SPACE * 0.9)
"""Past this many reserved numbers, random picks collide too often: say so instead of spinning."""
ATTEMPTS = 64

_FIVE_DIGITS = re.compile(r"[0-9]{5}")


def normalise(typed: str) -> str | None:
    """The 5 ASCII digits a rep meant, or None. Full-width digits and any spaces are accepted."""
    text = unicodedata.normalize("NFKC", typed)
    text = "".join(text.split())
    return text if _FIVE_DIGITS.fullmatch(text) else None


async def reserve_number(session: AsyncSession, meeting_id: str, now: float, until: float) -> str:
    """Pick a random number nobody holds and reserve it until ``until``; safe across instances."""
    live = await session.scalar(
        select(func.count()).select_from(NumberReservation).where(NumberReservation.reserved_until > now)
    )
    if (live or 0) >= NEARLY_FULL:
        raise MendanError(ErrorCode.NUMBERS_EXHAUSTED, "number space nearly full")
    for _ in range(ATTEMPTS):
        number = str(LOWEST + secrets.randbelow(SPACE))
        existing = await session.get(NumberReservation, number)
        if existing is None:
            try:
                async with session.begin_nested():
                    session.add(NumberReservation(number=number, reserved_until=until, meeting_id=meeting_id))
            except IntegrityError:
                continue  # another instance took it between our look and our insert
            return number
        taken = await session.execute(
            update(NumberReservation)
            .where(NumberReservation.number == number, NumberReservation.reserved_until <= now)
            .values(reserved_until=until, meeting_id=meeting_id)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return number
    raise MendanError(ErrorCode.NUMBERS_EXHAUSTED, "no free number found")


async def extend_reservation(session: AsyncSession, number: str, until: float) -> None:
    """Keep a used number out of circulation until ``until`` (24 h after its last use)."""
    await session.execute(
        update(NumberReservation).where(NumberReservation.number == number).values(reserved_until=until)
    )
