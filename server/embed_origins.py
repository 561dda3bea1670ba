"""The web sites a contract embeds Mendan on: only they may show its start page in a frame."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Contract
from server.security_headers import content_security_policy

_ORIGIN = re.compile(r"(https?)://([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?)/?")
"""scheme://host[:port] and nothing else: the value goes into a CSP header, so no space, ; or *."""


def parse_origins(texts: list[str]) -> list[str]:
    """``https://www.example.co.jp`` style origins, normalised; ValueError names the first bad one."""
    origins = []
    for text in texts:
        found = _ORIGIN.fullmatch(text.strip().lower())
        if found is None:
            raise ValueError(f"not an origin (scheme://host[:port]): {text!r}")
        origins.append(f"{found[1]}://{found[2]}")
    return origins


async def set_embed_origins(db: AsyncSession, customer_number: str, origins: list[str]) -> None:
    contract = await db.scalar(select(Contract).where(Contract.customer_number == customer_number))
    if contract is None:
        raise ValueError(f"no contract {customer_number!r}")
    contract.embed_origins = " ".join(origins)


def start_page_policy(embed_origins: str, host: str) -> str:
    """The start page's CSP: framed by us and by the contract's own sites, nobody else."""
    return content_security_policy(" ".join(["'self'", *embed_origins.split()]), host=host)
