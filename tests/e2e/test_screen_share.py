"""画面共有 in real browsers: the rep shares from Chromium (its fake 1280x720 screen), a Firefox
customer and a phone guest see it large, and the rep's recording holds it."""

from __future__ import annotations

import io
import re

import av
from PIL import ImageStat
from playwright.sync_api import expect

from tests.e2e.meeting_steps import invite_url, join_by_invite, tid
from tests.e2e.recording_steps import leave_and_fetch_recording, start_recorded_meeting
from tests.e2e.screen_share_steps import ARTIFACTS, cannot_share, fake_screen_shown


def test_a_share_from_chromium_is_seen_by_firefox_and_a_phone_and_recorded(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer, rep = person("customer", engine="firefox"), person("rep")
    start_recorded_meeting(customer, rep, server, "tanaka")
    phone = person("phone", engine="phone")
    join_by_invite(phone, invite_url(rep), "山田 花子")
    expect(tid(phone, "meeting")).to_be_visible()
    rep.wait_for_function("() => Mendan.Recorder.session && Mendan.Recorder.session.seq >= 1", timeout=40000)

    # A phone cannot share: the button is disabled with the reason from compat/.
    cannot_share(phone)
    expect(tid(phone, "screen-share-toggle")).to_have_attribute("title", re.compile("スマートフォン"))

    tid(rep, "screen-share-toggle").click()
    expect(tid(rep, "screen-share-toggle")).to_contain_text("共有を停止")
    expect(tid(customer, "screen-share-banner")).to_have_text("田中 太郎さんが画面を共有しています")
    fake_screen_shown(customer)
    fake_screen_shown(phone)
    # One share at a time: the others' buttons say who shares; the cameras stay, small.
    expect(tid(customer, "screen-share-toggle")).to_be_disabled()
    expect(tid(customer, "screen-share-toggle")).to_have_attribute("title", re.compile("田中 太郎さん"))
    expect(tid(customer, "remote-video")).to_have_count(2)
    ARTIFACTS.mkdir(exist_ok=True)
    customer.screenshot(path=str(ARTIFACTS / "screen-share-firefox.png"))
    phone.screenshot(path=str(ARTIFACTS / "screen-share-phone.png"))

    rep.wait_for_function(
        "(from) => Mendan.Recorder.session.seq >= from + 2",
        arg=rep.evaluate("Mendan.Recorder.session.seq"),
        timeout=40000,
    )
    tid(rep, "screen-share-toggle").click(timeout=60000)  # 共有を停止: back to the cameras everywhere
    expect(tid(customer, "shared-screen")).to_be_hidden()
    expect(tid(customer, "screen-share-toggle")).to_be_enabled()

    data = leave_and_fetch_recording(rep, server, chunks=rep.evaluate("Mendan.Recorder.session.seq") + 1)
    shared = total = 0
    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(video=0):
            total += 1
            picture = frame.to_image()
            width, height = picture.size
            # Grid background with 1 to 4 cameras (left of every camera, above the 4:3 ones),
            # the top-left of the 16:9 screen drawn over the left three quarters while shared.
            band = picture.crop((width * 4 // 640, height * 48 // 360, width * 36 // 640, height * 58 // 360))
            red, green, blue = ImageStat.Stat(band).mean
            if green > 90 and red < 80 and blue < 80:
                shared += 1
    assert total > 30 and shared > 10, (shared, total)
