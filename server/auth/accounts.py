"""Contracts and IDs: what the operator's CLI creates and the login checks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.database import Database
from server.db.models import Account, Contract

from .passwords import PasswordPool, hash_password
from .sessions import end_sessions

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A request the operator made that cannot be carried out (the text says why)."""


@dataclass(frozen=True)
class RepIdentity:
    """A logged-in rep as the rest of the server needs it."""

    account_id: int
    contract_id: int
    login: str
    display_name: str
    company_name: str
    customer_number: str


async def _new_customer_number(session: AsyncSession) -> str:
    # C00XXXX as in the FAQ: random, so the count of contracts is not revealed.
    while True:
        number = f"C00{secrets.randbelow(10000):04d}"
        if await session.scalar(select(Contract.id).where(Contract.customer_number == number)) is None:
            return number


async def create_account(
    session: AsyncSession,
    login: str,
    password: str,
    *,
    customer_number: str | None,
    display_name: str,
    company_name: str,
    now: float,
) -> tuple[Contract, Account]:
    """Create an ID, under the named contract or a new one; raise AccountError on bad input."""
    login = login.strip()
    if not login or len(login) > 100:
        raise AccountError("the login ID must be 1 to 100 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if await session.scalar(select(Account.id).where(Account.login == login)) is not None:
        raise AccountError(f"the login ID {login!r} exists already")
    if customer_number:
        contract = await session.scalar(select(Contract).where(Contract.customer_number == customer_number))
        if contract is None:
            raise AccountError(f"no contract {customer_number!r}")
        if company_name and not contract.company_name:
            contract.company_name = company_name
    else:
        contract = Contract(
            customer_number=await _new_customer_number(session), company_name=company_name, created_at=now
        )
        session.add(contract)
        await session.flush()
    account = Account(
        contract_id=contract.id,
        login=login,
        display_name=display_name or login,
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(account)
    await session.flush()
    return contract, account


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


async def set_password(
    session: AsyncSession, login: str, password_hash: str, keep_session: str | None = None
) -> None:
    """Store a new password's hash; every login session of the ID ends but ``keep_session`` (the one
    changing it). The hash is made before, outside the transaction: SQLite writers take turns."""
    account = await session.scalar(select(Account).where(Account.login == login))
    if account is None:
        raise AccountError(f"no login ID {login!r}")
    account.password_hash = password_hash
    await end_sessions(session, account.id, keep=keep_session)


async def list_accounts(session: AsyncSession) -> list[tuple[Contract, Account]]:
    rows = await session.execute(
        select(Contract, Account)
        .join(Account, Account.contract_id == Contract.id)
        .order_by(Contract.customer_number, Account.login)
    )
    return [(contract, account) for contract, account in rows]


async def identity_of(session: AsyncSession, account_id: int) -> RepIdentity | None:
    row = (
        await session.execute(
            select(Account, Contract)
            .join(Contract, Account.contract_id == Contract.id)
            .where(Account.id == account_id)
        )
    ).first()
    if row is None:
        return None
    account, contract = row  # a Row unpacks like a tuple (Row.tuple() is deprecated)
    return RepIdentity(
        account_id=account.id,
        contract_id=contract.id,
        login=account.login,
        display_name=account.display_name,
        company_name=contract.company_name,
        customer_number=contract.customer_number,
    )


async def check_login(database: Database, login: str, password: str, passwords: PasswordPool) -> int | None:
    """The account id when login and password match, else None (same cost either way).

    The hash is read in a transaction of its own and checked after it: a transaction held while
    Argon2 runs would hold SQLite's write lock, and every other request with it."""
    async with database.session() as db:
        row = (
            await db.execute(select(Account.id, Account.password_hash).where(Account.login == login.strip()))
        ).first()
    if await passwords.verify(row.password_hash if row else None, password) and row:
        return int(row.id)
    return None
