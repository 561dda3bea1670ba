"""What every page and API handler needs from a request: language, address, the logged-in rep."""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request

from protocol.signaling import ErrorCode
from server.auth import csrf, sessions
from server.auth.accounts import RepIdentity, identity_of
from server.errors import MendanError
from server.i18n import DEFAULT_LANGUAGE, LANGUAGES
from server.services import services
from server.settings import Settings

LANG_COOKIE = "mendan_lang"


def language(request: HTTPConnection) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


async def current_rep(request: Request) -> RepIdentity | None:
    state = services(request)
    token = request.cookies.get(sessions.COOKIE)
    async with state.database.session() as db:
        account_id = await sessions.account_for(db, token, state.clock.now())
        return None if account_id is None else await identity_of(db, account_id)


async def require_rep(request: Request) -> RepIdentity:
    rep = await current_rep(request)
    if rep is None:
        raise MendanError(ErrorCode.NOT_AUTHENTICATED)
    return rep


async def require_csrf(request: Request, submitted: str | None = None) -> None:
    if submitted is None:
        submitted = request.headers.get(csrf.HEADER)
    if not csrf.token_is_valid(
        services(request).settings.secret_key,
        request.cookies.get(sessions.COOKIE),
        request.cookies.get(csrf.COOKIE),
        submitted,
    ):
        raise MendanError(ErrorCode.CSRF_FAILED)


def public_base_url(connection: HTTPConnection, settings: Settings) -> str:
    """Where people reach us, for links we hand out: configured, or as this request came in."""
    if settings.public_url:
        return settings.public_url
    scheme = {"ws": "http", "wss": "https"}.get(connection.url.scheme, connection.url.scheme)
    return f"{scheme}://{connection.url.netloc}"
