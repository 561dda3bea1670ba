"""The browser matrix (issue 9): every meeting feature on every engine pair the compat matrix
says works, and cleanly disabled with a reason where it says it does not. Results are recorded
and checked against compat/ at the end (see test_matrix_agrees_with_compat)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from compat.matrix import ENGINES, PROVEN_PATH, Feature, available
from tests.e2e.document_steps import (
    choose,
    library_pdf,
    point_at,
    share_from_this_computer,
    show_and_turn,
)
from tests.e2e.meeting_steps import (
    connect,
    invite_url,
    issue_number,
    join_by_invite,
    log_in,
    tid,
    wait_for_advancing_video,
    wait_for_audio,
)
from tests.e2e.recording_steps import leave_and_fetch_recording, start_recorded_meeting
from tests.e2e.screen_share_steps import cannot_share, cannot_share_over_webdriver, share_and_stop
from tests.e2e.webdriver_steps import log_in_as_rep, receive_file, share_file, wait_for_page
from tests.support.bridge_browser import chromium_with_bridge, firefox_with_bridge, install_bridge
from tests.support.documents import make_pdf
from tests.support.proof import Proof
from tests.support.recordings import probe
from tests.support.wpe import by_testid, eventually, wpe_browser

_PACKAGE = importlib.util.spec_from_file_location(
    "package", Path(__file__).resolve().parents[2] / "extension" / "package.py"
)
assert _PACKAGE and _PACKAGE.loader
_package = importlib.util.module_from_spec(_PACKAGE)
_PACKAGE.loader.exec_module(_package)
build_extension = _package.build

CUSTOMER_ENGINES = ("chromium", "firefox", "phone")
REP_ENGINES = ("chromium", "firefox")
CALL_PAIRS = [(customer, rep) for customer in CUSTOMER_ENGINES for rep in REP_ENGINES]


def _meeting(server, person, customer_engine: str, rep_engine: str):  # type: ignore[no-untyped-def]
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer = person("customer", engine=customer_engine)
    rep = person("rep", engine=rep_engine)
    number = issue_number(customer, server)
    log_in(rep, server, "tanaka")
    connect(rep, number)
    return customer, rep


@pytest.mark.parametrize(
    ("customer_engine", "rep_engine"), CALL_PAIRS, ids=[f"{c}-{r}" for c, r in CALL_PAIRS]
)
def test_call_video_and_audio_both_ways(server, person, proof, customer_engine, rep_engine):
    customer, rep = _meeting(server, person, customer_engine, rep_engine)
    proof.record(customer_engine, Feature.ISSUE_NUMBER, works=True)
    proof.record(customer_engine, Feature.WAIT_FOR_REP, works=True)
    tid(customer, "start-media").click()
    for page in (customer, rep):
        wait_for_advancing_video(page, timeout=30)
        wait_for_audio(page)
    proof.record(customer_engine, Feature.VIDEO_CALL, works=True)
    proof.record(rep_engine, Feature.VIDEO_CALL, works=True)


@pytest.mark.parametrize("engine", ("chromium", "firefox", "phone"))
def test_chat_invite_and_reconnect(server, person, proof, engine):
    rep_engine = "firefox" if engine == "chromium" else "chromium"  # always a mixed pair
    customer, rep = _meeting(server, person, engine, rep_engine)
    tid(customer, "start-media").click()
    wait_for_advancing_video(rep, timeout=30)

    tid(customer, "chat-input").fill("よろしくお願いします")
    tid(customer, "chat-send").click()
    expect(tid(rep, "chat-message")).to_contain_text(["よろしくお願いします"])
    tid(rep, "chat-input").fill("資料をご覧ください")
    tid(rep, "chat-send").click()
    expect(tid(customer, "chat-message")).to_contain_text(["資料をご覧ください"])
    proof.record(engine, Feature.CHAT, works=True)

    guest = person("guest", engine=engine)
    join_by_invite(guest, invite_url(rep), "山田 花子")
    wait_for_advancing_video(guest, remotes=2, timeout=30)
    wait_for_advancing_video(customer, remotes=2, timeout=30)

    customer.evaluate("Mendan.debug.dropSignaling()")
    expect(tid(customer, "notice")).to_have_text("再接続しました", timeout=20000)
    wait_for_advancing_video(rep, remotes=2, timeout=30)
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected")


# Each engine with WebRTC is once the customer and once the rep, always beside another engine.
DOCUMENT_PAIRS = [("firefox", "chromium"), ("chromium", "firefox"), ("phone", "firefox")]
RECORDING_PAIRS = [("chromium", "firefox"), ("firefox", "chromium"), ("firefox", "phone")]


@pytest.mark.parametrize(
    ("customer_engine", "rep_engine"), DOCUMENT_PAIRS, ids=[f"{c}-{r}" for c, r in DOCUMENT_PAIRS]
)
def test_documents_shown_given_and_shared(server, person, proof, tmp_path, customer_engine, rep_engine):
    """見せる with page turns and the hand, 渡す downloaded byte-identical, and 資料共有 from the
    customer's side: each engine sees, receives and shares."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    guide = library_pdf(server, "Guide 会社案内", pages=2, shareable=True)
    customer = person("customer", engine=customer_engine)
    rep = person("rep", engine=rep_engine)
    number = issue_number(customer, server)
    log_in(rep, server, "tanaka")
    connect(rep, number)
    tid(customer, "start-media").click()
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected", timeout=30000)

    show_and_turn(rep, customer, "会社案内")
    point_at(rep, customer, 0.3, 0.6)
    tid(rep, "doc-close").click()
    expect(tid(customer, "doc-view")).to_be_hidden()
    proof.record(customer_engine, Feature.SEE_DOCUMENTS, works=True)

    choose(rep, "会社案内", "doc-give").click()
    assert received(customer, tmp_path / "guide.pdf") == guide
    proof.record(customer_engine, Feature.RECEIVE_FILES, works=True)

    request = make_pdf(2, "Customer request")
    share_from_this_computer(customer, "ご要望.pdf", request)
    show_and_turn(customer, rep, "ご要望")
    proof.record(rep_engine, Feature.SEE_DOCUMENTS, works=True)
    choose(customer, "ご要望", "doc-give").click()
    assert received(rep, tmp_path / "request.pdf") == request
    proof.record(customer_engine, Feature.SHARE_FILES, works=True)
    proof.record(rep_engine, Feature.RECEIVE_FILES, works=True)


def received(page: Page, path: Path) -> bytes:
    """Click 「資料を受け取る」 on the newest offer and return the bytes the browser saved."""
    with page.expect_download() as download:
        tid(page, "doc-offer").last.get_by_test_id("doc-receive").click()
    download.value.save_as(path)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("customer_engine", "rep_engine"), RECORDING_PAIRS, ids=[f"{c}-{r}" for c, r in RECORDING_PAIRS]
)
def test_recording_in_the_reps_engine(server, person, proof, customer_engine, rep_engine):
    """The rep's browser records the composite; the server's finished file plays (PyAV decodes it)."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer = person("customer", engine=customer_engine)
    rep = person("rep", engine=rep_engine)
    start_recorded_meeting(customer, rep, server, "tanaka")
    for page in (customer, rep):
        expect(tid(page, "recording-indicator")).to_be_visible()
    duration, frames = probe(leave_and_fetch_recording(rep, server, chunks=2))
    assert duration >= 6 and frames > 30, (duration, frames)
    proof.record(rep_engine, Feature.RECORDING, works=True)


def test_four_people_on_three_engines(server, person, proof):
    """A Firefox customer, a Chromium rep, a phone and a Firefox guest: 12 streams, all advancing.
    Then the rep's Chromium shares its screen: Firefox and the phone show it; the phone cannot
    share (Firefox's picker cannot be answered headless, so Firefox sharing is not proven here)."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer = person("customer", engine="firefox")
    rep = person("rep", engine="chromium")
    number = issue_number(customer, server)
    log_in(rep, server, "tanaka")
    connect(rep, number)
    tid(customer, "start-media").click()
    url = invite_url(rep)
    guests = []
    for name, engine in (("山田 花子", "phone"), ("鈴木 一郎", "firefox")):
        guest = person(name, engine=engine)
        join_by_invite(guest, url, name)
        guests.append(guest)
    for page in (customer, rep, *guests):
        expect(tid(page, "roster-entry")).to_have_count(4)
    for page in (customer, rep, *guests):
        assert len(wait_for_advancing_video(page, remotes=3, timeout=60)) == 3
    for engine in ("firefox", "chromium", "phone"):
        proof.record(engine, Feature.VIDEO_CALL, works=True)
    cannot_share(guests[0])
    proof.record("phone", Feature.SCREEN_SHARE, works=False)
    share_and_stop(rep, [customer, guests[0]])
    proof.record("chromium", Feature.SCREEN_SHARE, works=True)


@pytest.mark.parametrize("engine", ("chromium-nowebrtc", "firefox-nowebrtc"))
def test_without_webrtc_the_call_is_disabled_with_a_reason(server, person, proof, tmp_path, engine):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    guide = library_pdf(server, "Guide 会社案内", pages=2, shareable=True)
    customer = person("customer", engine=engine)
    number = issue_number(customer, server)
    proof.record(engine, Feature.ISSUE_NUMBER, works=True)
    expect(tid(customer, "compat-banner")).to_be_visible()  # guided to the bridge while waiting
    rep = person("rep")
    log_in(rep, server, "tanaka")
    connect(rep, number)
    expect(customer.get_by_text("株式会社サンプル 田中 太郎 さん")).to_be_visible()
    proof.record(engine, Feature.WAIT_FOR_REP, works=True)
    expect(tid(customer, "start-media")).to_be_disabled()
    expect(customer.locator("#consent-unsupported")).to_contain_text("WebRTC")
    expect(tid(customer, "mic-toggle")).to_be_disabled()
    proof.record(engine, Feature.VIDEO_CALL, works=False)
    cannot_share(customer)
    proof.record(engine, Feature.SCREEN_SHARE, works=False)
    tid(rep, "chat-input").fill("お電話でご案内します")
    tid(rep, "chat-send").click()
    expect(tid(customer, "chat-message")).to_contain_text(["お電話でご案内します"])
    tid(customer, "chat-input").fill("承知しました")
    tid(customer, "chat-send").click()
    expect(tid(rep, "chat-message")).to_contain_text(["承知しました"])
    proof.record(engine, Feature.CHAT, works=True)
    documents_without_media(customer, rep, engine, proof, guide, tmp_path)

    # Recording happens in the rep's own browser: here, 「はい」 is off with the reason.
    rep_here = person("rep-here", engine=engine)
    log_in(rep_here, server, "tanaka")
    expect(tid(rep_here, "connect-button")).to_be_disabled()
    expect(tid(rep_here, "recording-yes")).to_be_disabled()
    expect(tid(rep_here, "recording-unavailable")).to_contain_text("このブラウザでは録画できません")
    proof.record(engine, Feature.RECORDING, works=False)


def documents_without_media(
    customer: Page, rep: Page, engine: str, proof: Proof, guide: bytes, folder: Path
) -> None:
    """Documents need no WebRTC: the page shown, a file received, a file shared, over signaling."""
    show_and_turn(rep, customer, "会社案内")
    tid(rep, "doc-close").click()
    proof.record(engine, Feature.SEE_DOCUMENTS, works=True)
    choose(rep, "会社案内", "doc-give").click()
    assert received(customer, folder / "guide.pdf") == guide
    proof.record(engine, Feature.RECEIVE_FILES, works=True)
    request = make_pdf(1, "From a legacy browser")
    share_from_this_computer(customer, "ご要望.pdf", request)
    choose(customer, "ご要望", "doc-give").click()
    assert received(rep, folder / "request.pdf") == request
    proof.record(engine, Feature.SHARE_FILES, works=True)


def test_wpe_webkit_issues_a_number_and_explains(server, person, proof, tmp_path):
    """A real WebKit with no WebRTC (WPE, over WebDriver): the customer side of the legacy row."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    library_pdf(server, "Guide 会社案内", pages=2)
    with wpe_browser() as customer:
        customer.get(server.url + "/")
        assert customer.execute_script("return typeof RTCPeerConnection") == "undefined"
        by_testid(customer, "start-meeting").click()
        number = eventually(lambda: re.fullmatch(r"\d{5}", by_testid(customer, "connection-number").text))
        proof.record("webkit-nowebrtc", Feature.ISSUE_NUMBER, works=True)
        assert by_testid(customer, "compat-banner").is_displayed()

        rep = person("rep")
        log_in(rep, server, "tanaka")
        connect(rep, number[0])
        eventually(lambda: "株式会社サンプル 田中 太郎 さん" in customer.page_source)
        proof.record("webkit-nowebrtc", Feature.WAIT_FOR_REP, works=True)
        start = eventually(lambda: by_testid(customer, "start-media"))
        assert not start.is_enabled() and "WebRTC" in (start.get_attribute("title") or "")
        proof.record("webkit-nowebrtc", Feature.VIDEO_CALL, works=False)
        eventually(lambda: cannot_share_over_webdriver(customer))
        proof.record("webkit-nowebrtc", Feature.SCREEN_SHARE, works=False)
        tid(rep, "chat-input").fill("お電話でご案内します")
        tid(rep, "chat-send").click()
        eventually(lambda: "お電話でご案内します" in by_testid(customer, "chat-message").text)
        by_testid(customer, "chat-input").send_keys("承知しました")
        by_testid(customer, "chat-send").click()
        expect(tid(rep, "chat-message")).to_contain_text(["承知しました"])
        proof.record("webkit-nowebrtc", Feature.CHAT, works=True)

        choose(rep, "会社案内", "doc-show").click()
        wait_for_page(customer, 1)
        tid(rep, "doc-next").click()
        wait_for_page(customer, 2)
        tid(rep, "doc-close").click()
        proof.record("webkit-nowebrtc", Feature.SEE_DOCUMENTS, works=True)
        request = make_pdf(1, "From WebKit")
        (tmp_path / "ご要望.pdf").write_bytes(request)
        share_file(customer, tmp_path / "ご要望.pdf", "ご要望", "doc-give")
        assert received(rep, tmp_path / "request.pdf") == request
        proof.record("webkit-nowebrtc", Feature.SHARE_FILES, works=True)

        log_in_as_rep(customer, server.url, "tanaka")  # a rep on this browser can neither call nor record
        eventually(lambda: not by_testid(customer, "connect-button").is_enabled())
        assert not by_testid(customer, "recording-yes").is_enabled()
        assert "このブラウザでは録画できません" in by_testid(customer, "recording-unavailable").text
        proof.record("webkit-nowebrtc", Feature.RECORDING, works=False)


def test_chromium_bridge_call(server, person, proof, playwright_instance, tmp_path):
    """Chromium with WebRTC removed + our extension + the native host, with a native rep."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    guide = library_pdf(server, "Guide 会社案内", pages=2, shareable=True)
    home = tmp_path / "home"
    context = chromium_with_bridge(
        playwright_instance, home, install_bridge(home, "chromium", server.url, True)
    )
    try:
        customer = context.new_page()
        number = issue_number(customer, server)
        proof.record("chromium-bridge", Feature.ISSUE_NUMBER, works=True)
        rep = person("rep")
        log_in(rep, server, "tanaka")
        connect(rep, number)
        proof.record("chromium-bridge", Feature.WAIT_FOR_REP, works=True)
        tid(customer, "start-media").click()
        wait_for_advancing_video(rep, timeout=40)
        expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected", timeout=30000)
        proof.record("chromium-bridge", Feature.VIDEO_CALL, works=True)
        cannot_share(customer)  # others' shares it sees: tests/e2e/test_bridge.py
        proof.record("chromium-bridge", Feature.SCREEN_SHARE, works=False)
        tid(customer, "chat-input").fill("ブリッジから失礼します")
        tid(customer, "chat-send").click()
        expect(tid(rep, "chat-message")).to_contain_text(["ブリッジから失礼します"])
        proof.record("chromium-bridge", Feature.CHAT, works=True)
        documents_without_media(customer, rep, "chromium-bridge", proof, guide, tmp_path)

        # The bridge carries calls, not recording: a rep here connects but cannot record.
        rep_here = context.new_page()
        log_in(rep_here, server, "tanaka")
        expect(tid(rep_here, "connect-button")).to_be_enabled()
        expect(tid(rep_here, "recording-yes")).to_be_disabled()
        expect(tid(rep_here, "recording-unavailable")).to_contain_text("このブラウザでは録画できません")
        proof.record("chromium-bridge", Feature.RECORDING, works=False)
    finally:
        context.close()


def test_firefox_bridge_call(server, person, proof, tmp_path):
    """Firefox ESR with WebRTC disabled by preference + our Firefox add-on + the native host."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    guide = library_pdf(server, "Guide 会社案内", pages=2, shareable=True)
    home = tmp_path / "home"
    _, xpi = build_extension(tmp_path / "packages")
    with firefox_with_bridge(home, install_bridge(home, "firefox", server.url, True), xpi) as customer:
        customer.get(server.url + "/")
        assert customer.execute_script("return typeof RTCPeerConnection") == "undefined"
        eventually(lambda: customer.execute_script("return Mendan.bridgeReady === true"))
        by_testid(customer, "start-meeting").click()
        number = eventually(lambda: re.fullmatch(r"\d{5}", by_testid(customer, "connection-number").text))
        proof.record("firefox-bridge", Feature.ISSUE_NUMBER, works=True)
        rep = person("rep")
        log_in(rep, server, "tanaka")
        connect(rep, number[0])
        eventually(lambda: by_testid(customer, "start-media").is_displayed())
        proof.record("firefox-bridge", Feature.WAIT_FOR_REP, works=True)
        by_testid(customer, "start-media").click()
        wait_for_advancing_video(rep, timeout=40)
        frames = "var tiles = Mendan.debug.remoteTiles(); var k = Object.keys(tiles)[0];" + (
            " return k ? tiles[k].frames : 0;"
        )
        first = eventually(lambda: customer.execute_script(frames), timeout=30)
        eventually(lambda: customer.execute_script(frames) > first + 10)  # the rep's video keeps coming
        proof.record("firefox-bridge", Feature.VIDEO_CALL, works=True)
        eventually(lambda: cannot_share_over_webdriver(customer))
        proof.record("firefox-bridge", Feature.SCREEN_SHARE, works=False)
        tid(rep, "chat-input").fill("Firefox からも見えています")
        tid(rep, "chat-send").click()
        eventually(lambda: "Firefox からも見えています" in by_testid(customer, "chat-message").text)
        proof.record("firefox-bridge", Feature.CHAT, works=True)
        documents_over_webdriver(customer, rep, "firefox-bridge", proof, guide, home / "Downloads", tmp_path)

        customer.switch_to.new_window("tab")  # a rep on this browser: calls through the bridge, no recording
        log_in_as_rep(customer, server.url, "tanaka")
        eventually(lambda: by_testid(customer, "connect-button").is_enabled())
        eventually(lambda: not by_testid(customer, "recording-yes").is_enabled())
        assert "このブラウザでは録画できません" in by_testid(customer, "recording-unavailable").text
        proof.record("firefox-bridge", Feature.RECORDING, works=False)


def documents_over_webdriver(
    customer: Any, rep: Page, engine: str, proof: Proof, guide: bytes, downloads: Path, folder: Path
) -> None:
    """documents_without_media for a browser driven over WebDriver."""
    choose(rep, "会社案内", "doc-show").click()
    wait_for_page(customer, 1)
    tid(rep, "doc-next").click()
    wait_for_page(customer, 2)
    tid(rep, "doc-close").click()
    proof.record(engine, Feature.SEE_DOCUMENTS, works=True)
    choose(rep, "会社案内", "doc-give").click()
    assert receive_file(customer, downloads) == guide
    proof.record(engine, Feature.RECEIVE_FILES, works=True)
    request = make_pdf(1, "From a legacy browser")
    (folder / "ご要望.pdf").write_bytes(request)
    share_file(customer, folder / "ご要望.pdf", "ご要望", "doc-give")
    assert received(rep, folder / "request.pdf") == request
    proof.record(engine, Feature.SHARE_FILES, works=True)


MATRIX_TESTS = len(CALL_PAIRS) + 3 + len(DOCUMENT_PAIRS) + len(RECORDING_PAIRS) + 1 + 2 + 1 + 2
"""The cases above: calls, chat, documents, recording, four people, no WebRTC, WPE and the bridges."""


def test_matrix_agrees_with_compat(proof, request):
    """Fails when compat/ claims a feature on an engine where the suite shows otherwise (or the
    reverse), and, after a full matrix run, when compat/proven.json (what 動作環境 shows as
    proven) differs from what this run proved."""
    claims = {
        test_engine: available(engine.capabilities) for engine in ENGINES for test_engine in engine.tested_as
    }
    contradictions = [
        f"{engine}: {feature.value} {'works' if works else 'is disabled'}, compat says the opposite"
        for (engine, feature), works in proof.results.items()
        if claims[engine][feature] != works
    ]
    assert contradictions == []
    ran = [
        item for item in request.session.items if item.module is request.module and item is not request.node
    ]
    if len(ran) < MATRIX_TESTS:
        return  # a partial run (-k …): what ran was checked above
    failed = [item.name for item in ran if not getattr(getattr(item, "rep_call", None), "passed", False)]
    assert failed == [], "the matrix is incomplete, so nothing can be called proven"
    results = proof.as_json()
    if os.environ.get("MENDAN_WRITE_PROVEN") == "1":
        PROVEN_PATH.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    committed = json.loads(PROVEN_PATH.read_text(encoding="utf-8"))
    assert committed == results, (
        "compat/proven.json is stale: MENDAN_WRITE_PROVEN=1 pytest tests/e2e/test_matrix.py"
    )
