"""The mesh keeps each link in step across engines (web/static/js/mesh.js, docs/negotiation.md).

A side that opens a new peer connection is followed by the other, whichever side and engine it is;
a link whose packets are cut comes back by itself, and the other links are left alone.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.e2e.meeting_steps import (
    invite_url,
    join_by_invite,
    start_meeting,
    tid,
    wait_for_advancing_video,
)
from tests.support.links import generations, local_ports, mesh_actions, self_id, udp_cut


def negotiation_errors(messages: list[str]) -> list[str]:
    return [m for m in messages if "description failed" in m or "SSL role" in m]


def collect_console(pages: list[Page]) -> list[str]:
    messages: list[str] = []
    for page in pages:
        page.on("console", lambda message: messages.append(message.text))
    return messages


def test_a_new_connection_from_either_side_is_followed(server, person):
    """Firefox and Chromium: the answerer, then the offerer, then both at once open a new peer
    connection. Each time both sides end on one new generation and video flows both ways — where
    the old pages applied the new offer to the old connection and froze on the DTLS role."""
    server.create_account("tanaka")
    customer, rep = person("customer", engine="firefox"), person("rep")
    logs = collect_console([customer, rep])
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    ids = {customer: self_id(customer), rep: self_id(rep)}
    offerer, answerer = (customer, rep) if ids[customer] < ids[rep] else (rep, customer)
    other = {customer: ids[rep], rep: ids[customer]}

    for rebuilding in ([answerer], [offerer], [customer, rep]):
        before = {page: generations(page)[other[page]] for page in (customer, rep)}
        for page in rebuilding:
            page.evaluate("(id) => Mendan.debug.rebuildLink(id, 'test')", other[page])
        for page in (customer, rep):
            wait_for_advancing_video(page, timeout=30)
        after = {page: generations(page)[other[page]] for page in (customer, rep)}
        assert all(after[page] != before[page] for page in (customer, rep)), (before, after)
        # One conversation: each side's link talks to the other's current connection.
        for page in (customer, rep):
            remote = page.evaluate("(id) => Mendan.debug.generations()[id].remote", other[page])
            peer = rep if page is customer else customer
            assert remote == after[peer]
    assert negotiation_errors(logs) == []


def test_a_cut_link_comes_back_and_the_others_are_left_alone(server, person):
    """Three people; the rep's link to the customer loses every packet for 8 s. It comes back on
    its own, and the two links to the guest keep their connection the whole time."""
    server.create_account("tanaka")
    customer, rep = person("customer", engine="firefox"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    guest = person("guest")
    join_by_invite(guest, invite_url(rep), "山田 花子")
    for page in (customer, rep, guest):
        wait_for_advancing_video(page, remotes=2, timeout=30)
    customer_id, guest_id = self_id(customer), self_id(guest)
    untouched = (generations(rep)[guest_id], generations(guest)[self_id(rep)])
    ports = local_ports(rep, customer_id)
    assert ports, "the rep's link to the customer has no candidates"

    with udp_cut(ports):
        time.sleep(8)
    for page in (customer, rep, guest):
        wait_for_advancing_video(page, remotes=2, timeout=30)
    assert (generations(rep)[guest_id], generations(guest)[self_id(rep)]) == untouched
    # Coming back without the watchdog would mean the cut did not cut.
    assert mesh_actions(rep) + mesh_actions(customer) > 0
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")
