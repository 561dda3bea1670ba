"""R-3.4: a short network drop reconnects by itself; video keeps flowing; nobody sees the end."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.meeting_steps import start_meeting, tid, wait_for_advancing_video


def test_signaling_drop_reconnects_without_a_new_number(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)

    customer.evaluate("Mendan.debug.room.signaling.simulateDrop()")
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
    customer.evaluate("Mendan.debug.room.signaling.simulateDrop()")  # offline emulation spares open sockets
    expect(tid(customer, "notice")).to_contain_text("再接続しています")
    customer.wait_for_timeout(3000)
    customer.context.set_offline(False)
    expect(tid(customer, "notice")).to_have_text("再接続しました", timeout=20000)
    wait_for_advancing_video(rep)
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")
