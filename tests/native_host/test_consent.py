"""Consent per origin, with the window replaced by a scripted answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from native_host.catalogue import LOCALES, catalogue
from native_host.config import ConfigStore, Consent
from native_host.consent import consent_needed, ensure_consent
from native_host.consent_window import render_page
from native_host.errors import BridgeError
from native_host.messages import ErrorCode
from tests.support.aio import run

ORIGIN = "https://meet.example.jp"


class ScriptedPrompt:
    def __init__(self, answer: Consent | None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    async def __call__(self, origin: str, language: str) -> Consent | None:
        self.asked.append((origin, language))
        return self.answer


def test_allow_is_asked_once_and_remembered(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    prompt = ScriptedPrompt(Consent.ALLOW)
    assert consent_needed(store, ORIGIN)
    run(ensure_consent(store, ORIGIN + "/", prompt))
    run(ensure_consent(store, ORIGIN, prompt))
    assert prompt.asked == [(ORIGIN, "ja")]
    assert not consent_needed(store, ORIGIN)


def test_deny_is_remembered_and_refused_without_asking_again(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    prompt = ScriptedPrompt(Consent.DENY)
    for _ in range(2):
        with pytest.raises(BridgeError) as info:
            run(ensure_consent(store, ORIGIN, prompt))
        assert info.value.code == ErrorCode.CONSENT_DENIED
    assert len(prompt.asked) == 1
    assert store.load().consent == {ORIGIN: Consent.DENY}


def test_a_closed_window_refuses_this_time_only(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    prompt = ScriptedPrompt(None)
    with pytest.raises(BridgeError):
        run(ensure_consent(store, ORIGIN, prompt))
    assert store.load().consent == {}
    prompt.answer = Consent.ALLOW
    run(ensure_consent(store, ORIGIN, prompt))
    assert len(prompt.asked) == 2


def test_catalogues_have_the_same_keys_and_the_page_escapes_the_origin() -> None:
    keys = {path.stem: set(json.loads(path.read_text(encoding="utf-8"))) for path in LOCALES.glob("*.json")}
    assert set(keys) >= {"ja", "en"} and len({frozenset(k) for k in keys.values()}) == 1
    page = render_page('https://x.example"><script>alert(1)</script>', "ja")
    assert "<script>alert" not in page
    assert catalogue("ja")["consent.allow"] in page and catalogue("xx") == catalogue("ja")
