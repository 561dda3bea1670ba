"""The portal's 外部連携 page: the contract's webhook, its delivery log, and the ID's API tokens.

Plain forms (POST, then back to the page): no script is needed, and the CSRF field guards each.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.auth import csrf
from server.auth.accounts import RepIdentity
from server.db.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from server.errors import MendanError
from server.services import services
from server.templating import render
from server.web_context import current_rep, public_base_url, require_csrf

from . import outbox, tokens

LOG_ROWS = 20
MAX_URL_LENGTH = 2000
PAGE = "/portal/integrations"
NOTICES = ("webhook_saved", "webhook_removed", "secret_renewed", "test_queued", "no_webhook", "token_revoked")


@dataclass(frozen=True)
class LogRow:
    """One try in the delivery log as the portal shows it."""

    at: float
    event_type: str
    event_id: str
    status_code: int | None
    response: str
    succeeded: bool
    state: str


def check_url(url: str) -> str | None:
    """The catalogue key of what is wrong with a webhook URL, or None.

    Only http and https with a host: no file:, gopher: or the like. Which hosts a contract may
    name (its own servers, not the operator's inside network) is the operator's firewall's job;
    docs/integrations.md says so.
    """
    if len(url) > MAX_URL_LENGTH:
        return "integrations.url_invalid"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return "integrations.url_invalid"
    return None


async def _delivery_log(request: Request, contract_id: int) -> list[LogRow]:
    async with services(request).database.session() as db:
        rows = await db.execute(
            select(WebhookAttempt, WebhookEvent.event_type, WebhookEvent.public_id, WebhookEvent.state)
            .join(WebhookEvent, WebhookEvent.id == WebhookAttempt.event_id)
            .where(WebhookAttempt.contract_id == contract_id)
            .order_by(WebhookAttempt.id.desc())
            .limit(LOG_ROWS)
        )
        return [
            LogRow(a.at, kind, public_id, a.status_code, a.response, a.succeeded, state)
            for a, kind, public_id, state in rows
        ]


async def _page(request: Request, rep: RepIdentity, status: int = 200, **extra: Any) -> Response:
    state = services(request)
    async with state.database.session() as db:
        endpoint = await db.get(WebhookEndpoint, rep.contract_id)
        own_tokens = await tokens.list_for(db, rep.account_id)
        waiting = len(
            list(
                await db.scalars(
                    select(WebhookEvent.id).where(
                        WebhookEvent.contract_id == rep.contract_id, WebhookEvent.state == outbox.PENDING
                    )
                )
            )
        )
    response = render(
        request,
        "integrations.html",
        status=status,
        rep=rep,
        endpoint=endpoint,
        waiting=waiting,
        log=await _delivery_log(request, rep.contract_id),
        tokens=own_tokens,
        api_base=public_base_url(request, state.settings) + "/api/v1",
        notice=request.query_params.get("done", "") if request.query_params.get("done") in NOTICES else "",
        when=lambda at: dt.datetime.fromtimestamp(at, ZoneInfo(state.settings.timezone)).strftime(
            "%Y-%m-%d %H:%M:%S"
        ),
        **extra,
    )
    # The page carries the signing secret (and a new token once): never kept in a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def integrations_page(request: Request) -> Response:
    rep = await current_rep(request)
    if rep is None:
        return RedirectResponse("/login", status_code=303)
    return await _page(request, rep)


async def _form(request: Request) -> tuple[RepIdentity | None, dict[str, str]]:
    """The logged-in rep and the form's fields, after the CSRF check (which raises)."""
    rep = await current_rep(request)
    form = await request.form()
    fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    if rep is not None:
        await require_csrf(request, fields.get(csrf.FIELD, ""))
    return rep, fields


def _back(done: str) -> Response:
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


async def _guarded(request: Request) -> tuple[RepIdentity, dict[str, str]] | Response:
    try:
        rep, fields = await _form(request)
    except MendanError:
        rep = await current_rep(request)
        assert rep is not None
        return await _page(request, rep, status=403, error="error.csrf_failed")
    if rep is None:
        return RedirectResponse("/login", status_code=303)
    return rep, fields


async def save_webhook(request: Request) -> Response:
    """Set the contract's webhook URL (a secret is made with the first one); an empty URL removes it."""
    got = await _guarded(request)
    if isinstance(got, Response):
        return got
    rep, fields = got
    url = fields.get("url", "").strip()
    if url and (problem := check_url(url)):
        return await _page(request, rep, status=400, error=problem, typed_url=url)
    now = services(request).clock.now()
    async with services(request).database.session() as db, db.begin():
        endpoint = await db.get(WebhookEndpoint, rep.contract_id)
        if not url:
            await db.execute(delete(WebhookEndpoint).where(WebhookEndpoint.contract_id == rep.contract_id))
        elif endpoint is None:
            db.add(
                WebhookEndpoint(contract_id=rep.contract_id, url=url, secret=_new_secret(), created_at=now)
            )
        else:
            endpoint.url = url
    return _back("webhook_removed" if not url else "webhook_saved")


def _new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


async def new_secret(request: Request) -> Response:
    got = await _guarded(request)
    if isinstance(got, Response):
        return got
    rep, _ = got
    async with services(request).database.session() as db, db.begin():
        endpoint = await db.get(WebhookEndpoint, rep.contract_id)
        if endpoint is not None:
            endpoint.secret = _new_secret()
    return _back("secret_renewed")


async def send_test(request: Request) -> Response:
    got = await _guarded(request)
    if isinstance(got, Response):
        return got
    rep, _ = got
    async with services(request).database.session() as db, db.begin():
        event = await outbox.queue_test_event(db, rep.contract_id, services(request).clock.now())
    services(request).webhooks.wake()
    return _back("test_queued" if event is not None else "no_webhook")


async def create_token(request: Request) -> Response:
    got = await _guarded(request)
    if isinstance(got, Response):
        return got
    rep, fields = got
    name = " ".join(fields.get("name", "").split())
    scope = fields.get("scope", "")
    if not name or len(name) > tokens.MAX_NAME_LENGTH or scope not in tokens.SCOPES:
        return await _page(request, rep, status=400, token_error="integrations.token_invalid")
    token = None
    async with services(request).database.session() as db, db.begin():
        if await tokens.active_count(db, rep.account_id) < tokens.MAX_TOKENS_PER_ID:
            _, token = await tokens.create(db, rep.account_id, name, scope, services(request).clock.now())
    if token is None:
        return await _page(request, rep, status=400, token_error="integrations.token_too_many")
    # Shown on this answer only: it is not stored and cannot be shown again.
    return await _page(request, rep, new_token=token)


async def revoke_token(request: Request) -> Response:
    got = await _guarded(request)
    if isinstance(got, Response):
        return got
    rep, _ = got
    async with services(request).database.session() as db, db.begin():
        await tokens.revoke(
            db, rep.account_id, request.path_params["token_id"], services(request).clock.now()
        )
    return _back("token_revoked")


routes = [
    Route(PAGE, integrations_page, methods=["GET"]),
    Route("/portal/webhook", save_webhook, methods=["POST"]),
    Route("/portal/webhook/secret", new_secret, methods=["POST"]),
    Route("/portal/webhook/test", send_test, methods=["POST"]),
    Route("/portal/tokens", create_token, methods=["POST"]),
    Route("/portal/tokens/{token_id}/revoke", revoke_token, methods=["POST"]),
]
