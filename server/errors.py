"""The one error type of the server and its HTTP shape: {"ok": false, "error": {code, message}}."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from protocol.signaling import ErrorCode

from .i18n import catalogue_for
from .services import services_if_started

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.MALFORMED_MESSAGE: 400,
    ErrorCode.INVALID_NUMBER: 400,
    ErrorCode.RECORDING_UNANSWERED: 400,
    ErrorCode.DOCUMENT_TITLE_REQUIRED: 400,
    ErrorCode.DOCUMENT_TITLE_TOO_LONG: 400,
    ErrorCode.DOCUMENT_FILE_REQUIRED: 400,
    ErrorCode.DOCUMENT_TYPE_NOT_ALLOWED: 415,
    ErrorCode.DOCUMENT_CONTENT_MISMATCH: 415,
    ErrorCode.DOCUMENT_TOO_LARGE: 413,
    ErrorCode.DOCUMENT_UNSAFE: 422,
    ErrorCode.DOCUMENT_NOT_READY: 409,
    ErrorCode.LINK_INVALID: 403,
    ErrorCode.INVALID_LOGIN: 401,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.CSRF_FAILED: 403,
    ErrorCode.INVALID_TICKET: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.MEETING_ENDED: 410,
    ErrorCode.MEETING_FULL: 409,
    ErrorCode.MESSAGE_TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.LOCKED_OUT: 429,
    ErrorCode.NUMBERS_EXHAUSTED: 503,
    ErrorCode.INTERNAL: 500,
    ErrorCode.INVALID_INVITE: 404,
    ErrorCode.INVITE_EXPIRED: 410,
    ErrorCode.NOT_ALLOWED: 403,
    ErrorCode.INVALID_NAME: 400,
    ErrorCode.DOCUMENT_NOT_SHAREABLE: 403,
    ErrorCode.NOT_PRESENTING: 409,
    ErrorCode.LINK_USED: 410,
    ErrorCode.GIVE_EXPIRED: 410,
    ErrorCode.RECORDING_QUOTA_EXCEEDED: 507,
    ErrorCode.RECORDING_CLOSED: 409,
    ErrorCode.RECORDING_NOT_ALLOWED: 403,
    ErrorCode.ORIGIN_NOT_ALLOWED: 403,
    ErrorCode.SCHEDULE_NOT_OPEN: 409,
    ErrorCode.SCHEDULE_INVALID: 400,
}


class MendanError(Exception):
    """A failure to report to the user: its code picks the message from the catalogue."""

    def __init__(
        self,
        code: ErrorCode,
        detail: str = "",
        retry_after: float | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail or code.value)
        self.code = code
        self.detail = detail
        self.retry_after = retry_after
        # Filled into the catalogue text, e.g. the size limit in "at most {max_mb} MB".
        self.values: Mapping[str, object] = values or {}


def error_body(
    code: ErrorCode, lang: str = "ja", values: Mapping[str, object] | None = None
) -> dict[str, object]:
    message = catalogue_for(lang).text(f"error.{code.value}", **(values or {}))
    # values: what the message names (a size limit, an opening time), for the page's own catalogue
    return {"ok": False, "error": {"code": code.value, "message": message, "values": dict(values or {})}}


async def handle_mendan_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MendanError)
    headers = {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, int(exc.retry_after)))
    lang = request.cookies.get("mendan_lang", "ja")
    status = HTTP_STATUS.get(exc.code, 400)
    started = services_if_started(request)
    if started is not None:
        started.metrics.error(exc.code, "http")
    return JSONResponse(error_body(exc.code, lang, exc.values), status_code=status, headers=headers)
