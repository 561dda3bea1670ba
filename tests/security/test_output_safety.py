"""Item 8: what the server outputs can't be turned against its users."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import httpx
import pytest

from tests.support.clients import Rep
from tests.support.server import MendanServer

HOSTILE_NAME = "</script><script>alert(1)</script>\u2028&<!--"


class _Scripts(HTMLParser):
    """Every <script> element (attributes and text) and every inline event handler of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.handlers: list[str] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def _scripts(html: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(html)
    return parser


def test_a_hostile_display_name_stays_data_in_the_page_config(server: MendanServer) -> None:
    server.create_account("tanaka", name=HOSTILE_NAME)
    rep = Rep(server, "tanaka")
    page = rep.http.get("/rep").text
    scripts = _scripts(page).scripts
    # The name ends no element: the page has exactly its own scripts, the config parses back to the name.
    assert not [
        attrs for attrs, _ in scripts if "src" not in attrs and attrs.get("type") != "application/json"
    ]
    config = next(text for attrs, text in scripts if attrs.get("id") == "mendan-config")
    assert json.loads(config)["rep"]["name"] == HOSTILE_NAME
    assert "\u2028" not in config and "<" not in config and "&" not in config
    rep.close()


def _rep_page_with_cookie(server: MendanServer, cookie: bytes, token: bytes) -> httpx.Response:
    """A login POST whose CSRF cookie and field carry raw (non-ASCII) bytes, as a hostile client sends."""
    body = b"login=x&password=y&csrf_token=" + token
    headers = [
        (b"Cookie", b"mendan_csrf=" + cookie),
        (b"Content-Type", b"application/x-www-form-urlencoded"),
    ]
    return httpx.post(f"{server.url}/login", content=body, headers=headers)


@pytest.mark.parametrize("raw", ["ü".encode(), "トークン".encode(), b"\xff\xfe"])
def test_a_non_ascii_csrf_token_is_refused_with_403(server: MendanServer, raw: bytes) -> None:
    assert _rep_page_with_cookie(server, raw, raw).status_code == 403
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    claimed = rep.http.post(
        "/api/meetings", json={"number": "12345", "recording": False}, headers=[(b"X-CSRF-Token", raw)]
    )
    assert claimed.status_code == 403 and claimed.json()["error"]["code"] == "csrf_failed"
    rep.close()


@pytest.mark.parametrize("sig", ["%C3%BC", "%E7%BD%B2%E5%90%8D", "%FF"])
def test_a_non_ascii_link_signature_is_refused_with_403(server: MendanServer, sig: str) -> None:
    for path in ("/api/documents/x/r1/pages/1.jpg", "/api/documents/x/r1/download"):
        answer = httpx.get(f"{server.url}{path}?exp=99999999999&sig={sig}")
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "link_invalid"


def _assert_guarded(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "same-origin", where
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy, (
        where
    )
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy, where


def test_every_kind_of_response_carries_the_security_headers(server: MendanServer) -> None:
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    responses = [
        rep.http.get(path) for path in ("/", "/login", "/rep", "/portal", "/environment", "/api/history")
    ] + [
        httpx.get(f"{server.url}/healthz"),  # JSON
        httpx.get(f"{server.url}/static/js/mendan.js"),  # a static file
        httpx.get(f"{server.url}/embed.js"),
        httpx.get(f"{server.url}/no-such-page"),  # 404
        httpx.post(f"{server.url}/api/numbers", content=b"{" * 100_000),  # 413
        httpx.post(f"{server.url}/api/meetings", json={}),  # 401
    ]
    for response in responses:
        _assert_guarded(response)
    rep.close()


def test_pages_have_no_inline_script_or_handler(server: MendanServer) -> None:
    """The CSP allows no inline script, so none may be needed: each page's code comes from /static."""
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    for path in ("/", "/login", "/rep", "/portal", "/environment"):
        found = _scripts(rep.http.get(path).text)
        inline = [
            text
            for attrs, text in found.scripts
            if "src" not in attrs and attrs.get("type") != "application/json"
        ]
        assert inline == [] and found.handlers == [], path
    rep.close()


def _embed_key(server: MendanServer, login: str) -> str:
    rep = Rep(server, login)
    key = re.search(r"/c/([\w-]+)", rep.http.get("/portal").text)
    rep.close()
    assert key
    return key[1]


def test_the_start_page_is_framed_only_by_the_contracts_own_sites(server: MendanServer) -> None:
    ours = server.create_account("tanaka")
    server.create_account("rival")
    key, rival_key = _embed_key(server, "tanaka"), _embed_key(server, "rival")

    def ancestors(embed: str) -> str:
        policy = httpx.get(f"{server.url}/c/{embed}?panel=1").headers["content-security-policy"]
        found = re.search(r"frame-ancestors ([^;]*)", policy)
        assert found and "unsafe-inline" not in policy and "script-src 'self'" in policy
        return found[1]

    assert ancestors(key) == "'self'"  # nobody named yet: no other site may frame it
    named = server.mendan(
        "account",
        "embed-origins",
        "--contract",
        ours,
        "https://www.example.co.jp",
        "http://shop.example:8080/",
    )
    assert named.returncode == 0, named.stderr
    assert ancestors(key) == "'self' https://www.example.co.jp http://shop.example:8080"
    assert ancestors(rival_key) == "'self'"  # another contract's page is not framed by our sites
    for bad in ("javascript:alert(1)", "https://a.example/path", "*", "https://a.example; script-src *"):
        refused = server.mendan("account", "embed-origins", "--contract", ours, bad)
        assert refused.returncode == 2 and "not an origin" in refused.stderr
    assert ancestors(key) == "'self' https://www.example.co.jp http://shop.example:8080"
