"""Scheduled meetings over HTTP: the rep books, lists, cancels and gets the .ics; the customer's
link (/s/<key>) is the start page, whose 商談に入る opens a waiting meeting in the slot."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.client_address import client_address
from server.db.models import ScheduledMeeting
from server.errors import MendanError
from server.i18n import catalogue_for
from server.request_json import json_body
from server.services import services
from server.templating import render
from server.web_context import language, public_base_url, require_csrf, require_rep

from .schedule import Booking, Schedule, Upcoming


def _schedule(request: Request) -> Schedule:
    schedule: Schedule = services(request).schedule
    return schedule


def link_of(request: Request, slot: ScheduledMeeting) -> str:
    return f"{public_base_url(request, services(request).settings)}/s/{slot.link_key}"


def _view(request: Request, item: Upcoming) -> dict[str, Any]:
    slot, schedule = item.slot, _schedule(request)
    return {
        "id": slot.id,
        "customer_name": slot.customer_name,
        "company_name": slot.company_name,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "when": f"{schedule.local(slot.starts_at):%Y-%m-%d %H:%M}–{schedule.local(slot.ends_at):%H:%M}",
        "link": link_of(request, slot),
        "ics_url": f"/api/scheduled/{slot.id}/invite.ics",
        "waiting_number": item.waiting_number,
    }


async def list_upcoming(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    items = await _schedule(request).upcoming(rep.account_id)
    return JSONResponse({"ok": True, "scheduled": [_view(request, item) for item in items]})


async def book(request: Request) -> JSONResponse:
    """JSON: starts_at (YYYY-MM-DDTHH:MM in the server's time zone), minutes, customer_name, company_name."""
    rep = await require_rep(request)
    await require_csrf(request)
    data = await json_body(request)
    starts, minutes = data.get("starts_at"), data.get("minutes")
    customer, company = data.get("customer_name", ""), data.get("company_name", "")
    if not isinstance(starts, str) or not isinstance(minutes, int) or isinstance(minutes, bool):
        raise MendanError(ErrorCode.SCHEDULE_INVALID)
    if not isinstance(customer, str) or not isinstance(company, str):
        raise MendanError(ErrorCode.SCHEDULE_INVALID)
    schedule = _schedule(request)
    slot = await schedule.book(rep, schedule.parse_local(starts), minutes, customer, company)
    return JSONResponse({"ok": True, "scheduled": _view(request, Upcoming(slot, None))}, status_code=201)


async def cancel(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    await require_csrf(request)
    await _schedule(request).cancel(rep.account_id, request.path_params["slot_id"])
    return JSONResponse({"ok": True})


def _texts(request: Request, booking: Booking) -> tuple[str, str]:
    """The line the customer reads (page and calendar): who, and when."""
    t = catalogue_for(language(request)).text
    slot, host = booking.slot, booking.host
    local = _schedule(request).local
    when = f"{local(slot.starts_at):%Y-%m-%d %H:%M}–{local(slot.ends_at):%H:%M}"
    if host.company_name:
        return t("scheduled.page_lead", host=host.display_name, company=host.company_name, when=when), when
    return t("scheduled.page_lead_no_company", host=host.display_name, when=when), when


async def invite_ics(request: Request) -> Response:
    rep = await require_rep(request)
    schedule = _schedule(request)
    slot = await schedule.owned(rep.account_id, request.path_params["slot_id"])
    t = catalogue_for(language(request)).text
    url = link_of(request, slot)
    body = schedule.ics(
        slot,
        rep,
        url,
        t("scheduled.ics_summary", host=rep.company_name or rep.display_name),
        t("scheduled.ics_description", url=url),
    )
    headers = {"Content-Disposition": 'attachment; filename="mendan-meeting.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


async def customer_page(request: Request) -> Response:
    """The customer's link: the start page, entering the booked slot instead of issuing a number."""
    schedule = _schedule(request)
    try:
        booking = await schedule.booking(request.path_params["key"])
    except MendanError:
        return render(request, "start.html", status=404, page_error="error.not_found", closed=True)
    lead, _ = _texts(request, booking)
    error = None
    if schedule.clock.now() >= booking.slot.ends_at:
        error = "scheduled.expired"
    config = {"scheduled": booking.slot.link_key}
    return render(
        request,
        "start.html",
        scheduled_lead=lead,
        page_error=error,
        closed=error is not None,
        page_config=config,
    )


async def enter(request: Request) -> JSONResponse:
    issued = await _schedule(request).enter(request.path_params["key"], client_address(request))
    return JSONResponse(
        {
            "ok": True,
            "number": issued.number,
            "expires_at": issued.expires_at,
            "expires_in": max(0.0, issued.expires_at - services(request).clock.now()),
            "ticket": issued.ticket,
            "meeting_id": issued.meeting_id,
        }
    )


routes = [
    Route("/s/{key}", customer_page, methods=["GET"]),
    Route("/api/scheduled/{key}/enter", enter, methods=["POST"]),
    Route("/api/scheduled", list_upcoming, methods=["GET"]),
    Route("/api/scheduled", book, methods=["POST"]),
    Route("/api/scheduled/{slot_id}/cancel", cancel, methods=["POST"]),
    Route("/api/scheduled/{slot_id}/invite.ics", invite_ics, methods=["GET"]),
]
