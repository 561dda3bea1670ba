"""The pages' scripts stay readable: one concept per file, none past ~400 lines (docs/pages.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[2] / "web" / "static" / "js").glob("*.js"))
MAX_LINES = 400


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_page_script_is_small(script: Path) -> None:
    lines = len(script.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{script.name} has {lines} lines: split it along its seams"
