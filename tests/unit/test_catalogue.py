"""Every string people read comes from the catalogues: same keys in each, none missing in use."""

from __future__ import annotations

import json
import re

import pytest

from protocol.signaling import EndReason, ErrorCode, Role
from server.i18n import LANGUAGES, WEB_DIR

CATALOGUES = {
    lang: json.loads((WEB_DIR / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in LANGUAGES
}
KEY_IN_USE = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def _keys_used() -> set[str]:
    used: set[str] = set()
    sources = [
        *WEB_DIR.glob("templates/*.html"),
        *WEB_DIR.glob("static/js/*.js"),
        *(WEB_DIR.parent / "server").rglob("*.py"),
    ]
    for path in sources:
        used |= set(KEY_IN_USE.findall(path.read_text(encoding="utf-8")))
    return used


def test_catalogues_have_the_same_keys() -> None:
    ja, en = CATALOGUES["ja"], CATALOGUES["en"]
    assert sorted(set(ja) - set(en)) == [] and sorted(set(en) - set(ja)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_in_use_exists(lang: str) -> None:
    missing = sorted(_keys_used() - set(CATALOGUES[lang]))
    assert missing == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_codes_and_reasons_have_text(lang: str) -> None:
    keys = set(CATALOGUES[lang])
    assert {f"error.{code.value}" for code in ErrorCode} <= keys
    assert {f"room.role.{role.value}" for role in Role} <= keys
    assert {f"room.notice.{reason.value}" for reason in EndReason} <= keys


def test_no_empty_text() -> None:
    for lang, entries in CATALOGUES.items():
        assert [key for key, text in entries.items() if not text.strip()] == [], lang


def test_faq_wording_is_kept() -> None:
    ja = CATALOGUES["ja"]
    assert ja["error.invalid_number"] == "接続ナンバーが不正です"
    assert ja["room.notice.other_left"] == "他のユーザーからのコールが終了しました"
    assert ja["start.button"] == "商談を始める"
