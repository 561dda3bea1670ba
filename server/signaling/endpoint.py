"""The /ws endpoint: reads client messages, checks them, and turns them into meeting changes.

Bad input never closes the socket: a malformed, unknown or oversized message gets an ``error``
reply and the connection and the meeting go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import assert_never

from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketDisconnect

from protocol import signaling as p
from server.errors import MendanError
from server.i18n import catalogue_for
from server.ice import ice_servers_for
from server.meeting.delivery import Delivery
from server.services import Services, services
from server.web_context import public_base_url

from .allowance import Allowance
from .hub import Connection, WebSocketConnection

log = logging.getLogger(__name__)

JOIN_TIMEOUT_CLOSE = 1008
"""Policy violation: the socket did not join within MENDAN_JOIN_TIMEOUT."""

AnnotationMessage = p.DrawStroke | p.UndoStroke | p.ClearStrokes | p.AllowDrawing | p.GetStrokes

SOCKET_END_TASK = "signaling socket end"
"""The name of the task that records a socket's end, so a shut-down can wait for those still running."""

POINTER_INTERVAL = 0.04
"""Pointer moves closer together than this are dropped (pages send at most ~20 a second)."""


class SignalingSession:
    """One client's conversation over its socket."""

    def __init__(self, connection: Connection, services: Services, base_url: str) -> None:
        self.connection = connection
        self.services = services
        self.meetings = services.meetings
        self.bus = services.bus
        self.documents = services.meeting_documents
        self.settings = services.settings
        self.base_url = base_url
        self.screen_shares = services.screen_shares
        self.annotations = services.annotations
        self.left = False
        self.last_pointer = 0.0
        # The injected clock, so tests move time instead of waiting for an allowance to refill.
        self.signals = Allowance(services.settings.signal_limit, services.clock.now)
        self.chats = Allowance(services.settings.chat_limit, services.clock.now)
        self.strokes = Allowance(services.settings.stroke_limit, services.clock.now)

    def reply_error(
        self, code: p.ErrorCode, request_id: str | None, values: Mapping[str, object] | None = None
    ) -> None:
        self.services.metrics.error(code, "ws")
        # The page shows error.<code> from its own catalogue (English pages too) with these values.
        plain = {k: v if isinstance(v, int | float | str) else str(v) for k, v in (values or {}).items()}
        message = catalogue_for("ja").text(f"error.{code.value}", **plain)
        body = p.ErrorBody(code=code, message=message, values=plain)
        self.connection.send(p.Error(request_id=request_id, error=body))

    async def handle_text(self, text: str) -> None:
        message = self.parse(text)
        if message is not None:
            await self.handle_message(message)

    def parse(self, text: str) -> p.AnyClientMessage | None:
        """The message, or None when it was refused (the client has its error reply)."""
        try:
            message = p.parse_client_message(text)
        except p.ProtocolError as exc:
            log.info("bad message: %s", exc.detail)
            self.reply_error(exc.code, exc.request_id)
            return None
        self.services.metrics.received(message.type)
        return message

    def handle_in_place(self, message: p.AnyClientMessage) -> bool:
        """Handle now what needs no waiting: a signal (the bus takes it without waiting), a ping.
        False: ``handle_message`` must do it. Spares the busiest message a task per socket."""
        try:
            if isinstance(message, p.Signal):
                self.bus.publish_in_place(self._signal(message))
            elif isinstance(message, p.Ping):
                self.connection.send(p.Ok(request_id=message.request_id))
            else:
                return False
        except Exception as exc:
            self._failed(message, exc)
        return True

    async def handle_message(self, message: p.AnyClientMessage) -> None:
        try:
            await self._dispatch(message)
        except Exception as exc:
            self._failed(message, exc)

    def _failed(self, message: p.AnyClientMessage, exc: Exception) -> None:
        request_id = getattr(message, "request_id", None)
        if isinstance(exc, MendanError):
            self.reply_error(exc.code, request_id, exc.values)
        else:  # a bug of ours must not end anybody's meeting: answer and go on
            log.error("handling %s failed", message.type, exc_info=exc)
            self.reply_error(p.ErrorCode.INTERNAL, request_id)

    async def _dispatch(self, message: p.AnyClientMessage) -> None:
        """One branch per client message type; a type added to the schema fails mypy here until
        it is handled (assert_never), instead of getting no reply while the page waits."""
        if isinstance(message, p.Ping):
            self.connection.send(p.Ok(request_id=message.request_id))
        elif isinstance(message, p.Join):
            await self._join(message)
        elif isinstance(message, p.Signal):
            await self.bus.publish(self._signal(message))
        elif isinstance(message, p.UpdateMedia):
            await self.bus.publish(await self.meetings.update_media(self._me(), message.media))
            self._ok(message.request_id)
        elif isinstance(message, p.Leave):
            await self._leave(self._me(), message)
        elif isinstance(message, p.SendChat):
            me = self._me()
            if not self.chats.take():
                raise MendanError(p.ErrorCode.CHAT_TOO_FAST)
            await self.bus.publish(await self.meetings.post_chat(me, message.text))
            self._ok(message.request_id)
        elif isinstance(message, p.CreateInvite):
            token, expires_at = await self.meetings.create_invite(self._me())
            url = f"{self.base_url}/invite/{token}"
            self.connection.send(
                p.InviteCreated(request_id=message.request_id, url=url, expires_at=expires_at)
            )
        elif isinstance(message, p.StartScreenShare):
            await self.bus.publish(await self.screen_shares.start(self._me(), message.stream_id))
            self._ok(message.request_id)
        elif isinstance(message, p.StopScreenShare):
            await self.bus.publish(await self.screen_shares.stop(self._me()))
            self._ok(message.request_id)
        elif isinstance(message, AnnotationMessage):
            await self._annotate(self._me(), message)
        elif isinstance(message, p.ShowDocument):
            await self.bus.publish(await self.documents.show(self._me(), message.document_id, message.page))
            self._ok(message.request_id)
        elif isinstance(message, p.TurnPage):
            await self.bus.publish(await self.documents.turn(self._me(), message.page))
            self._ok(message.request_id)
        elif isinstance(message, p.CloseDocument):
            await self.bus.publish(await self.documents.close(self._me()))
            self._ok(message.request_id)
        elif isinstance(message, p.MovePointer):
            await self._move_pointer(self._me(), message)
        elif isinstance(message, p.GiveDocument):
            await self._give(self._me(), message)
        else:
            assert_never(message)

    async def _annotate(self, me: str, message: AnnotationMessage) -> None:
        annotations = self.annotations
        if isinstance(message, p.GetStrokes):
            strokes = await annotations.strokes(me, message.show_id, message.page)
            page = message.page
            self.connection.send(
                p.Strokes(request_id=message.request_id, show_id=message.show_id, page=page, strokes=strokes)
            )
            return
        if isinstance(message, p.DrawStroke):
            if not self.strokes.take():
                raise MendanError(p.ErrorCode.STROKES_TOO_FAST)
            deliveries = await annotations.draw(me, message.show_id, message.page, message.stroke)
        elif isinstance(message, p.UndoStroke):
            deliveries = await annotations.undo(me, message.show_id, message.page)
        elif isinstance(message, p.ClearStrokes):
            deliveries = await annotations.clear(me, message.show_id, message.page)
        else:
            deliveries = await annotations.allow(me, message.allowed)
        await self.bus.publish(deliveries)
        self._ok(message.request_id)

    def _me(self) -> str:
        """The participant this socket speaks for; only a joined socket may act in a meeting."""
        me = self.connection.participant_id
        if me is None or self.connection.closing:
            # Never joined, or out of the meeting (left, replaced, removed): it may do nothing there.
            raise MendanError(p.ErrorCode.NOT_JOINED)
        return me

    async def _leave(self, me: str, message: p.Leave) -> None:
        self.left = True
        deliveries = await self.meetings.leave(me)
        self._ok(message.request_id)
        self.services.hub.remove(self.connection)  # from now on it hears nothing of the meeting
        await self.bus.publish(deliveries)

    async def _move_pointer(self, me: str, message: p.MovePointer) -> None:
        moment = time.monotonic()
        hiding = message.x is None or message.y is None
        if not hiding and moment - self.last_pointer < POINTER_INTERVAL:
            return
        self.last_pointer = moment
        meeting_id = await self.documents.presenting_meeting(me)
        moved = p.PointerMoved(sender=me, x=None if hiding else message.x, y=None if hiding else message.y)
        await self.bus.publish([Delivery(meeting_id, moved, exclude=me)])

    async def _give(self, me: str, message: p.GiveDocument) -> None:
        given = await self.documents.give(me, message.document_id)
        self.connection.send(
            p.DocumentGiven(
                request_id=message.request_id,
                give_id=given.give_id,
                recipients=given.recipients,
                expires_at=given.expires_at,
                ttl=self.settings.give_ttl,
            )
        )
        await self.bus.publish(given.deliveries)

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
        self.services.hub.attach(self.connection)
        try:
            await self.bus.watch(meeting_id)
            result = await self.meetings.join(message.ticket)
        except BaseException:
            self.services.hub.detach(self.connection)
            self.connection.participant_id = self.connection.meeting_id = None
            self.connection.drop_held()
            await self.bus.unwatch(meeting_id)
            raise
        me = next((other for other in result.participants if other.id == participant_id), None)
        strokes, drawing_allowed = await self.annotations.snapshot(meeting_id)
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
                document=await self.documents.current(meeting_id),
                recording_active=await self.services.recordings.active_in(meeting_id),
                screen_share=await self.screen_shares.current(meeting_id),
                strokes=strokes,
                drawing_allowed=drawing_allowed,
            )
        )
        for offer in await self.documents.open_offers(participant_id):  # 渡す still open survive a drop
            self.connection.send(offer)
        await self.bus.publish(result.deliveries)

    def _signal(self, message: p.Signal) -> list[Delivery]:
        """What relaying the signal delivers, after the checks; raises MendanError instead."""
        me = self._me()
        if not self.signals.take():
            raise MendanError(p.ErrorCode.SIGNALS_TOO_FAST)
        # Only to someone this socket was told about: nobody receives offers from a hidden peer.
        if message.to == me or message.to not in self.connection.known_participants:
            raise MendanError(p.ErrorCode.UNKNOWN_PARTICIPANT)
        assert self.connection.meeting_id is not None
        relayed = p.SignalRelayed(
            sender=me,
            description=message.description,
            candidate=message.candidate,
            view=message.view,
            link=message.link,
            to_link=message.to_link,
        )
        return [Delivery(self.connection.meeting_id, relayed, to=message.to)]

    async def closed(self) -> None:
        meeting_id = self.connection.meeting_id
        if self.services.hub.detach(self.connection) and not self.left and self.connection.participant_id:
            await self.bus.publish(await self.meetings.disconnected(self.connection.participant_id))
        if meeting_id is not None:
            await self.bus.unwatch(meeting_id)


def new_session(connection: Connection, client: HTTPConnection) -> SignalingSession:
    """A signaling conversation over any transport (WebSocket or long polling)."""
    running = services(client)
    return SignalingSession(connection, running, public_base_url(client, running.settings))


async def signaling_endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    connection = WebSocketConnection(websocket, services(websocket).metrics)
    session = new_session(connection, websocket)
    # A socket that has not joined in time is closed: nobody holds sockets open for nothing.
    join_deadline = asyncio.get_running_loop().call_later(
        services(websocket).settings.join_timeout, close_unless_joined, connection
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
            # Let the writers run between messages: a socket flooding us must not starve them, or
            # the others' queues would fill and close them as too slow.
            await asyncio.sleep(0)
    except WebSocketDisconnect:
        pass
    finally:
        join_deadline.cancel()
        # Shielded: a handler cancelled (shut-down, a test client leaving) still records the
        # socket's end; a query cut off half way would also cost its database connection.
        ending = asyncio.create_task(end_of_socket(session, connection), name=SOCKET_END_TASK)
        await asyncio.shield(ending)


async def end_of_socket(session: SignalingSession, connection: Connection) -> None:
    await session.closed()
    await connection.finish()


def close_unless_joined(connection: Connection) -> None:
    if connection.participant_id is None:
        connection.close(JOIN_TIMEOUT_CLOSE)
