"""What the portal and the start pages read about a contract: its embed key and its IDs' storage."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, Contract, Document


@dataclass(frozen=True)
class AccountRow:
    """One login ID of the contract as the portal lists it."""

    login: str
    display_name: str
    storage_bytes: int


async def embed_key_of(db: AsyncSession, contract_id: int) -> str:
    """The contract's embed key, made on first use (contracts older than the column have none)."""
    contract = await db.get(Contract, contract_id)
    assert contract is not None
    if not contract.embed_key:
        contract.embed_key = secrets.token_urlsafe(12)
    return contract.embed_key


async def contract_for_embed(db: AsyncSession, key: str) -> int | None:
    """The contract whose web site carries this embed key, if any."""
    return await db.scalar(select(Contract.id).where(Contract.embed_key == key))


async def embed_origins_for(db: AsyncSession, key: str) -> str | None:
    """The sites (space-separated) that may frame the start page of this embed key; None: no such key."""
    return await db.scalar(select(Contract.embed_origins).where(Contract.embed_key == key))


async def storage_by_account(db: AsyncSession, contract_id: int) -> list[AccountRow]:
    """Each ID with the bytes it stores (documents; recordings add theirs in the same place)."""
    document_bytes = (
        select(Document.account_id, func.coalesce(func.sum(Document.size), 0).label("bytes"))
        .group_by(Document.account_id)
        .subquery()
    )
    rows = await db.execute(
        select(Account.login, Account.display_name, func.coalesce(document_bytes.c.bytes, 0))
        .outerjoin(document_bytes, document_bytes.c.account_id == Account.id)
        .where(Account.contract_id == contract_id)
        .order_by(Account.login)
    )
    return [AccountRow(login, name, int(used)) for login, name, used in rows]
