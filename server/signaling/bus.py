"""The message bus between server instances. In-process by default: publish is local delivery."""

from __future__ import annotations

from typing import Protocol

from server.meeting.delivery import Delivery

from .hub import Hub


class Bus(Protocol):
    """Carries deliveries to every instance that holds sockets of the meeting."""

    async def publish(self, deliveries: list[Delivery]) -> None: ...

    async def close(self) -> None: ...


class InProcessBus:
    """One server process: every socket is in our own hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def publish(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            self.hub.deliver(delivery)

    async def close(self) -> None:
        return None
