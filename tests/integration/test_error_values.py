"""Errors carry their code and the values their text names, over HTTP and WebSocket alike, so a
page can show the text from its own catalogue (an English page in English)."""

from __future__ import annotations

from contextlib import closing

from server.documents.store import MAX_TITLE_CHARS
from tests.support.clients import Socket
from tests.support.documents import make_pdf
from tests.support.rep import log_in
from tests.support.server import MendanServer


def test_http_and_websocket_errors_carry_code_and_values(server: MendanServer) -> None:
    server.create_account("tanaka")
    with closing(log_in(server, "tanaka")) as library:
        refused = library.upload("a.pdf", make_pdf(1), title="x" * (MAX_TITLE_CHARS + 1))
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "document_title_too_long"
    assert error["values"] == {"max_chars": MAX_TITLE_CHARS}

    with closing(Socket(server)) as socket:
        reply = socket.request(type="show_document", document_id="nothing", page=1)  # before joining
    assert reply["type"] == "error" and reply["error"]["values"] == {}
    assert reply["error"]["code"] == "not_joined"
