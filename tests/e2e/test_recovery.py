"""R-3.4: a short network drop reconnects by itself; video keeps flowing; nobody sees the end."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.meeting_steps import connect, log_in, start_meeting, tid, wait_for_advancing_video
from tests.support.proxy import websocket_blocking_proxy


def test_signaling_drop_reconnects_without_a_new_number(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)

    customer.evaluate("Mendan.debug.dropSignaling()")
    expect(tid(rep, "roster-entry").filter(has_text="再接続中")).to_have_count(1)
    expect(tid(customer, "notice")).to_have_text("再接続しました")
    expect(tid(rep, "roster-entry").filter(has_text="再接続中")).to_have_count(0)

    # Media never stopped, and the meeting is still one meeting on both sides.
    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected")
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")


def test_offline_for_a_few_seconds_comes_back(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(customer)

    customer.context.set_offline(True)
    customer.evaluate("Mendan.debug.dropSignaling()")  # offline emulation spares open sockets
    expect(tid(customer, "notice")).to_contain_text("再接続しています")
    customer.wait_for_timeout(3000)
    customer.context.set_offline(False)
    expect(tid(customer, "notice")).to_have_text("再接続しました", timeout=20000)
    wait_for_advancing_video(rep)
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")


def test_a_proxy_that_blocks_websockets_falls_back_to_http(server, person):
    """R-10.5: the customer reaches Mendan through a proxy that refuses WebSocket upgrades (403);
    the page switches to long polling by itself and the meeting works: video, chat, leaving."""
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    with websocket_blocking_proxy(server.port) as proxied:
        customer.goto(proxied + "/")
        tid(customer, "start-meeting").click()
        number = tid(customer, "connection-number")
        expect(number).to_have_text(re.compile(r"^\d{5}$"))
        log_in(rep, server, "tanaka")
        connect(rep, number.inner_text())
        tid(customer, "start-media").click()
        wait_for_advancing_video(rep)
        wait_for_advancing_video(customer)
        assert customer.evaluate("Mendan.debug.transport()") == "http"
        assert rep.evaluate("Mendan.debug.transport()") == "websocket"
        tid(customer, "chat-input").fill("プロキシ越しです")
        tid(customer, "chat-send").click()
        expect(tid(rep, "chat-message")).to_contain_text(["プロキシ越しです"])
        tid(rep, "chat-input").fill("届いています")
        tid(rep, "chat-send").click()
        expect(tid(customer, "chat-message")).to_contain_text(["届いています"])
        tid(rep, "leave-button").click()
        expect(tid(customer, "notice")).to_have_text("他のユーザーからのコールが終了しました")
