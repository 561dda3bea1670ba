"""Scheduled meetings (R-18) over a real server: booking, the customer's link, the .ics, starting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx
import icalendar

from tests.support.clients import Rep, Socket
from tests.support.server import MendanServer

Opener = Callable[[MendanServer], Socket]
TOKYO = ZoneInfo("Asia/Tokyo")


def local(minutes_from_now: float) -> str:
    """A datetime-local value in the server's time zone (Asia/Tokyo by default)."""
    return (dt.datetime.now(TOKYO) + dt.timedelta(minutes=minutes_from_now)).strftime("%Y-%m-%dT%H:%M")


def book(rep: Rep, starts_at: str, minutes: int = 30, customer: str = "山田 花子") -> httpx.Response:
    body = {
        "starts_at": starts_at,
        "minutes": minutes,
        "customer_name": customer,
        "company_name": "株式会社山田",
    }
    return rep.http.post("/api/scheduled", json=body, headers={"X-CSRF-Token": rep.csrf})


def test_a_booked_link_waits_for_the_rep_who_starts_it_from_the_list(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    booked = book(rep, local(1))
    assert booked.status_code == 201, booked.text
    slot = booked.json()["scheduled"]
    assert slot["link"].startswith(server.url + "/s/") and slot["waiting_number"] is None

    calendar = icalendar.Calendar.from_ical(rep.http.get(slot["ics_url"]).content)
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart").timestamp() == slot["starts_at"]
    assert event.decoded("dtend").timestamp() == slot["ends_at"] == slot["starts_at"] + 1800
    assert str(event["url"]) == slot["link"] and slot["link"] in str(event["description"])

    page = httpx.get(slot["link"])
    assert (
        page.status_code == 200 and "田中 太郎" in page.text and 'data-testid="scheduled-lead"' in page.text
    )
    key = slot["link"].rsplit("/", 1)[1]
    entered = httpx.post(f"{server.url}/api/scheduled/{key}/enter").json()
    customer = open_socket(server)
    customer.join(entered["ticket"])
    assert 0 < entered["expires_in"] <= 31 * 60  # the number lasts until the slot ends

    listed = rep.http.get("/api/scheduled").json()["scheduled"]
    assert [item["waiting_number"] for item in listed] == [entered["number"]]
    claimed = rep.claim(listed[0]["waiting_number"])
    assert claimed.status_code == 200, claimed.text
    assert customer.wait_type("meeting_started")["meeting"]["state"] == "active"


def test_links_open_only_in_their_slot_and_only_for_the_contract(server: MendanServer, rep: Rep) -> None:
    later = book(rep, local(120)).json()["scheduled"]
    key = later["link"].rsplit("/", 1)[1]
    early = httpx.post(f"{server.url}/api/scheduled/{key}/enter")
    assert early.status_code == 409 and early.json()["error"]["code"] == "schedule_not_open"
    assert "15分前" in early.json()["error"]["message"]

    server.create_account("rival")
    rival = Rep(server, "rival")
    now = book(rep, local(0)).json()["scheduled"]
    number = httpx.post(f"{server.url}/api/scheduled/{now['link'].rsplit('/', 1)[1]}/enter").json()["number"]
    assert rival.claim(number).json()["error"]["code"] == "invalid_number"  # another contract's
    assert rival.http.get(now["ics_url"]).status_code == 404
    refused = rival.http.post(f"/api/scheduled/{now['id']}/cancel", headers={"X-CSRF-Token": rival.csrf})
    assert refused.status_code == 404
    rival.close()

    cancelled = rep.http.post(f"/api/scheduled/{later['id']}/cancel", headers={"X-CSRF-Token": rep.csrf})
    assert cancelled.status_code == 200
    assert httpx.get(later["link"]).status_code == 404
    assert httpx.post(f"{server.url}/api/scheduled/{key}/enter").status_code == 404

    for bad in (
        book(rep, local(-60)),
        book(rep, local(10), minutes=5),
        book(rep, "tomorrow"),
        book(rep, local(5), customer=""),
    ):
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "schedule_invalid"
