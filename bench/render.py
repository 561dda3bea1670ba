"""How fast documents render: our pipeline against pdftoppm, and LibreOffice per Office file.

    python bench/render.py [--pages 30] [--rounds 3] [--office-rounds 3] [--unoconvert PATH]

Prints figures only; there are no pass/fail thresholds. Needs poppler-utils (pdftoppm) and
LibreOffice (soffice). ``--unoconvert`` points at unoserver's client to time a resident converter
(start ``unoserver`` first; it needs Debian's python3-uno, so it lives in a venv made with
``/usr/bin/python3 -m venv --system-site-packages``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.documents.filetypes import Kind  # noqa: E402
from server.documents.render import convert_to_pdf, render_pdf  # noqa: E402
from tests.support import documents  # noqa: E402

SENTENCE = "本日はお時間をいただきありがとうございます。弊社の営業支援サービスについてご説明いたします。"


def long_docx(pages: int) -> bytes:
    """A Japanese Word file of about ``pages`` pages, with a heading and text on each."""
    import io

    import docx

    document = docx.Document()
    for number in range(1, pages + 1):
        document.add_heading(f"第{number}章 サービスのご案内", level=1)
        for _ in range(8):
            document.add_paragraph(SENTENCE * 3)
        if number < pages:
            document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def bench_pdf(pdf: Path, rounds: int, scratch: Path) -> None:
    import pypdfium2 as pdfium

    with pdfium.PdfDocument(str(pdf)) as document:
        pages = len(document)
    ours, poppler = [], []
    for round_number in range(rounds):
        out = scratch / f"ours-{round_number}"
        ours.append(timed(lambda out=out: render_pdf(pdf, out, 10_000, time.monotonic() + 600)))
        prefix = scratch / f"poppler-{round_number}" / "page"
        prefix.parent.mkdir()
        command = [
            "pdftoppm", "-jpeg", "-jpegopt", "quality=85", "-scale-to-x", "1280", "-scale-to-y", "-1",
            str(pdf), str(prefix),
        ]  # fmt: skip
        poppler.append(timed(lambda command=command: subprocess.run(command, check=True)))
    ours_rate, poppler_rate = pages / statistics.median(ours), pages / statistics.median(poppler)
    print(f"PDF, {pages} pages, 1280 px wide JPEG q85, median of {rounds} rounds, one process each:")
    print(f"  ours (pypdfium2, page + 240 px thumbnail): {ours_rate:6.1f} pages/s")
    print(f"  pdftoppm (page only):                       {poppler_rate:6.1f} pages/s")
    print(f"  ratio ours / pdftoppm:                      {ours_rate / poppler_rate:6.2f}")


def bench_office(rounds: int, scratch: Path, unoconvert: str | None) -> None:
    samples = {
        "docx": documents.make_docx(),
        "xlsx": documents.make_xlsx(),
        "pptx": documents.make_pptx(),
    }
    print(f"Office to PDF, seconds per file, median of {rounds} (min-max):")
    for extension, data in samples.items():
        source = scratch / f"sample.{extension}"
        source.write_bytes(data)
        kind = Kind(extension)
        fresh, reused, resident = [], [], []
        for round_number in range(rounds):
            # What the server does: a fresh private profile per conversion.
            work = scratch / f"fresh-{extension}-{round_number}"
            fresh.append(timed(partial(convert_to_pdf, source, kind, work, "soffice", 120)))
            # A profile kept between runs (would need one per worker, and locking): what it would save.
            reused.append(timed(partial(_convert_with_profile, source, scratch / "kept-profile", scratch)))
            if unoconvert:
                target = scratch / f"uno-{extension}-{round_number}.pdf"
                resident.append(timed(partial(_unoconvert, unoconvert, source, target)))
        line = f"  {extension}: soffice fresh profile {_summary(fresh)}, kept profile {_summary(reused)}"
        if resident:
            line += f", unoserver {_summary(resident)}"
        print(line)


def _unoconvert(unoconvert: str, source: Path, target: Path) -> None:
    subprocess.run([unoconvert, str(source), str(target)], check=True, capture_output=True, timeout=120)


def _convert_with_profile(source: Path, profile: Path, scratch: Path) -> None:
    out = scratch / "kept-out"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=30, help="pages of the generated Japanese PDF")
    parser.add_argument("--pdf", type=Path, help="bench this PDF instead of a generated one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--office-rounds", type=int, default=3)
    parser.add_argument("--unoconvert", help="unoserver's unoconvert program, to time a resident converter")
    args = parser.parse_args()
    for program in ("pdftoppm", "soffice"):
        if shutil.which(program) is None:
            sys.exit(f"{program} is missing: apt-get install poppler-utils libreoffice-core ...")
    with tempfile.TemporaryDirectory(prefix="mendan-bench-") as folder:
        scratch = Path(folder)
        pdf = args.pdf
        if pdf is None:
            source = scratch / "long.docx"
            source.write_bytes(long_docx(args.pages))
            seconds = timed(lambda: convert_to_pdf(source, Kind.DOCX, scratch / "long", "soffice", 300))
            pdf = scratch / "long" / "out" / "input.pdf"
            print(
                f"(made the test PDF from a {args.pages}-page Japanese docx with soffice in {seconds:.2f} s)"
            )
        bench_pdf(pdf, args.rounds, scratch)
        bench_office(args.office_rounds, scratch, args.unoconvert)


if __name__ == "__main__":
    main()
