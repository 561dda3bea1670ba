"""R-3.3: camera, mic, speaker and ビデオ共有 toggles do what they say, on the right screens."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.meeting_steps import start_meeting, tid, wait_for_advancing_video

LOCAL_TRACKS = "(kind) => Mendan.debug.localTracks(kind)"


def test_toggles(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)

    tid(customer, "camera-toggle").click()
    assert customer.evaluate(LOCAL_TRACKS, "video") == [False]
    expect(tid(customer, "camera-toggle")).to_have_attribute("aria-pressed", "false")
    expect(rep.locator(".tile.remote .tile-badge")).to_have_text("カメラオフ")  # the rep is told
    tid(customer, "camera-toggle").click()
    assert customer.evaluate(LOCAL_TRACKS, "video") == [True]
    expect(rep.locator(".tile.remote .tile-badge")).to_be_hidden()

    tid(customer, "mic-toggle").click()
    assert customer.evaluate(LOCAL_TRACKS, "audio") == [False]
    expect(tid(customer, "mic-toggle")).to_contain_text("マイクオフ")
    tid(customer, "mic-toggle").click()
    assert customer.evaluate(LOCAL_TRACKS, "audio") == [True]

    tid(rep, "speaker-toggle").click()
    expect(tid(rep, "remote-video")).to_have_js_property("muted", True)
    expect(tid(customer, "remote-video")).to_have_js_property("muted", False)  # only the local screen
    tid(rep, "speaker-toggle").click()
    expect(tid(rep, "remote-video")).to_have_js_property("muted", False)

    tid(rep, "video-share-toggle").click()
    expect(tid(rep, "remote-video")).to_be_hidden()
    expect(tid(customer, "remote-video")).to_be_visible()  # affects only the rep's own screen
    tid(rep, "video-share-toggle").click()
    expect(tid(rep, "remote-video")).to_be_visible()
    wait_for_advancing_video(customer)


def test_controls_work_from_the_keyboard_and_have_names(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)
    for control, name in (
        ("mic-toggle", "マイク"),
        ("camera-toggle", "カメラ"),
        ("speaker-toggle", "スピーカー"),
        ("video-share-toggle", "ビデオ共有"),
        ("leave-button", "接続終了"),
    ):
        expect(customer.get_by_role("button", name=name, exact=True)).to_have_attribute(
            "data-testid", control
        )
    tid(customer, "mic-toggle").focus()
    customer.keyboard.press("Space")
    expect(tid(customer, "mic-toggle")).to_have_attribute("aria-pressed", "false")
    customer.keyboard.press("Enter")
    expect(tid(customer, "mic-toggle")).to_have_attribute("aria-pressed", "true")
    tid(customer, "chat-input").focus()
    customer.keyboard.type("キーボードだけで送信")
    customer.keyboard.press("Enter")
    expect(tid(rep, "chat-message")).to_contain_text(["キーボードだけで送信"])
