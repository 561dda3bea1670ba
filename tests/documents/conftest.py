"""System parts the document tests need, and legacy Office files (.doc, .xls, .ppt) made by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import documents

SYSTEM_PACKAGES = (
    "libreoffice-core libreoffice-writer libreoffice-calc libreoffice-impress fonts-noto-cjk poppler-utils"
)


@pytest.fixture(scope="session", autouse=True)
def system_parts() -> None:
    """Fail, never skip, when the machine lacks what these tests need, and say what to install."""
    missing = [
        program for program in ("soffice", "pdftotext", "pdffonts", "pdftoppm") if not shutil.which(program)
    ]
    fonts = (
        subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
        if shutil.which("fc-list")
        else ""
    )
    if "Noto Sans CJK" not in fonts:
        missing.append("a Japanese font (Noto Sans CJK)")
    if missing:
        pytest.fail(
            f"missing {', '.join(missing)}: apt-get install -y --no-install-recommends {SYSTEM_PACKAGES}"
        )


@pytest.fixture(scope="session")
def legacy_office_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("legacy-office")
    made = {}
    for target, source_ext, maker in (
        ("doc", "docx", documents.make_docx),
        ("xls", "xlsx", documents.make_xlsx),
        ("ppt", "pptx", documents.make_pptx),
    ):
        source = documents.write(folder / f"source-{target}.{source_ext}", maker())
        made[target] = documents.soffice_convert(source, target, folder / target)
    return made
