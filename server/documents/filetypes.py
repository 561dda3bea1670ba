"""Which files the document library accepts: extension and content must agree.

The extension is what the rep sees and what LibreOffice uses to pick a filter; the bytes are what
the file really is. Both are checked, so a renamed .exe or .txt never reaches a converter. OOXML
files are ZIP archives: their central directory is inspected (never extracted) to refuse archives
that would expand to far more than they weigh.
"""

from __future__ import annotations

import enum
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from protocol.signaling import ErrorCode
from server.documents import ole2
from server.errors import MendanError


class Kind(enum.StrEnum):
    """A document type the library accepts, named by its extension."""

    PDF = "pdf"
    DOC = "doc"
    DOCX = "docx"
    XLS = "xls"
    XLSX = "xlsx"
    PPT = "ppt"
    PPTX = "pptx"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]

    @property
    def is_office(self) -> bool:
        return self is not Kind.PDF


CONTENT_TYPES: dict[Kind, str] = {
    Kind.PDF: "application/pdf",
    Kind.DOC: "application/msword",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.XLS: "application/vnd.ms-excel",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.PPT: "application/vnd.ms-powerpoint",
    Kind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(f".{kind.value}" for kind in Kind)

# Acrobat accepts a PDF whose header starts within the first 1024 bytes; some generators prepend junk.
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024
ZIP_MAGIC = b"PK\x03\x04"

# Stream names in the compound-file directory that say which application wrote it ([MS-DOC],
# [MS-XLS] (``Book`` is Excel 5/95), [MS-PPT]); an encrypted OOXML file holds ``EncryptedPackage``.
OLE2_STREAMS: dict[Kind, tuple[str, ...]] = {
    Kind.DOC: ("WordDocument",),
    Kind.XLS: ("Workbook", "Book"),
    Kind.PPT: ("PowerPoint Document",),
}
ENCRYPTED_PACKAGE = "EncryptedPackage"

# The main part's content type in [Content_Types].xml (ECMA-376 part 1), with the macro-enabled
# and template variants LibreOffice opens as well, and the folder the main part lives in.
OOXML_MAIN_TYPES: dict[Kind, tuple[str, tuple[bytes, ...]]] = {
    Kind.DOCX: (
        "word/",
        (
            b"wordprocessingml.document.main+xml",
            b"wordprocessingml.template.main+xml",
            b"ms-word.document.macroenabled",
        ),
    ),
    Kind.XLSX: (
        "xl/",
        (b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml", b"ms-excel.sheet.macroenabled"),
    ),
    Kind.PPTX: (
        "ppt/",
        (
            b"presentationml.presentation.main+xml",
            b"presentationml.slideshow.main+xml",
            b"presentationml.template.main+xml",
            b"ms-powerpoint.presentation.macroenabled",
        ),
    ),
}


@dataclass(frozen=True)
class ZipLimits:
    """Caps that keep an OOXML archive from expanding into a zip bomb."""

    max_members: int = 10_000
    max_total_uncompressed: int = 1024 * 1024 * 1024
    # XML compresses 10-30x; beyond 100x (Apache POI's default too) a member is almost surely a bomb.
    max_ratio: float = 100.0
    # Tiny members (an empty relationship file) reach high ratios innocently; judge only big ones.
    ratio_applies_above: int = 1024 * 1024
    max_content_types_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    """What an accepted upload is, and whether it is password-protected (then it cannot be shown)."""

    kind: Kind
    encrypted: bool = False

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def kind_from_filename(filename: str) -> Kind:
    """The kind named by the file's extension, in any letter case; refuses anything else."""
    suffix = PurePath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    try:
        return Kind(suffix)
    except ValueError:
        raise MendanError(ErrorCode.DOCUMENT_TYPE_NOT_ALLOWED, f"extension {suffix!r}") from None


def check_file(path: Path, filename: str, limits: ZipLimits | None = None) -> FileType:
    """Check an uploaded file against the name it came with; raises MendanError when refused."""
    kind = kind_from_filename(filename)
    with path.open("rb") as file:
        return _check_content(file, kind, limits or ZipLimits())


def _check_content(file: BinaryIO, kind: Kind, limits: ZipLimits) -> FileType:
    head = file.read(PDF_HEADER_WINDOW)
    if kind is Kind.PDF:
        if PDF_MAGIC not in head:
            raise _mismatch(kind, "no %PDF- header")
        return FileType(kind)
    if head.startswith(ole2.MAGIC):
        return _check_compound_file(file, kind)
    if kind in OOXML_MAIN_TYPES and head.startswith(ZIP_MAGIC):
        _check_ooxml(file, kind, limits)
        return FileType(kind)
    raise _mismatch(kind, "neither a compound file nor an OOXML archive")


def _check_compound_file(file: BinaryIO, kind: Kind) -> FileType:
    try:
        names = ole2.stream_names(file)
    except ole2.NotCompoundFile as exc:
        raise MendanError(ErrorCode.DOCUMENT_UNSAFE, f"broken compound file: {exc}") from None
    if kind in OOXML_MAIN_TYPES:
        # Office saves a password-protected .docx/.xlsx/.pptx as a compound file; it can be given
        # to customers but not rendered, so it is accepted and marked.
        if ENCRYPTED_PACKAGE in names:
            return FileType(kind, encrypted=True)
        raise _mismatch(kind, "compound file under an OOXML extension")
    if not any(name in names for name in OLE2_STREAMS[kind]):
        raise _mismatch(kind, f"compound file without {OLE2_STREAMS[kind]}")
    return FileType(kind)


def _check_ooxml(file: BinaryIO, kind: Kind, limits: ZipLimits) -> None:
    folder, main_types = OOXML_MAIN_TYPES[kind]
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise MendanError(ErrorCode.DOCUMENT_UNSAFE, f"broken zip: {exc}") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise MendanError(ErrorCode.DOCUMENT_UNSAFE, f"{len(members)} zip members")
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > limits.ratio_applies_above and ratio > limits.max_ratio:
                raise MendanError(ErrorCode.DOCUMENT_UNSAFE, f"{member.filename!r} expands {ratio:.0f}x")
        if total > limits.max_total_uncompressed:
            raise MendanError(ErrorCode.DOCUMENT_UNSAFE, f"expands to {total} bytes")
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or not any(name.startswith(folder) for name in names):
            raise _mismatch(kind, f"zip without [Content_Types].xml or {folder}")
        content_types_info = archive.getinfo("[Content_Types].xml")
        if content_types_info.file_size > limits.max_content_types_bytes:
            raise MendanError(ErrorCode.DOCUMENT_UNSAFE, "huge [Content_Types].xml")
        try:
            content_types = archive.read(content_types_info).lower()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise MendanError(ErrorCode.DOCUMENT_UNSAFE, f"unreadable [Content_Types].xml: {exc}") from None
    # A substring test, not an XML parse: nothing here needs the tree, and no entity can expand.
    if not any(main_type in content_types for main_type in main_types):
        raise _mismatch(kind, "main part content type missing")


def _mismatch(kind: Kind, why: str) -> MendanError:
    return MendanError(ErrorCode.DOCUMENT_CONTENT_MISMATCH, f".{kind.value}: {why}")
