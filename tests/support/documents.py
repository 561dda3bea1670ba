"""Real document bytes made in the tests: PDF, docx, xlsx, pptx, compound files, zip bombs."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

JAPANESE = "営業資料のご案内"


def make_pdf(pages: int = 1, text: str = "Mendan page") -> bytes:
    """A valid multi-page A4 PDF with a line of Helvetica text per page, xref offsets exact."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once the page object numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for number in range(1, pages + 1):
        stream = f"BT /F1 36 Tf 72 720 Td ({text} {number}) Tj ET 0 0 1 rg 72 72 200 200 re f".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % content_ref
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (index, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_docx(text: str = JAPANESE) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(text, level=1)
    for _ in range(6):
        document.add_paragraph(text * 4)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(text: str = JAPANESE) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in range(1, 21):
        for column in range(1, 4):
            cell = sheet.cell(row=row, column=column, value=text)
            cell.font = Font(size=16)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_pptx(text: str = JAPANESE) -> bytes:
    import pptx
    from pptx.util import Pt

    presentation = pptx.Presentation()
    for _ in range(2):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = text
        body = slide.placeholders[1]
        body.text_frame.text = text * 2
        for paragraph in body.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(40)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def make_docx_with_linked_image(url: str) -> bytes:
    """A docx whose picture is not embedded but linked (``r:link``) to ``url``."""
    source = zipfile.ZipFile(io.BytesIO(make_docx("外部画像")))
    parts = {name: source.read(name) for name in source.namelist()}
    picture = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        'wordprocessingDrawing"><wp:extent cx="914400" cy="914400"/><wp:docPr id="1" name="p"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData '
        'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://'
        'schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="1" name="p"/>'
        '<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rIdLinked" xmlns:r="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships"/><a:stretch><a:fillRect/>'
        '</a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" '
        'cy="914400"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData>'
        "</a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:sectPr", picture.encode() + b"<w:sectPr", 1
    )
    relationship = (
        '<Relationship Id="rIdLinked" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/image" Target="{url}" TargetMode="External"/></Relationships>'
    )
    rels = "word/_rels/document.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", relationship.encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def make_zip_bomb(member_size: int = 200 * 1024 * 1024) -> bytes:
    """A docx-shaped archive whose document.xml inflates from ~200 KB to ``member_size`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        # Written in chunks so the test never holds the expanded bytes in memory.
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(member_size // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def make_many_members_zip(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "wordprocessingml.document.main+xml")
        for index in range(count):
            archive.writestr(f"word/x{index}.xml", "")
    return out.getvalue()


def make_compound_file(stream_name: str) -> bytes:
    """A minimal well-formed OLE2 compound file (512-byte sectors) with one named stream."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))
    directory = bytearray(512)
    for slot, (name, kind) in enumerate((("Root Entry", 5), (stream_name, 2))):
        encoded = name.encode("utf-16-le") + b"\0\0"
        offset = slot * 128
        directory[offset : offset + len(encoded)] = encoded
        struct.pack_into("<HB", directory, offset + 64, len(encoded), kind)
    return bytes(header) + fat + bytes(directory)


def windows_exe() -> bytes:
    """The start of a PE executable: an MZ header that points at a PE signature."""
    head = bytearray(b"MZ" + b"\0" * 126)
    struct.pack_into("<I", head, 0x3C, 0x80)
    return bytes(head) + b"PE\0\0" + b"\0" * 256


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def soffice_convert(source: Path, target_format: str, out_dir: Path) -> Path:
    """Convert with LibreOffice (a private profile so parallel runs don't clash); the converted path."""
    import subprocess

    profile = out_dir / f"profile-{target_format}"
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target_format,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out_dir / f"{source.stem}.{target_format}"
