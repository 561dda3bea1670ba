"""The host's one error class: every failure the page hears about carries an ErrorCode."""

from __future__ import annotations

from native_host.messages import Error, ErrorBody, ErrorCode


class BridgeError(Exception):
    """A request the host cannot fulfil; turned into one ``error`` reply, never into an exit."""

    def __init__(self, code: ErrorCode, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id

    def reply(self, request_id: str | None = None) -> Error:
        """The ``error`` message for the page (``request_id`` defaults to the one it was raised with)."""
        return Error(
            request_id=request_id if request_id is not None else self.request_id,
            error=ErrorBody(code=self.code, message=self.message),
        )
