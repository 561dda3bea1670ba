"""The host's own UI text (the consent window), by key; Japanese by default."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "ja"


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every string of ``language``; unknown languages get Japanese."""
    path = LOCALES / f"{language}.json"
    if not path.is_file():
        path = LOCALES / f"{DEFAULT_LANGUAGE}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return {str(k): str(v) for k, v in data.items()}


def text(key: str, language: str = DEFAULT_LANGUAGE, **values: str) -> str:
    """One string with ``{name}`` placeholders filled."""
    return catalogue(language)[key].format(**values)
