"""Legacy Office files (.doc, .xls, .ppt) made once per session by LibreOffice from fresh OOXML."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import documents


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
