"""A long history is answered a page at a time (and the CSV streamed), so one rep ID with years of
meetings cannot make the server build one huge answer."""

from __future__ import annotations

from typing import Any

from tests.support.clients import Rep, issue_number


def test_history_comes_in_pages_and_the_csv_has_every_meeting(server_factory: Any) -> None:
    server = server_factory({"MENDAN_ISSUE_LIMIT": "1000/600", "MENDAN_ISSUE_NETWORK_LIMIT": "1000/600"})
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    try:
        for _ in range(60):
            assert rep.claim(issue_number(server)["number"]).status_code == 200

        first = rep.http.get("/api/history").json()
        assert len(first["meetings"]) == 50 and first["next"]
        rest = rep.http.get("/api/history", params={"after": first["next"]}).json()
        assert len(rest["meetings"]) == 10 and rest["next"] is None
        ids = [m["id"] for m in first["meetings"] + rest["meetings"]]
        assert len(set(ids)) == 60

        for bad in ({"limit": "100000"}, {"limit": "0"}, {"after": "yesterday"}):
            answer = rep.http.get("/api/history", params=bad)
            assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_request"

        csv = rep.http.get("/api/history.csv")
        assert csv.status_code == 200 and csv.text.startswith("\ufeff")
        assert len(csv.text.strip().split("\r\n")) == 61  # the header and every meeting
    finally:
        rep.close()
