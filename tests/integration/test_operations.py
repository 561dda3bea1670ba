"""R-10.3 against each backend: /healthz, /metrics, structured logs, graceful shutdown."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
import psycopg
import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import ServerFactory
from tests.support.backends import EMBEDDED, PostgresServer, RedisServer
from tests.support.clients import Rep, Socket, issue_number
from tests.support.server import METRICS_TOKEN, MendanServer

Opener = Callable[[MendanServer], Socket]


def _metric(text: str, name: str, labels: str = "") -> float:
    pattern = re.escape(name + (f"{{{labels}}}" if labels else "")) + r" ([0-9.e+]+)"
    found = re.search(pattern, text)
    assert found, f"{name}{{{labels}}} not in metrics:\n{text}"
    return float(found[1])


def test_healthz_reports_the_database_and_the_bus(server: MendanServer) -> None:
    response = httpx.get(f"{server.url}/healthz")
    assert response.status_code == 200
    assert response.json() | {"instance": "", "participants": 0} == {
        "ok": True,
        "database": "ok",
        "bus": "ok",
        "instance": "",
        "participants": 0,
    }


def test_metrics_count_meetings_sockets_messages_and_errors(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    issued = issue_number(server)
    issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host = open_socket(server)
    host.join(rep.claim(issued["number"]).json()["ticket"])
    host.send_raw("{not json")
    host.wait_type("error")
    assert rep.claim("1234").status_code == 400  # a wrong number: an error over HTTP
    text = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert _metric(text, "mendan_meetings", 'state="active"') == 1
    assert _metric(text, "mendan_meetings", 'state="waiting"') == 1
    assert _metric(text, "mendan_numbers_live") == 1
    assert _metric(text, "mendan_numbers_reserved") == 2
    assert _metric(text, "mendan_participants_connected") == 2
    assert _metric(text, "mendan_signaling_messages_in_total", 'type="join"') == 2
    assert _metric(text, "mendan_signaling_messages_out_total", 'type="joined"') == 2
    assert _metric(text, "mendan_signaling_messages_out_total", 'type="participant_joined"') >= 1
    assert _metric(text, "mendan_errors_total", 'code="malformed_message",transport="ws"') == 1
    assert _metric(text, "mendan_errors_total", 'code="invalid_number",transport="http"') == 1


def test_logs_are_one_json_object_per_line_with_the_extra_fields(server: MendanServer) -> None:
    issued = issue_number(server)
    server.stop()  # everything the instance had to say is written
    entries = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    assert entries, server.log()
    issued_entry = next(e for e in entries if e["message"] == "number issued")
    assert issued_entry["level"] == "info" and issued_entry["logger"] == "server.meeting.service"
    assert issued_entry["meeting"] == issued["meeting_id"] and issued_entry["time"]
    # Every line but the start banner is JSON.
    others = [line for line in server.log().splitlines() if not line.startswith("{")]
    assert len(others) == 1 and others[0].startswith("Mendan is running"), others


def test_graceful_shutdown_tells_sockets_to_come_back(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host_ticket = rep.claim(issued["number"]).json()["ticket"]
    open_socket(server).join(host_ticket)
    server.stop()
    with pytest.raises(ConnectionClosed) as closed:
        customer.wait_type("never")
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    server.start()
    assert open_socket(server).join(issued["ticket"])["meeting"]["state"] == "active"


def test_healthz_says_503_while_the_bus_or_the_database_is_down(
    backend: str, server_factory: ServerFactory, request: pytest.FixtureRequest
) -> None:
    if backend == EMBEDDED:
        # SQLite and the in-process bus live inside the process: nothing of them can go down alone.
        return
    redis = RedisServer().start()
    postgres: PostgresServer = request.getfixturevalue("postgres")
    database_url = postgres.create_database(template="mendan_template")
    server = server_factory({"MENDAN_REDIS_URL": redis.url, "MENDAN_DATABASE_URL": database_url})
    try:
        redis.stop()
        down = httpx.get(f"{server.url}/healthz", timeout=10)
        assert (down.status_code, down.json()["bus"], down.json()["database"]) == (503, "down", "ok")
    finally:
        redis.stop()
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")  # type: ignore[arg-type]
    down = httpx.get(f"{server.url}/healthz", timeout=10)
    assert (down.status_code, down.json()["database"]) == (503, "down")
