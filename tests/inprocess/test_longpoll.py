"""The same SignalingSession over HTTP long polling, in process: a client that stops polling is
closed like a dropped socket once its idle time has passed on the clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from server.signaling.longpoll import IDLE_LIMIT
from tests.support.inprocess import InProcessApp, InProcessRep, InProcessSocket


def test_a_polling_customer_who_stops_polling_counts_as_dropped(
    app: InProcessApp, rep: InProcessRep, open_socket: Callable[[], InProcessSocket]
) -> None:
    issued = app.client.post("/api/numbers").json()
    session = app.client.post("/signal/open").json()["session"]
    join = {"v": 1, "type": "join", "request_id": "j1", "ticket": issued["ticket"]}
    assert (
        app.client.post(f"/signal/{session}/send", json={"messages": [json.dumps(join)]}).status_code == 200
    )
    polled: list[dict[str, Any]] = app.client.get(f"/signal/{session}/poll").json()["messages"]
    assert [m["type"] for m in polled] == ["joined"]

    host = open_socket()
    host.join(rep.claim(issued["number"]).json()["ticket"])
    app.sweep()  # polled just now: still there (and the rep joining gave it news to poll)
    assert app.client.get(f"/signal/{session}/poll").json()["closed"] is False
    app.clock.advance(IDLE_LIMIT + 1)
    app.sweep()
    update = host.wait(
        lambda m: m["type"] == "participant_updated" and m["participant"]["role"] == "customer"
    )
    assert update["participant"]["state"] == "reconnecting"
    gone = app.client.get(f"/signal/{session}/poll")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
