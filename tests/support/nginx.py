"""A real nginx (Debian's package) running deploy/nginx.conf, the site file docs/deploy.md quotes, in
front of a test's `mendan serve`: only host name, ports and certificate paths are changed."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
from pathlib import Path
from typing import IO

import httpx

from tests.support.server import ROOT, MendanServer, free_port
from tests.support.tls import Certificate

SITE_TEMPLATE = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_ADDRESS = "127.0.0.3"
"""nginx connects to Mendan from this loopback address (proxy_bind), so the proxy and the browser
(127.0.0.1) are two different addresses, as on a real network."""

MAIN_CONF = """\
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    proxy_bind {proxy_address};
    include {folder}/site.conf;
}}
"""


def render_site(
    template: str, host_name: str, https_port: int, http_port: int, upstream: int, tls: Certificate
) -> str:
    """The site file with this run's values; each replaced text must be in it, or the doc drifted."""
    replacements = {
        "/etc/letsencrypt/live/mendan.example.com/fullchain.pem": str(tls.cert),
        "/etc/letsencrypt/live/mendan.example.com/privkey.pem": str(tls.key),
        "server_name mendan.example.com;": f"server_name {host_name};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen [::]:443 ssl;": f"listen [::1]:{https_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": f"listen [::1]:{http_port};",
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass http://127.0.0.1:{upstream};",
    }
    for old, new in replacements.items():
        assert old in template, f"deploy/nginx.conf no longer has {old!r}: update the test and the doc"
        template = template.replace(old, new)
    return template


class NginxProxy:
    """nginx in the foreground (not a daemon), TLS on a free port, proxying to ``upstream``."""

    def __init__(self, folder: Path, upstream: MendanServer, tls: Certificate, host_name: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"https://{host_name}:{self.port}"
        self.verify = ssl.create_default_context(cafile=str(tls.cert))
        site = render_site(SITE_TEMPLATE.read_text(), host_name, self.port, free_port(), upstream.port, tls)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "site.conf").write_text(site)
        (folder / "nginx.conf").write_text(
            MAIN_CONF.format(
                # as root, workers would be "nobody" and could not enter the test's private folder
                user="user root;" if os.geteuid() == 0 else "",
                folder=folder,
                proxy_address=PROXY_ADDRESS,
            )
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> NginxProxy:
        command = [NGINX, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")]
        checked = subprocess.run(
            [*command, "-t", "-e", str(self.folder / "error.log")], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        self._log = (self.folder / "nginx.out").open("ab")
        self.process = subprocess.Popen(
            [*command, "-e", str(self.folder / "error.log"), "-g", "daemon off;"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                httpx.get(f"https://127.0.0.1:{self.port}/healthz", verify=self.verify, timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not come up:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""
