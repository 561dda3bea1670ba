"""HTTP the way an attacker speaks it: a plain socket, half-sent requests, bodies that never end."""

from __future__ import annotations

import select
import socket
from pathlib import Path

from tests.support.server import MendanServer

PATIENCE = 30.0
"""Seconds a raw client waits for an answer before the test calls the server stuck."""


def connect(server: MendanServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE)
    return sock


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_answer(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection (or PATIENCE runs out: socket.timeout)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def send_until_answered(sock: socket.socket, chunk: bytes, most: int) -> tuple[int, bytes]:
    """Send ``chunk`` again and again (at most ``most`` bytes) until the server answers or hangs up;
    the bytes sent and the answer (b"" if the server never answered while we were sending)."""
    sent = 0
    while sent < most:
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            break
        try:
            sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(chunk)
    try:
        return sent, read_answer(sock)
    except ConnectionResetError:
        return sent, b""


def peak_memory_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")
