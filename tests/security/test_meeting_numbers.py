"""接続ナンバー under abuse: floods from one address or one network leave numbers for everyone else,
unclaimed numbers are free again when they expire, foreign pages cannot issue them, and one
contract's wrong numbers never lock out another contract's reps behind the same address."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx

from server.i18n import catalogue_for
from tests.support.clients import Rep, issue_number


def _from(server: Any, address: str, **headers: str) -> httpx.Response:
    """POST /api/numbers from a given loopback address (all of 127.0.0.0/8 reaches the server)."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=10) as client:
        return client.post(f"{server.url}/api/numbers", headers=headers)


def test_a_flood_from_one_network_leaves_numbers_for_everyone_else(server_factory: Any) -> None:
    server = server_factory({"MENDAN_ISSUE_LIMIT": "4/600", "MENDAN_ISSUE_NETWORK_LIMIT": "6/600"})
    flood = [_from(server, "127.0.5.2").status_code for _ in range(6)]
    assert flood == [200] * 4 + [429] * 2  # one address: its own budget

    neighbours = [_from(server, f"127.0.5.{host}").status_code for host in (3, 4, 5, 6)]
    assert neighbours == [200, 200, 429, 429]  # the rest of its /24 shares one network budget
    refused = _from(server, "127.0.5.7")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0

    assert _from(server, "127.0.6.2").status_code == 200  # a customer elsewhere still gets one
    assert _from(server, "127.0.7.9").status_code == 200


def test_unclaimed_numbers_are_free_again_when_they_expire(server_factory: Any) -> None:
    server = server_factory({"MENDAN_NUMBER_TTL": "600"})
    issued = issue_number(server)
    with sqlite3.connect(server.data_dir / "mendan.sqlite3") as db:
        (until,) = db.execute(
            "SELECT reserved_until FROM number_reservations WHERE number = ?", (issued["number"],)
        ).fetchone()
    assert until <= issued["expires_at"] + 1  # not a day more: a flood of unclaimed numbers fades


def test_foreign_pages_cannot_issue_numbers(server_factory: Any) -> None:
    server = server_factory()
    for origin in ("https://evil.example", "null", server.url + ".evil.example"):
        response = httpx.post(f"{server.url}/api/numbers", headers={"Origin": origin})
        assert response.status_code == 403, origin
        error = response.json()["error"]
        assert error["code"] == "origin_not_allowed"
        assert error["message"] == catalogue_for("ja").text("error.origin_not_allowed")
    assert httpx.post(f"{server.url}/api/numbers", headers={"Origin": server.url}).status_code == 200
    assert httpx.post(f"{server.url}/api/numbers").status_code == 200  # not a browser: budgets apply


def test_one_contracts_wrong_numbers_never_lock_out_another_contract(server_factory: Any) -> None:
    server = server_factory({"MENDAN_GUESS_LIMIT": "3/600", "MENDAN_LOCKOUT": "600"})
    server.create_account("guesser")
    server.create_account("neighbour")  # another contract, same office address
    guesser, neighbour = Rep(server, "guesser"), Rep(server, "neighbour")
    try:
        for guess in ("11111", "22222", "33333"):
            assert guesser.claim(guess).json()["error"]["code"] == "invalid_number"
        number = issue_number(server)["number"]
        assert guesser.claim(number).json()["error"]["code"] == "locked_out"
        assert neighbour.claim(number).status_code == 200
    finally:
        guesser.close()
        neighbour.close()
