"""The one feature matrix: its rules, its generated JSON for pages, and a detector per capability."""

from __future__ import annotations

import re
from pathlib import Path

from compat import generate
from compat.matrix import ENGINES, RULES, Capability, Feature, available, proven, reason

ROOT = Path(__file__).resolve().parents[2]


def test_generated_js_matches_the_matrix() -> None:
    assert generate.JS_PATH.read_text(encoding="utf-8") == generate.render_js(), (
        "run python -m compat.generate"
    )


def test_every_capability_has_a_detector_in_the_pages() -> None:
    source = (ROOT / "web" / "static" / "js" / "capabilities.js").read_text(encoding="utf-8")
    detectors = set(re.findall(r"^\s{4}(\w+): function \(\)", source, re.M))
    assert detectors == {capability.value for capability in Capability}


def test_every_feature_has_a_rule_and_reason() -> None:
    assert {rule.feature for rule in RULES} == set(Feature)


def test_a_browser_without_webrtc_can_issue_and_wait_but_not_call() -> None:
    legacy = available(frozenset({Capability.XHR, Capability.WEBSOCKET, Capability.FILE_UPLOAD}))
    assert legacy[Feature.ISSUE_NUMBER] and legacy[Feature.WAIT_FOR_REP] and legacy[Feature.CHAT]
    assert not legacy[Feature.VIDEO_CALL] and not legacy[Feature.RECORDING]


def test_the_bridge_gives_the_call_but_not_recording() -> None:
    bridged = available(
        frozenset({Capability.XHR, Capability.WEBSOCKET, Capability.BRIDGE, Capability.SECURE_CONTEXT})
    )
    assert bridged[Feature.VIDEO_CALL] and not bridged[Feature.RECORDING]


def test_modern_engines_have_everything() -> None:
    for engine in ENGINES:
        if engine.key in ("chromium", "firefox", "safari"):
            assert all(available(engine.capabilities).values()), engine.key


def test_phones_see_shared_screens_but_cannot_share_their_own() -> None:
    phone = next(engine for engine in ENGINES if engine.key == "android")
    features = available(phone.capabilities)
    assert not features[Feature.SCREEN_SHARE]
    assert all(works for feature, works in features.items() if feature != Feature.SCREEN_SHARE)
    assert reason(Feature.SCREEN_SHARE, phone.capabilities) == "compat.reason.no_screen_share"


def test_generated_matrix_doc_matches() -> None:
    assert generate.DOC_PATH.read_text(encoding="utf-8") == generate.render_doc(), (
        "run python -m compat.generate"
    )


def test_an_insecure_page_is_told_to_use_https_not_the_bridge_or_another_browser() -> None:
    everything = frozenset(Capability)
    on_http = everything - {Capability.SECURE_CONTEXT}
    assert not available(on_http)[Feature.VIDEO_CALL] and not available(on_http)[Feature.RECORDING]
    assert reason(Feature.VIDEO_CALL, on_http) == "compat.reason.insecure_context"
    assert reason(Feature.RECORDING, on_http) == "compat.reason.insecure_context"
    assert reason(Feature.CHAT, on_http) == ""  # numbers, waiting and chat need no secure context
    # Without WebRTC on HTTPS the advice stays the bridge or another browser.
    no_webrtc = everything - {Capability.PEER_CONNECTION, Capability.BRIDGE}
    assert reason(Feature.VIDEO_CALL, no_webrtc) == "compat.reason.no_webrtc"
    assert reason(Feature.VIDEO_CALL, everything) == ""


def test_rows_claim_only_what_their_engines_proved() -> None:
    """The bridge row names the browsers its proof ran on; IE11 (which loads neither extension)
    has its own row with no bridge and nothing marked as proven."""
    by_key = {engine.key: engine for engine in ENGINES}
    bridge = by_key["legacy_bridge"]
    assert "Internet Explorer" not in bridge.name and "Chrome" in bridge.name and "Firefox" in bridge.name
    assert set(bridge.tested_as) == {"chromium-bridge", "firefox-bridge"}
    ie11 = by_key["ie11"]
    assert ie11.tested_as == () and Capability.BRIDGE not in ie11.capabilities
    assert not available(ie11.capabilities)[Feature.VIDEO_CALL]
    assert "ie11" not in proven()
    assert all("Internet Explorer" not in engine.name for engine in ENGINES if engine.key != "ie11")
