"""Throwaway PostgreSQL and Redis servers from Debian's packages, on free loopback ports.

PostgreSQL refuses to run as root (CI runs as root): then the cluster is made and run as the
``postgres`` system user that Debian's ``postgresql-common`` creates, in a folder of its own under
/tmp. Nothing is fsynced: these servers live for one test session.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from tests.support.server import free_port

EMBEDDED, POSTGRES_REDIS = "embedded", "postgres+redis"
"""The backend sets the suite runs against: SQLite + in-process bus, PostgreSQL + Redis."""
PG_BIN = Path("/usr/lib/postgresql/15/bin")
DEBIAN_PACKAGES = "postgresql redis-server"


def _missing(what: str) -> RuntimeError:
    return RuntimeError(f"{what} is missing: apt-get install -y --no-install-recommends {DEBIAN_PACKAGES}")


class PostgresServer:
    """A private PostgreSQL cluster (trust auth on 127.0.0.1 only); one database per test."""

    USER = "mendan"

    def __init__(self) -> None:
        if not (PG_BIN / "pg_ctl").exists():
            raise _missing(str(PG_BIN / "pg_ctl"))
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mendan-pg-"))
        self.data = self.folder / "data"
        self._run_as: dict[str, Any] = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self._made = 0

    def _pg(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(PG_BIN / program), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
            timeout=60,
            **self._run_as,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> PostgresServer:
        self._pg("initdb", "-D", str(self.data), "-U", self.USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str | None = None) -> str:
        """A fresh, empty (or copied from ``template``) database; returns its URL."""
        self._made += 1
        name = f"test_{os.getpid()}_{self._made}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            suffix = f" TEMPLATE {template}" if template else ""
            connection.execute(f"CREATE DATABASE {name}{suffix}")  # type: ignore[arg-type]
        return self.url(name)

    def log(self) -> str:
        path = self.folder / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    """A redis-server that keeps nothing on disk."""

    def __init__(self) -> None:
        program = shutil.which("redis-server")
        if program is None:
            raise _missing("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> RedisServer:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("redis-server exited early")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not come up")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
