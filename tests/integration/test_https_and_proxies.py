"""HTTPS from `mendan serve` itself, and whose X-Forwarded-* headers are believed (MENDAN_TRUSTED_PROXIES).

Two loopback addresses stand for two machines: 127.0.0.1 is the proxy the server trusts by default,
127.0.0.2 is anybody else on the network.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.backends import EMBEDDED
from tests.support.clients import Rep, Socket, issue_number
from tests.support.server import ROOT, MendanServer, free_port
from tests.support.tls import HOST_NAME, make_certificate

ELSEWHERE = "127.0.0.2"


@pytest.fixture
def backend() -> str:
    """Transport and addresses do not depend on the storage: one backend is enough here."""
    return EMBEDDED


def _from(address: str) -> httpx.HTTPTransport:
    return httpx.HTTPTransport(local_address=address)


def _error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def _issued_by(server: MendanServer) -> list[str]:
    """The client address of each "number issued" line in the server's JSON log."""
    return [entry["address"] for entry in server.logged("number issued")]


def test_https_and_wss_on_one_port_with_secure_cookies_and_hsts(server_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tls = make_certificate(tmp_path / "tls")
    server = server_factory({"MENDAN_TLS_CERT": str(tls.cert), "MENDAN_TLS_KEY": str(tls.key)})
    assert server.url.startswith("https://")
    assert f"Mendan is running at https://{HOST_NAME}:{server.port}/" in server.log()
    server.create_account("tanaka")

    page = httpx.get(f"{server.url}/login", verify=server.verify)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "secure" in page.headers["Set-Cookie"].lower().split("; ")

    # The signaling socket is WSS on the same port: a customer joins with the ticket of a number.
    ticket = issue_number(server)["ticket"]
    socket = Socket(server)
    try:
        assert socket.join(ticket)["type"] == "joined"
    finally:
        socket.close()
    rep = Rep(server, "tanaka")
    assert [cookie.secure for cookie in rep.http.cookies.jar if cookie.name == "mendan_session"] == [True]
    rep.close()


def test_plain_http_has_no_hsts_and_no_secure_cookie_unless_a_trusted_proxy_says_https(server) -> None:  # type: ignore[no-untyped-def]
    plain = httpx.get(f"{server.url}/login")
    assert "Strict-Transport-Security" not in plain.headers
    assert "secure" not in plain.headers["Set-Cookie"].lower().split("; ")

    https = {"X-Forwarded-Proto": "https"}
    with httpx.Client(transport=_from(ELSEWHERE)) as stranger:
        spoofed = stranger.get(f"{server.url}/login", headers=https)
    assert "Strict-Transport-Security" not in spoofed.headers
    assert "secure" not in spoofed.headers["Set-Cookie"].lower().split("; ")

    proxied = httpx.get(f"{server.url}/login", headers=https)  # from 127.0.0.1, the trusted proxy
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "secure" in proxied.headers["Set-Cookie"].lower().split("; ")


def test_a_spoofed_forwarded_address_from_elsewhere_changes_nothing(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory({"MENDAN_GUESS_LIMIT": "3/600"})
    contract = server.create_account("tanaka")  # lock-outs by address stay inside one contract
    server.create_account("suzuki", contract=contract)
    guesser = Rep(server, "tanaka", transport=_from(ELSEWHERE), headers={"X-Forwarded-For": "203.0.113.7"})
    for guess in ("11111", "22222", "33333"):
        assert _error_code(guesser.claim(guess)) == "invalid_number"
    # A fresh forged address does not unlock the machine that guessed.
    other = Rep(server, "suzuki", transport=_from(ELSEWHERE), headers={"X-Forwarded-For": "203.0.113.8"})
    assert _error_code(other.claim("44444")) == "locked_out"
    with httpx.Client(transport=_from(ELSEWHERE)) as stranger:
        stranger.post(f"{server.url}/api/numbers", headers={"X-Forwarded-For": "198.51.100.1"})
    assert _issued_by(server) == [ELSEWHERE]
    guesser.close()
    other.close()


def test_behind_a_trusted_proxy_limits_and_logs_use_the_visitors_address(server_factory) -> None:  # type: ignore[no-untyped-def]
    # Everybody arrives from the proxy's address; only the forwarded one tells visitors apart.
    server = server_factory({"MENDAN_GUESS_LIMIT": "3/600", "MENDAN_TRUSTED_PROXIES": "127.0.0.0/30"})
    contract = server.create_account("tanaka")  # lock-outs by address stay inside one contract
    server.create_account("suzuki", contract=contract)
    server.create_account("sato", contract=contract)
    guesser = Rep(server, "tanaka", headers={"X-Forwarded-For": "203.0.113.7"})
    for guess in ("11111", "22222", "33333"):
        assert _error_code(guesser.claim(guess)) == "invalid_number"
    # Another visitor, through another proxy of the range, goes on (no proxy address is locked) …
    elsewhere = Rep(server, "suzuki", transport=_from(ELSEWHERE), headers={"X-Forwarded-For": "203.0.113.8"})
    assert _error_code(elsewhere.claim("44444")) == "invalid_number"
    # … while the guessing visitor's own address stays locked under another ID.
    same = Rep(server, "sato", headers={"X-Forwarded-For": "203.0.113.7"})
    assert _error_code(same.claim("55555")) == "locked_out"
    httpx.post(f"{server.url}/api/numbers", headers={"X-Forwarded-For": "198.51.100.1"})
    assert _issued_by(server) == ["198.51.100.1"]
    for client in (guesser, elsewhere, same):
        client.close()


def test_serve_refuses_half_a_tls_set_up_and_warns_about_plain_http_on_the_network(tmp_path: Path) -> None:
    def serve(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(tmp_path), *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)

    half = serve("--tls-cert", str(tmp_path / "missing.pem"))
    assert half.returncode == 2 and "go together" in half.stderr
    tls = make_certificate(tmp_path / "tls")
    mismatched = serve("--tls-cert", str(tls.cert), "--tls-key", str(make_certificate(tmp_path / "b").key))
    assert mismatched.returncode == 2 and "cannot use certificate" in mismatched.stderr

    port = str(free_port())
    command = [sys.executable, "-m", "server.cli", "serve", "--host", "0.0.0.0", "--port", port]
    with subprocess.Popen(
        [*command, "--data-dir", str(tmp_path)], stderr=subprocess.PIPE, text=True, cwd=ROOT
    ) as exposed:
        try:
            assert exposed.stderr is not None
            first = exposed.stderr.readline()  # printed before the server starts listening
        finally:
            exposed.terminate()
    assert first.startswith("warning: listening on 0.0.0.0 without TLS") and "docs/deploy.md" in first
