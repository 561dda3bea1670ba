"""The UI text catalogues (web/i18n/<lang>.json): every string people read comes from here."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"


class Catalogue:
    """The strings of one language, by dotted key."""

    def __init__(self, lang: str, entries: dict[str, str]) -> None:
        self.lang = lang
        self.entries = entries

    def text(self, key: str, **values: object) -> str:
        template = self.entries.get(key)
        if template is None:
            raise KeyError(f"catalogue {self.lang} has no key {key!r}")
        return template.format(**values) if values else template


@cache
def catalogue_for(lang: str) -> Catalogue:
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    entries = json.loads((WEB_DIR / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    return Catalogue(lang, entries)
