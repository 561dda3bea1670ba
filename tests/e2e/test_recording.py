"""Recording and history in real Chromium: a recorded meeting survives the rep's browser dying, plays
and seeks in a <video>, decodes with PyAV, shows up in the history and its CSV; the quota stops it."""

from __future__ import annotations

import csv
import io
from contextlib import closing
from pathlib import Path

import av
from PIL import ImageStat
from playwright.sync_api import expect

from tests.e2e.meeting_steps import invite_url, join_by_invite, log_in, tid
from tests.e2e.recording_steps import (
    finished_recording,
    leave_and_fetch_recording,
    start_recorded_meeting,
    wait_for_finished_recording,
)
from tests.support.documents import make_pdf
from tests.support.recordings import probe
from tests.support.rep import log_in as http_log_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

PLAY_AND_SEEK = """async () => {
    const video = document.querySelector('[data-testid=recording-item] video');
    const loaded = new Promise((resolve, reject) => {
        video.addEventListener('loadedmetadata', resolve, {once: true});
        const failed = () => reject(new Error('media error ' + video.error.code));
        video.addEventListener('error', failed, {once: true});
    });
    video.muted = true;
    await video.play();  // what the rep's click on ▶ does (preload is none)
    await loaded;
    video.pause();
    const duration = video.duration;
    video.currentTime = duration / 2;
    await new Promise((resolve) => video.addEventListener('seeked', resolve, {once: true}));
    await video.play();
    await new Promise((resolve) => setTimeout(resolve, 700));
    video.pause();
    return {duration, seekedTo: duration / 2, now: video.currentTime, error: video.error && video.error.code};
}"""


def test_recording_outlives_the_rep_closing_the_browser_and_plays_seeks_and_exports(server_factory, person):
    # The rep vanishing ends the meeting after the grace period; its recording is then finished.
    server = server_factory({"MENDAN_GRACE_PERIOD": "3"})
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer, rep = person("customer"), person("rep")
    number = start_recorded_meeting(customer, rep, server, "tanaka")

    # everyone sees that the meeting is recorded.
    expect(tid(customer, "recording-indicator")).to_be_visible()
    expect(tid(rep, "recording-indicator")).to_be_visible()
    tid(customer, "chat-input").fill("お見積もりをお願いします")
    tid(customer, "chat-send").click()
    expect(tid(rep, "chat-message")).to_have_count(1)

    # The network drops for a while: chunks wait in memory, then go once it is back.
    rep.wait_for_function("() => Mendan.debug.recording()?.chunks >= 2", timeout=40000)
    rep.route("**/api/recordings/*/chunks/*", lambda route: route.abort())
    rep.wait_for_function("() => Mendan.debug.recording().pending >= 2", timeout=20000)
    rep.unroute("**/api/recordings/*/chunks/*")

    # About 20 s recorded and uploaded (4 s chunks), then the rep's browser is gone at once.
    rep.wait_for_function("() => Mendan.debug.recording().chunks >= 6", timeout=40000)
    rep.wait_for_function("() => Mendan.debug.recording().pending === 0", timeout=30000)
    recording_id = rep.evaluate("Mendan.debug.recording().id")
    sent = rep.evaluate("Mendan.debug.recording().chunks")
    held = rep.request.get(f"{server.url}/api/recordings/{recording_id}").json()["received"]
    assert held[:sent] == list(range(sent))  # nothing lost or doubled by the drop
    rep.context.close()
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "ended", timeout=30000)

    again = person("rep-again")
    log_in(again, server, "tanaka")
    wait_for_finished_recording(again, server)
    expect(tid(again, "history-item")).to_have_count(1)
    item = tid(again, "history-item")
    expect(item.locator("[data-cell=number]")).to_have_text(number)
    expect(item.locator("[data-cell=participants]")).to_contain_text("田中 太郎")
    expect(item.locator("[data-cell=participants]")).to_contain_text("お客様")
    expect(item.locator("[data-cell=chat]")).to_contain_text("お見積もりをお願いします")
    expect(item.locator("[data-cell=talk_time]")).to_contain_text("田中 太郎")
    expect(tid(again, "recording-item")).to_have_count(1)
    expect(tid(again, "storage-usage")).to_contain_text(" / 5 GB")

    played = again.evaluate(PLAY_AND_SEEK)
    assert played["error"] is None
    assert played["duration"] != float("inf") and played["duration"] >= 15, played
    assert played["now"] >= played["seekedTo"], played
    ARTIFACTS.mkdir(exist_ok=True)
    again.screenshot(path=str(ARTIFACTS / "recording-playing.png"), full_page=True)

    with again.expect_download() as download_info:
        tid(again, "recording-download").click()
    data = Path(download_info.value.path()).read_bytes()
    duration, frames = probe(data)
    assert duration >= 15 and frames > 100

    # The CSV holds what the page shows, cell by cell, in UTF-8 with a BOM.
    raw = again.request.get(server.url + "/api/history.csv").body()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    shown = again.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=history-item]')).map((item) =>
            Array.from(item.querySelectorAll('dd[data-cell]')).map((cell) => cell.textContent))"""
    )
    headers = again.evaluate(
        """() => Array.from(document.querySelector('[data-testid=history-item] dl').querySelectorAll('dt'))
            .map((term) => term.textContent)"""
    )
    assert rows[0] == headers
    assert rows[1:] == shown

    # Text search finds it by chat text and by number; a miss lists nothing.
    tid(again, "history-query").fill("見積もり")
    tid(again, "history-search").click()
    expect(tid(again, "history-item")).to_have_count(1)
    tid(again, "history-query").fill("存在しない言葉")
    tid(again, "history-search").click()
    expect(tid(again, "history-item")).to_have_count(0)


def test_the_quota_stops_recording_with_a_notice_and_deleting_frees_space(server_factory, person):
    quota = 256 * 1024 + 350_000  # the finish reserve and about 7 s of recording
    server = server_factory({"MENDAN_RECORDING_QUOTA_BYTES": str(quota)})
    server.create_account("tanaka", name="田中 太郎")
    customer, rep = person("customer"), person("rep")
    start_recorded_meeting(customer, rep, server, "tanaka")

    # Told before it is full, then when it is.
    rep.wait_for_function("() => Mendan.debug.recording()?.warned", timeout=40000)
    ARTIFACTS.mkdir(exist_ok=True)
    rep.screenshot(path=str(ARTIFACTS / "quota-warning-room.png"))
    expect(tid(rep, "notice")).to_contain_text("録画の保管容量の上限", timeout=40000)
    rep.screenshot(path=str(ARTIFACTS / "quota-reached-room.png"))
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")  # the meeting goes on
    for page in (rep, customer):  # everyone sees that recording stopped
        expect(tid(page, "recording-indicator")).to_contain_text("録画停止")
    rep.wait_for_function("() => Mendan.debug.recording().state === 'stopped'")

    history = person("rep-history")
    log_in(history, server, "tanaka")
    wait_for_finished_recording(history, server)
    expect(tid(history, "storage-usage")).to_contain_text(" / 0.6 MB")
    history.screenshot(path=str(ARTIFACTS / "quota-history.png"), full_page=True)
    used_before = tid(history, "storage-usage").inner_text()
    data = history.request.get(
        server.url + history.locator("[data-testid=recording-download]").get_attribute("href")
    ).body()
    assert probe(data)[1] > 0  # what was stored before the quota stopped it is intact

    history.on("dialog", lambda dialog: dialog.accept())
    tid(history, "recording-delete").click()
    expect(tid(history, "recording-item")).to_have_count(0)
    expect(tid(history, "storage-usage")).not_to_have_text(used_before)
    assert tid(history, "storage-usage").inner_text().startswith("0.0 MB")


def test_a_recording_stops_at_its_time_limit_with_a_notice(server_factory, person):
    server = server_factory({"MENDAN_RECORDING_MAX_SECONDS": "9"})  # the hour, shortened
    server.create_account("tanaka", name="田中 太郎")
    customer, rep = person("customer"), person("rep")
    start_recorded_meeting(customer, rep, server, "tanaka")

    expect(tid(rep, "notice")).to_contain_text(
        "録画は1回あたり9秒までのため、録画を停止しました", timeout=40000
    )
    for page in (rep, customer):  # everyone sees that recording stopped
        expect(tid(page, "recording-indicator")).to_contain_text("録画停止")
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")  # the meeting goes on
    rep.wait_for_function("() => Mendan.debug.recording().state === 'stopped'")
    recording_id = rep.evaluate("Mendan.debug.recording().id")
    recording = finished_recording(rep, server, recording_id)
    assert recording["state"] == "ready" and recording["stop_reason"] == "limit"
    assert 7 <= recording["duration"] <= 12

    guest = person("guest")  # someone joining after the stop is not told it is being recorded
    join_by_invite(guest, invite_url(rep), "山田 花子")
    expect(tid(guest, "recording-indicator")).to_contain_text("録画停止")


def test_the_shown_document_is_in_the_recording(server, person):
    """R-6.2: the composite holds the shown document, not only the videos: decode the file and
    find frames whose left part is the white page, which no fake-camera frame is."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    with closing(http_log_in(server, "tanaka")) as library:
        document = library.uploaded("資料.pdf", make_pdf(2, "Mendan"), title="Company guide")
        assert library.wait_rendered(document["id"])["render"]["state"] == "ready"
    customer, rep = person("customer"), person("rep")
    start_recorded_meeting(customer, rep, server, "tanaka")
    rep.wait_for_function("() => Mendan.debug.recording()?.chunks >= 1", timeout=40000)
    tid(rep, "doc-choice").filter(has_text="Company guide").get_by_test_id("doc-show").click()
    expect(tid(customer, "doc-page")).to_have_attribute("data-loaded", "true")
    data = leave_and_fetch_recording(rep, server, chunks=4)

    white_frames = total = 0
    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(video=0):
            total += 1
            picture = frame.to_image().convert("L")
            width, height = picture.size
            left = picture.crop((width // 20, height // 4, width // 2, 3 * height // 4))
            if ImageStat.Stat(left).mean[0] > 200:  # the white page; the fake cameras are green and dark
                white_frames += 1
    assert total > 30 and white_frames > 10, (white_frames, total)
