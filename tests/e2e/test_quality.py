"""The connection quality indicator (web/static/js/quality.js): a link that loses packets shows on
the tile of the person at its other end, on both sides, and advice follows when it stays bad."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.meeting_steps import start_meeting, tid, wait_for_advancing_video
from tests.support.engines import PHONE
from tests.support.links import local_ports, self_id, udp_loss

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def quality_of(page: Page, participant_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-testid=connection-quality][data-participant="{participant_id}"]')


def test_a_lossy_link_turns_the_indicator_bad_and_brings_the_phone_advice(server, person):
    """A customer on a phone loses 30 % of what arrives (iptables, random); the customer's tile of
    the rep turns bad, and so does the rep's tile of the customer (from the customer's reports);
    the advice offers camera off and the phone; once the loss stops, both go back to good."""
    server.create_account("tanaka")
    customer, rep = person("customer", **PHONE), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    customer_id, rep_id = self_id(customer), self_id(rep)
    seen_by_customer, seen_by_rep = quality_of(customer, rep_id), quality_of(rep, customer_id)
    expect(seen_by_customer).to_have_attribute("data-level", "good")
    expect(seen_by_rep).to_have_attribute("data-level", "good")
    expect(tid(customer, "quality-advice")).to_be_hidden()

    with udp_loss(local_ports(customer, rep_id), 0.3):
        expect(seen_by_customer).to_have_attribute("data-level", "bad")
        expect(seen_by_rep).to_have_attribute("data-level", "bad")
        advice = tid(customer, "quality-advice")
        expect(advice).to_be_visible(timeout=30000)
        rep_name = customer.evaluate("(id) => Mendan.debug.displayName(id)", rep_id)
        expect(advice).to_contain_text(rep_name)
        box = advice.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits the phone
        SHOTS.mkdir(exist_ok=True)
        customer.screenshot(path=str(SHOTS / "quality-phone-bad.png"))
        rep.screenshot(path=str(SHOTS / "quality-rep-bad.png"))
        tid(customer, "quality-phone").tap()
        expect(customer.locator(".phone-help")).to_have_attribute("open", "")
        tid(customer, "quality-camera-off").tap()
        expect(tid(customer, "camera-toggle")).to_have_attribute("aria-pressed", "false")

    expect(seen_by_customer).to_have_attribute("data-level", "good", timeout=30000)
    expect(seen_by_rep).to_have_attribute("data-level", "good", timeout=30000)
    expect(tid(customer, "quality-advice")).to_be_hidden()
