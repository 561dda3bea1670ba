"""Validate a JSON object from the page into a page message, or say precisely why not."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from native_host.errors import BridgeError
from native_host.messages import PAGE_MESSAGES, VERSION, AnyPageMessage, ErrorCode, page_adapter, type_name

_PAGE_TYPES = frozenset(type_name(m) for m in PAGE_MESSAGES)


def request_id_of(raw: dict[str, Any]) -> str | None:
    """The request id of a message, when it is readable, so even a bad request gets its reply."""
    value = raw.get("request_id")
    if isinstance(value, str) and 0 < len(value) <= 64:
        return value
    return None


def parse_page_message(raw: dict[str, Any]) -> AnyPageMessage:
    """The page message in ``raw``; BridgeError carrying the request id when it is not valid."""
    request_id = request_id_of(raw)
    if raw.get("v") != VERSION:
        raise BridgeError(ErrorCode.UNSUPPORTED_VERSION, f"v must be {VERSION}", request_id)
    if raw.get("type") not in _PAGE_TYPES:
        raise BridgeError(ErrorCode.UNKNOWN_MESSAGE_TYPE, f"unknown type {raw.get('type')!r}", request_id)
    try:
        return page_adapter.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:])
        raise BridgeError(ErrorCode.MALFORMED_MESSAGE, f"{where}: {first['msg']}", request_id) from None
