"""Items 5 and 6: password guessing is slowed down per ID and per address; hashing never stalls the
server; a password change or reset ends every other session of the ID."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from tests.conftest import ServerFactory
from tests.support.clients import CSRF_FIELD, Rep
from tests.support.server import MendanServer

THROTTLED = "ログインに続けて失敗したため"


def _try_login(server: MendanServer, login: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        token = CSRF_FIELD.search(client.get("/login").text)
        assert token
        return client.post("/login", data={"login": login, "password": password, "csrf_token": token[1]})


def _guess_until_told_to_wait(
    guess: Callable[[int], httpx.Response], at_least: int, waits: list[int] | None = None
) -> httpx.Response:
    """Wrong guesses (waiting as told when told) until the server asks for ``at_least`` seconds: a
    window wide enough that the next request surely lands in it, however busy the machine is."""
    for attempt in range(16):
        answer = guess(attempt)
        if answer.status_code == 429:
            assert THROTTLED in answer.text, answer.text
            wait = int(answer.headers["Retry-After"])
            if waits is not None:
                waits.append(wait)
            if wait >= at_least:
                return answer
            time.sleep(wait)
        else:
            assert answer.status_code in (400, 401), answer.text
    raise AssertionError("never throttled")


def test_wrong_passwords_make_each_next_try_of_the_id_wait_longer(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_LOGIN_LIMIT": "3/600"})
    server.create_account("tanaka")
    server.create_account("sato")
    for _ in range(3):  # the free tries: a plain "wrong password"
        assert _try_login(server, "tanaka", "guess").status_code == 401
    waits: list[int] = []
    _guess_until_told_to_wait(lambda _: _try_login(server, "tanaka", "guess"), 4, waits)
    assert waits == sorted(waits) and waits[-1] > waits[0] >= 1  # each wait longer than the last
    refused = _try_login(server, "tanaka", "correct-horse")  # even the right password must wait
    assert refused.status_code == 429 and THROTTLED in refused.text
    assert _try_login(server, "sato", "correct-horse").status_code == 303  # other IDs on the address go on
    time.sleep(int(refused.headers["Retry-After"]))
    assert _try_login(server, "tanaka", "correct-horse").status_code == 303  # and the owner gets in after


def test_an_address_spraying_many_ids_is_slowed_down(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_LOGIN_LIMIT": "2/600"})
    server.create_account("tanaka")
    for n in range(8):  # two free tries per ID, four times that per address: none is throttled yet
        assert _try_login(server, f"user{n}", "guess").status_code == 401
    # Each guess on its own ID, so only the address's count can be what slows them down.
    _guess_until_told_to_wait(lambda n: _try_login(server, f"other{n}", "guess"), 4)
    refused = _try_login(server, "tanaka", "correct-horse")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_healthz_answers_while_logins_flood_in(server_factory: ServerFactory) -> None:
    """Argon2 ran on the event loop: a dozen logins at once held every other request for seconds. Now
    hashing runs beside the loop, so /healthz answers before the flood of logins has been served."""
    server = server_factory({"MENDAN_LOGIN_LIMIT": "1000/600", "MENDAN_HASH_WORKERS": "1"})
    server.create_account("tanaka")
    tokens = []
    clients = [httpx.Client(base_url=server.url, timeout=120) for _ in range(12)]
    for client in clients:
        token = CSRF_FIELD.search(client.get("/login").text)
        assert token
        tokens.append(token[1])
    finished: list[int] = []

    def log_in(index: int) -> None:
        form = {"login": "tanaka", "password": "correct-horse", "csrf_token": tokens[index]}
        assert clients[index].post("/login", data=form).status_code == 303
        finished.append(index)

    flood = [threading.Thread(target=log_in, args=(i,)) for i in range(len(clients))]
    for thread in flood:
        thread.start()
    time.sleep(0.2)  # let the logins reach the server first
    for _ in range(3):
        assert httpx.get(f"{server.url}/healthz", timeout=60).status_code == 200
    served_meanwhile = len(finished)
    for thread in flood:
        thread.join()
    for client in clients:
        client.close()
    assert served_meanwhile < len(clients) // 2, f"{served_meanwhile} logins were served before /healthz"


def test_a_password_change_ends_every_other_session_of_the_id(server: MendanServer) -> None:
    server.create_account("tanaka")
    here, elsewhere = Rep(server, "tanaka"), Rep(server, "tanaka")
    token = CSRF_FIELD.search(here.http.get("/portal").text)
    assert token
    form = {
        "current": "correct-horse",
        "new": "new-password-1",
        "again": "new-password-1",
        "csrf_token": token[1],
    }
    assert here.http.post("/portal/password", data=form).status_code == 200
    assert here.http.get("/rep").status_code == 200  # the session that changed it goes on
    assert elsewhere.http.get("/rep").headers.get("location") == "/login"
    assert elsewhere.http.get("/api/history").status_code == 401
    here.close()
    elsewhere.close()


def test_a_password_reset_by_the_operator_ends_every_session_of_the_id(server: MendanServer) -> None:
    server.create_account("tanaka")
    server.create_account("sato")
    tanaka, sato = Rep(server, "tanaka"), Rep(server, "sato")
    reset = server.mendan(
        "account", "password", "--login", "tanaka", "--password-stdin", stdin="new-password-1\n"
    )
    assert reset.returncode == 0, reset.stderr
    assert tanaka.http.get("/rep").headers.get("location") == "/login"
    assert sato.http.get("/rep").status_code == 200  # other IDs are not affected
    assert _try_login(server, "tanaka", "new-password-1").status_code == 303
    tanaka.close()
    sato.close()


def test_the_portals_current_password_check_is_throttled_too(server_factory: ServerFactory) -> None:
    """Changing the password asks for the current one: a stolen session must not guess it freely."""
    server = server_factory({"MENDAN_LOGIN_LIMIT": "1/600"})
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")

    def guess(_: int) -> httpx.Response:
        token = CSRF_FIELD.search(rep.http.get("/portal").text)
        assert token
        form = {
            "current": "guess",
            "new": "new-password-1",
            "again": "new-password-1",
            "csrf_token": token[1],
        }
        return rep.http.post("/portal/password", data=form)

    assert guess(0).status_code == 400  # the free try: "wrong password"
    assert int(_guess_until_told_to_wait(guess, 1).headers["Retry-After"]) >= 1
    rep.close()
