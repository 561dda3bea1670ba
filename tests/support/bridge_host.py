"""Drive a real native host process over its pipes, as the browser does (tests and bench)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from native_host.config import BridgeConfig, ConfigStore, Consent

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop"
ORIGIN = "https://meet.example.jp"


FIREFOX_EXTENSION_ID = "bridge@mendan.jp"


def write_config(config_home: Path, consent: Consent | None = Consent.ALLOW) -> None:
    """A config.json that trusts the test extensions and origin (and pre-approves it)."""
    store = ConfigStore(config_home / "mendan-bridge")
    store.save(
        BridgeConfig(
            allowed_extensions=[EXTENSION_ID, FIREFOX_EXTENSION_ID],
            meeting_origins=[ORIGIN],
            consent={ORIGIN: consent} if consent else {},
        )
    )


def frame(obj: Any) -> bytes:
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return struct.pack("=I", len(body)) + body


class HostProcess:
    """``python -m native_host <caller>`` with pipes; messages in and out as dicts."""

    def __init__(
        self,
        config_home: Path,
        caller: str | list[str] = f"chrome-extension://{EXTENSION_ID}/",
        command: list[str] | None = None,
    ) -> None:
        self.config_home = config_home
        self.command = command or [sys.executable, "-m", "native_host"]  # or a frozen build's program
        self.caller = [caller] if isinstance(caller, str) else caller
        self.process: asyncio.subprocess.Process | None = None
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.stderr = b""
        self._next_id = 0
        self._waiters: list[tuple[Callable[[dict[str, Any]], bool], asyncio.Future[dict[str, Any]]]] = []
        self._reader: asyncio.Task[None] | None = None
        self._stderr_task: asyncio.Task[None] | None = None
        self.on_message: Callable[[float, dict[str, Any]], None] | None = None

    async def start(self, env: dict[str, str] | None = None) -> HostProcess:
        full_env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(self.config_home),
            "MENDAN_BRIDGE_SOURCE": "synthetic",
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            *self.caller,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=full_env,
            cwd=str(ROOT),
            limit=4 * 1024 * 1024,
        )
        self._reader = asyncio.create_task(self._read())
        self._stderr_task = asyncio.create_task(self._read_stderr())
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        while True:
            try:
                header = await stdout.readexactly(4)
                (length,) = struct.unpack("=I", header)
                body = await stdout.readexactly(length)
            except asyncio.IncompleteReadError as exc:
                assert not exc.partial, f"host wrote a partial frame: {exc.partial[:200]!r}"
                return
            message = json.loads(body)  # anything but a JSON frame on stdout fails the test here
            now = time.time()
            self.received.append((now, message))
            if self.on_message is not None:
                self.on_message(now, message)
            for match, future in list(self._waiters):
                if not future.done() and match(message):
                    future.set_result(message)
                    self._waiters.remove((match, future))

    def send_raw(self, data: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(data)

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(frame({"v": 1, **message}))

    async def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        for _, message in self.received:
            if match(message):
                return message
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.append((match, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(
                f"no matching message in {timeout}s; stderr:\n{self.stderr.decode()}"
            ) from None

    async def request(self, message: dict[str, Any], timeout: float = 15.0) -> dict[str, Any]:
        """Send a request and return its one reply."""
        self._next_id += 1
        request_id = f"r{self._next_id}"
        self.send({**message, "request_id": request_id})
        return await self.wait_for(lambda m: m.get("request_id") == request_id, timeout)

    async def open_session(self, origin: str = ORIGIN) -> dict[str, Any]:
        welcome = await self.request({"type": "hello", "origin": origin})
        assert welcome["type"] == "welcome", welcome
        started = await self.request({"type": "start_media"})
        assert started["type"] == "ok", started
        return welcome

    async def close(self, timeout: float = 10.0) -> int:
        """Close stdin (EOF, as the browser closing the port) and wait for a clean exit."""
        assert self.process is not None and self.process.stdin is not None
        if not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"host did not exit on EOF; stderr:\n{self.stderr.decode()}") from None
        for task in (self._reader, self._stderr_task):
            if task is not None:
                await task
        return code


def frames_of(host: HostProcess, peer_id: str) -> list[tuple[float, dict[str, Any]]]:
    return [(t, m) for t, m in host.received if m.get("type") == "frame" and m["peer_id"] == peer_id]


def jpeg_of(message: dict[str, Any]) -> bytes:
    return base64.b64decode(message["jpeg"])


def listening_sockets(pid: int) -> list[str]:
    """TCP sockets in LISTEN and listening Unix sockets owned by ``pid`` (from /proc, no tools)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                found.append(f"{table} {fields[1]}")
    for line in Path(f"/proc/{pid}/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[6] in inodes and int(fields[3], 16) & 0x10000:
            found.append(f"unix {fields[-1] if len(fields) > 7 else ''}")
    return found


def socket_kinds(pid: int) -> dict[str, int]:
    """How many sockets of each /proc/net table ``pid`` owns (the call's UDP ICE sockets show here)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    counts: dict[str, int] = {}
    for table in ("tcp", "tcp6", "udp", "udp6", "unix"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            inode = fields[6] if table == "unix" else fields[9]
            if inode in inodes:
                counts[table] = counts.get(table, 0) + 1
    return counts
