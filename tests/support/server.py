"""A real `mendan serve` process on a free loopback port, with its own data folder; over HTTPS when
its environment names a certificate (MENDAN_TLS_CERT, MENDAN_TLS_KEY)."""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[2]

METRICS_TOKEN = "test-metrics-token"
"""What test servers want in ``Authorization: Bearer`` before they answer /metrics."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MendanServer:
    """Starts, stops and restarts a server process; keeps its log for failure reports."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.log_path = data_dir / "server.log"
        self.env = {
            **os.environ,
            "MENDAN_SECRET_KEY": "test-secret",
            "MENDAN_METRICS_TOKEN": METRICS_TOKEN,
            **(env or {}),
        }
        cert = self.env.get("MENDAN_TLS_CERT", "")
        self.url = f"{'https' if cert else 'http'}://127.0.0.1:{self.port}"
        self.verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=cert) if cert else True
        """What httpx clients of this server pass as verify= (the test's own certificate over HTTPS)."""
        self.backend_env: dict[str, str] = {}
        """MENDAN_DATABASE_URL and MENDAN_REDIS_URL when not embedded: what another instance shares."""
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    def reached_at(self, url: str) -> MendanServer:
        """This server as a browser reaches it at ``url`` (a host name, a proxy): page steps use .url."""
        seen = copy.copy(self)
        seen.url = url
        return seen

    def logged(self, message: str) -> list[dict[str, Any]]:
        """The server's JSON log entries with this message, oldest first."""
        entries = (json.loads(line) for line in self.log().splitlines() if line.startswith("{"))
        return [entry for entry in entries if entry.get("message") == message]

    def mendan(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *args, "--data-dir", str(self.data_dir)],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            timeout=60,
        )

    def create_account(
        self,
        login: str,
        password: str = "correct-horse",
        name: str = "",
        company: str = "",
        contract: str = "",
    ) -> str:
        """A login ID in a new contract, or in ``contract``; returns the contract's number."""
        args = ["account", "create", "--login", login, "--password-stdin"]
        if contract:
            args += ["--contract", contract]
        if name:
            args += ["--name", name]
        if company:
            args += ["--company", company]
        result = self.mendan(*args, stdin=password + "\n")
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def start(self) -> MendanServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log_file = log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 90  # generous: CI shares 2 cores with browsers
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1, verify=self.verify).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not come up:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._forget_process()

    def _forget_process(self) -> None:
        self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def kill(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
        self._forget_process()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
