"""Janus Gateway 1.1 (Debian's ``janus``) as the SFU that ``bench.peer_janus`` compares Mendan with.

Installed with apt-get when missing (only this bench needs it; the tests never do), started on free
ports with the HTTP transport and the videoroom plugin only, and a small static site that serves
bench/janus/videoroom.html with the janus.js and adapter.js Debian ships in ``janus-demos``.
Janus never gathers loopback candidates, so ICE runs over the host's own address (routed over lo).
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import free_port

PACKAGES = ("janus", "janus-demos")
SYSTEM_CONFIG = Path("/etc/janus")
LIBRARIES = Path("/usr/lib/x86_64-linux-gnu/janus")
DEMO_SCRIPTS = Path("/usr/share/janus/demos/javascript")
PAGE = Path(__file__).resolve().parent / "janus" / "videoroom.html"


def ensure_installed() -> None:
    if shutil.which("janus") and (DEMO_SCRIPTS / "janus-gateway" / "janus.js").exists():
        return
    print("installing Janus from Debian (janus, janus-demos) …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES], check=True, env=env)


def _all_but(kind: str, kept: str) -> str:
    names = sorted(p.name for p in (LIBRARIES / kind).glob("*.so"))
    return ",".join(name for name in names if name != kept)


def _write_config(folder: Path, port: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    core = (SYSTEM_CONFIG / "janus.jcfg").read_text()
    core = core.replace('configs_folder = "/etc/janus"', f'configs_folder = "{folder}"')
    core = core.replace(
        '#disable = "libjanus_voicemail.so,libjanus_recordplay.so"',
        f'disable = "{_all_but("plugins", "libjanus_videoroom.so")}"',
    )
    core = core.replace(
        '#disable = "libjanus_rabbitmq.so"', f'disable = "{_all_but("transports", "libjanus_http.so")}"'
    )
    (folder / "janus.jcfg").write_text(core)
    http = (SYSTEM_CONFIG / "janus.transport.http.jcfg").read_text()
    (folder / "janus.transport.http.jcfg").write_text(
        re.sub(r"\bport = 8088", f"port = {port}", http, count=1)
    )
    (folder / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")  # no demo rooms


@dataclass
class Janus:
    """A running Janus: its API URL, process id (for its CPU) and the page's URL."""

    api: str
    pid: int
    page: str
    rooms: Iterator[int]

    def create_room(self) -> int:
        """A fresh videoroom (VP8 + Opus, no bitrate cap, as Mendan's mesh) for one run."""
        room = next(self.rooms)
        with httpx.Client(timeout=10) as client:

            def call(path: str, body: dict[str, Any]) -> dict[str, Any]:
                reply: dict[str, Any] = client.post(self.api + path, json={**body, "transaction": "b"}).json()
                if reply.get("janus") == "error":
                    raise RuntimeError(f"Janus: {reply}")
                return reply

            session = call("", {"janus": "create"})["data"]["id"]
            handle = call(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})["data"][
                "id"
            ]
            request = {"request": "create", "room": room, "publishers": 6, "bitrate": 0}
            created = call(
                f"/{session}/{handle}", {"janus": "message", "body": {**request, "videocodec": "vp8"}}
            )
            if created["plugindata"]["data"].get("videoroom") != "created":
                raise RuntimeError(f"room not created: {created}")
            call(f"/{session}", {"janus": "destroy"})
        return room

    def page_url(self, room: int, name: str) -> str:
        return f"{self.page}?server={self.api}&room={room}&name={name}"


@contextmanager
def _static_site(folder: Path) -> Iterator[str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

    handler = functools.partial(Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/videoroom.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def janus_gateway(folder: Path) -> Iterator[Janus]:
    ensure_installed()
    port = free_port()
    _write_config(folder / "janus-config", port)
    site = folder / "janus-site"
    site.mkdir(exist_ok=True)
    shutil.copy(PAGE, site / "videoroom.html")
    shutil.copy(DEMO_SCRIPTS / "janus-gateway" / "janus.js", site / "janus.js")
    shutil.copy(DEMO_SCRIPTS / "webrtc-adapter" / "adapter.min.js", site / "adapter.min.js")
    log = (folder / "janus.log").open("w")
    process = subprocess.Popen(
        ["janus", "-F", str(folder / "janus-config"), "-d", "3"], stdout=log, stderr=subprocess.STDOUT
    )
    api = f"http://127.0.0.1:{port}/janus"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(api + "/info", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Janus did not start; see {folder / 'janus.log'}")
            time.sleep(0.2)
        with _static_site(site) as page:
            yield Janus(api=api, pid=process.pid, page=page, rooms=itertools.count(1000))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
