"""The portal's 外部連携 as a test drives it: forms for the webhook and API tokens, and waiting."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TypeVar

from tests.support.clients import Rep
from tests.support.webhook_receiver import ScriptedReceiver

T = TypeVar("T")
SECRET_FIELD = re.compile(r'data-testid="webhook-secret" readonly value="([^"]+)"')
NEW_TOKEN = re.compile(r'data-testid="new-token" readonly value="([^"]+)"')


def eventually(check: Callable[[], T], timeout: float = 30.0) -> T:
    """check() until it returns something truthy; the deadline only ends a test that would hang."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, "not true in time"
            return result
        time.sleep(0.1)


def portal_post(rep: Rep, path: str, **fields: str) -> str:
    """A portal form as the page sends it; returns the page it leads to."""
    answer = rep.http.post(path, data={"csrf_token": rep.csrf, **fields})
    assert answer.status_code in (200, 303), answer.text
    return rep.http.get(answer.headers["location"]).text if answer.status_code == 303 else answer.text


def connect_webhook(rep: Rep, receiver: ScriptedReceiver) -> None:
    page = portal_post(rep, "/portal/webhook", url=receiver.url)
    secret = SECRET_FIELD.search(page)
    assert secret and secret[1].startswith("whsec_")
    receiver.secret = secret[1]


def new_token(rep: Rep, scope: str, name: str = "CRM") -> str:
    """A new API token of the rep's ID, as the portal shows it once."""
    token = NEW_TOKEN.search(portal_post(rep, "/portal/tokens", name=name, scope=scope))
    assert token and token[1].startswith("mdn_")
    return token[1]
