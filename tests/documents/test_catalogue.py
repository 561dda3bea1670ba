"""Every code and state the document library reports has text in both catalogues."""

from __future__ import annotations

import json

import pytest

from protocol.signaling import ErrorCode
from server.documents.render import RenderFailure
from server.documents.store import RenderState
from server.errors import HTTP_STATUS
from server.i18n import LANGUAGES, WEB_DIR, catalogue_for

DOCUMENT_CODES = [code for code in ErrorCode if code.value.startswith(("document_", "link_"))]


def entries(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((WEB_DIR / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def test_both_catalogues_have_the_same_keys() -> None:
    assert set(entries("ja")) == set(entries("en"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_document_texts_exist_and_fill_in(lang: str) -> None:
    text = catalogue_for(lang).text
    for code in DOCUMENT_CODES:
        assert text(f"error.{code.value}", max_mb=50, max_chars=200)
        assert code in HTTP_STATUS
    for failure in RenderFailure:
        assert "{" not in text(f"document.render_failed.{failure.value}", max_pages=500)
    for state in RenderState:
        assert text(f"document.render_state.{state.value}")


def test_the_faq_wording_is_kept() -> None:
    ja = entries("ja")
    assert ja["error.document_title_required"] == "タイトルを入力してください"
    assert ".pdf .xls .xlsx .doc .docx .ppt .pptx" in ja["error.document_type_not_allowed"]
