"""R-9 portal and R-1.5 embed: customer number, IDs, password change, contract-scoped numbers."""

from __future__ import annotations

import re

import httpx

from tests.support.clients import CSRF_FIELD, Rep
from tests.support.server import MendanServer

SNIPPET = re.compile(r'data-testid="embed-snippet"[^>]*>(.*?)</textarea>', re.S)


def _portal(rep: Rep) -> str:
    page = rep.http.get("/portal")
    assert page.status_code == 200
    return page.text


def _embed_key(rep: Rep) -> str:
    snippet = SNIPPET.search(_portal(rep))
    assert snippet
    key = re.search(r"/c/([\w-]+)", snippet[1])
    assert key
    return key[1]


def _issue_on(server: MendanServer, key: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/numbers", json={"embed": key})


def test_portal_shows_the_contract_and_its_ids(server: MendanServer) -> None:
    number = server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    result = server.mendan("account", "create", "--login", "sato", "--contract", number, "--password-stdin",
                           stdin="correct-horse\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    rep = Rep(server, "tanaka")
    page = _portal(rep)
    assert f'data-testid="customer-number">{number}<' in page and re.fullmatch(r"C00\d{4}", number)
    assert page.count('data-testid="portal-account"') == 2 and "sato" in page
    snippet = SNIPPET.search(page)
    assert snippet and f"{server.url}/c/" in snippet[1] and "embed.js" in snippet[1]
    assert _embed_key(rep) == _embed_key(rep)  # stable
    rep.close()


def test_numbers_from_an_embed_are_only_for_that_contract(server: MendanServer) -> None:
    server.create_account("tanaka", company="株式会社サンプル")
    server.create_account("rival", company="他社")
    ours, theirs = Rep(server, "tanaka"), Rep(server, "rival")
    key = _embed_key(ours)
    start = httpx.get(f"{server.url}/c/{key}")
    assert start.status_code == 200 and 'data-testid="start-meeting"' in start.text

    scoped = _issue_on(server, key).json()["number"]
    refused = theirs.claim(scoped).json()
    assert (
        refused["error"]["code"] == "invalid_number"
        and refused["error"]["message"] == "接続ナンバーが不正です"
    )
    assert ours.claim(scoped).status_code == 200

    public = httpx.post(f"{server.url}/api/numbers").json()["number"]
    assert theirs.claim(public).status_code == 200  # the public page's numbers are for anyone
    assert _issue_on(server, "no-such-key").status_code == 404
    assert httpx.get(f"{server.url}/c/no-such-key").status_code == 404
    script = httpx.get(f"{server.url}/embed.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    ours.close()
    theirs.close()


def test_password_change(server: MendanServer) -> None:
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")

    def change(current: str, new: str, again: str) -> httpx.Response:
        token = CSRF_FIELD.search(_portal(rep))
        assert token
        form = {"current": current, "new": new, "again": again, "csrf_token": token[1]}
        return rep.http.post("/portal/password", data=form)

    assert (
        "現在のパスワードが正しくありません" in change("wrong-one", "new-password-1", "new-password-1").text
    )
    assert "一致しません" in change("correct-horse", "new-password-1", "new-password-2").text
    assert "8文字以上" in change("correct-horse", "short", "short").text
    assert "パスワードを変更しました" in change("correct-horse", "new-password-1", "new-password-1").text
    rep.close()
    Rep(server, "tanaka", password="new-password-1").close()


def test_operator_resets_a_password(server: MendanServer) -> None:
    server.create_account("tanaka")
    result = server.mendan(
        "account", "password", "--login", "tanaka", "--password-stdin", stdin="reset-pass-9\n"
    )
    assert result.returncode == 0, result.stderr
    Rep(server, "tanaka", password="reset-pass-9").close()
    missing = server.mendan(
        "account", "password", "--login", "nobody", "--password-stdin", stdin="reset-pass-9\n"
    )
    assert missing.returncode == 2 and "no login ID" in missing.stderr
