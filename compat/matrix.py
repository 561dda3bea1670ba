"""What each Mendan feature needs from a browser, and what the browsers we know have.

Pages detect capabilities themselves (web/static/js/capabilities.js has one detector per
Capability) and compute features with the same rules, from the JSON that
``python -m compat.generate`` writes. The 動作環境 page renders ENGINES through the same rules.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from pathlib import Path

PROVEN_PATH = Path(__file__).resolve().parent / "proven.json"
"""What the browser-matrix tests proved on these machines, written by that suite (see its tests)."""


class Capability(enum.StrEnum):
    """Something a page can detect in the browser it runs in."""

    XHR = "xhr"
    WEBSOCKET = "websocket"
    PEER_CONNECTION = "peer_connection"
    GET_USER_MEDIA = "get_user_media"
    MEDIA_RECORDER = "media_recorder"
    CANVAS_CAPTURE = "canvas_capture"
    WEB_AUDIO = "web_audio"
    FILE_UPLOAD = "file_upload"
    BRIDGE = "bridge"
    SECURE_CONTEXT = "secure_context"  # https://, or localhost: browsers give camera and mic to no other
    DISPLAY_CAPTURE = "display_capture"  # getDisplayMedia: computers' browsers; no phone has it


class Feature(enum.StrEnum):
    """Something people do in Mendan."""

    ISSUE_NUMBER = "issue_number"
    WAIT_FOR_REP = "wait_for_rep"
    VIDEO_CALL = "video_call"
    CHAT = "chat"
    SEE_DOCUMENTS = "see_documents"
    RECEIVE_FILES = "receive_files"
    SHARE_FILES = "share_files"
    RECORDING = "recording"
    SCREEN_SHARE = "screen_share"


@dataclass(frozen=True)
class Rule:
    """A feature works when every capability of any one of ``ways`` is present."""

    feature: Feature
    ways: tuple[frozenset[Capability], ...]
    reason: str  # catalogue key saying why it is unavailable and what to do


C = Capability
RULES: tuple[Rule, ...] = (
    Rule(Feature.ISSUE_NUMBER, (frozenset({C.XHR}),), "compat.reason.no_xhr"),
    Rule(Feature.WAIT_FOR_REP, (frozenset({C.WEBSOCKET}),), "compat.reason.no_websocket"),
    Rule(
        Feature.VIDEO_CALL,
        (
            frozenset({C.SECURE_CONTEXT, C.WEBSOCKET, C.PEER_CONNECTION, C.GET_USER_MEDIA}),
            frozenset({C.SECURE_CONTEXT, C.WEBSOCKET, C.BRIDGE}),
        ),
        "compat.reason.no_webrtc",
    ),
    Rule(Feature.CHAT, (frozenset({C.WEBSOCKET}),), "compat.reason.no_websocket"),
    Rule(Feature.SEE_DOCUMENTS, (frozenset({C.WEBSOCKET}),), "compat.reason.no_websocket"),
    Rule(Feature.RECEIVE_FILES, (frozenset({C.WEBSOCKET, C.XHR}),), "compat.reason.no_websocket"),
    Rule(Feature.SHARE_FILES, (frozenset({C.WEBSOCKET, C.FILE_UPLOAD}),), "compat.reason.no_file_upload"),
    Rule(
        Feature.RECORDING,
        (frozenset({C.SECURE_CONTEXT, C.PEER_CONNECTION, C.MEDIA_RECORDER, C.CANVAS_CAPTURE, C.WEB_AUDIO}),),
        "compat.reason.no_recording",
    ),
    Rule(
        Feature.SCREEN_SHARE,
        (frozenset({C.SECURE_CONTEXT, C.WEBSOCKET, C.PEER_CONNECTION, C.DISPLAY_CAPTURE}),),
        "compat.reason.no_screen_share",
    ),
)


DECISIVE: dict[Capability, str] = {C.SECURE_CONTEXT: "compat.reason.insecure_context"}
"""Capabilities whose absence is the whole story: the reason then names it, not the browser (an
http:// page on a real host gets no camera in any browser; the site needs HTTPS, not a bridge)."""


def reason(feature: Feature, capabilities: frozenset[Capability]) -> str:
    """The catalogue key saying why ``feature`` is unavailable with ``capabilities``, or ""."""
    rule = next(rule for rule in RULES if rule.feature == feature)
    if any(way <= capabilities for way in rule.ways):
        return ""
    for capability, key in DECISIVE.items():
        if capability not in capabilities and all(capability in way for way in rule.ways):
            return key
    return rule.reason


def available(features_of: frozenset[Capability]) -> dict[Feature, bool]:
    """Each feature, and whether a browser with these capabilities can use it."""
    return {rule.feature: any(way <= features_of for way in rule.ways) for rule in RULES}


@dataclass(frozen=True)
class Engine:
    """A browser family customers arrive with, and the capabilities it has."""

    key: str
    name: str  # shown as is on 動作環境
    capabilities: frozenset[Capability]
    note: str = ""  # catalogue key with advice for this browser, if any
    tested_as: tuple[str, ...] = ()  # the e2e suite's engine ids that stand for this browser here


_MODERN = frozenset(C) - {C.BRIDGE}
_LEGACY = frozenset({C.XHR, C.WEBSOCKET, C.FILE_UPLOAD, C.SECURE_CONTEXT})
ENGINES: tuple[Engine, ...] = (
    Engine("chromium", "Google Chrome / Microsoft Edge (Chromium)", _MODERN, tested_as=("chromium",)),
    Engine("firefox", "Firefox", _MODERN, tested_as=("firefox",)),
    Engine("safari", "Safari (macOS / iPhone / iPad)", _MODERN),
    Engine(
        "android", "スマートフォン(Android Chrome など)", _MODERN - {C.DISPLAY_CAPTURE}, tested_as=("phone",)
    ),
    # Proven on Chromium and Firefox with WebRTC removed or disabled by policy: what the row names.
    Engine(
        "legacy_bridge",
        "WebRTC が使えないブラウザ(社内ポリシーで無効化された Chrome / Edge / Firefox など)+ Mendan ブリッジ",
        _LEGACY | {C.BRIDGE},
        "compat.note.bridge",
        tested_as=("chromium-bridge", "firefox-bridge"),
    ),
    Engine(
        "legacy",
        "WebRTC が使えないブラウザ(ブリッジなし)",
        _LEGACY,
        "compat.note.no_bridge",
        tested_as=("chromium-nowebrtc", "firefox-nowebrtc", "webkit-nowebrtc"),
    ),
    # IE11 loads neither extension, so no bridge; its engine is not run here (tested_as is empty:
    # no ✓). What can be claimed: every page script is checked to parse as ES5 (test_es5_pages).
    Engine("ie11", "Internet Explorer 11", _LEGACY, "compat.note.ie11"),
)


def proven() -> dict[str, dict[str, str]]:
    """Per engine key, each feature the matrix suite proved: "works" or "disabled"."""
    if not PROVEN_PATH.exists():
        return {}
    by_test_engine: dict[str, dict[str, str]] = json.loads(PROVEN_PATH.read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {}
    for engine in ENGINES:
        for test_engine in engine.tested_as:
            for feature, result in by_test_engine.get(test_engine, {}).items():
                out.setdefault(engine.key, {})[feature] = result
    return out


def as_json() -> dict[str, object]:
    """The matrix as the pages receive it."""
    return {
        "capabilities": [capability.value for capability in Capability],
        "decisive": {capability.value: key for capability, key in DECISIVE.items()},
        "features": {
            rule.feature.value: {
                "ways": [sorted(c.value for c in way) for way in rule.ways],
                "reason": rule.reason,
            }
            for rule in RULES
        },
    }
