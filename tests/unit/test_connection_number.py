"""接続ナンバー: normalising what reps type, and allocating numbers in a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert

from protocol.signaling import ErrorCode
from server.connection_number import NEARLY_FULL, normalise, reserve_number
from server.db.database import Database
from server.db.migrate import upgrade
from server.db.models import NumberReservation
from server.errors import MendanError
from tests.support.aio import run


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12345", "12345"),
        ("１２３４５", "12345"),  # full-width digits from a Japanese IME
        (" 12345 ", "12345"),
        ("\u300012345\u3000", "12345"),  # full-width spaces
        ("123 45", "12345"),
        ("1234", None),
        ("123456", None),
        ("1234a", None),
        ("abcde", None),
        ("", None),
        ("١٢٣٤٥", None),  # other scripts' digits are not the digits we issue
        ("12-345", None),
        ("+1234", None),
    ],
)
def test_normalise(typed: str, expected: str | None) -> None:
    assert normalise(typed) == expected


@pytest.fixture
def database(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    return Database(url)


def _reserve(database: Database, now: float, until: float, meeting: str = "m") -> str:
    async def work() -> str:
        async with database.session() as db, db.begin():
            return await reserve_number(db, meeting, now, until)

    try:
        return run(work())
    finally:
        run(database.dispose())


def test_numbers_are_five_digits_random_and_unique_while_reserved(database: Database) -> None:
    numbers = [_reserve(database, now=0, until=100) for _ in range(300)]
    assert all(len(n) == 5 and 10000 <= int(n) <= 99999 for n in numbers)
    assert len(set(numbers)) == 300
    ordered = sorted(int(n) for n in numbers)
    assert numbers != [str(n) for n in ordered]  # not handed out in sequence


def test_a_number_is_not_reissued_until_its_reservation_ends(database: Database) -> None:
    async def fill_all_but(keep: str) -> None:
        async with database.session() as db, db.begin():
            rows = [
                {"number": str(n), "reserved_until": 1000.0, "meeting_id": "x"}
                for n in range(10000, 100000)
                if str(n) != keep
            ]
            await db.execute(insert(NumberReservation), rows[: NEARLY_FULL - 1])

    run(fill_all_but("55555"))
    run(database.dispose())
    # Nearly full: refused with a clear code instead of spinning.
    _reserve(database, now=0, until=50)
    with pytest.raises(MendanError) as refused:
        _reserve(database, now=0, until=50)
    assert refused.value.code is ErrorCode.NUMBERS_EXHAUSTED


def test_an_expired_reservation_frees_the_number(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _reserve(database, now=0, until=10, meeting="first")
    # Make the random pick land on the same number every time, to exercise the reuse path.
    monkeypatch.setattr("server.connection_number.secrets.randbelow", lambda _: int(first) - 10000)
    with pytest.raises(MendanError) as busy:
        _reserve(database, now=5, until=20, meeting="second")  # still reserved
    assert busy.value.code is ErrorCode.NUMBERS_EXHAUSTED
    assert _reserve(database, now=10, until=30, meeting="third") == first

    async def holder() -> tuple[str, float]:
        async with database.session() as db:
            row = await db.get(NumberReservation, first)
            assert row is not None
            return row.meeting_id, row.reserved_until

    assert run(holder()) == ("third", 30)
    run(database.dispose())
