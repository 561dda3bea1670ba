"""The full room in real browsers: four people by invite, the fifth refused, chat, TURN, restarts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.meeting_steps import (
    invite_url,
    join_by_invite,
    selected_candidate_types,
    start_meeting,
    tid,
    wait_for_advancing_video,
)
from tests.support.turn import coturn


def test_four_people_see_each_other_and_the_fifth_is_refused(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    url = invite_url(rep)
    guests = []
    for name in ("山田 花子", "鈴木 一郎"):
        guest = person(name)
        join_by_invite(guest, url, name)
        guests.append(guest)
    everyone = [customer, rep, *guests]
    for page in everyone:
        expect(tid(page, "roster-entry")).to_have_count(4)
        expect(tid(page, "roster-entry").filter(has_text="山田 花子")).to_have_count(1)
    for page in everyone:
        frames = wait_for_advancing_video(page, remotes=3, timeout=40)
        assert len(frames) == 3

    fifth = person("fifth")
    join_by_invite(fifth, url, "五人目")
    expect(tid(fifth, "error-message")).to_have_text("この商談は定員(4名)に達しているため参加できません。")
    expect(tid(fifth, "meeting")).to_be_hidden()
    expect(tid(customer, "roster-entry")).to_have_count(4)


def test_chat_between_everyone(server, person):
    server.create_account("tanaka", name="田中 太郎")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    tid(rep, "chat-input").fill("本日はありがとうございます")
    tid(rep, "chat-send").click()
    expect(tid(customer, "chat-message")).to_have_text(["田中 太郎本日はありがとうございます"])
    tid(customer, "chat-input").fill("よろしくお願いします")
    tid(customer, "chat-input").press("Enter")
    expect(tid(rep, "chat-message")).to_have_count(2)
    expect(tid(rep, "chat-message").nth(1)).to_contain_text("よろしくお願いします")
    expect(tid(customer, "chat-input")).to_have_value("")

    guest = person("guest")
    join_by_invite(guest, invite_url(rep), "山田 花子")
    expect(tid(guest, "chat-message")).to_have_count(2)  # a newcomer sees the chat so far


def test_media_flows_through_turn_when_relay_is_forced(server_factory, person, tmp_path):
    with coturn(tmp_path, secret="coturn-secret") as port:
        turn = f"turn:127.0.0.1:{port}"
        server = server_factory(
            {
                "MENDAN_TURN_URLS": f"{turn}?transport=udp,{turn}?transport=tcp",
                "MENDAN_TURN_SECRET": "coturn-secret",
                "MENDAN_ICE_TRANSPORT_POLICY": "relay",
            }
        )
        server.create_account("tanaka")
        customer, rep = person("customer"), person("rep")
        start_meeting(customer, rep, server, "tanaka")
        wait_for_advancing_video(customer, timeout=30)
        wait_for_advancing_video(rep, timeout=30)
        assert selected_candidate_types(customer) == ["relay"]
        assert selected_candidate_types(rep) == ["relay"]


def test_a_server_restart_mid_meeting_does_not_end_it(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)
    server.stop()
    wait_for_advancing_video(customer)  # peer-to-peer media goes on without the server
    server.start()
    expect(tid(customer, "notice")).to_have_text("再接続しました", timeout=20000)
    expect(tid(rep, "notice")).to_have_text("再接続しました", timeout=20000)
    tid(customer, "chat-input").fill("聞こえますか")
    tid(customer, "chat-send").click()
    expect(tid(rep, "chat-message")).to_contain_text(["聞こえますか"])
    wait_for_advancing_video(rep)
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")
