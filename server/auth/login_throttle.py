"""Wrong passwords slow the next try down: per login ID and per address, each wait twice the last.

The first few failures in the window cost nothing; after that a try must wait 1, 2, 4 … seconds after
the last failure (at most ``max_delay``). A try that comes too early is refused before any hashing,
with the seconds left, so a guesser gets few tries and costs the server nothing. An address gets
ADDRESS_FACTOR times the ID's allowance, since an office's reps share one. Counts live in the
database, so every instance sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import RateLimitHit
from server.rate_limit import count_recent

BUCKET = "login"
ADDRESS_FACTOR = 4


@dataclass(frozen=True)
class LoginThrottle:
    limit: tuple[int, float]
    """Failures free of delay per ID, and the window they are counted in (seconds)."""
    max_delay: float

    def keys(self, login: str, address: str) -> dict[str, int]:
        free = self.limit[0]
        return {f"id:{login.strip()}": free, f"addr:{address}": free * ADDRESS_FACTOR}

    async def wait_left(self, db: AsyncSession, login: str, address: str, now: float) -> float:
        """Seconds before this login may be tried again (0: now)."""
        since = now - self.limit[1]
        wait = 0.0
        for key, free in self.keys(login, address).items():
            failures = await count_recent(db, BUCKET, key, since)
            if failures < free:
                continue
            last = await db.scalar(
                select(func.max(RateLimitHit.at)).where(
                    RateLimitHit.bucket == BUCKET, RateLimitHit.key == key
                )
            )
            delay = min(self.max_delay, 2.0 ** (failures - free))
            wait = max(wait, float(last or now) + delay - now)
        return wait

    async def failed(self, db: AsyncSession, login: str, address: str, now: float) -> None:
        for key in self.keys(login, address):
            db.add(RateLimitHit(bucket=BUCKET, key=key, at=now))

    async def succeeded(self, db: AsyncSession, login: str) -> None:
        """The ID starts afresh; its address does not (one known password must not reset a sprayer)."""
        await db.execute(
            delete(RateLimitHit).where(
                RateLimitHit.bucket == BUCKET, RateLimitHit.key == f"id:{login.strip()}"
            )
        )
