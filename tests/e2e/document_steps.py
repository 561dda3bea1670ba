"""What people do with documents in a meeting, step by step: choose, see a page, share a file."""

from __future__ import annotations

import re
from contextlib import closing

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.meeting_steps import tid
from tests.support.documents import make_pdf
from tests.support.rep import log_in as http_log_in


def choose(page: Page, title: str, test_id: str):  # type: ignore[no-untyped-def]
    """A button (doc-show / doc-give) in the room's row of the document with ``title``."""
    return tid(page, "doc-choice").filter(has_text=title).get_by_test_id(test_id)


def page_image_loaded(page: Page, number: int) -> None:
    """The shown page is page ``number``, and its image really loaded (naturalWidth > 0)."""
    image = tid(page, "doc-page")
    expect(image).to_have_attribute("src", re.compile(rf"/pages/{number}\.jpg\?exp=\d+&sig="))
    expect(image).to_have_attribute("data-loaded", "true")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1280


def file_payload(name: str, data: bytes) -> dict[str, object]:
    """A file for set_input_files, given by its name and bytes."""
    return {"name": name, "mimeType": "application/octet-stream", "buffer": data}


def library_pdf(server, title: str, pages: int, memo: str = "", shareable: bool = False) -> bytes:  # type: ignore[no-untyped-def]
    data = make_pdf(pages, title.encode("ascii", "ignore").decode() or "Mendan")
    with closing(http_log_in(server, "tanaka")) as library:
        document = library.uploaded("資料.pdf", data, title=title, memo=memo, shareable=shareable)
        assert library.wait_rendered(document["id"])["render"]["state"] == "ready"
    return data


def point_at(rep: Page, customer: Page, fx: float, fy: float) -> None:
    """Moves the rep's mouse to (fx, fy) of the page until the customer's hand is there.

    Measured again on each try: the rep's layout can still settle (remote video arriving resizes
    the stage) between measuring the page and the mouse reaching it, and a person whose hand
    missed simply moves the mouse again.
    """
    for _ in range(5):
        sheet = tid(rep, "doc-page").bounding_box()
        assert sheet is not None
        x, y = sheet["x"] + fx * sheet["width"], sheet["y"] + fy * sheet["height"]
        rep.mouse.move(x - 6, y - 6)
        rep.mouse.move(x, y, steps=4)
        try:
            customer.wait_for_function(
                """([fx, fy]) => {
                    const hand = document.getElementById('doc-pointer');
                    return !hand.hidden
                        && Math.abs(hand.dataset.x - fx) < 0.02 && Math.abs(hand.dataset.y - fy) < 0.02;
                }""",
                arg=[fx, fy],
                timeout=3000,
            )
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(f"the customer's hand never reached ({fx}, {fy})")


def share_from_this_computer(page: Page, filename: str, data: bytes) -> None:
    """資料共有: pick a file in the meeting and wait until it is ready to show or give."""
    tid(page, "doc-share-file").set_input_files(file_payload(filename, data))
    title = filename.rsplit(".", 1)[0]
    expect(tid(page, "doc-choice").filter(has_text=title)).to_have_attribute(
        "data-state", "ready", timeout=30000
    )


def show_and_turn(presenter: Page, viewer: Page, title: str) -> None:
    """見せる page 1, turn to page 2: the viewer's screen follows with the real images."""
    choose(presenter, title, "doc-show").click()
    page_image_loaded(viewer, 1)
    tid(presenter, "doc-next").click()
    page_image_loaded(viewer, 2)
