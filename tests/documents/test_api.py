"""The document library over HTTP against a real `mendan serve`: upload, render, sign, replace, delete."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from PIL import Image

from tests.support import documents
from tests.support.rep import RepClient, log_in
from tests.support.server import MendanServer

MAX_BYTES = 1024 * 1024
ALLOWED_LIST = ".pdf .xls .xlsx .doc .docx .ppt .pptx"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MendanServer]:
    server = MendanServer(
        tmp_path_factory.mktemp("documents-server"), {"MENDAN_DOCUMENT_MAX_BYTES": str(MAX_BYTES)}
    )
    server.create_account("tanaka", name="田中")
    server.create_account("suzuki", name="鈴木")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rep(server: MendanServer) -> Iterator[RepClient]:
    client = log_in(server, "tanaka")
    yield client
    client.close()


@pytest.fixture(scope="module")
def other_rep(server: MendanServer) -> Iterator[RepClient]:
    client = log_in(server, "suzuki")
    yield client
    client.close()


def error_of(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    assert body["ok"] is False
    assert set(body["error"]) == {"code", "message", "values"}  # the page translates code + values
    error: dict[str, str] = body["error"]
    return error


def document_dir(server: MendanServer, document: dict[str, Any]) -> Path:
    matches = list((server.data_dir / "documents").glob(f"*/{document['id']}"))
    assert len(matches) == 1
    return matches[0]


def incoming_files(server: MendanServer) -> list[Path]:
    """Half-received uploads, in every instance's folder under incoming/."""
    return [path for path in (server.data_dir / "documents" / "incoming").rglob("*") if path.is_file()]


def test_upload_renders_pages_fetchable_only_with_a_signature(rep: RepClient, server: MendanServer) -> None:
    document = rep.uploaded("Proposal.PDF", documents.make_pdf(3), memo="価格は最後に" * 1000, shareable=True)
    assert document["render"]["state"] in ("pending", "rendering")
    assert document["title"] == "会社案内" and document["shareable"] is True
    assert document["memo"] == "価格は最後に" * 1000
    document = rep.wait_rendered(document["id"])
    assert document["render"]["state"] == "ready" and document["can_show"] is True
    assert document["page_count"] == 3 and len(document["pages"]) == 3

    with httpx.Client(base_url=server.url) as anonymous:  # a meeting participant: no login cookie
        check_signed_pages(anonymous, rep, document)


def check_signed_pages(anonymous: httpx.Client, rep: RepClient, document: dict[str, Any]) -> None:
    page = anonymous.get(document["pages"][1]["url"])
    assert page.status_code == 200
    assert page.headers["content-type"] == "image/jpeg"
    assert page.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(page.content))
    assert image.format == "JPEG" and image.width == 1280
    assert (image.width, image.height) == (document["pages"][1]["width"], document["pages"][1]["height"])
    thumb = Image.open(io.BytesIO(anonymous.get(document["pages"][1]["thumbnail_url"]).content))
    assert thumb.width == 240

    path, query = (
        urlsplit(document["pages"][1]["url"]).path,
        dict(parse_qsl(urlsplit(document["pages"][1]["url"]).query)),
    )
    unsigned = anonymous.get(path)
    assert unsigned.status_code == 403 and error_of(unsigned)["code"] == "link_invalid"
    assert "有効期限" in error_of(unsigned)["message"]
    tampered = {**query, "sig": query["sig"][::-1]}
    assert anonymous.get(f"{path}?{urlencode(tampered)}").status_code == 403
    longer = {**query, "exp": str(int(query["exp"]) + 86400)}
    assert anonymous.get(f"{path}?{urlencode(longer)}").status_code == 403
    other_page = path.replace("/2.jpg", "/3.jpg")
    assert anonymous.get(f"{other_page}?{urlencode(query)}").status_code == 403
    out_of_range = rep.get(f"{document['pages'][2]['url'].replace('/3.jpg', '/4.jpg')}")
    assert out_of_range.status_code == 403  # the signature covers the page number


def test_list_shows_the_reps_documents_only(rep: RepClient, other_rep: RepClient) -> None:
    mine = rep.uploaded("list.pdf", documents.make_pdf(1), title="一覧に出る資料")
    listed = rep.get("/api/documents").json()["documents"]
    assert mine["id"] in [d["id"] for d in listed]
    assert all("memo" not in d for d in listed)
    assert mine["id"] not in [d["id"] for d in other_rep.get("/api/documents").json()["documents"]]
    for response in (
        other_rep.get(f"/api/documents/{mine['id']}"),
        other_rep.patch(f"/api/documents/{mine['id']}", json={"title": "x"}, headers=other_rep.changing()),
        other_rep.delete(f"/api/documents/{mine['id']}", headers=other_rep.changing()),
    ):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_login_and_csrf_are_required(rep: RepClient, server: MendanServer) -> None:
    assert error_of(httpx.get(server.url + "/api/documents"))["code"] == "not_authenticated"
    no_token = rep.post(
        "/api/documents", data={"title": "t"}, files={"file": ("a.pdf", documents.make_pdf())}
    )
    assert no_token.status_code == 403 and error_of(no_token)["code"] == "csrf_failed"
    assert incoming_files(server) == []


@pytest.mark.parametrize("title", [None, "", "   "])
def test_missing_title_is_refused(rep: RepClient, server: MendanServer, title: str | None) -> None:
    response = rep.upload("a.pdf", documents.make_pdf(), title=title)
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "document_title_required",
        "message": "タイトルを入力してください",
        "values": {},
    }
    assert incoming_files(server) == []


def test_missing_file_is_refused(rep: RepClient, server: MendanServer) -> None:
    # A browser form with no file chosen still sends the part, with an empty name and no bytes.
    cases: list[tuple[dict[str, tuple[str, bytes]] | None, str]] = [
        ({"file": ("", b"")}, "document_file_required"),
        ({"file": ("empty.pdf", b"")}, "document_file_required"),
        ({"other": ("x.pdf", b"%PDF-")}, "bad_request"),  # a file under an unknown field name
        (None, "bad_request"),  # not multipart at all
    ]
    for files, code in cases:
        response = rep.post(
            "/api/documents", data={"title": "ファイルなし"}, files=files, headers=rep.changing()
        )
        assert response.status_code == 400
        assert error_of(response)["code"] == code
    assert incoming_files(server) == []


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("setup.exe", documents.windows_exe(), "document_type_not_allowed"),
        ("memo.txt", "メモです".encode(), "document_type_not_allowed"),
        ("setup.pdf", documents.windows_exe(), "document_content_mismatch"),
        ("memo.docx", "メモです".encode(), "document_content_mismatch"),
    ],
)
def test_wrong_types_are_refused_with_the_allowed_list(
    rep: RepClient, server: MendanServer, filename: str, data: bytes, code: str
) -> None:
    response = rep.upload(filename, data)
    assert response.status_code == 415
    error = error_of(response)
    assert error["code"] == code and ALLOWED_LIST in error["message"]
    assert incoming_files(server) == []


def test_zip_bomb_is_refused(rep: RepClient) -> None:
    response = rep.upload("bomb.docx", documents.make_zip_bomb(64 * 1024 * 1024))
    assert response.status_code == 422 and error_of(response)["code"] == "document_unsafe"


@pytest.mark.parametrize("size", [MAX_BYTES + 1, 3 * MAX_BYTES, 12 * MAX_BYTES])
def test_size_cap(rep: RepClient, server: MendanServer, size: int) -> None:
    pdf = documents.make_pdf()
    response = rep.upload("big.pdf", pdf + b"%" * (size - len(pdf)))
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "document_too_large" and "1 MB" in error["message"]
    assert incoming_files(server) == []
    pdf = documents.make_pdf()
    assert rep.upload("fits.pdf", pdf + b"%" * (MAX_BYTES - len(pdf))).status_code == 201


def test_download_is_byte_identical_with_the_original_name(rep: RepClient, server: MendanServer) -> None:
    data = documents.make_xlsx("見積書")
    document = rep.uploaded("御見積書 2026年度.xlsx", data)
    response = httpx.get(server.url + document["download_url"])
    assert response.status_code == 200
    assert response.content == data
    assert (
        response.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert (
        "filename*=UTF-8''%E5%BE%A1%E8%A6%8B%E7%A9%8D%E6%9B%B8%202026%E5%B9%B4%E5%BA%A6.xlsx" in disposition
    )
    assert document["size"] == len(data)
    unsigned = httpx.get(server.url + urlsplit(document["download_url"]).path)
    assert unsigned.status_code == 403


def test_edit_title_memo_and_sharing(rep: RepClient) -> None:
    document = rep.uploaded("edit.pdf", documents.make_pdf())
    response = rep.patch(
        f"/api/documents/{document['id']}",
        json={"title": " 新しいタイトル ", "memo": "長いメモ" * 5000, "shareable": True},
        headers=rep.changing(),
    )
    assert response.status_code == 200
    edited = rep.get(f"/api/documents/{document['id']}").json()["document"]
    assert edited["title"] == "新しいタイトル" and edited["shareable"] is True
    assert edited["memo"] == "長いメモ" * 5000
    empty = rep.patch(f"/api/documents/{document['id']}", json={"title": ""}, headers=rep.changing())
    assert error_of(empty)["code"] == "document_title_required"
    wrong = rep.patch(f"/api/documents/{document['id']}", json={"shareable": "yes"}, headers=rep.changing())
    assert error_of(wrong)["code"] == "bad_request"


def test_replace_file_renders_the_new_one_and_retires_old_links(rep: RepClient, server: MendanServer) -> None:
    first = rep.wait_rendered(rep.uploaded("v1.pdf", documents.make_pdf(2), title="差し替え")["id"])
    old_page, old_download = first["pages"][0]["url"], first["download_url"]
    new_data = documents.make_pdf(4, "Version two")
    response = rep.put(
        f"/api/documents/{first['id']}/file", files={"file": ("v2.pdf", new_data)}, headers=rep.changing()
    )
    assert response.status_code == 200, response.text
    second = rep.wait_rendered(first["id"])
    assert second["revision"] == 2 and second["page_count"] == 4 and second["title"] == "差し替え"
    assert second["filename"] == "v2.pdf"
    assert httpx.get(server.url + old_page).status_code == 404
    assert httpx.get(server.url + old_download).status_code == 404
    assert httpx.get(server.url + second["download_url"]).content == new_data
    assert [p.name for p in document_dir(server, second).iterdir()] == ["r2"]
    refused = rep.put(
        f"/api/documents/{first['id']}/file", files={"file": ("v3.exe", b"MZ")}, headers=rep.changing()
    )
    assert refused.status_code == 415
    assert rep.get(f"/api/documents/{first['id']}").json()["document"]["revision"] == 2


def test_delete_removes_record_files_and_links(rep: RepClient, server: MendanServer) -> None:
    document = rep.wait_rendered(rep.uploaded("delete.pdf", documents.make_pdf(1))["id"])
    folder = document_dir(server, document)
    response = rep.delete(f"/api/documents/{document['id']}", headers=rep.changing())
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert rep.get(f"/api/documents/{document['id']}").status_code == 404
    assert httpx.get(server.url + document["pages"][0]["url"]).status_code == 404
    assert httpx.get(server.url + document["download_url"]).status_code == 404
    assert not folder.exists()


def test_unrenderable_files_fail_with_a_reason_and_stay_downloadable(
    rep: RepClient, server: MendanServer
) -> None:
    broken = b"%PDF-1.4\n" + b"this is not really a pdf\n" * 50
    locked = documents.make_compound_file("EncryptedPackage")
    cases = {
        "unreadable": rep.uploaded("broken.pdf", broken),
        "password_protected": rep.uploaded("lock.pptx", locked),
    }
    for reason, document in cases.items():
        document = rep.wait_rendered(document["id"])
        assert document["render"]["state"] == "failed" and document["can_show"] is False
        assert document["render"]["failure"]["code"] == reason
        assert "「渡す」は使えます" in document["render"]["failure"]["message"]
        assert document["render"]["label"] == "表示できません"
        assert document["pages"] == [] and document["thumbnail_url"] is None
    assert httpx.get(server.url + cases["unreadable"]["download_url"]).content == broken


def dark_fraction(image: Image.Image) -> float:
    gray = image.convert("L")
    histogram = gray.histogram()
    return sum(histogram[:128]) / (gray.width * gray.height)


@pytest.mark.parametrize("extension", ["docx", "xlsx", "pptx"])
def test_japanese_office_files_render_with_real_glyphs(
    rep: RepClient, server: MendanServer, extension: str
) -> None:
    maker = {"docx": documents.make_docx, "xlsx": documents.make_xlsx, "pptx": documents.make_pptx}[extension]
    document = rep.wait_rendered(rep.uploaded(f"日本語.{extension}", maker())["id"])
    assert document["render"]["state"] == "ready", document["render"]
    page = Image.open(io.BytesIO(httpx.get(server.url + document["pages"][0]["url"]).content))
    assert dark_fraction(page) > 0.01  # text covers the page, not a blank render

    converted = document_dir(server, document) / "r1" / "render" / "converted.pdf"
    text = subprocess.run(
        ["pdftotext", str(converted), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert documents.JAPANESE in text
    # Tofu (missing glyphs) would still extract as text; an embedded CJK font shows the glyphs exist.
    fonts = subprocess.run(["pdffonts", str(converted)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts, fonts


def test_legacy_word_file_renders(rep: RepClient, legacy_office_files: dict[str, Path]) -> None:
    data = legacy_office_files["doc"].read_bytes()
    document = rep.wait_rendered(rep.uploaded("旧形式.DOC", data)["id"])
    assert document["render"]["state"] == "ready" and document["page_count"] >= 1
