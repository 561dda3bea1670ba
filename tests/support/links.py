"""The mesh's links seen from outside the pages: their generations, their UDP ports, and a cut."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page

GENERATIONS = """() => {
    const out = {};
    for (const [id, generation] of Object.entries(Mendan.debug.generations())) out[id] = generation.id;
    return out;
}"""

# Every local UDP port a link gathered candidates on (a cut of only the selected pair's port is
# routed around by ICE itself, over the other interface's pair).
LOCAL_PORTS = """async (remoteId) => {
    const stats = await Mendan.debug.peerConnections()[remoteId].getStats();
    const ports = new Set();
    stats.forEach((r) => {
        if (r.type === 'local-candidate' && r.protocol === 'udp' && r.port) ports.add(r.port);
    });
    return [...ports];
}"""


def generations(page: Page) -> dict[str, str]:
    """Remote participant id -> the generation id of this page's current link to them."""
    result: dict[str, str] = page.evaluate(GENERATIONS)
    return result


def self_id(page: Page) -> str:
    result: str = page.evaluate("Mendan.debug.selfId()")
    return result


def local_ports(page: Page, remote_id: str) -> list[int]:
    """The local UDP ports of this page's link to ``remote_id`` (its candidates so far)."""
    result: list[int] = page.evaluate(LOCAL_PORTS, remote_id)
    return result


def mesh_actions(page: Page) -> int:
    """ICE restarts plus rebuilds the page's watchdog has made so far."""
    result: int = page.evaluate("Mendan.debug.meshActions()")
    return result


@contextmanager
def udp_cut(ports: list[int]) -> Iterator[None]:
    """Drop every UDP packet to ``ports`` on this machine, IPv4 and IPv6 (the tests run as root)."""
    with _dropping(ports, []):
        yield


@contextmanager
def udp_loss(ports: list[int], fraction: float) -> Iterator[None]:
    """Drop a random ``fraction`` of the UDP packets to ``ports`` (netem is not in this kernel;
    iptables' statistic match is)."""
    match = ["-m", "statistic", "--mode", "random", "--probability", str(fraction)]
    with _dropping(ports, match):
        yield


@contextmanager
def _dropping(ports: list[int], match: list[str]) -> Iterator[None]:
    rules = [
        [command, "INPUT", "-p", "udp", "--dport", str(port), *match, "-j", "DROP"]
        for command in ("iptables", "ip6tables")
        for port in ports
    ]
    added = []
    try:
        for rule in rules:
            subprocess.run([rule[0], "-I", *rule[1:]], check=True)
            added.append(rule)
        yield
    finally:
        for rule in added:
            subprocess.run([rule[0], "-D", *rule[1:]], check=True)
