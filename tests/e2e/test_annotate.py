"""書き込み in real browsers: the rep draws with the mouse, a phone customer sees it, draws with a
finger once the rep allows it and undoes it; the recording holds the strokes; 閉じる clears them."""

from __future__ import annotations

import io
from pathlib import Path

import av
from PIL import ImageChops
from playwright.sync_api import expect

from tests.e2e.annotate_steps import (
    BLUE,
    RED,
    draw_with_finger,
    draw_with_mouse,
    inked,
    wait_clean,
    wait_inked,
)
from tests.e2e.document_steps import choose, library_pdf, page_image_loaded
from tests.e2e.meeting_steps import tid
from tests.e2e.recording_steps import leave_and_fetch_recording, start_recorded_meeting

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_rep_and_phone_customer_draw_on_the_shown_page_and_it_is_recorded(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    library_pdf(server, "Company guide", pages=2)
    customer, rep = person("customer", engine="phone"), person("rep")
    start_recorded_meeting(customer, rep, server, "tanaka")
    choose(rep, "Company guide", "doc-show").click()
    page_image_loaded(customer, 1)
    page_image_loaded(rep, 1)

    # The customer may not draw until the rep allows it.
    expect(tid(customer, "annotate-toggle")).to_be_disabled()
    expect(tid(customer, "annotate-toggle")).to_have_attribute("title", "営業担当者が許可すると書き込めます")

    tid(rep, "annotate-toggle").click()
    draw_with_mouse(rep, [(0.2, 0.3), (0.6, 0.35), (0.7, 0.6)])
    wait_inked(customer, RED)

    tid(rep, "annotate-allow").check()
    expect(tid(customer, "annotate-toggle")).to_be_enabled()
    tid(customer, "annotate-toggle").click()
    customer.locator(".annotate-color[data-color='#1f5fbf']").click()
    draw_with_finger(customer, [(0.3, 0.45), (0.5, 0.55), (0.8, 0.5)])
    wait_inked(rep, BLUE)
    ARTIFACTS.mkdir(exist_ok=True)
    customer.screenshot(path=str(ARTIFACTS / "annotate-phone.png"))
    rep.screenshot(path=str(ARTIFACTS / "annotate-rep.png"))

    tid(customer, "annotate-undo").click()  # the customer's own stroke goes, the rep's stays
    wait_clean(rep, BLUE)
    assert inked(rep, RED) > 0 and inked(customer, RED) > 0

    seq = rep.evaluate("Mendan.Recorder.session.seq")
    rep.wait_for_function("(from) => Mendan.Recorder.session.seq >= from + 2", arg=seq, timeout=40000)
    tid(rep, "doc-close").click()  # 閉じる: the next show starts blank
    choose(rep, "Company guide", "doc-show").click()
    page_image_loaded(customer, 1)
    expect(tid(customer, "annotate-toggle")).to_be_visible()
    assert inked(customer, RED) == 0

    data = leave_and_fetch_recording(rep, server, chunks=rep.evaluate("Mendan.Recorder.session.seq") + 1)
    red_frames = total = 0
    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(video=0):
            total += 1
            picture = frame.to_image()
            width, height = picture.size
            red, green, blue = picture.crop((0, 0, width * 68 // 100, height)).convert("RGB").split()
            strong = red.point(lambda v: 255 if v > 150 else 0)
            mask = ImageChops.multiply(strong, green.point(lambda v: 255 if v < 90 else 0))
            mask = ImageChops.multiply(mask, blue.point(lambda v: 255 if v < 90 else 0))
            if mask.histogram()[255] > 20:  # red ink on the page area: only the rep's pen is red
                red_frames += 1
    assert total > 30 and red_frames > 10, (red_frames, total)
