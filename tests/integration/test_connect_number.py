"""R-1 and R-2 over real HTTP: issuing, claiming, and every bad number answered the same way."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.clients import Rep, issue_number
from tests.support.server import MendanServer

INVALID = "接続ナンバーが不正です"


def _error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert body["ok"] is False
    return response.status_code, body["error"]["code"], body["error"]["message"]


def test_issue_and_claim(server: MendanServer, rep: Rep) -> None:
    issued = issue_number(server)
    assert len(issued["number"]) == 5 and issued["number"].isdigit()
    assert issued["expires_in"] == 600
    claimed = rep.claim(issued["number"], recording=True)
    assert claimed.status_code == 200 and claimed.json()["meeting_id"] == issued["meeting_id"]


def test_full_width_and_spaced_numbers_are_accepted(server: MendanServer, rep: Rep) -> None:
    number = issue_number(server)["number"]
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in number)
    assert rep.claim(f" {full_width}\u3000").status_code == 200


@pytest.mark.parametrize("typed", ["1234", "123456", "12a45", "abcde", "", "     "])
def test_malformed_numbers_are_invalid(server: MendanServer, rep: Rep, typed: str) -> None:
    assert _error(rep.claim(typed)) == (400, "invalid_number", INVALID)


def test_unknown_number_is_invalid(server: MendanServer, rep: Rep) -> None:
    issued = issue_number(server)["number"]
    unknown = "10000" if issued != "10000" else "10001"
    assert _error(rep.claim(unknown)) == (400, "invalid_number", INVALID)


def test_a_number_is_claimed_once(server: MendanServer, rep: Rep) -> None:
    server.create_account("suzuki")
    other = Rep(server, "suzuki")
    number = issue_number(server)["number"]
    assert rep.claim(number).status_code == 200
    assert _error(other.claim(number)) == (400, "invalid_number", INVALID)
    assert _error(rep.claim(number)) == (400, "invalid_number", INVALID)
    other.close()


def test_expired_number_is_invalid(server_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = server_factory({"MENDAN_NUMBER_TTL": "1"})
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    number = issue_number(server)["number"]
    time.sleep(1.5)
    assert _error(rep.claim(number)) == (400, "invalid_number", INVALID)
    rep.close()


def test_recording_question_must_be_answered(server: MendanServer, rep: Rep) -> None:
    number = issue_number(server)["number"]
    status, code, message = _error(rep.claim(number, recording=None))
    assert (status, code) == (400, "recording_unanswered") and "YES" in message
    assert rep.claim(number, recording=False).status_code == 200  # nothing was used up


def test_claiming_needs_login_and_csrf(server: MendanServer, rep: Rep) -> None:
    number = issue_number(server)["number"]
    anonymous = httpx.post(f"{server.url}/api/meetings", json={"number": number, "recording": False})
    assert _error(anonymous)[:2] == (401, "not_authenticated")
    forged = rep.http.post(
        "/api/meetings", json={"number": number, "recording": False}, headers={"X-CSRF-Token": "x.y"}
    )
    assert _error(forged)[:2] == (403, "csrf_failed")
    assert rep.claim(number).status_code == 200


@pytest.mark.parametrize("body", ["not json", "[1]", '{"number": 12345, "recording": false}'])
def test_bad_bodies_get_clear_errors(server: MendanServer, rep: Rep, body: str) -> None:
    response = rep.http.post(
        "/api/meetings", content=body, headers={"X-CSRF-Token": rep.csrf, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_wrong_guesses_lock_the_id_then_the_address(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory({"MENDAN_GUESS_LIMIT": "3/600", "MENDAN_LOCKOUT": "600"})
    contract = server.create_account("tanaka")
    server.create_account("suzuki", contract=contract)
    rep = Rep(server, "tanaka")
    for guess in ("11111", "22222", "33333"):
        assert _error(rep.claim(guess))[1] == "invalid_number"
    number = issue_number(server)["number"]
    status, code, message = _error(rep.claim(number))
    assert (status, code) == (429, "locked_out") and "10分" in message
    # The same address is locked too for the contract: another of its IDs from here cannot go on guessing.
    other = Rep(server, "suzuki")
    assert _error(other.claim(number))[1] == "locked_out"
    rep.close()
    other.close()


def test_issuing_is_rate_limited_per_address(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory({"MENDAN_ISSUE_LIMIT": "3/600"})
    for _ in range(3):
        issue_number(server)
    response = httpx.post(f"{server.url}/api/numbers")
    status, code, message = _error(response)
    assert (status, code) == (429, "rate_limited") and "お待ちください" in message
    assert int(response.headers["Retry-After"]) > 0
