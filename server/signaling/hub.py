"""The sockets this process holds, by meeting and participant, and delivery to them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from starlette.websockets import WebSocket, WebSocketState

from protocol import signaling as p
from server.meeting.delivery import Delivery
from server.metrics import Metrics

log = logging.getLogger(__name__)

SEND_QUEUE = 256
"""Messages waiting for a slow socket before we close it with TOO_SLOW (it re-joins and gets a
fresh snapshot, so what it missed is never silently lost)."""

CloseCode = p.CloseCode


class Connection:
    """One client's channel with its own send queue, so a slow peer never holds up the others.

    The transport takes the queued messages away: a WebSocket (WebSocketConnection) or, where a
    proxy blocks WebSockets, HTTP long polling (server/signaling/longpoll.py).
    """

    def __init__(self, metrics: Metrics | None = None) -> None:
        self.metrics = metrics
        self.participant_id: str | None = None
        self.meeting_id: str | None = None
        self.known_participants: set[str] = set()
        self.joined_version = 0
        """The participant's version our join produced; a later join elsewhere has a higher one."""
        self._held: list[p.AnyServerMessage] | None = None
        # A plain list and one waiter, not an asyncio.Queue (four deques and an Event, ~3 KiB) nor
        # a deque (~0.7 KiB even when empty): thousands of sockets are idle nearly all the time, and
        # the list never holds more than SEND_QUEUE items.
        self._queue: list[str | None] = []
        self._waiter: asyncio.Future[None] | None = None
        self._close_code = 1000
        self.closing = False
        """Closed (or closing): nothing more is queued, and the socket may no longer act."""

    def hold(self) -> None:
        """Buffer what arrives until the snapshot went out (subscribe first, then read the snapshot)."""
        self._held = []

    def release(self, first: p.AnyServerMessage) -> None:
        """Send ``first`` (the snapshot), then what arrived meanwhile; clients drop stale versions."""
        held, self._held = self._held or [], None
        self.send(first)
        for message in held:
            self.send(message)

    def drop_held(self) -> None:
        """The join failed: what was buffered is not for this socket."""
        self._held = None

    def send(self, message: p.AnyServerMessage) -> None:
        if self.closing:
            return  # the close code tells the client; it re-joins for a fresh snapshot if it may
        if self._held is not None:
            self._held.append(message)
            return
        # The roster this socket was told about is what it may signal to (R-3.2: no hidden peers).
        if isinstance(message, p.ParticipantJoined):
            self.known_participants.add(message.participant.id)
        elif isinstance(message, p.ParticipantLeft):
            self.known_participants.discard(message.participant_id)
        elif isinstance(message, p.Joined):
            self.known_participants = {other.id for other in message.participants}
        if self.metrics is not None:
            self.metrics.sent(message.type)
        if len(self._queue) >= SEND_QUEUE:
            log.warning("closing a socket that cannot keep up", extra={"participant": self.participant_id})
            self.close(CloseCode.TOO_SLOW)
            return
        self._put(p.encode(message))

    def _put(self, item: str | None) -> None:
        self._queue.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _next(self) -> str | None:
        """The oldest queued item, waiting for one if none is queued."""
        while not self._queue:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._queue.pop(0)

    def close(self, code: int) -> None:
        """Queue the end of the socket with ``code``; the first close wins.

        A full queue is emptied first: the client learns from TOO_SLOW that it missed messages, and
        the snapshot of its re-join replaces them (a close that cannot be queued would leave the
        socket open and silently losing messages).
        """
        if self.closing:
            return
        self.closing = True
        self._close_code = code
        while len(self._queue) >= SEND_QUEUE:
            self._queue.pop(0)
        self._put(None)

    async def finish(self) -> None:
        """Stop sending (what is queued still goes out where the transport allows)."""
        self.close(1000)


class WebSocketConnection(Connection):
    """A client on a WebSocket: a writer task sends what is queued."""

    def __init__(self, websocket: WebSocket, metrics: Metrics | None = None) -> None:
        super().__init__(metrics)
        self.websocket = websocket
        self._writer: asyncio.Task[None] | None = None
        self._gone = False

    def _put(self, item: str | None) -> None:
        super()._put(item)
        # The writer runs only while something is queued: an idle socket keeps no task (~2 KiB).
        if self._writer is None and not self._gone:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._queue:
                text = self._queue.pop(0)
                if text is None:
                    self._gone = True
                    if self.websocket.application_state == WebSocketState.CONNECTED:
                        with contextlib.suppress(Exception):
                            await self.websocket.close(self._close_code)
                    return
                try:
                    await self.websocket.send_text(text)
                except Exception:  # the socket is gone; the receive loop notices and cleans up
                    self._gone = True
                    self._queue.clear()
                    return
        finally:
            self._writer = None

    async def finish(self) -> None:
        """Let queued messages go out, then stop the writer."""
        await super().finish()
        writer = self._writer
        if writer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, timeout=2)


class PollConnection(Connection):
    """A client on HTTP long polling: each poll takes what is queued, or waits for something."""

    def __init__(self, metrics: Metrics | None = None) -> None:
        super().__init__(metrics)
        self.closed = False

    async def take(self, wait: float) -> list[str]:
        """Everything queued now, or what arrives first within ``wait`` seconds and all after it."""
        if self.closed:
            return []
        try:
            items = [await asyncio.wait_for(self._next(), wait)]
        except TimeoutError:
            return []
        while self._queue:
            items.append(self._queue.pop(0))
        texts = []
        for item in items:
            if item is None:  # closed: tell the client with the poll's answer
                self.closed = True
                break
            texts.append(item)
        return texts


class Hub:
    """Registry of local connections; the bus hands it deliveries for meetings."""

    def __init__(self) -> None:
        self._meetings: dict[str, dict[str, Connection]] = defaultdict(dict)

    def attach(self, connection: Connection) -> None:
        assert connection.meeting_id and connection.participant_id
        room = self._meetings[connection.meeting_id]
        previous = room.get(connection.participant_id)
        room[connection.participant_id] = connection
        if previous is not None and previous is not connection:
            previous.close(CloseCode.REPLACED)

    def detach(self, connection: Connection) -> bool:
        """Forget the connection; False when a newer socket of the same participant replaced it."""
        if connection.meeting_id is None or connection.participant_id is None:
            return False
        room = self._meetings.get(connection.meeting_id, {})
        if room.get(connection.participant_id) is not connection:
            return False
        del room[connection.participant_id]
        if not room:
            self._meetings.pop(connection.meeting_id, None)
        return True

    def remove(self, connection: Connection) -> None:
        """The participant is out of the meeting: its socket gets nothing more and is closed."""
        self.detach(connection)
        connection.close(CloseCode.REMOVED)

    def holds(self, meeting_id: str) -> bool:
        """Whether any socket of the meeting is ours."""
        return bool(self._meetings.get(meeting_id))

    def deliver(self, delivery: Delivery) -> None:
        room = self._meetings.get(delivery.meeting_id)
        if not room:
            return
        if delivery.to is not None:
            targets = [room[delivery.to]] if delivery.to in room else []
        else:
            targets = list(room.values())
        for connection in targets:
            if connection.participant_id != delivery.exclude:
                connection.send(delivery.message)
        if delivery.exclude is not None:
            self._close_if_joined_elsewhere(room, delivery)
        self._remove_those_gone(room, delivery.message)

    def _remove_those_gone(self, room: dict[str, Connection], message: p.AnyServerMessage) -> None:
        """Whoever the others no longer see in the roster gets nothing more (on every instance).

        Every way out of a meeting (接続終了, the grace period running out, the meeting ending) is
        announced with one of these two messages, so this is the one place that acts on it.
        """
        if isinstance(message, p.ParticipantLeft):
            gone = [message.participant_id]
        elif isinstance(message, p.MeetingEnded):
            gone = list(room)
        else:
            return
        for participant_id in gone:
            connection = room.get(participant_id)
            if connection is not None:
                self.remove(connection)

    @staticmethod
    def _close_if_joined_elsewhere(room: dict[str, Connection], delivery: Delivery) -> None:
        """The same participant joined again on another instance: our older socket is replaced.

        (On this instance ``attach`` already replaced it.)
        """
        message = delivery.message
        if not (
            isinstance(message, p.ParticipantUpdated)
            and message.participant.id == delivery.exclude
            and message.participant.state == p.ParticipantState.CONNECTED
        ):
            return
        ours = room.get(message.participant.id)
        if ours is not None and 0 < ours.joined_version < message.participant.version:
            ours.close(CloseCode.REPLACED)

    def all_connections(self) -> list[Connection]:
        return [c for room in self._meetings.values() for c in room.values()]

    @property
    def participant_count(self) -> int:
        return sum(len(room) for room in self._meetings.values())
