"""Mendan.debug is the one surface tests and benches read from the pages: every name they use is
defined by a page script and documented in docs/pages.md, and nothing reads the room's insides."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USE = re.compile(r"Mendan\.debug\.(\w+)")
DEFINED = re.compile(r"(?:debug|Mendan\.debug)\.(\w+) = function")
DOCUMENTED = re.compile(r"^\| `(\w+)\(", re.M)


def _used() -> set[str]:
    names: set[str] = set()
    for folder in ("tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(USE.findall(path.read_text(encoding="utf-8")))
    return names


def test_what_tests_read_is_defined_and_documented() -> None:
    defined: set[str] = set()
    for path in (ROOT / "web" / "static" / "js").glob("*.js"):
        defined |= set(DEFINED.findall(path.read_text(encoding="utf-8")))
    documented = set(DOCUMENTED.findall((ROOT / "docs" / "pages.md").read_text(encoding="utf-8")))
    used = _used()
    assert used, "the tests read nothing through Mendan.debug?"
    assert sorted(used - defined) == []
    assert sorted(defined - {"attach"} - documented) == []


def test_tests_do_not_read_the_room_itself() -> None:
    assert "room" not in _used()
