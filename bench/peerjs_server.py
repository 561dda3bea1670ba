"""PeerJS's signaling server (npm `peer`, pinned in bench/peerjs/package.json) on loopback, for
`python -m bench.signaling --compare-peerjs`.

The first use runs `npm install` in bench/peerjs (node_modules there is ignored by git); it needs
node and npm on PATH. Only the bench uses it: no test needs node.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.support.server import free_port

FOLDER = Path(__file__).parent / "peerjs"


def install() -> Path:
    """The peerjs command, installed from the registry if it is not yet."""
    command = FOLDER / "node_modules" / ".bin" / "peerjs"
    if not command.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("--compare-peerjs needs node and npm (Debian: nodejs, npm)")
        subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=FOLDER, check=True)
    return command


@contextlib.contextmanager
def peerjs_server() -> Iterator[tuple[str, int]]:
    """(base URL, pid) of a PeerJS server on 127.0.0.1 with no cap on sockets; stopped afterwards."""
    command, port = install(), free_port()
    process = subprocess.Popen(
        # It logs a line per socket; the bench does not read them. Its default cap is 5,000 sockets.
        [str(command), "--host", "127.0.0.1", "--port", str(port), "--concurrent_limit", "1000000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("PeerJS's server did not come up") from None
                time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
