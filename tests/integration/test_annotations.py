"""書き込み over real sockets: strokes reach the others, per page, undo and clear, who may draw, and
what an attacker tries (huge strokes, other pages, drawing unasked, a flood)."""

from __future__ import annotations

import json
from contextlib import ExitStack, closing
from typing import Any

import pypdfium2

from tests.support.documents import make_pdf
from tests.support.meeting import Meeting
from tests.support.rep import log_in
from tests.support.server import MendanServer


def _shown(meeting: Meeting, pages: int = 3) -> dict[str, Any]:
    with closing(log_in(meeting.server, "tanaka")) as library:
        uploaded = library.uploaded("案内.pdf", make_pdf(pages))
        assert library.wait_rendered(uploaded["id"])["render"]["state"] == "ready"
    assert meeting.host.request(type="show_document", document_id=uploaded["id"])["type"] == "ok"
    shown: dict[str, Any] = meeting.customer.wait_type("document_shown")["document"]
    meeting.host.wait_type("document_shown")
    return shown


def _stroke(stroke_id: str, points: list[list[float]] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "stroke_id": stroke_id,
        "tool": "pen",
        "color": "#d92b2b",
        "width": 3,
        "points": points or [[0.1, 0.1], [0.2, 0.25]],
        **fields,
    }


def test_strokes_reach_the_others_per_page_with_undo_and_clear(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        shown = _shown(meeting)
        show = shown["show_id"]
        host, customer = meeting.host, meeting.customer

        for piece in ([[0.1, 0.1], [0.2, 0.2]], [[0.2, 0.2], [0.3, 0.1]]):  # one stroke in two pieces
            ok = host.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("a", piece))
            assert ok["type"] == "ok"
        for expected in ([[0.1, 0.1], [0.2, 0.2]], [[0.2, 0.2], [0.3, 0.1]]):
            drawn = customer.wait_type("stroke_drawn")["drawn"]
            assert (drawn["show_id"], drawn["page"], drawn["participant_id"]) == (show, 1, meeting.host_id)
            assert drawn["stroke"]["points"] == expected
        assert not [m for m in host.nothing_arrives(0.3) if m["type"] == "stroke_drawn"]  # not echoed
        host.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("b", tool="highlighter"))

        # A latecomer gets the page's strokes in its snapshot, in the order they were drawn.
        again = meeting.socket()
        customer.close()
        joined = again.join(meeting.customer_ticket)
        assert [s["stroke"]["stroke_id"] for s in joined["strokes"]] == ["a", "a", "b"]
        assert joined["drawing_allowed"] is False

        # Undo takes the whole latest stroke; page 2 starts blank; page 1 keeps its strokes.
        assert host.request(type="undo_stroke", show_id=show, page=1)["type"] == "ok"
        assert again.wait_type("stroke_removed")["stroke_id"] == "b"
        host.request(type="turn_page", page=2)
        again.wait_type("document_shown")
        assert again.request(type="get_strokes", show_id=show, page=2)["strokes"] == []
        back = again.request(type="get_strokes", show_id=show, page=1)["strokes"]
        assert [s["stroke"]["stroke_id"] for s in back] == ["a", "a"]
        host.request(type="turn_page", page=1)
        assert host.request(type="clear_strokes", show_id=show, page=1)["type"] == "ok"
        assert again.wait_type("strokes_cleared")["page"] == 1
        assert again.request(type="get_strokes", show_id=show, page=1)["strokes"] == []

        # 閉じる: the next show of the same document starts blank.
        host.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("c"))
        host.request(type="close_document")
        host.request(type="show_document", document_id=shown["document_id"])
        reshown = again.wait(lambda m: m["type"] == "document_shown" and m["document"]["show_id"] != show)
        reshown = reshown["document"]
        assert again.request(type="get_strokes", show_id=reshown["show_id"], page=1)["strokes"] == []


def test_the_rep_decides_whether_the_customer_draws(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        show = _shown(meeting)["show_id"]
        customer, host = meeting.customer, meeting.host

        refused = customer.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("x"))
        assert refused["error"]["code"] == "not_allowed"
        assert customer.request(type="allow_drawing", allowed=True)["error"]["code"] == "not_allowed"
        assert host.request(type="allow_drawing", allowed=True)["type"] == "ok"
        assert customer.wait_type("drawing_allowed")["allowed"] is True
        assert customer.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("x"))["type"] == "ok"
        assert host.wait_type("stroke_drawn")["drawn"]["participant_id"] == meeting.customer_id
        # The customer undoes only their own; clearing the page is the rep's.
        host.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("h"))
        customer.request(type="undo_stroke", show_id=show, page=1)
        assert host.wait_type("stroke_removed")["stroke_id"] == "x"
        assert customer.request(type="clear_strokes", show_id=show, page=1)["error"]["code"] == "not_allowed"
        host.request(type="allow_drawing", allowed=False)
        refused = customer.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("y"))
        assert refused["error"]["code"] == "not_allowed"


def test_what_an_attacker_sends_is_refused_and_the_socket_stays(server_factory: Any) -> None:
    server = server_factory({"MENDAN_STROKE_LIMIT": "20/3600"})  # no refill during the test
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        host = meeting.host
        nothing_shown = host.request(type="draw_stroke", show_id=1, page=1, stroke=_stroke("a"))
        assert nothing_shown["error"]["code"] == "page_not_shown"
        show = _shown(meeting)["show_id"]

        def refused(**fields: Any) -> str:
            reply = host.request(type="draw_stroke", **{"show_id": show, "page": 1, **fields})
            code: str = reply["error"]["code"]
            return code

        assert refused(page=2, stroke=_stroke("a")) == "page_not_shown"  # not the page shown now
        assert refused(show_id=show + 1, stroke=_stroke("a")) == "page_not_shown"
        too_many_points = [[0.5, 0.5]] * 65
        assert refused(stroke=_stroke("a", too_many_points)) == "malformed_message"
        assert refused(stroke=_stroke("a", [[1.5, 0.5]])) == "malformed_message"
        assert refused(stroke=_stroke("a", width=500)) == "malformed_message"
        assert refused(stroke=_stroke("a", color="red; background:url(x)")) == "malformed_message"
        assert refused(stroke=_stroke("a", tool="flamethrower")) == "malformed_message"
        assert refused(stroke=_stroke("x" * 33)) == "malformed_message"
        huge = json.dumps({"v": 1, "type": "draw_stroke", "show_id": show, "page": 1, "pad": "x" * 70000})
        host.send_raw(huge)
        assert host.wait_type("error")["error"]["code"] == "message_too_large"

        # A flood: past the burst, pieces are refused (the refusals for other pages counted).
        codes = []
        for index in range(20):
            host.send(type="draw_stroke", request_id=f"f{index}", show_id=show, page=1, stroke=_stroke("f"))
        for index in range(20):
            reply = host.wait(lambda m, i=index: m.get("request_id") == f"f{i}")
            codes.append(reply["error"]["code"] if reply["type"] == "error" else "ok")
        assert codes == ["ok"] * 17 + ["strokes_too_fast"] * 3, codes  # 3 went to the refusals above
        assert host.request(type="ping")["type"] == "ok"


def test_the_annotated_pages_are_kept_as_a_pdf_for_the_rep(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        show = _shown(meeting, pages=3)["show_id"]
        host = meeting.host
        across = [[0.1, 0.5], [0.9, 0.5]]
        host.request(type="draw_stroke", show_id=show, page=1, stroke=_stroke("kept", across, width=20))
        host.request(
            type="draw_stroke", show_id=show, page=1, stroke=_stroke("undone", [[0.5, 0.1], [0.5, 0.9]])
        )
        host.request(type="undo_stroke", show_id=show, page=1)
        host.request(type="turn_page", page=3)
        host.request(type="draw_stroke", show_id=show, page=3, stroke=_stroke("p3", tool="highlighter"))
        host.request(type="close_document")  # 閉じる ends the show; the pages stay in the history

        http = meeting.rep.http
        minutes = http.get(f"/rep/meetings/{meeting.meeting_id}/minutes").text
        assert f"/rep/meetings/{meeting.meeting_id}/annotated.pdf" in minutes
        response = http.get(f"/rep/meetings/{meeting.meeting_id}/annotated.pdf")
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        pdf = pypdfium2.PdfDocument(response.content)
        assert len(pdf) == 2  # pages 1 and 3: the pages drawn on, in the order they were
        picture = pdf[0].render(scale=1).to_pil().convert("RGB")
        width, height = picture.size
        red = picture.getpixel((width // 4, height // 2))  # on the kept stroke
        assert isinstance(red, tuple) and red[0] > 180 and red[1] < 90 and red[2] < 90, red
        blank = picture.getpixel((width // 2, height // 4))  # where the undone stroke was
        assert isinstance(blank, tuple) and min(blank) > 200, blank
        pdf.close()

        server.create_account("suzuki", name="鈴木")
        with closing(log_in(server, "suzuki")) as other:
            assert other.get(f"/rep/meetings/{meeting.meeting_id}/annotated.pdf").status_code == 404
