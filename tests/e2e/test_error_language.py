"""A refused 見せる or 渡す reads in the page's own language: the server sends the error's code (and
values), and the page takes the text from its catalogue, so an English page shows English."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.document_steps import choose, library_pdf
from tests.e2e.meeting_steps import start_meeting, tid
from tests.support.rep import log_in as http_log_in

CATALOGUES = Path(__file__).resolve().parents[2] / "web" / "i18n"
EN = json.loads((CATALOGUES / "en.json").read_text(encoding="utf-8"))


def test_english_rep_sees_english_errors_for_show_and_give(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    library_pdf(server, "Guide", pages=1, shareable=True)
    customer, rep = person("customer"), person("rep")
    rep.context.add_cookies([{"name": "mendan_lang", "value": "en", "url": server.url}])
    start_meeting(customer, rep, server, "tanaka")
    expect(choose(rep, "Guide", "doc-give")).to_be_visible()

    with closing(http_log_in(server, "tanaka")) as library:  # meanwhile, in another window
        document_id = library.get("/api/documents").json()["documents"][0]["id"]
        changed = library.patch(
            f"/api/documents/{document_id}", json={"shareable": False}, headers=library.changing()
        )
        assert changed.status_code == 200, changed.text
        choose(rep, "Guide", "doc-give").click()
        expect(tid(rep, "doc-give-status")).to_have_text(EN["error.document_not_shareable"])

        removed = library.delete(f"/api/documents/{document_id}", headers=library.changing())
        assert removed.status_code == 200, removed.text
        choose(rep, "Guide", "doc-show").click()
        expect(tid(rep, "notice")).to_have_text(EN["error.not_found"])
