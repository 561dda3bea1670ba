"""チャット招待: the invitee's page and its join call (no account needed, the token is the key)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.errors import MendanError
from server.request_json import json_body
from server.services import services
from server.templating import render
from server.web_context import require_csrf


async def invite_page(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        preview = await services(request).meetings.preview_invite(token)
    except MendanError as exc:
        return render(request, "invite.html", status=200, error_key=f"error.{exc.code.value}", token=token)
    return render(request, "invite.html", preview=preview, token=token, page_config={"invite": token})


async def join_invite(request: Request) -> JSONResponse:
    await require_csrf(request)
    data = await json_body(request)
    token, name = data.get("token"), data.get("display_name")
    entry, deliveries = await services(request).meetings.join_invite(
        token if isinstance(token, str) else "", name if isinstance(name, str) else ""
    )
    await services(request).bus.publish(deliveries)
    return JSONResponse({"ok": True, "meeting_id": entry.meeting_id, "ticket": entry.ticket})


routes = [
    Route("/invite/{token}", invite_page, methods=["GET"]),
    Route("/api/invite/join", join_invite, methods=["POST"]),
]
