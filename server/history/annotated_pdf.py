"""The annotated pages of a meeting as one PDF: every page someone drew on, with its 書き込み.

Built when the rep asks for it, from what the meeting keeps: the strokes (table
``annotation_strokes``, undone and cleared ones left out) and the page images the renderer made
(the shown document's JPEG pages). Pillow draws the strokes as the pages did — pen opaque,
highlighter see-through, eraser clearing ink but never the page — and writes the PDF.
"""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from protocol import signaling as p
from server.db.database import Database
from server.db.models import AnnotationStroke, Document, DocumentShow, Meeting
from server.documents.store import DocumentStore
from server.errors import MendanError

HIGHLIGHTER_ALPHA = round(0.35 * 255)  # as annotate.js draws it
PDF_RESOLUTION = 150.0  # dots per inch for the page images: 1280 px is an A4 width at ~150 dpi


@dataclass
class AnnotatedPage:
    """One page of a shown document and the strokes left on it, in drawing order."""

    image: Path
    strokes: list[AnnotationStroke] = field(default_factory=list)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _draw(page: AnnotatedPage) -> Image.Image:
    with Image.open(page.image) as opened:
        base = opened.convert("RGBA")
    ink = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(ink)
    width, height = base.size
    for stroke in page.strokes:
        red, green, blue = _rgb(stroke.color)
        fill = {
            "pen": (red, green, blue, 255),
            "highlighter": (red, green, blue, HIGHLIGHTER_ALPHA),
            "eraser": (0, 0, 0, 0),  # ImageDraw replaces pixels: the ink goes, the page stays
        }[stroke.tool]
        line = max(1, round(stroke.width / 1000 * width))
        points = [(x * width, y * height) for x, y in json.loads(stroke.points)]
        if len(points) > 1:
            draw.line(points, fill=fill, width=line, joint="curve")
        radius = line / 2
        for x, y in (points[0], points[-1]):  # round ends, as the canvas's lineCap
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
    return Image.alpha_composite(base, ink).convert("RGB")


def _pdf(pages: list[AnnotatedPage]) -> bytes:
    images = [_draw(page) for page in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=PDF_RESOLUTION)
    return out.getvalue()


async def has_annotations(database: Database, meeting_id: str) -> bool:
    async with database.session() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(AnnotationStroke)
            .where(AnnotationStroke.meeting_id == meeting_id, AnnotationStroke.removed_at.is_(None))
        )
        return bool(count)


async def annotated_pdf(database: Database, store: DocumentStore, account_id: int, meeting_id: str) -> bytes:
    """The PDF of the rep ID's meeting; NOT_FOUND for anyone else's, or when nothing was drawn on
    a page whose image is still kept (a deleted document takes its pages with it)."""
    pages: dict[tuple[int, int], AnnotatedPage] = {}
    async with database.session() as db:
        meeting = await db.get(Meeting, meeting_id)
        if meeting is None or meeting.account_id != account_id:
            raise MendanError(p.ErrorCode.NOT_FOUND, f"meeting {meeting_id}")
        rows = (
            await db.execute(
                select(AnnotationStroke, Document)
                .join(DocumentShow, DocumentShow.id == AnnotationStroke.show_id)
                .join(Document, Document.id == DocumentShow.document_id)
                .where(AnnotationStroke.meeting_id == meeting_id, AnnotationStroke.removed_at.is_(None))
                .order_by(AnnotationStroke.id)
            )
        ).all()
    for stroke, document in rows:
        key = (stroke.show_id, stroke.page)
        if key not in pages:
            image = store.page_path(document, stroke.page)
            if not image.is_file():
                continue
            pages[key] = AnnotatedPage(image)
        pages[key].strokes.append(stroke)
    if not pages:
        raise MendanError(p.ErrorCode.NOT_FOUND, "no annotated pages")
    return await asyncio.to_thread(_pdf, list(pages.values()))
