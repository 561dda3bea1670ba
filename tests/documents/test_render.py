"""Rendering in the worker: page images, failures a rep can be told, soffice killed on timeout."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from server.documents.filetypes import Kind
from server.documents.render import RenderError, RenderFailure, RenderJob, convert_to_pdf, render
from tests.support import documents
from tests.support.processes import alive

ROOT = Path(__file__).resolve().parents[2]


def job(tmp_path: Path, name: str, data: bytes, **options: object) -> RenderJob:
    source = documents.write(tmp_path / name, data)
    kind = name.rsplit(".", 1)[1]
    return RenderJob(source=str(source), kind=kind, out_dir=str(tmp_path / "out"), **options)  # type: ignore[arg-type]


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def test_pdf_pages_become_jpegs_thumbnails_and_a_manifest(tmp_path: Path) -> None:
    result = render(job(tmp_path, "a.pdf", documents.make_pdf(3)))
    assert result.failure is None and result.page_count == 3
    out = tmp_path / "out"
    manifest = json.loads((out / "pages.json").read_text())
    assert len(manifest["pages"]) == 3
    for number, size in enumerate(manifest["pages"], start=1):
        with Image.open(out / "pages" / f"{number}.jpg") as page:
            assert page.format == "JPEG" and page.size == (size["width"], size["height"])
            assert page.width == 1280 and abs(page.height - 1280 * 842 / 595) < 1.5  # A4 kept in proportion
        with Image.open(out / "thumbs" / f"{number}.jpg") as thumb:
            assert thumb.width == 240


def test_too_many_pages(tmp_path: Path) -> None:
    result = render(job(tmp_path, "a.pdf", documents.make_pdf(3), max_pages=2))
    assert result.failure == RenderFailure.TOO_MANY_PAGES


@pytest.mark.parametrize("data", [b"%PDF-1.7\n" + b"garbage " * 100, b"%PDF-"])
def test_broken_pdf_is_unreadable(tmp_path: Path, data: bytes) -> None:
    assert render(job(tmp_path, "a.pdf", data)).failure == RenderFailure.UNREADABLE


def test_encrypted_office_file_is_not_converted(tmp_path: Path) -> None:
    result = render(job(tmp_path, "a.xlsx", b"", encrypted=True, soffice="/nonexistent"))
    assert result.failure == RenderFailure.PASSWORD_PROTECTED


@pytest.mark.parametrize("soffice", ["", "/nonexistent/soffice"])
def test_office_file_without_libreoffice(tmp_path: Path, soffice: str) -> None:
    result = render(job(tmp_path, "a.docx", documents.make_docx(), soffice=soffice))
    assert result.failure == RenderFailure.CONVERTER_MISSING


def test_soffice_that_writes_nothing_means_unreadable(tmp_path: Path) -> None:
    script = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded'; exit 0")
    with pytest.raises(RenderError) as caught:
        convert_to_pdf(tmp_path / "x.docx", Kind.DOCX, tmp_path / "work", str(script), timeout=10)
    assert caught.value.failure is RenderFailure.UNREADABLE
    assert "could not be loaded" in caught.value.detail


def test_soffice_timeout_kills_it_and_its_children(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = fake_soffice(tmp_path, f"sleep 300 & echo $! >> {pids}\necho $$ >> {pids}\nexec sleep 300")
    started = time.monotonic()
    with pytest.raises(RenderError) as caught:
        convert_to_pdf(tmp_path / "x.docx", Kind.DOCX, tmp_path / "work", str(script), timeout=1)
    assert caught.value.failure is RenderFailure.TIMEOUT
    assert time.monotonic() - started < 5
    numbers = [int(line) for line in pids.read_text().split()]
    assert len(numbers) == 2
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in numbers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in numbers)


def test_worker_process_prints_one_json_result(tmp_path: Path) -> None:
    rendering = job(tmp_path, "a.pdf", documents.make_pdf(2))
    argument = json.dumps(rendering.__dict__)
    completed = subprocess.run(
        [sys.executable, "-m", "server.documents.render", argument],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )  # fmt: skip
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["page_count"] == 2 and result["failure"] is None


def test_linked_images_are_not_fetched_while_converting(tmp_path: Path) -> None:
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_error(404)

        do_OPTIONS = do_HEAD = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder) as listener:
        thread = threading.Thread(target=listener.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{listener.server_address[1]}/internal/secret.png"
        source = documents.write(tmp_path / "linked.docx", documents.make_docx_with_linked_image(url))
        pdf = convert_to_pdf(source, Kind.DOCX, tmp_path / "work", "soffice", timeout=60)
        listener.shutdown()
    assert pdf.stat().st_size > 0
    assert requests == []
