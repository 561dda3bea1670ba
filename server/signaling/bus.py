"""The message bus between server instances. In-process by default: publish is local delivery."""

from __future__ import annotations

from typing import Protocol

from server.meeting.delivery import Delivery

from .hub import Hub


class Bus(Protocol):
    """Carries deliveries to every instance that holds sockets of the meeting."""

    async def publish(self, deliveries: list[Delivery]) -> None: ...

    def publish_in_place(self, deliveries: list[Delivery]) -> None:
        """``publish`` without waiting for it, nor hearing of its failure (a signal: the page's
        link watchdog recovers what is lost)."""

    async def watch(self, meeting_id: str) -> None:
        """This instance holds a socket of the meeting: from when this returns, nothing is missed."""

    async def unwatch(self, meeting_id: str) -> None:
        """This instance may hold no socket of the meeting any more (the hub is asked again)."""

    async def healthy(self) -> bool: ...

    async def close(self) -> None: ...


class InProcessBus:
    """One server process: every socket is in our own hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def publish(self, deliveries: list[Delivery]) -> None:
        self.publish_in_place(deliveries)

    def publish_in_place(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            self.hub.deliver(delivery)

    async def watch(self, meeting_id: str) -> None:
        return None

    async def unwatch(self, meeting_id: str) -> None:
        return None

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        return None
