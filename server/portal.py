"""The contract portal (R-9): customer number, IDs, storage, password change, the embed snippet."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.auth import csrf
from server.auth.accounts import MIN_PASSWORD_LENGTH, RepIdentity, check_login, set_password
from server.auth.sessions import COOKIE
from server.client_address import client_address
from server.contracts import embed_key_of, storage_by_account
from server.errors import MendanError
from server.i18n import catalogue_for
from server.services import services
from server.templating import render
from server.web_context import current_rep, language, public_base_url, require_csrf


def embed_snippet(base_url: str, key: str, label: str) -> str:
    start = f"{base_url}/c/{key}"
    return (
        f'<a href="{start}" target="_blank" rel="noopener">{label}</a>\n'
        f'<script src="{base_url}/embed.js" data-mendan="{key}" async></script>'
    )


async def portal_page(request: Request) -> Response:
    rep = await current_rep(request)
    if rep is None:
        return RedirectResponse("/login", status_code=303)
    return await _portal(request, rep)


async def _portal(request: Request, rep: RepIdentity, status: int = 200, **extra: object) -> Response:
    state = services(request)
    async with state.database.session() as db, db.begin():
        key = await embed_key_of(db, rep.contract_id)
        accounts = await storage_by_account(db, rep.contract_id)
    base = public_base_url(request, state.settings)
    label = catalogue_for(language(request)).text("start.button")
    return render(
        request,
        "portal.html",
        status=status,
        rep=rep,
        accounts=accounts,
        start_url=f"{base}/c/{key}",
        snippet=embed_snippet(base, key, label),
        min_password=MIN_PASSWORD_LENGTH,
        **extra,
    )


async def change_password(request: Request) -> Response:
    rep = await current_rep(request)
    if rep is None:
        return RedirectResponse("/login", status_code=303)
    form = await request.form()
    try:
        await require_csrf(request, str(form.get(csrf.FIELD, "")))
    except MendanError:
        return await _portal(request, rep, status=403, password_error="error.csrf_failed")
    current, new, again = (str(form.get(name, "")) for name in ("current", "new", "again"))
    if new != again:
        return await _portal(request, rep, status=400, password_error="portal.password_mismatch")
    if len(new) < MIN_PASSWORD_LENGTH:
        return await _portal(request, rep, status=400, password_error="portal.password_short")
    state = services(request)
    address, now = client_address(request), state.clock.now()
    async with state.database.session() as db, db.begin():
        wait = await state.login_throttle.wait_left(db, rep.login, address, now)
    if wait > 0:  # the current-password check is a guessing oracle too
        seconds = max(1, math.ceil(wait))
        response = await _portal(
            request,
            rep,
            status=429,
            password_error="error.login_throttled",
            password_values={"seconds": seconds},
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    correct = await check_login(state.database, rep.login, current, state.passwords) is not None
    new_hash = await state.passwords.hash(new) if correct else ""
    async with state.database.session() as db, db.begin():
        if correct:
            # The other sessions end: whoever learnt the old password is logged out everywhere.
            await set_password(db, rep.login, new_hash, keep_session=request.cookies.get(COOKIE))
        else:
            await state.login_throttle.failed(db, rep.login, address, now)
    # Rendered after the transaction: the page opens its own, and SQLite writers take turns.
    if not correct:
        return await _portal(request, rep, status=400, password_error="portal.password_wrong")
    return await _portal(request, rep, password_done=True)


routes = [
    Route("/portal", portal_page, methods=["GET"]),
    Route("/portal/password", change_password, methods=["POST"]),
]
