"""The REST API under /api/v1 (R-18) with API tokens made in the portal, over a real server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx

from tests.support.clients import Rep, issue_number
from tests.support.documents import make_pdf
from tests.support.integrations import connect_webhook, eventually, new_token, portal_post
from tests.support.recordings import Recorder, live_webm, split
from tests.support.server import MendanServer
from tests.support.webhook_receiver import ScriptedReceiver


def api(server: MendanServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


def recorded_meeting(server: MendanServer, rep: Rep) -> tuple[str, str]:
    """(meeting id, recording id) of a meeting whose recording is finished."""
    recorder = Recorder(rep, server)
    recording_id = recorder.started()
    chunks = split(live_webm(2), 3)
    for seq, chunk in enumerate(chunks):
        assert recorder.put(recording_id, seq, chunk).status_code == 200
    assert recorder.finish(recording_id, len(chunks)).status_code == 200
    assert recorder.wait_finished(recording_id)["state"] == "ready"
    return recorder.meeting_id, recording_id


def test_a_token_reads_the_history_and_downloads_a_recording(
    server: MendanServer, receiver_of: Callable[..., ScriptedReceiver]
) -> None:
    server.create_account("tanaka", name="田中 太郎")
    server.create_account("rival")
    rep, rival = Rep(server, "tanaka"), Rep(server, "rival")
    receiver = receiver_of()
    connect_webhook(rep, receiver)
    meeting_id, recording_id = recorded_meeting(server, rep)
    other = rep.claim(issue_number(server)["number"]).json()["meeting_id"]
    theirs = rival.claim(issue_number(server)["number"]).json()["meeting_id"]
    reader = api(server, new_token(rep, "read"))

    listed = reader.get("/api/v1/meetings").json()
    assert listed["total"] == 2 and {m["id"] for m in listed["meetings"]} == {meeting_id, other}
    first_page = reader.get("/api/v1/meetings", params={"per_page": 1}).json()
    second_page = reader.get("/api/v1/meetings", params={"per_page": 1, "page": 2}).json()
    assert [first_page["total"], len(first_page["meetings"]), len(second_page["meetings"])] == [2, 1, 1]
    assert first_page["meetings"][0]["id"] != second_page["meetings"][0]["id"]
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    assert reader.get("/api/v1/meetings", params={"from": tomorrow}).json()["total"] == 0
    assert reader.get("/api/v1/meetings", params={"to": tomorrow}).json()["total"] == 2
    assert reader.get("/api/v1/meetings", params={"from": "yesterday"}).status_code == 400
    assert reader.get("/api/v1/meetings", params={"per_page": "1000"}).status_code == 400

    details = reader.get(f"/api/v1/meetings/{meeting_id}").json()["meeting"]
    assert details["recordings"][0]["download_path"] == f"/api/v1/recordings/{recording_id}/file"
    assert "chat" in details and details["participants"][1]["display_name"] == "田中 太郎"
    assert reader.get(f"/api/v1/meetings/{theirs}").status_code == 404  # another contract's

    # The webhook's recording.ready names the path the token downloads from, whole or in ranges.
    ready = eventually(lambda: [e for e in receiver.handled if e["type"] == "recording.ready"])
    path = ready[0]["data"]["recording"]["download_path"]
    whole = reader.get(path)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/webm"
    part = reader.get(path, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    rival_reader = api(server, new_token(rival, "read"))
    assert rival_reader.get(path).status_code == 404
    assert rival_reader.get(f"/api/v1/meetings/{meeting_id}").status_code == 404

    # A read-only token cannot upload; a read-write one can, through the library's own checks.
    pdf = {"file": ("提案書.pdf", make_pdf(), "application/pdf")}
    refused = reader.post("/api/v1/documents", data={"title": "提案書"}, files=pdf)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_allowed"
    writer = api(server, new_token(rep, "write"))
    uploaded = writer.post("/api/v1/documents", data={"title": "提案書"}, files=pdf)
    assert uploaded.status_code == 201, uploaded.text
    exe = writer.post("/api/v1/documents", data={"title": "x"}, files={"file": ("a.exe", b"MZ", "x/y")})
    assert exe.status_code == 415
    assert [d["title"] for d in reader.get("/api/v1/documents").json()["documents"]] == ["提案書"]

    # Revoked in the portal: 401 from then on; no token, a made-up one or the login cookie alone: 401.
    page = rep.http.get("/portal/integrations").text
    token_id = page.split('action="/portal/tokens/')[1].split("/revoke")[0]
    portal_post(rep, f"/portal/tokens/{token_id}/revoke")
    revoked = sum(c.get("/api/v1/meetings").status_code == 401 for c in (reader, writer))
    assert revoked == 1  # the newest token (listed first) was revoked, the other still works
    for stranger in (None, "mdn_made-up", "Basic dGFuYWthOmNvcnJlY3QtaG9yc2U="):
        with api(server, stranger) as client:
            assert client.get("/api/v1/meetings").status_code == 401
    assert rep.http.get("/api/v1/meetings").status_code == 401
    for client in (reader, writer, rival_reader):
        client.close()
    rep.close()
    rival.close()


def test_api_docs_are_served(server: MendanServer) -> None:
    described = httpx.get(f"{server.url}/api/docs").json()
    assert described["openapi"].startswith("3.") and "/api/v1/meetings" in described["paths"]


def test_tokens_are_limited_and_need_a_name_and_a_scope(server: MendanServer, rep: Rep) -> None:
    for bad in (
        {"name": "", "scope": "read"},
        {"name": "CRM", "scope": "admin"},
        {"name": "x" * 101, "scope": "read"},
    ):
        answer = rep.http.post("/portal/tokens", data={"csrf_token": rep.csrf, **bad})
        assert answer.status_code == 400 and "名前(100文字以内)と権限" in answer.text
    for index in range(20):
        new_token(rep, "read", name=f"token {index}")
    refused = rep.http.post(
        "/portal/tokens", data={"csrf_token": rep.csrf, "name": "one more", "scope": "read"}
    )
    assert (
        refused.status_code == 400
        and "20個まで" in refused.text
        and 'data-testid="new-token"' not in refused.text
    )
