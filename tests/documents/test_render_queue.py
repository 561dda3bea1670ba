"""The server's render queue with a LibreOffice that hangs: timeouts, deletes and restarts kill it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import documents
from tests.support.processes import alive
from tests.support.rep import RepClient, log_in
from tests.support.server import MendanServer

RENDER_TIMEOUT = 4


@pytest.fixture(scope="module")
def pids(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fake-soffice") / "pids"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pids: Path) -> Iterator[MendanServer]:
    folder = tmp_path_factory.mktemp("hanging-soffice")
    script = folder / "soffice"
    # Like the real one: a wrapper that starts a child, then runs on and never writes a PDF.
    script.write_text(f"#!/bin/sh\nsleep 300 & echo $! >> {pids}\necho $$ >> {pids}\nexec sleep 300\n")
    script.chmod(0o755)
    env = {"MENDAN_SOFFICE": str(script), "MENDAN_RENDER_TIMEOUT": str(RENDER_TIMEOUT)}
    server = MendanServer(folder / "data", env)
    server.create_account("tanaka")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def rep(server: MendanServer) -> Iterator[RepClient]:
    client = log_in(server, "tanaka")
    yield client
    client.close()


def started_soffice(pids: Path, before: int, timeout: float = 20) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        numbers = [int(line) for line in pids.read_text().split()] if pids.exists() else []
        if len(numbers) >= before + 2:
            return numbers[before:]
        time.sleep(0.05)
    raise AssertionError("the fake soffice never started")


def all_gone(numbers: list[int], timeout: float = 8) -> bool:
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in numbers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(pid) for pid in numbers)


def count(pids: Path) -> int:
    return len(pids.read_text().split()) if pids.exists() else 0


def test_a_hanging_conversion_fails_with_timeout_and_is_killed(rep: RepClient, pids: Path) -> None:
    before = count(pids)
    document = rep.uploaded("hang.docx", documents.make_docx())
    numbers = started_soffice(pids, before)
    finished: dict[str, Any] = rep.wait_rendered(document["id"], timeout=RENDER_TIMEOUT + 20)
    assert finished["render"]["state"] == "failed"
    assert finished["render"]["failure"]["code"] == "timeout"
    assert "時間がかかりすぎた" in finished["render"]["failure"]["message"]
    assert all_gone(numbers)


def test_deleting_a_document_stops_its_conversion(rep: RepClient, pids: Path) -> None:
    before = count(pids)
    document = rep.uploaded("delete-me.pptx", documents.make_pptx())
    numbers = started_soffice(pids, before)
    assert rep.delete(f"/api/documents/{document['id']}", headers=rep.changing()).status_code == 200
    assert all_gone(numbers, timeout=RENDER_TIMEOUT - 1)  # sooner than its own timeout would


def test_a_restart_kills_the_conversion_and_resumes_it(server: MendanServer, pids: Path) -> None:
    rep = log_in(server, "tanaka")
    try:
        before = count(pids)
        document = rep.uploaded("restart.xlsx", documents.make_xlsx())
        numbers = started_soffice(pids, before)
    finally:
        rep.close()
    server.stop()
    assert all_gone(numbers)
    server.start()
    rep = log_in(server, "tanaka")
    try:
        started_soffice(pids, before + 2)  # rendered again after the restart...
        finished = rep.wait_rendered(document["id"], timeout=RENDER_TIMEOUT + 20)
        assert finished["render"]["failure"]["code"] == "timeout"  # ...and ends, not stuck in rendering
    finally:
        rep.close()
