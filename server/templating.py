"""Pages from the Jinja templates: catalogue, CSRF token and page config in every page; cookies."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from server.auth import csrf, sessions
from server.client_address import came_over_https
from server.documents.filetypes import ALLOWED_EXTENSIONS
from server.i18n import WEB_DIR, catalogue_for
from server.services import services
from server.web_context import language

templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    settings = services(request).settings
    session_token = request.cookies.get(sessions.COOKIE)
    cookie = request.cookies.get(csrf.COOKIE)
    valid = cookie is not None and csrf.token_is_valid(settings.secret_key, session_token, cookie, cookie)
    token = cookie if cookie is not None and valid else csrf.make_token(settings.secret_key, session_token)
    catalogue = catalogue_for(language(request))
    documents = {"types": list(ALLOWED_EXTENSIONS), "max_bytes": settings.document_max_bytes}
    page_config = {
        "csrf": token,
        "lang": catalogue.lang,
        "documents": documents,
        **context.pop("page_config", {}),
    }
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": catalogue.text,
            "lang": catalogue.lang,
            "other_lang": "en" if catalogue.lang == "ja" else "ja",
            "csrf_token": token,
            "catalogue_json": script_json(catalogue.entries),
            "page_config_json": script_json(page_config),
            **context,
        },
        status_code=status,
    )
    set_cookie(request, response, csrf.COOKIE, token, samesite="strict", httponly=False)
    return response


_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: object) -> str:
    """JSON to put inside a <script> element: nothing in it can end the element or the JS string."""
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_UNSAFE)


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    samesite: str = "lax",
    httponly: bool = True,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=httponly,
        samesite=samesite,  # type: ignore[arg-type]
        secure=secure_cookies(request),
        path="/",
    )


def secure_cookies(request: Request) -> bool:
    """Secure whenever the browser came over HTTPS; MENDAN_SECURE_COOKIES may force either way."""
    forced: bool | None = services(request).settings.secure_cookies
    return came_over_https(request) if forced is None else forced
