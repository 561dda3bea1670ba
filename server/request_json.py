"""The JSON object in a request's body, size-checked: what every JSON endpoint reads first."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from protocol.signaling import ErrorCode
from server.errors import MendanError

MAX_BODY = 16 * 1024


async def json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise MendanError(ErrorCode.MESSAGE_TOO_LARGE)
    try:
        data = await request.json()
    except ValueError:
        raise MendanError(ErrorCode.BAD_REQUEST, "body is not JSON") from None
    if not isinstance(data, dict):
        raise MendanError(ErrorCode.BAD_REQUEST, "body is not a JSON object")
    return data
