"""HTML pages: start (/), login, the rep's dashboard; each page carries the room when needed."""

from __future__ import annotations

import math
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.auth import csrf, sessions
from server.auth.accounts import check_login
from server.client_address import client_address
from server.contracts import embed_origins_for
from server.embed_origins import start_page_policy
from server.errors import MendanError
from server.i18n import LANGUAGES, WEB_DIR
from server.services import services
from server.templating import render, set_cookie
from server.web_context import LANG_COOKIE, current_rep, require_csrf


async def start_page(request: Request) -> Response:
    return render(request, "start.html")


async def contract_start_page(request: Request) -> Response:
    """A contract's own start page (R-1.5): numbers issued here are only for that contract."""
    key = request.path_params["key"]
    async with services(request).database.session() as db:
        origins = await embed_origins_for(db, key)
    if origins is None:
        return render(request, "start.html", status=404, page_error="error.not_found")
    panel = request.query_params.get("panel") == "1"
    response = render(request, "start.html", panel=panel, page_config={"embed": key})
    response.headers["Content-Security-Policy"] = start_page_policy(origins, request.headers.get("host", ""))
    return response


async def embed_script(request: Request) -> Response:
    return FileResponse(WEB_DIR / "static" / "js" / "embed.js", media_type="text/javascript; charset=utf-8")


async def login_page(request: Request) -> Response:
    if request.method == "GET":
        if await current_rep(request) is not None:
            return RedirectResponse("/rep", status_code=303)
        return render(request, "login.html")
    form = await request.form()
    try:
        await require_csrf(request, str(form.get(csrf.FIELD, "")))
    except MendanError:
        return render(request, "login.html", status=403, error_key="error.csrf_failed")
    login, password = str(form.get("login", "")), str(form.get("password", ""))
    state = services(request)
    address, now = client_address(request), state.clock.now()
    async with state.database.session() as db, db.begin():
        wait = await state.login_throttle.wait_left(db, login, address, now)
    if wait > 0:
        return _login_throttled(request, login, wait)
    account_id = await check_login(state.database, login, password, state.passwords)
    async with state.database.session() as db, db.begin():
        if account_id is None:
            await state.login_throttle.failed(db, login, address, now)
        else:
            await state.login_throttle.succeeded(db, login)
            token = await sessions.open_session(db, account_id, now, state.settings.session_ttl)
    if account_id is None:
        return render(request, "login.html", status=401, error_key="error.invalid_login", login=login)
    response = RedirectResponse("/rep", status_code=303)
    set_cookie(request, response, sessions.COOKIE, token, max_age=int(state.settings.session_ttl))
    response.delete_cookie(csrf.COOKIE, path="/")  # a new one bound to the new session comes with /rep
    return response


def _login_throttled(request: Request, login: str, wait: float) -> Response:
    seconds = max(1, math.ceil(wait))
    response = render(
        request,
        "login.html",
        status=429,
        error_key="error.login_throttled",
        error_values={"seconds": seconds},
        login=login,
    )
    response.headers["Retry-After"] = str(seconds)
    return response


async def logout(request: Request) -> Response:
    form = await request.form()
    await require_csrf(request, str(form.get(csrf.FIELD, "")))
    async with services(request).database.session() as db, db.begin():
        await sessions.close_session(db, request.cookies.get(sessions.COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    response.delete_cookie(csrf.COOKIE, path="/")
    return response


async def rep_page(request: Request) -> Response:
    rep = await current_rep(request)
    if rep is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "rep.html", rep=rep, page_config={"rep": {"name": rep.display_name}})


async def switch_language(request: Request) -> Response:
    lang = request.path_params["lang"]
    if lang not in LANGUAGES:
        raise MendanError(ErrorCode.NOT_FOUND)
    back = request.query_params.get("next", "/")
    if urlparse(back).netloc or not back.startswith("/"):
        back = "/"  # never an open redirect
    response = RedirectResponse(back, status_code=303)
    set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


routes = [
    Route("/", start_page, methods=["GET"]),
    Route("/c/{key}", contract_start_page, methods=["GET"]),
    Route("/embed.js", embed_script, methods=["GET"]),
    Route("/login", login_page, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/rep", rep_page, methods=["GET"]),
    Route("/lang/{lang}", switch_language, methods=["GET"]),
]
