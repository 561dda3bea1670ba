"""How a document looks to the pages: JSON with its render state in words and signed links.

Links carry the revision, so a replaced file's pages and download stop working with the old file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.db.models import Document
from server.documents.signed_url import UrlSigner
from server.documents.store import DocumentStore, RenderState
from server.i18n import catalogue_for


def page_path(document: Document, number: int, thumb: bool = False) -> str:
    folder = "thumbs" if thumb else "pages"
    return f"/api/documents/{document.id}/r{document.revision}/{folder}/{number}.jpg"


def download_path(document: Document) -> str:
    return f"/api/documents/{document.id}/r{document.revision}/download"


def page_url(signer: UrlSigner, document: Document, number: int, ttl: float, thumb: bool = False) -> str:
    """A link anyone may open until it expires: what a rep shows to meeting participants."""
    return signer.sign(page_path(document, number, thumb), ttl)


def download_url(signer: UrlSigner, document: Document, ttl: float) -> str:
    """A link that downloads the original file until it expires (「渡す」 uses a short ``ttl``)."""
    return signer.sign(download_path(document), ttl)


def read_page_sizes(store: DocumentStore, document: Document) -> list[dict[str, int]]:
    """Pixel size of each rendered page, from the manifest the renderer wrote."""
    if document.render_state != RenderState.READY:
        return []
    manifest = store.render_dir(document) / "pages.json"
    pages: list[dict[str, int]] = json.loads(Path(manifest).read_text())["pages"]
    return pages


def document_view(
    document: Document,
    signer: UrlSigner,
    ttl: float,
    lang: str,
    max_pages: int,
    page_sizes: list[dict[str, int]] | None = None,
) -> dict[str, Any]:
    """The JSON of one document; with ``page_sizes`` (the detail view) it lists every page's links."""
    text = catalogue_for(lang).text
    ready = document.render_state == RenderState.READY
    failure = None
    if document.render_failure:
        key = f"document.render_failed.{document.render_failure}"
        failure = {"code": document.render_failure, "message": text(key, max_pages=max_pages)}
    view: dict[str, Any] = {
        "id": document.id,
        "title": document.title,
        "shareable": document.shareable,
        "filename": document.original_filename,
        "kind": document.kind,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "revision": document.revision,
        "page_count": document.page_count,
        "render": {
            "state": document.render_state,
            "label": text(f"document.render_state.{document.render_state}"),
            "failure": failure,
        },
        "can_show": ready,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "download_url": download_url(signer, document, ttl),
        "thumbnail_url": page_url(signer, document, 1, ttl, thumb=True) if ready else None,
    }
    if page_sizes is not None:
        view["memo"] = document.memo
        view["pages"] = [
            {
                "number": number,
                "url": page_url(signer, document, number, ttl),
                "thumbnail_url": page_url(signer, document, number, ttl, thumb=True),
                "width": size["width"],
                "height": size["height"],
            }
            for number, size in enumerate(page_sizes, start=1)
        ]
    return view
