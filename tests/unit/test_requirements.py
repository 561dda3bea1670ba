"""Every requirement id the repository cites (R-3, R-3.5 …) is defined in docs/requirements.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "docs" / "requirements.md"
CITED = re.compile(r"\bR-\d+(?:\.\d+)?\b")
DEFINED = re.compile(r"^(?:## (R-\d+) |- \*\*(R-\d+\.\d+)\*\* )", re.MULTILINE)
SEARCHED = (
    "server",
    "protocol",
    "compat",
    "native_host",
    "extension",
    "web",
    "tests",
    "docs",
    "bench",
    "scripts",
    "deploy",
)
TEXT_SUFFIXES = {".py", ".js", ".json", ".html", ".css", ".md", ".txt", ".toml", ".ini", ".sh", ".conf", ""}


def _texts() -> list[Path]:
    files = [
        ROOT / name for name in ("README.md", "pyproject.toml", "tox.ini", "CONTRIBUTING.md", "CHANGELOG.md")
    ]
    for folder in SEARCHED:
        files += [
            path for path in (ROOT / folder).rglob("*") if path.is_file() and path.suffix in TEXT_SUFFIXES
        ]
    return [path for path in files if path.exists() and path != REQUIREMENTS]


def _defined() -> set[str]:
    return {a or b for a, b in DEFINED.findall(REQUIREMENTS.read_text(encoding="utf-8"))}


def test_every_cited_requirement_is_defined_in_docs() -> None:
    defined = _defined()
    missing = {
        f"{path.relative_to(ROOT)}: {rid}"
        for path in _texts()
        for rid in CITED.findall(path.read_text(encoding="utf-8", errors="replace"))
        if rid not in defined
    }
    assert sorted(missing) == []


def test_the_requirements_define_each_id_once_and_the_search_finds_citations() -> None:
    found = DEFINED.findall(REQUIREMENTS.read_text(encoding="utf-8"))
    ids = [a or b for a, b in found]
    assert len(ids) == len(set(ids))
    cited = {
        rid for path in _texts() for rid in CITED.findall(path.read_text(encoding="utf-8", errors="replace"))
    }
    assert {"R-1.5", "R-8.5", "R-10.2", "R-18"} <= cited  # the search reaches code, tests and pyproject
