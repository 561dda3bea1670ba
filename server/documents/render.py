"""Turning a stored document into page images: Office files to PDF with LibreOffice, PDF pages to JPEG.

This runs in a worker process (``python -m server.documents.render JOB_JSON``, started by
``render_queue``), never on the server's event loop: rendering is CPU-bound and a hostile file may
hang or crash PDFium or LibreOffice, which must take down only the worker. The worker prints one
JSON line with the outcome.

Output, in ``out_dir``: ``pages/<n>.jpg`` (1280 px wide), ``thumbs/<n>.jpg``, ``pages.json`` with
each page's pixel size and, for Office files, ``converted.pdf``.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from server.documents.filetypes import Kind

PAGE_WIDTH = 1280
# A long receipt-shaped page would become a huge bitmap at 1280 px wide; past 4:1 its height rules.
MAX_PAGE_HEIGHT = 4 * PAGE_WIDTH
# A page far narrower than tall (or the reverse) would become a sliver of an image (1 x 14,400 pt:
# under one pixel wide) that the encoders refuse; such a page is refused with its own reason.
MAX_ASPECT = 20.0
MIN_PAGE_POINTS = 1.0
THUMB_WIDTH = 240
JPEG_QUALITY = 85
FPDF_ERR_PASSWORD = 4  # PDFium's code for "needs a password" (fpdfview.h)


# Written into each private profile before soffice starts. Without BlockUntrustedRefererLinks,
# LibreOffice fetches a document's externally linked images while converting (seen: a docx with an
# r:link picture made it GET the URL), which would let an upload make the server request internal
# addresses and render the answers into pages. Macros never run either.
LOCKED_DOWN_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
</oor:items>
"""


class RenderFailure(enum.StrEnum):
    """Why a document could not be shown; each has a catalogue text ``document.render_failed.<value>``."""

    CONVERTER_MISSING = "converter_missing"
    TIMEOUT = "timeout"
    UNREADABLE = "unreadable"
    PASSWORD_PROTECTED = "password_protected"
    NO_PAGES = "no_pages"
    TOO_MANY_PAGES = "too_many_pages"
    PAGE_SIZE = "page_size"
    INTERNAL = "internal"


class RenderError(Exception):
    """Rendering stopped for a reason a rep can be told."""

    def __init__(self, failure: RenderFailure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure
        self.detail = detail


@dataclass(frozen=True)
class RenderJob:
    """One document revision to render; plain data so it crosses into the worker as JSON."""

    source: str
    kind: str
    out_dir: str
    soffice: str = "soffice"
    max_pages: int = 500
    timeout: float = 180.0
    encrypted: bool = False


@dataclass(frozen=True)
class RenderResult:
    """The worker's answer: pages rendered, or why not, and where the time went."""

    page_count: int = 0
    failure: str | None = None
    detail: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def convert_to_pdf(source: Path, kind: Kind, work_dir: Path, soffice: str, timeout: float) -> Path:
    """LibreOffice's PDF of an Office file, made in ``work_dir`` with a profile of its own.

    Each conversion gets a private profile (parallel runs otherwise fight over one user profile)
    and an input named by us (outputs of same-named inputs would overwrite each other). soffice
    runs in its own process group so a timeout kills oosplash and soffice.bin alike.
    """
    program = shutil.which(soffice) if soffice else None
    if program is None:
        raise RenderError(RenderFailure.CONVERTER_MISSING, f"{soffice!r} not found")
    work_dir.mkdir(parents=True, exist_ok=True)
    staged = work_dir / f"input.{kind.value}"
    os.symlink(source.resolve(), staged)
    out_dir, profile = work_dir / "out", work_dir / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LOCKED_DOWN_PROFILE, encoding="utf-8")
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
        "--convert-to", "pdf", "--outdir", str(out_dir), str(staged),
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(work_dir)}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RenderError(RenderFailure.TIMEOUT, f"soffice ran over {timeout:.0f} s") from None
        finally:
            if process.poll() is None:
                _kill_group(process.pid)
                process.wait()
    pdf = out_dir / "input.pdf"
    # soffice exits 0 even when it could not load the file; the missing PDF is the only sign.
    if not pdf.is_file() or pdf.stat().st_size == 0:
        said = output.decode(errors="replace").strip()[-300:]
        raise RenderError(RenderFailure.UNREADABLE, f"soffice exit {process.returncode}: {said}")
    return pdf


def render_pdf(pdf: Path, out_dir: Path, max_pages: int, deadline: float) -> list[tuple[int, int]]:
    """Render every page to JPEG and a thumbnail; returns each page's pixel size."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        if exc.err_code == FPDF_ERR_PASSWORD:
            raise RenderError(RenderFailure.PASSWORD_PROTECTED) from None
        raise RenderError(RenderFailure.UNREADABLE, str(exc)) from None
    try:
        # Filled-in form fields are part of what the rep means to show; without a form environment
        # PDFium leaves them blank. (pypdfium2's PDFium has no JavaScript engine to run.)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a failed XFA load still renders the AcroForm fallback
            document.init_forms()
        count = len(document)
        if count == 0:
            raise RenderError(RenderFailure.NO_PAGES)
        if count > max_pages:
            raise RenderError(RenderFailure.TOO_MANY_PAGES, f"{count} pages")
        (out_dir / "pages").mkdir(parents=True, exist_ok=True)
        (out_dir / "thumbs").mkdir(exist_ok=True)
        sizes = []
        for index in range(count):
            if time.monotonic() > deadline:
                raise RenderError(RenderFailure.TIMEOUT, f"stopped at page {index + 1} of {count}")
            sizes.append(_render_page(document, index, out_dir))
        return sizes
    finally:
        document.close()


def _render_page(document: object, index: int, out_dir: Path) -> tuple[int, int]:
    import pypdfium2 as pdfium
    from PIL import Image

    assert isinstance(document, pdfium.PdfDocument)
    page = document[index]
    try:
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise RenderError(RenderFailure.UNREADABLE, f"page {index + 1} has no area")
        if min(width, height) < MIN_PAGE_POINTS or max(width / height, height / width) > MAX_ASPECT:
            raise RenderError(RenderFailure.PAGE_SIZE, f"page {index + 1} is {width:g} x {height:g} pt")
        scale = min(PAGE_WIDTH / width, MAX_PAGE_HEIGHT / height)
        image = page.render(scale=scale, may_draw_forms=True).to_pil()
    finally:
        page.close()
    if image.mode != "RGB":
        image = image.convert("RGB")  # JPEG has no alpha; pages come as RGB unless transparent
    number = index + 1
    image.save(out_dir / "pages" / f"{number}.jpg", "JPEG", quality=JPEG_QUALITY)
    thumb_height = max(1, round(image.height * THUMB_WIDTH / image.width))
    # reducing_gap first shrinks by an integer factor, then filters: 1/3 of a full Lanczos's time
    # (the costliest step of a page) with no visible difference at thumbnail size.
    thumb = image.resize((THUMB_WIDTH, thumb_height), Image.Resampling.LANCZOS, reducing_gap=2.0)
    thumb.save(out_dir / "thumbs" / f"{number}.jpg", "JPEG", quality=JPEG_QUALITY)
    return image.width, image.height


def render(job: RenderJob) -> RenderResult:
    """Render one document into ``job.out_dir``; failures come back as a result, not an exception."""
    started = time.monotonic()
    deadline = started + job.timeout
    out_dir = Path(job.out_dir)
    timings: dict[str, float] = {}
    try:
        if job.encrypted:
            raise RenderError(RenderFailure.PASSWORD_PROTECTED)
        kind = Kind(job.kind)
        pdf = Path(job.source)
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="mendan-render-") as scratch:
            if kind.is_office:
                converted = convert_to_pdf(pdf, kind, Path(scratch), job.soffice, job.timeout)
                pdf = out_dir / "converted.pdf"
                shutil.move(converted, pdf)
                timings["convert"] = time.monotonic() - started
            rendering = time.monotonic()
            sizes = render_pdf(pdf, out_dir, job.max_pages, deadline)
            timings["render"] = time.monotonic() - rendering
        manifest = {"pages": [{"width": w, "height": h} for w, h in sizes]}
        (out_dir / "pages.json").write_text(json.dumps(manifest))
        return RenderResult(page_count=len(sizes), timings=timings)
    except RenderError as exc:
        return RenderResult(failure=exc.failure.value, detail=exc.detail, timings=timings)


def _kill_group(pid: int) -> None:
    # It may have ended on its own between the check and the kill.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # Unwind through the ``finally`` blocks so a running soffice is killed with us.
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    job = RenderJob(**json.loads(argv[1]))
    result = render(job)
    sys.stdout.write(json.dumps(asdict(result)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
