"""Which uploads the library accepts, checked with real file bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from protocol.signaling import ErrorCode
from server.documents import filetypes
from server.documents.filetypes import FileType, Kind, ZipLimits
from server.errors import MendanError, error_body
from tests.support import documents

ALLOWED_LIST = ".pdf .xls .xlsx .doc .docx .ppt .pptx"


def check(tmp_path: Path, filename: str, data: bytes, limits: ZipLimits | None = None) -> FileType:
    path = documents.write(tmp_path / "upload.bin", data)
    return filetypes.check_file(path, filename, limits)


def refused(tmp_path: Path, filename: str, data: bytes, limits: ZipLimits | None = None) -> ErrorCode:
    with pytest.raises(MendanError) as caught:
        check(tmp_path, filename, data, limits)
    return caught.value.code


MAKERS: dict[str, Callable[[], bytes]] = {
    "pdf": documents.make_pdf,
    "docx": documents.make_docx,
    "xlsx": documents.make_xlsx,
    "pptx": documents.make_pptx,
}


@pytest.mark.parametrize("extension", ["pdf", "docx", "xlsx", "pptx"])
@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_real_files_are_accepted_in_any_letter_case(
    tmp_path: Path, extension: str, case: Callable[[str], str]
) -> None:
    result = check(tmp_path, f"営業資料.{case(extension)}", MAKERS[extension]())
    assert result == FileType(Kind(extension))


@pytest.mark.parametrize("kind", ["doc", "xls", "ppt"])
def test_legacy_office_files_made_by_libreoffice_are_accepted(
    tmp_path: Path, legacy_office_files: dict[str, Path], kind: str
) -> None:
    assert check(tmp_path, f"old.{kind.upper()}", legacy_office_files[kind].read_bytes()).kind is Kind(kind)


@pytest.mark.parametrize(
    ("kind", "stream"),
    [("doc", "WordDocument"), ("xls", "Workbook"), ("xls", "Book"), ("ppt", "PowerPoint Document")],
)
def test_compound_files_are_told_apart_by_their_streams(tmp_path: Path, kind: str, stream: str) -> None:
    data = documents.make_compound_file(stream)
    assert check(tmp_path, f"a.{kind}", data).kind is Kind(kind)
    other = next(k for k in ("doc", "xls", "ppt") if k != kind)
    assert refused(tmp_path, f"a.{other}", data) is ErrorCode.DOCUMENT_CONTENT_MISMATCH


def test_password_protected_ooxml_is_accepted_and_marked(tmp_path: Path) -> None:
    result = check(tmp_path, "secret.xlsx", documents.make_compound_file("EncryptedPackage"))
    assert result == FileType(Kind.XLSX, encrypted=True)


@pytest.mark.parametrize(
    "filename", ["setup.exe", "memo.txt", "noextension", "archive.zip", "a.pdf.exe", ".pdf"]
)
def test_other_extensions_are_refused_with_the_allowed_list(tmp_path: Path, filename: str) -> None:
    data = documents.windows_exe() if filename.endswith("exe") else b"hello"
    assert refused(tmp_path, filename, data) is ErrorCode.DOCUMENT_TYPE_NOT_ALLOWED
    message = error_body(ErrorCode.DOCUMENT_TYPE_NOT_ALLOWED)["error"]
    assert isinstance(message, dict)
    assert ALLOWED_LIST in message["message"]
    assert "アップロード" in message["message"]


@pytest.mark.parametrize("filename", ["setup.pdf", "setup.PDF", "setup.docx", "setup.doc", "setup.xls"])
def test_renamed_exe_is_refused(tmp_path: Path, filename: str) -> None:
    assert refused(tmp_path, filename, documents.windows_exe()) is ErrorCode.DOCUMENT_CONTENT_MISMATCH
    message = error_body(ErrorCode.DOCUMENT_CONTENT_MISMATCH)["error"]
    assert isinstance(message, dict)
    assert ALLOWED_LIST in message["message"]


def test_renamed_text_file_is_refused(tmp_path: Path) -> None:
    assert (
        refused(tmp_path, "notes.pdf", "ただのテキストです\n".encode()) is ErrorCode.DOCUMENT_CONTENT_MISMATCH
    )


@pytest.mark.parametrize(
    ("made_as", "named"), [("docx", "xlsx"), ("xlsx", "pptx"), ("pptx", "docx"), ("pdf", "docx")]
)
def test_extension_and_content_must_agree(tmp_path: Path, made_as: str, named: str) -> None:
    assert refused(tmp_path, f"x.{named}", MAKERS[made_as]()) is ErrorCode.DOCUMENT_CONTENT_MISMATCH


def test_pdf_content_under_an_office_name_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path, "x.doc", documents.make_pdf()) is ErrorCode.DOCUMENT_CONTENT_MISMATCH


def test_plain_zip_is_not_ooxml(tmp_path: Path) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(tmp_path, "x.docx", out.getvalue()) is ErrorCode.DOCUMENT_CONTENT_MISMATCH


def test_zip_bomb_is_refused_by_its_ratio_without_extracting(tmp_path: Path) -> None:
    bomb = documents.make_zip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    assert refused(tmp_path, "bomb.docx", bomb) is ErrorCode.DOCUMENT_UNSAFE


def test_zip_total_size_cap(tmp_path: Path) -> None:
    bomb = documents.make_zip_bomb(4 * 1024 * 1024)
    limits = ZipLimits(max_total_uncompressed=1024 * 1024, max_ratio=1e9)
    assert refused(tmp_path, "big.docx", bomb, limits) is ErrorCode.DOCUMENT_UNSAFE


def test_zip_member_count_cap(tmp_path: Path) -> None:
    data = documents.make_many_members_zip(50)
    assert check(tmp_path, "many.docx", data).kind is Kind.DOCX
    assert refused(tmp_path, "many.docx", data, ZipLimits(max_members=20)) is ErrorCode.DOCUMENT_UNSAFE


def test_truncated_ooxml_is_refused(tmp_path: Path) -> None:
    data = documents.make_docx()
    assert refused(tmp_path, "cut.docx", data[: len(data) // 2]) is ErrorCode.DOCUMENT_UNSAFE


def test_truncated_compound_file_is_refused(tmp_path: Path) -> None:
    data = documents.make_compound_file("WordDocument")
    assert refused(tmp_path, "cut.doc", data[:700]) is ErrorCode.DOCUMENT_UNSAFE


def test_content_types_are_those_browsers_know() -> None:
    assert Kind.PDF.content_type == "application/pdf"
    assert Kind.XLS.content_type == "application/vnd.ms-excel"
    assert filetypes.ALLOWED_EXTENSIONS == (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx")
