"""The host's dispatch loop: one page message at a time through a table of handlers.

Every request gets exactly one reply; a bad frame or message is answered and the loop goes on;
EOF (the browser closed the port) or ``shutdown`` ends it, closing every peer and the camera.
The host never listens on a socket: the browser's pipes are its only channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from native_host.capture import LocalMedia, open_media
from native_host.config import ConfigStore, normalise_origin
from native_host.consent import ConsentPrompt, consent_needed, ensure_consent
from native_host.decode import parse_page_message, request_id_of
from native_host.errors import BridgeError
from native_host.framing import FrameReader, FrameWriter, Truncated
from native_host.messages import (
    HOST_VERSION,
    LOCAL_PEER_ID,
    MAX_PEERS,
    VERSION,
    AnyPageMessage,
    ClosePeer,
    CreatePeer,
    ErrorCode,
    Hello,
    ListOrigins,
    Ok,
    Origins,
    SetMedia,
    Shutdown,
    Signal,
    StartMedia,
    Welcome,
)
from native_host.peer import Peer
from native_host.relay import VideoRelay

log = logging.getLogger(__name__)

Send = Callable[[BaseModel], Awaitable[None]]
MediaOpener = Callable[..., LocalMedia]
PREVIEW_WIDTH, PREVIEW_FPS = 320, 15


class _Later(BaseModel):
    """A handler's promise that the reply comes from a task it started."""


_LATER = _Later()


class Host:
    """The state of one page's session: its origin, the camera and mic, and its peers."""

    def __init__(
        self,
        send: Send,
        store: ConfigStore,
        prompt: ConsentPrompt,
        open_media: MediaOpener = open_media,
        play_audio: bool = True,
    ) -> None:
        self._send = send
        self._store = store
        self._prompt = prompt
        self._open_media = open_media
        self._play_audio = play_audio
        self.origin: str | None = None
        self.language: str | None = None
        self.media: LocalMedia | None = None
        self.peers: dict[str, Peer] = {}
        self.running = True
        self._preview: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._handlers: dict[type[BaseModel], Callable[[Any], Awaitable[BaseModel | None]]] = {
            Hello: self._hello,
            ListOrigins: self._list_origins,
            StartMedia: self._start_media,
            CreatePeer: self._create_peer,
            Signal: self._signal,
            ClosePeer: self._close_peer,
            SetMedia: self._set_media,
            Shutdown: self._shutdown,
        }

    async def dispatch(self, message: AnyPageMessage) -> BaseModel | None:
        """Run the handler; returns the reply (``ok`` when a request's handler returns nothing)."""
        if not isinstance(message, Hello | ListOrigins) and self.origin is None:
            raise BridgeError(ErrorCode.NOT_READY, "send hello first")
        reply = await self._handlers[type(message)](message)
        if reply is _LATER:
            return None
        request_id = getattr(message, "request_id", None)
        if reply is None and request_id is not None:
            return Ok(request_id=request_id)
        return reply

    # ---- handlers ----------------------------------------------------------------------------

    async def _hello(self, message: Hello) -> BaseModel:
        try:
            origin = normalise_origin(message.origin)
        except ValueError as exc:
            raise BridgeError(ErrorCode.ORIGIN_NOT_ALLOWED, str(exc)) from None
        if origin not in self._store.load().meeting_origins:
            raise BridgeError(
                ErrorCode.ORIGIN_NOT_ALLOWED, f"{origin} is not on this computer's meeting list"
            )
        if self.origin is not None and self.origin != origin:
            raise BridgeError(ErrorCode.ORIGIN_NOT_ALLOWED, f"this host already serves {self.origin}")
        self.origin = origin
        self.language = message.language
        return Welcome(
            request_id=message.request_id,
            host_version=HOST_VERSION,
            protocol_version=VERSION,
            consent_needed=consent_needed(self._store, origin),
            max_peers=MAX_PEERS,
        )

    async def _list_origins(self, message: ListOrigins) -> BaseModel:
        return Origins(request_id=message.request_id, origins=list(self._store.load().meeting_origins))

    async def _start_media(self, message: StartMedia) -> BaseModel | None:
        if self.media is not None:
            self.media.set_enabled(message.camera, message.mic)
            return None
        if self._starting is not None:
            raise BridgeError(ErrorCode.NOT_READY, "start_media is already waiting for the user")
        # The user may take a minute in the consent window: answer later, keep reading meanwhile,
        # so that the page closing (EOF) ends the host and the window with it.
        self._starting = asyncio.create_task(self._start_media_later(message), name="start-media")
        return _LATER

    async def _start_media_later(self, message: StartMedia) -> None:
        try:
            await self._open(message)
        except BridgeError as exc:
            await self._send(exc.reply(message.request_id))
        except Exception:
            log.exception("start_media failed")
            await self._send(
                BridgeError(ErrorCode.INTERNAL, "internal error (see the host log)").reply(message.request_id)
            )
        else:
            await self._send(Ok(request_id=message.request_id))
        finally:
            self._starting = None

    async def _open(self, message: StartMedia) -> None:
        assert self.origin is not None
        await ensure_consent(self._store, self.origin, self._prompt, self.language)
        config = self._store.load()
        self.media = self._open_media(message.camera, message.mic, config.video_device, config.audio_device)
        preview = self.media.preview() if message.preview else None
        if preview is not None:
            relay = VideoRelay(LOCAL_PEER_ID, preview, self._send, PREVIEW_WIDTH, PREVIEW_FPS)
            self._preview = asyncio.create_task(relay.run(), name="preview")

    async def _create_peer(self, message: CreatePeer) -> None:
        if self.media is None:
            raise BridgeError(ErrorCode.MEDIA_NOT_STARTED, "start_media first")
        if message.peer_id in self.peers:
            raise BridgeError(ErrorCode.PEER_EXISTS, f"a peer {message.peer_id} exists")
        if len(self.peers) >= MAX_PEERS:
            raise BridgeError(ErrorCode.TOO_MANY_PEERS, f"at most {MAX_PEERS} remote participants")
        peer = Peer(
            message.peer_id,
            polite=message.polite,
            initiator=message.initiator,
            ice_servers=message.ice_servers,
            local_tracks=self.media.tracks(),
            send=self._send,
            play_audio=self._play_audio,
            max_width=message.max_width,
        )
        self.peers[message.peer_id] = peer
        peer.start()

    async def _signal(self, message: Signal) -> BaseModel:
        peer = self.peers.get(message.peer_id)
        if peer is None:
            raise BridgeError(ErrorCode.UNKNOWN_PEER, f"no peer {message.peer_id}")
        if message.description is None and message.candidate is None:
            raise BridgeError(ErrorCode.MALFORMED_MESSAGE, "a signal needs a description or a candidate")
        peer.signal(message)
        return _LATER  # the peer replies to a request_id once it has handled the signal

    async def _close_peer(self, message: ClosePeer) -> None:
        peer = self.peers.pop(message.peer_id, None)
        if peer is None:
            raise BridgeError(ErrorCode.UNKNOWN_PEER, f"no peer {message.peer_id}")
        await peer.close()

    async def _set_media(self, message: SetMedia) -> None:
        if self.media is None:
            raise BridgeError(ErrorCode.MEDIA_NOT_STARTED, "start_media first")
        self.media.set_enabled(message.camera, message.mic)

    async def _shutdown(self, message: Shutdown) -> None:
        self.running = False

    async def close(self) -> None:
        """Close every peer and release camera and mic."""
        if self._starting is not None:
            self._starting.cancel()  # closes a consent window that is still up
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        for peer in list(self.peers.values()):
            await peer.close()
        self.peers.clear()
        if self._preview is not None:
            self._preview.cancel()
        if self.media is not None:
            self.media.stop()
            self.media = None


async def serve(reader: FrameReader, writer: FrameWriter, host: Host, caller_ok: bool = True) -> int:
    """Read and answer frames until EOF or shutdown; the process exit status."""
    try:
        while host.running:
            try:
                raw = await reader.read()
            except BridgeError as exc:
                await writer.send(exc.reply())
                continue
            except Truncated as exc:
                log.info("input ended mid-frame: %s", exc)
                return 0
            if raw is None:
                log.info("browser closed the port")
                return 0
            request_id = request_id_of(raw)
            if not caller_ok:
                await writer.send(
                    BridgeError(ErrorCode.CALLER_NOT_ALLOWED, "this extension may not use the bridge").reply(
                        request_id
                    )
                )
                return 1
            reply: BaseModel | None
            try:
                reply = await host.dispatch(parse_page_message(raw))
            except BridgeError as exc:
                reply = exc.reply(exc.request_id or request_id)
            except Exception:
                log.exception("handler failed")
                reply = BridgeError(ErrorCode.INTERNAL, "internal error (see the host log)").reply(request_id)
            if reply is not None:
                await writer.send(reply)
        return 0
    finally:
        await host.close()
