"""What people see on the pages for the cases the FAQ lists: bad numbers, expiry, login errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.meeting_steps import PASSWORD, issue_number, log_in, tid, wait_for_advancing_video


def test_bad_numbers_show_the_faq_message_and_keep_the_form(server, person):
    server.create_account("tanaka")
    rep = person("rep")
    log_in(rep, server, "tanaka")
    tid(rep, "recording-no").check()
    for typed in ("1234", "123456", "12a45", "99999"):
        tid(rep, "number-input").fill(typed)
        tid(rep, "connect-button").click()
        expect(tid(rep, "error-message")).to_have_text("接続ナンバーが不正です")
        expect(tid(rep, "number-input")).to_have_value(typed)  # nothing typed is lost
        expect(tid(rep, "connect-button")).to_be_enabled()
    expect(tid(rep, "meeting")).to_be_hidden()


def test_recording_question_is_required_before_connecting(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    number = issue_number(customer, server)
    log_in(rep, server, "tanaka")
    tid(rep, "number-input").fill(number)
    tid(rep, "connect-button").click()
    expect(tid(rep, "error-message")).to_contain_text("レコーディング機能使用確認")
    tid(rep, "recording-yes").check()
    tid(rep, "connect-button").click()
    expect(tid(rep, "meeting")).to_be_visible()
    expect(tid(customer, "recording-indicator")).to_be_visible()
    expect(tid(rep, "recording-indicator")).to_be_visible()


def test_full_width_number_typed_by_the_rep_connects(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    number = issue_number(customer, server)
    log_in(rep, server, "tanaka")
    tid(rep, "number-input").fill(" " + "".join(chr(ord(d) + 0xFEE0) for d in number))
    tid(rep, "recording-no").check()
    tid(rep, "connect-button").click()
    tid(customer, "start-media").click()
    wait_for_advancing_video(rep)


def test_expired_number_offers_a_new_one(server_factory, person):
    server = server_factory({"MENDAN_NUMBER_TTL": "2"})
    customer = person("customer")
    first = issue_number(customer, server)
    expect(customer.get_by_text("接続ナンバーの有効期限が切れました。もう一度")).to_be_visible(timeout=10000)
    expect(tid(customer, "connection-number")).to_be_hidden()
    customer.get_by_role("button", name="新しい接続ナンバーを発行する").click()
    expect(tid(customer, "connection-number")).not_to_have_text(first)
    expect(tid(customer, "connection-number")).to_have_text(re.compile(r"^\d{5}$"))


def test_waiting_customer_keeps_the_number_across_a_reload(server, person):
    customer = person("customer")
    number = issue_number(customer, server)
    customer.reload()
    expect(tid(customer, "connection-number")).to_have_text(number)


def test_login_errors_are_explained(server, person):
    server.create_account("tanaka")
    page = person("rep")
    page.goto(server.url + "/rep")
    page.wait_for_url("**/login")
    tid(page, "login-id").fill("tanaka")
    tid(page, "login-password").fill("not-the-password")
    tid(page, "login-submit").click()
    expect(tid(page, "error-message")).to_have_text("ログインIDまたはパスワードが正しくありません。")
    expect(tid(page, "login-id")).to_have_value("tanaka")
    tid(page, "login-password").fill(PASSWORD)
    tid(page, "login-submit").click()
    page.wait_for_url("**/rep")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login")
    page.goto(server.url + "/rep")
    page.wait_for_url("**/login")


def test_language_switch_shows_english_and_back(server, person):
    page = person("customer")
    page.goto(server.url + "/")
    tid(page, "lang-switch").click()
    expect(tid(page, "start-meeting")).to_have_text("Start a meeting")
    tid(page, "lang-switch").click()
    expect(tid(page, "start-meeting")).to_have_text("商談を始める")


def test_second_customer_click_is_not_lost_and_log_in_works(server, person):
    """Sanity for the helper used everywhere: a rep logs in through the form."""
    server.create_account("tanaka")
    rep = person("rep")
    log_in(rep, server, "tanaka")
    expect(tid(rep, "connect-button")).to_be_visible()
