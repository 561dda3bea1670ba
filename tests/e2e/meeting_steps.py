"""What a customer and a rep do on the pages, step by step, through the CONTRACT's test ids."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.support.server import MendanServer

PASSWORD = "correct-horse"


def tid(page: Page, test_id: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id(test_id)


def issue_number(page: Page, server: MendanServer) -> str:
    page.goto(server.url + "/")
    tid(page, "start-meeting").click()
    number = tid(page, "connection-number")
    expect(number).to_have_text(re.compile(r"^\d{5}$"))
    return number.inner_text()


def log_in(page: Page, server: MendanServer, login: str, password: str = PASSWORD) -> None:
    page.goto(server.url + "/login")
    tid(page, "login-id").fill(login)
    tid(page, "login-password").fill(password)
    tid(page, "login-submit").click()
    page.wait_for_url("**/rep")


def connect(page: Page, number: str, recording: bool = False) -> None:
    tid(page, "number-input").fill(number)
    tid(page, "recording-yes" if recording else "recording-no").check()
    tid(page, "connect-button").click()


def start_meeting(customer: Page, rep: Page, server: MendanServer, login: str) -> str:
    """Customer issues a number, the rep connects, the customer starts media. Returns the number."""
    number = issue_number(customer, server)
    log_in(rep, server, login)
    connect(rep, number)
    tid(customer, "start-media").click()
    return number


def remote_frames(page: Page) -> dict[str, int]:
    """framesDecoded of each remote video, by participant id, from the real RTCPeerConnections."""
    result: dict[str, int] = page.evaluate(
        """async () => {
            const connections = Mendan.debug.peerConnections ? Mendan.debug.peerConnections() : {};
            const out = {};
            for (const id of Object.keys(connections)) {
                // Firefox never settles getStats() on a connection closed meanwhile (a link the mesh
                // replaced): give up on that one rather than hang the test.
                const late = new Promise((resolve) => setTimeout(() => resolve(null), 2000));
                const stats = await Promise.race([connections[id].getStats(), late]);
                if (!stats) continue;
                stats.forEach((r) => {
                    if (r.type === 'inbound-rtp' && r.kind === 'video') out[id] = r.framesDecoded;
                });
            }
            return out;
        }"""
    )
    return result


def wait_for_advancing_video(page: Page, remotes: int = 1, timeout: float = 20.0) -> dict[str, int]:
    """Wait until every one of ``remotes`` remote videos decodes frames and keeps decoding."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        first = remote_frames(page)
        if len(first) >= remotes and all(count > 0 for count in first.values()):
            time.sleep(1.0)
            second = remote_frames(page)
            if all(second.get(pid, 0) > count for pid, count in first.items()):
                return second
        time.sleep(0.25)
    raise AssertionError(f"remote video is not advancing: {remote_frames(page)}")


def invite_url(rep: Page) -> str:
    tid(rep, "invite-button").click()
    field = tid(rep, "invite-url")
    expect(field).to_have_value(re.compile(r"/invite/"))
    return field.input_value()


def join_by_invite(page: Page, url: str, name: str) -> None:
    page.goto(url)
    tid(page, "display-name").fill(name)
    tid(page, "join-button").click()


def selected_candidate_types(page: Page) -> list[str]:
    """The local candidate type of each peer connection's selected pair ('host', 'relay', …)."""
    result: list[str] = page.evaluate(
        """async () => {
            const out = [];
            for (const pc of Object.values(Mendan.debug.peerConnections())) {
                const stats = await pc.getStats();
                let pair = null;
                stats.forEach((r) => {
                    if (r.type === 'transport' && r.selectedCandidatePairId) {
                        pair = stats.get(r.selectedCandidatePairId);
                    }
                });
                out.push(pair ? stats.get(pair.localCandidateId).candidateType : 'none');
            }
            return out;
        }"""
    )
    return result


def wait_for_audio(page: Page, remotes: int = 1, timeout: float = 15.0) -> list[float]:
    """Wait until audio from ``remotes`` others arrives with a non-zero level (energy)."""
    deadline = time.monotonic() + timeout
    levels: list[float] = []
    while time.monotonic() < deadline:
        levels = page.evaluate(
            """async () => {
                const out = [];
                for (const pc of Object.values(Mendan.debug.peerConnections())) {
                    const stats = await pc.getStats();
                    stats.forEach((r) => {
                        if (r.type === 'inbound-rtp' && r.kind === 'audio') out.push(r.totalAudioEnergy || 0);
                    });
                }
                return out;
            }"""
        )
        if len(levels) >= remotes and all(level > 0 for level in levels):
            return levels
        time.sleep(0.25)
    raise AssertionError(f"no audio level from the others: {levels}")
