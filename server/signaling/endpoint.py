"""The /ws endpoint: reads client messages, checks them, and turns them into meeting changes.

Bad input never closes the socket: a malformed, unknown or oversized message gets an ``error``
reply and the connection and the meeting go on.
"""

from __future__ import annotations

import logging

from starlette.websockets import WebSocket, WebSocketDisconnect

from protocol import signaling as p
from server.errors import MendanError
from server.i18n import catalogue_for
from server.ice import ice_servers_for
from server.meeting.delivery import Delivery
from server.meeting.service import MeetingService
from server.metrics import Metrics
from server.settings import Settings

from .bus import Bus
from .hub import Connection, Hub

log = logging.getLogger(__name__)


class SignalingSession:
    """One client's conversation over its socket."""

    def __init__(
        self,
        connection: Connection,
        meetings: MeetingService,
        hub: Hub,
        bus: Bus,
        settings: Settings,
        base_url: str,
        metrics: Metrics,
    ) -> None:
        self.metrics = metrics
        self.connection = connection
        self.meetings = meetings
        self.hub = hub
        self.bus = bus
        self.settings = settings
        self.base_url = base_url
        self.left = False

    def reply_error(self, code: p.ErrorCode, request_id: str | None) -> None:
        self.metrics.error(code, "ws")
        message = catalogue_for("ja").text(f"error.{code.value}")
        self.connection.send(p.Error(request_id=request_id, error=p.ErrorBody(code=code, message=message)))

    async def handle_text(self, text: str) -> None:
        try:
            message = p.parse_client_message(text)
        except p.ProtocolError as exc:
            log.info("bad message: %s", exc.detail)
            self.reply_error(exc.code, exc.request_id)
            return
        self.metrics.received(message.type)
        request_id = getattr(message, "request_id", None)
        try:
            await self._dispatch(message)
        except MendanError as exc:
            self.reply_error(exc.code, request_id)
        except Exception:  # a bug of ours must not end anybody's meeting: answer and go on
            log.exception("handling %s failed", message.type)
            self.reply_error(p.ErrorCode.INTERNAL, request_id)

    async def _dispatch(self, message: p.AnyClientMessage) -> None:
        if isinstance(message, p.Ping):
            self.connection.send(p.Ok(request_id=message.request_id))
            return
        if isinstance(message, p.Join):
            await self._join(message)
            return
        if self.connection.participant_id is None:
            raise MendanError(p.ErrorCode.NOT_JOINED)
        me = self.connection.participant_id
        if isinstance(message, p.Signal):
            await self._relay(me, message)
        elif isinstance(message, p.UpdateMedia):
            await self.bus.publish(await self.meetings.update_media(me, message.media))
            self._ok(message.request_id)
        elif isinstance(message, p.Leave):
            self.left = True
            await self.bus.publish(await self.meetings.leave(me))
            self._ok(message.request_id)
        elif isinstance(message, p.SendChat):
            await self.bus.publish(await self.meetings.post_chat(me, message.text))
            self._ok(message.request_id)
        elif isinstance(message, p.CreateInvite):
            token, expires_at = await self.meetings.create_invite(me)
            url = f"{self.base_url}/invite/{token}"
            self.connection.send(
                p.InviteCreated(request_id=message.request_id, url=url, expires_at=expires_at)
            )

    def _ok(self, request_id: str | None) -> None:
        if request_id is not None:
            self.connection.send(p.Ok(request_id=request_id))

    async def _join(self, message: p.Join) -> None:
        if self.connection.participant_id is not None:
            raise MendanError(p.ErrorCode.ALREADY_JOINED)
        participant_id, meeting_id = await self.meetings.check_ticket(message.ticket)
        # Subscribe before reading the snapshot, so nothing published in between is lost.
        self.connection.participant_id, self.connection.meeting_id = participant_id, meeting_id
        self.connection.hold()
        self.hub.attach(self.connection)
        try:
            await self.bus.watch(meeting_id)
            result = await self.meetings.join(message.ticket)
        except BaseException:
            self.hub.detach(self.connection)
            self.connection.participant_id = self.connection.meeting_id = None
            self.connection.drop_held()
            await self.bus.unwatch(meeting_id)
            raise
        me = next((other for other in result.participants if other.id == participant_id), None)
        self.connection.joined_version = me.version if me is not None else 0
        self.connection.release(
            p.Joined(
                request_id=message.request_id,
                self_id=result.participant_id,
                meeting=result.meeting,
                participants=result.participants,
                ice_servers=ice_servers_for(self.settings, participant_id, self.meetings.clock.now()),
                ice_transport_policy="relay" if self.settings.ice_transport_policy == "relay" else "all",
                chat=result.chat,
            )
        )
        await self.bus.publish(result.deliveries)

    async def _relay(self, me: str, message: p.Signal) -> None:
        # Only to someone this socket was told about: nobody receives offers from a hidden peer.
        if message.to == me or message.to not in self.connection.known_participants:
            raise MendanError(p.ErrorCode.UNKNOWN_PARTICIPANT)
        assert self.connection.meeting_id is not None
        relayed = p.SignalRelayed(sender=me, description=message.description, candidate=message.candidate)
        await self.bus.publish([Delivery(self.connection.meeting_id, relayed, to=message.to)])

    async def closed(self) -> None:
        meeting_id = self.connection.meeting_id
        if self.hub.detach(self.connection) and not self.left and self.connection.participant_id:
            await self.bus.publish(await self.meetings.disconnected(self.connection.participant_id))
        if meeting_id is not None:
            await self.bus.unwatch(meeting_id)


def public_base_url(websocket: WebSocket, settings: Settings) -> str:
    """Where people reach us, for links we hand out: configured, or as this socket was reached."""
    if settings.public_url:
        return settings.public_url
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    return f"{scheme}://{websocket.url.netloc}"


async def signaling_endpoint(websocket: WebSocket) -> None:
    state = websocket.app.state
    await websocket.accept()
    connection = Connection(websocket, state.metrics)
    session = SignalingSession(
        connection,
        state.meetings,
        state.hub,
        state.bus,
        state.settings,
        public_base_url(websocket, state.settings),
        state.metrics,
    )
    try:
        while True:
            event = await websocket.receive()
            if event["type"] == "websocket.disconnect":
                break
            text = event.get("text")
            if text is None:
                session.reply_error(p.ErrorCode.MALFORMED_MESSAGE, None)
                continue
            await session.handle_text(text)
    except WebSocketDisconnect:
        pass
    finally:
        await session.closed()
        await connection.finish()
