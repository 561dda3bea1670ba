"""Render workers under abuse: one contract's pile of files leaves a worker for the others, files
picked in a meeting have tighter limits than the library, and a degenerate page gets a clear
failure while the workers go on."""

from __future__ import annotations

import time
from contextlib import ExitStack, closing
from typing import Any

import httpx

from server.i18n import catalogue_for
from tests.support.documents import make_pdf
from tests.support.meeting import Meeting
from tests.support.rep import RepClient, log_in

SLIVER = make_pdf(1).replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 1 14400]")  # same length


def _states(library: RepClient, ids: list[str]) -> list[str]:
    return [library.get(f"/api/documents/{i}").json()["document"]["render"]["state"] for i in ids]


def test_a_contracts_pile_of_files_leaves_a_worker_for_another_contract(server_factory: Any) -> None:
    server = server_factory({"MENDAN_RENDER_WORKERS": "2"})
    server.create_account("flooder")
    server.create_account("other")  # another contract
    with closing(log_in(server, "flooder")) as flooder, closing(log_in(server, "other")) as other:
        pile = [flooder.uploaded(f"厚い資料{n}.pdf", make_pdf(60))["id"] for n in range(4)]
        small = other.uploaded("見積書.pdf", make_pdf(1))["id"]
        while other.get(f"/api/documents/{small}").json()["document"]["render"]["state"] != "ready":
            time.sleep(0.05)
        # Served as soon as it came: most of the pile had not even started.
        assert _states(flooder, pile).count("pending") >= 2
        for document_id in pile:
            assert flooder.wait_rendered(document_id, timeout=120)["render"]["state"] == "ready"


def test_files_picked_in_a_meeting_have_tighter_limits_than_the_library(server_factory: Any) -> None:
    server = server_factory({"MENDAN_MEETING_DOCUMENT_MAX_BYTES": "10000"})
    big = make_pdf(40)
    assert len(big) > 10000
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        picked = httpx.post(
            f"{server.url}/api/meeting-documents",
            files={"file": ("資料.pdf", big)},
            headers={"X-Mendan-Ticket": meeting.customer_ticket},
            timeout=30,
        )
        assert picked.status_code == 413, picked.text
        assert picked.json()["error"]["code"] == "document_too_large"
        with closing(log_in(server, "tanaka")) as library:
            assert library.upload("資料.pdf", big).status_code == 201  # the rep's library takes it


def test_a_degenerate_page_fails_clearly_and_the_workers_go_on(server_factory: Any) -> None:
    server = server_factory()
    server.create_account("tanaka")
    with closing(log_in(server, "tanaka")) as library:
        sliver = library.wait_rendered(library.uploaded("細長い.pdf", SLIVER)["id"])
        assert sliver["render"]["state"] == "failed"
        assert sliver["render"]["failure"]["code"] == "page_size"
        assert sliver["render"]["failure"]["message"] == catalogue_for("ja").text(
            "document.render_failed.page_size"
        )
        normal = library.wait_rendered(library.uploaded("通常.pdf", make_pdf(2))["id"])
        assert normal["render"]["state"] == "ready"
