"""The real host process over pipes, spoken to in frames exactly as the browser does."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from tests.support.aio import run
from tests.support.bridge_host import (
    FIREFOX_EXTENSION_ID,
    ORIGIN,
    ROOT,
    HostProcess,
    frame,
    listening_sockets,
    write_config,
)


async def _unknown_caller(home: Path) -> tuple[dict[str, object], int]:
    host = await HostProcess(home, caller="chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/").start()
    reply = await host.request({"type": "hello", "origin": ORIGIN})
    return reply, await host.close()


def test_unknown_caller_is_refused(tmp_path: Path) -> None:
    write_config(tmp_path)
    reply, code = run(_unknown_caller(tmp_path))
    assert reply["type"] == "error" and reply["error"]["code"] == "caller_not_allowed"  # type: ignore[index]
    assert code == 1


async def _bad_frames(home: Path) -> tuple[list[dict[str, object]], HostProcess, int]:
    host = await HostProcess(home).start()
    host.send_raw(struct.pack("=I", 5) + b"{nope")
    host.send_raw(frame([1, 2, 3]))
    host.send_raw(struct.pack("=I", 5 * 1024 * 1024) + b"x" * (5 * 1024 * 1024))
    replies = [await host.wait_for(lambda m: m.get("type") == "error", 5)]
    await host.request({"type": "hello", "origin": "https://evil.example"})
    await host.request({"type": "create_peer", "peer_id": "p", "polite": True, "initiator": False})
    await host.request({"type": "dance"})
    welcome = await host.request({"type": "hello", "origin": ORIGIN})
    peer_before_media = await host.request(
        {"type": "create_peer", "peer_id": "p", "polite": True, "initiator": False}
    )
    unknown = await host.request({"type": "close_peer", "peer_id": "ghost"})
    replies = [m for _, m in host.received]
    assert (
        welcome["type"] == "welcome" and peer_before_media["type"] == "error" and unknown["type"] == "error"
    )
    return replies, host, await host.close()


def test_bad_frames_are_answered_and_the_host_stays_up(tmp_path: Path) -> None:
    write_config(tmp_path)
    replies, host, code = run(_bad_frames(tmp_path))
    codes = [m["error"]["code"] for m in replies if m["type"] == "error"]  # type: ignore[index]
    assert codes == [
        "malformed_frame",
        "malformed_frame",
        "frame_too_large",
        "origin_not_allowed",
        "not_ready",
        "unknown_message_type",
        "media_not_started",
        "unknown_peer",
    ]
    assert code == 0
    assert b"Traceback" not in host.stderr
    assert "browser closed the port" in (tmp_path / "mendan-bridge" / "host.log").read_text(encoding="utf-8")


async def _truncated(home: Path) -> int:
    host = await HostProcess(home).start()
    host.send_raw(struct.pack("=I", 100) + b"{")
    return await host.close()


def test_truncated_frame_then_eof_is_a_clean_exit(tmp_path: Path) -> None:
    write_config(tmp_path)
    assert run(_truncated(tmp_path)) == 0


async def _no_listener(home: Path) -> list[str]:
    host = await HostProcess(home).start()
    await host.open_session()
    await host.request({"type": "create_peer", "peer_id": "p2", "polite": False, "initiator": True})
    await host.wait_for(lambda m: m.get("type") == "local_signal", 10)
    found = listening_sockets(host.pid)
    assert (await host.request({"type": "shutdown"}))["type"] == "ok"
    assert await host.close() == 0
    return found


def test_host_owns_no_listening_socket(tmp_path: Path) -> None:
    write_config(tmp_path)
    assert run(_no_listener(tmp_path)) == []


def test_the_listener_check_sees_a_real_listener() -> None:
    import os
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert any(entry.startswith("tcp ") for entry in listening_sockets(os.getpid()))


async def _firefox(home: Path) -> tuple[dict[str, object], int]:
    manifest = str(home / ".mozilla" / "native-messaging-hosts" / "jp.mendan.bridge.json")
    host = await HostProcess(home, caller=[manifest, FIREFOX_EXTENSION_ID]).start()
    reply = await host.request({"type": "hello", "origin": ORIGIN})
    return reply, await host.close()


def test_firefox_caller_is_recognised(tmp_path: Path) -> None:
    write_config(tmp_path)
    reply, code = run(_firefox(tmp_path))
    assert reply["type"] == "welcome" and code == 0


def test_a_stray_print_never_reaches_the_browser() -> None:
    script = (
        "import os, ctypes\n"
        "from native_host.stdio import take_stdout\n"
        "fd = take_stdout()\n"
        "print('stray print')\n"
        "ctypes.CDLL(None).puts(b'stray C write')\n"
        "os.write(fd, b'FRAME')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=30, check=True
    )
    assert result.stdout == b"FRAME"
    assert b"stray print" in result.stderr and b"stray C write" in result.stderr
