"""R-10.2 and R-10.3 in real browsers: two instances sharing PostgreSQL and Redis.

The customer reaches instance A and the rep instance B, each through a load balancer that prefers
its own instance and fails over to the other (as a deployment's balancer does). When A stops, the
customer's page re-joins through its balancer on B and the meeting goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.e2e.meeting_steps import connect, issue_number, log_in, tid, wait_for_advancing_video
from tests.support.backends import POSTGRES_REDIS
from tests.support.proxy import TcpProxy


@pytest.fixture
def backend() -> str:
    return POSTGRES_REDIS


@dataclass
class Site:
    """What the pages are opened at: a balancer's URL (the steps only need ``url``)."""

    url: str


@pytest.fixture
def balancers() -> Iterator[list[TcpProxy]]:
    made: list[TcpProxy] = []
    yield made
    for balancer in made:
        balancer.stop()


def test_a_meeting_across_two_instances_survives_one_stopping(server_factory, person, balancers):  # type: ignore[no-untyped-def]
    a = server_factory()
    b = server_factory(instance_of=a)
    a.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    to_a = TcpProxy([a.port, b.port]).start()
    to_b = TcpProxy([b.port, a.port]).start()
    balancers += [to_a, to_b]

    customer, rep = person("customer"), person("rep")
    number = issue_number(customer, Site(to_a.url))  # type: ignore[arg-type]
    log_in(rep, Site(to_b.url), "tanaka")  # type: ignore[arg-type]
    connect(rep, number)
    tid(customer, "start-media").click()
    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    assert set(to_a.routed) == {a.port} and set(to_b.routed) == {b.port}

    a.stop()  # graceful: A tells its sockets to come back (1012), its balancer now picks B
    expect(tid(customer, "notice")).to_have_text("再接続しました", timeout=20000)
    expect(tid(rep, "roster-entry").filter(has_text="再接続中")).to_have_count(0)
    assert to_a.routed[-1] == b.port
    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected")
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")

    # Signaling still carries the meeting: chat both ways, now through B alone.
    tid(customer, "chat-input").fill("聞こえますか")
    tid(customer, "chat-send").click()
    expect(tid(rep, "chat-message")).to_contain_text(["聞こえますか"])
    tid(rep, "chat-input").fill("はい、聞こえます")
    tid(rep, "chat-send").click()
    expect(tid(customer, "chat-message")).to_have_count(2)
