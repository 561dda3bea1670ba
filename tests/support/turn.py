"""A real coturn on loopback with TURN REST API credentials (use-auth-secret), for relay tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import free_port

TURNSERVER = shutil.which("turnserver") or "/usr/bin/turnserver"


@contextmanager
def coturn(folder: Path, secret: str) -> Iterator[int]:
    """Run turnserver on 127.0.0.1; yields its port; stops it afterwards."""
    port = free_port()
    relay_low = 49152 + (port % 1000) * 10
    log = folder / "turnserver.log"
    process = subprocess.Popen(
        [
            TURNSERVER, "-n", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint", "--lt-cred-mech",
            "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
            f"--min-port={relay_low}", f"--max-port={relay_low + 9}",
            "--use-auth-secret", f"--static-auth-secret={secret}", "--realm=mendan.test",
            "--allow-loopback-peers", "--no-multicast-peers", f"--log-file={log}", "--simple-log",
            "--pidfile=" + str(folder / "turnserver.pid"),
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"turnserver exited: {log.read_text() if log.exists() else ''}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
