"""Handlers reach the app's services only through server.services.services(): typed, one place."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {Path("server/app.py"), Path("server/services.py")}
READ = re.compile(r"\.app\.state\b|\bapp\.state\.")


def test_nothing_but_the_accessor_reads_app_state() -> None:
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "server").rglob("*.py"))
        if path.relative_to(ROOT) not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if READ.search(line)
    ]
    assert readers == []
