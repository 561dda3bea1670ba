"""Documents in real browsers: the library on /rep (R-4) and 見せる / 渡す / 資料共有 in a meeting (R-5)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.document_steps import choose, file_payload, library_pdf, page_image_loaded, point_at
from tests.e2e.meeting_steps import invite_url, join_by_invite, log_in, start_meeting, tid
from tests.support.documents import make_pdf

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ALLOWED = ".pdf .xls .xlsx .doc .docx .ppt .pptx"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"documents-{name}.png"), full_page=True)


def test_library_upload_checks_progress_and_states(server, person, tmp_path: Path) -> None:
    server.create_account("tanaka", name="田中 太郎")
    rep = person("rep")
    log_in(rep, server, "tanaka")
    pdf = file_payload("会社案内.PDF", make_pdf(3))
    error = tid(rep, "doc-error")

    tid(rep, "doc-upload-file").set_input_files(pdf)
    tid(rep, "doc-upload-submit").click()
    expect(error).to_have_text("タイトルを入力してください")

    text = file_payload("メモ.txt", b"hello")
    tid(rep, "doc-upload-title").fill("テキスト")
    tid(rep, "doc-upload-file").set_input_files(text)
    tid(rep, "doc-upload-submit").click()
    expect(error).to_contain_text(ALLOWED)

    # A Windows program renamed: the server reads the bytes.
    renamed = file_payload("setup.pdf", b"MZ\x90\x00" + bytes(4096))
    tid(rep, "doc-upload-file").set_input_files(renamed)
    tid(rep, "doc-upload-submit").click()
    expect(error).to_contain_text("拡張子と一致しない")
    expect(error).to_contain_text(ALLOWED)
    expect(tid(rep, "doc-item")).to_have_count(0)

    tid(rep, "doc-upload-title").fill("会社案内")
    tid(rep, "doc-upload-file").set_input_files(pdf)
    tid(rep, "doc-upload-submit").click()
    item = tid(rep, "doc-item").filter(has_text="会社案内")
    expect(item).to_have_attribute("data-state", "ready")  # pending → ready, polled by the page
    expect(item).to_contain_text("PDF")
    expect(item).to_contain_text("3ページ")
    expect(item.get_by_test_id("doc-state")).to_have_text("表示できます")
    expect(error).to_have_text("")

    # A slow line (Chromium's own throttling): the progress bar is seen moving during the upload.
    # Passes the byte check, cannot be rendered: failed, with the reason.
    big = file_payload("broken.pdf", b"%PDF-1.4\n%" + b"x" * (3 * 1024 * 1024))
    cdp = rep.context.new_cdp_session(rep)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1024 * 1024},
    )
    tid(rep, "doc-upload-title").fill("壊れた資料")
    tid(rep, "doc-upload-file").set_input_files(big)
    tid(rep, "doc-upload-submit").click()
    expect(tid(rep, "doc-upload-progress")).to_be_visible()
    expect(tid(rep, "doc-upload-progress")).to_contain_text(re.compile(r"アップロード中… ([1-9]\d?)%"))
    broken = tid(rep, "doc-item").filter(has_text="壊れた資料")
    expect(broken).to_have_attribute("data-state", "failed", timeout=30000)
    expect(tid(rep, "doc-upload-progress")).to_be_hidden()
    expect(broken).to_contain_text("「渡す」は使えます")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    # 「ファイルを共有する」 and the memo are kept by the server.
    item.get_by_test_id("doc-shareable").check()
    item.get_by_role("button", name="編集").click()
    item.get_by_test_id("doc-edit-memo").fill("3ページ目で価格をご説明")
    item.get_by_test_id("doc-edit-save").click()
    expect(item.get_by_test_id("doc-edit-memo")).to_be_hidden()
    rep.reload()
    item = tid(rep, "doc-item").filter(has_text="会社案内")
    expect(item.get_by_test_id("doc-shareable")).to_be_checked()
    item.get_by_role("button", name="編集").click()
    expect(item.get_by_test_id("doc-edit-memo")).to_have_value("3ページ目で価格をご説明")
    item.get_by_role("button", name="キャンセル").click()
    shot(rep, "rep-library")

    # 差し替え: a new file, rendered again; 削除 after the confirmation.
    item.get_by_test_id("doc-replace-file").set_input_files(file_payload("新版.pdf", make_pdf(5)))
    expect(item).to_contain_text("5ページ")
    expect(item).to_have_attribute("data-state", "ready")
    rep.on("dialog", lambda dialog: dialog.accept())
    broken.get_by_role("button", name="削除").click()
    expect(tid(rep, "doc-item")).to_have_count(1)
    rep.reload()
    expect(tid(rep, "doc-item")).to_have_text([re.compile("会社案内.*5ページ")])


def test_show_syncs_pages_pointer_and_close(server, person) -> None:
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    library_pdf(server, "Company guide 会社案内", pages=3, memo="2ページ目で導入事例をご紹介")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    expect(tid(customer, "doc-show")).to_have_count(0)  # the rep's library is not the customer's

    choose(rep, "会社案内", "doc-show").click()
    page_image_loaded(customer, 1)
    page_image_loaded(rep, 1)
    expect(tid(rep, "doc-memo")).to_contain_text("2ページ目で導入事例をご紹介")
    expect(tid(customer, "doc-memo")).to_be_hidden()
    expect(tid(customer, "doc-next")).to_be_hidden()  # turning pages is the presenter's

    # The rep's mouse over the page: a hand at the same relative spot on the customer's screen.
    for fx, fy in ((0.5, 0.25), (0.2, 0.8)):
        point_at(rep, customer, fx, fy)
        # Where the hand's finger tip (its CSS offset: 12 px right, 4 px down) is on the page image.
        hand_x, hand_y = customer.evaluate(
            """() => {
                const hand = document.getElementById('doc-pointer').getBoundingClientRect();
                const page = document.getElementById('doc-page').getBoundingClientRect();
                return [(hand.left + 12 - page.left) / page.width, (hand.top + 4 - page.top) / page.height];
            }"""
        )
        assert abs(hand_x - fx) < 0.02 and abs(hand_y - fy) < 0.02, (hand_x, hand_y)
    shot(rep, "rep-showing-with-memo")
    shot(customer, "customer-sees-page-and-hand")

    tid(rep, "doc-next").click()
    page_image_loaded(customer, 2)
    expect(tid(customer, "doc-view")).to_contain_text("2 / 3 ページ")
    tid(rep, "doc-next").click()
    page_image_loaded(customer, 3)
    tid(rep, "doc-prev").click()
    page_image_loaded(customer, 2)

    # Resizing is local: the customer's view stays as it was.
    tid(rep, "doc-size").click()
    expect(tid(rep, "doc-view")).to_have_attribute("data-size", "small")
    expect(tid(customer, "doc-view")).to_have_attribute("data-size", "large")

    # Someone joining mid-show gets the current page in the join snapshot.
    guest = person("guest")
    join_by_invite(guest, invite_url(rep), "山田 花子")
    page_image_loaded(guest, 2)

    tid(rep, "doc-close").click()
    for page in (customer, guest, rep):
        expect(tid(page, "doc-view")).to_be_hidden()


def test_give_downloads_once_then_expires_and_gives_again(server_factory, person, tmp_path: Path) -> None:
    server = server_factory(env={"MENDAN_GIVE_TTL": "10"})
    server.create_account("tanaka", name="田中 太郎")
    data = library_pdf(server, "Quote 見積書", pages=1, shareable=True)
    library_pdf(server, "Internal 社内資料", pages=1, shareable=False)
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    expect(choose(rep, "社内資料", "doc-give")).to_be_hidden()  # 「ファイルを共有する」 off

    choose(rep, "見積書", "doc-give").click()
    expect(tid(rep, "doc-give-status")).to_contain_text("渡しました")
    expect(tid(customer, "doc-offer-countdown")).to_contain_text(re.compile(r"あと \d+ 秒"))
    shot(customer, "customer-receive-countdown")
    customer.evaluate("Mendan.debug.dropSignaling()")  # the offer comes again on re-join
    expect(tid(customer, "notice")).to_have_text("再接続しました", timeout=20000)
    expect(tid(customer, "doc-offer")).to_have_count(1)  # shown once, its countdown going on
    with customer.expect_download() as download_info:
        tid(customer, "doc-receive").click()
    saved = tmp_path / "received.pdf"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename == "資料.pdf"
    assert saved.read_bytes() == data
    expect(tid(customer, "doc-offer")).to_contain_text("受け取りました")

    # Not received: after the TTL the customer sees the FAQ's message, and the rep can give again.
    # The rep's button waits for the open offer's TTL (10 s here) before it can give again.
    expect(choose(rep, "見積書", "doc-give")).to_be_enabled(timeout=20000)
    choose(rep, "見積書", "doc-give").click()
    expect(tid(customer, "doc-offer-expired")).to_have_text(
        "ドキュメント共有の有効時間が経過しました。", timeout=20000
    )
    expect(tid(rep, "doc-give-status")).to_contain_text("もう一度「資料を渡す」", timeout=20000)
    shot(rep, "rep-give-expired")
    shot(customer, "customer-give-expired")
    choose(rep, "見積書", "doc-give").click()
    with customer.expect_download() as again:
        tid(customer, "doc-offer").last.get_by_test_id("doc-receive").click()
    assert Path(again.value.path()).read_bytes() == data


def test_customer_shares_a_file_with_the_rep(server, person, tmp_path: Path) -> None:
    server.create_account("tanaka", name="田中 太郎")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    data = make_pdf(2, "Customer request")
    tid(customer, "doc-share-file").set_input_files(file_payload("ご要望.pdf", data))
    row = tid(customer, "doc-choice").filter(has_text="ご要望")
    expect(row).to_have_attribute("data-state", "ready", timeout=30000)

    choose(customer, "ご要望", "doc-show").click()
    page_image_loaded(rep, 1)
    expect(tid(customer, "doc-next")).to_be_visible()
    tid(customer, "doc-next").click()
    page_image_loaded(rep, 2)

    choose(customer, "ご要望", "doc-give").click()
    with rep.expect_download() as download_info:
        tid(rep, "doc-receive").click()
    assert Path(download_info.value.path()).read_bytes() == data
    assert download_info.value.suggested_filename == "ご要望.pdf"

    tid(rep, "doc-close").click()  # the rep may close what the customer shows
    expect(tid(customer, "doc-view")).to_be_hidden()


def test_a_phone_customer_sees_and_receives_documents(server, person, tmp_path: Path) -> None:
    """Issue 8: at 375x667 with touch, the shown page fits the screen, follows turns, and a given
    file is received with a tap, byte-identical."""
    server.create_account("tanaka", name="田中 太郎")
    data = library_pdf(server, "Guide 会社案内", pages=2, shareable=True)
    customer, rep = person("phone", engine="phone"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    choose(rep, "会社案内", "doc-show").click()
    page_image_loaded(customer, 1)
    box = tid(customer, "doc-page").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["width"] > 200
    assert customer.evaluate("document.documentElement.scrollWidth") <= 375
    tid(rep, "doc-next").click()
    page_image_loaded(customer, 2)
    shot(customer, "phone-customer-document")
    tid(rep, "doc-close").click()
    choose(rep, "会社案内", "doc-give").click()
    with customer.expect_download() as download_info:
        tid(customer, "doc-receive").tap()
    saved = tmp_path / "phone.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == data
