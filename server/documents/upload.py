"""Receiving a multipart upload: text fields in memory, the one file streamed to disk under a size cap.

Starlette's ``request.form()`` would spool the whole file before anyone could count its bytes;
here the file is written as it arrives, hashed on the way, and refused the moment it passes the cap.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from protocol.signaling import ErrorCode
from server.errors import MendanError

FILE_FIELD = "file"
# The memo has no length limit for people, but memory has: 4 MiB of text is ~1.3 million characters.
MAX_FIELDS_BYTES = 4 * 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024
# After the cap is passed the rest of the body is read and dropped, up to this much, so the browser
# gets the 413 answer instead of a connection reset in the middle of its upload.
MAX_DRAIN_BYTES = 64 * 1024 * 1024


@dataclass
class ReceivedFile:
    """The uploaded file in the incoming folder, with the name the browser gave it."""

    path: Path
    filename: str
    size: int
    sha256: str


@dataclass
class Received:
    """A parsed upload form; ``file`` is None when the form carried none."""

    fields: dict[str, str] = field(default_factory=dict)
    file: ReceivedFile | None = None

    def discard(self) -> None:
        if self.file is not None:
            self.file.path.unlink(missing_ok=True)


class _TooLarge(Exception):
    pass


class _FormReader:
    """python-multipart callbacks gathering fields and writing the file part."""

    def __init__(self, target: Path, max_file_bytes: int) -> None:
        self.target = target
        self.max_file_bytes = max_file_bytes
        self.received = Received()
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.filename: str | None = None
        self.value = bytearray()
        self.fields_bytes = 0
        self.file: BinaryIO | None = None
        self.digest = hashlib.sha256()
        self.size = 0

    def on_part_begin(self) -> None:
        self.headers, self.value, self.filename, self.name = {}, bytearray(), None, ""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field, self.header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", errors="replace")
        filename = options.get(b"filename")
        if filename is None:
            return
        if self.name != FILE_FIELD or self.received.file is not None or self.file is not None:
            raise MendanError(ErrorCode.BAD_REQUEST, f"unexpected file field {self.name!r}")
        self.filename = filename.decode("utf-8", errors="replace")
        # Writes are small (one network chunk) and go to the page cache; a thread hop per chunk
        # would cost more than it saves.
        self.file = self.target.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.file is not None:
            self.size += len(chunk)
            if self.size > self.max_file_bytes:
                raise _TooLarge
            self.digest.update(chunk)
            self.file.write(chunk)
            return
        self.fields_bytes += len(chunk)
        if self.fields_bytes > MAX_FIELDS_BYTES:
            raise MendanError(ErrorCode.MESSAGE_TOO_LARGE, "form fields too large")
        self.value += chunk

    def on_part_end(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
            assert self.filename is not None
            self.received.file = ReceivedFile(self.target, self.filename, self.size, self.digest.hexdigest())
            return
        try:
            self.received.fields[self.name] = self.value.decode("utf-8")
        except UnicodeDecodeError:
            raise MendanError(ErrorCode.BAD_REQUEST, f"field {self.name!r} is not UTF-8") from None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


async def receive_form(request: Request, target: Path, max_file_bytes: int) -> Received:
    """Parse a multipart/form-data body; the file part (field ``file``) is written to ``target``."""
    too_large = MendanError(ErrorCode.DOCUMENT_TOO_LARGE, values={"max_mb": megabytes(max_file_bytes)})
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise MendanError(ErrorCode.BAD_REQUEST, "expected multipart/form-data")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_file_bytes + MAX_FIELDS_BYTES + MULTIPART_OVERHEAD:
        raise too_large
    reader = _FormReader(target, max_file_bytes)
    callbacks = {name: getattr(reader, name) for name in dir(reader) if name.startswith("on_")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    stream = request.stream()
    try:
        try:
            async for chunk in stream:
                parser.write(chunk)
            parser.finalize()
        except _TooLarge:
            await _drain(stream)
            raise too_large from None
    except BaseException:
        reader.close()
        target.unlink(missing_ok=True)
        raise
    reader.close()
    if reader.received.file is None:
        target.unlink(missing_ok=True)  # a file part that never ended: the body was cut short
    return reader.received


async def _drain(stream: AsyncIterator[bytes]) -> None:
    drained = 0
    # The client may hang up once it has seen enough; that is the end of draining, not an error.
    with contextlib.suppress(ClientDisconnect, OSError):
        async for chunk in stream:
            drained += len(chunk)
            if drained > MAX_DRAIN_BYTES:
                break


def megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes >= 10 else f"{megabytes:.1f}".rstrip("0").rstrip(".")
