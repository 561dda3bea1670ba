"""The dispatch table in-process: consent through the host, peer limits, one reply per request."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from native_host.capture import LocalMedia
from native_host.config import BridgeConfig, ConfigStore, Consent
from native_host.errors import BridgeError
from native_host.host import Host
from native_host.messages import (
    MAX_PEERS,
    CreatePeer,
    Error,
    ErrorCode,
    Hello,
    Ok,
    SetMedia,
    StartMedia,
    Welcome,
)
from tests.support.aio import run

ORIGIN = "https://meet.example.jp"


def _host(tmp_path: Path, answer: Consent | None) -> tuple[Host, list[BaseModel], list[str]]:
    store = ConfigStore(tmp_path)
    store.save(BridgeConfig(meeting_origins=[ORIGIN]))
    sent: list[BaseModel] = []
    asked: list[str] = []

    async def send(message: BaseModel) -> None:
        sent.append(message)

    async def prompt(origin: str, language: str) -> Consent | None:
        asked.append(origin if language == "ja" else f"{origin} ({language})")
        return answer

    def no_devices(camera: bool, mic: bool, *_: Any) -> LocalMedia:
        return LocalMedia(None, None)

    return Host(send, store, prompt, open_media=no_devices, play_audio=False), sent, asked


async def _start_media(host: Host, sent: list[BaseModel], request_id: str) -> BaseModel:
    """start_media answers from a task (the consent window may be up): wait for that reply."""
    assert await host.dispatch(StartMedia(request_id=request_id)) is None
    while not any(getattr(m, "request_id", None) == request_id for m in sent):
        await asyncio.sleep(0.01)
    return next(m for m in sent if getattr(m, "request_id", None) == request_id)


async def _denied(host: Host, sent: list[BaseModel]) -> list[Any]:
    welcome = await host.dispatch(Hello(request_id="1", origin=ORIGIN + "/"))
    out: list[Any] = [welcome]
    for n in range(2):
        reply = await _start_media(host, sent, f"s{n}")
        assert isinstance(reply, Error)
        out.append(reply.error.code)
    await host.close()
    return out


async def _english(host: Host, sent: list[BaseModel]) -> None:
    await host.dispatch(Hello(request_id="1", origin=ORIGIN, language="en"))
    await _start_media(host, sent, "2")
    await host.close()


def test_the_window_speaks_the_pages_language(tmp_path: Path) -> None:
    host, sent, asked = _host(tmp_path, Consent.ALLOW)
    run(_english(host, sent))
    assert asked == [f"{ORIGIN} (en)"]


def test_start_media_asks_once_and_a_refusal_is_an_error(tmp_path: Path) -> None:
    host, sent, asked = _host(tmp_path, Consent.DENY)
    welcome, *codes = run(_denied(host, sent))
    assert isinstance(welcome, Welcome) and welcome.consent_needed and welcome.max_peers == MAX_PEERS
    assert codes == [ErrorCode.CONSENT_DENIED, ErrorCode.CONSENT_DENIED]
    assert asked == [ORIGIN]


async def _page_leaves_while_asked(tmp_path: Path) -> tuple[Host, bool]:
    store = ConfigStore(tmp_path)
    store.save(BridgeConfig(meeting_origins=[ORIGIN]))
    cancelled = asyncio.Event()

    async def prompt(origin: str, language: str) -> Consent | None:
        try:
            await asyncio.sleep(60)  # the user has not answered yet
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Consent.ALLOW

    async def send(message: BaseModel) -> None:
        return None

    host = Host(send, store, prompt, play_audio=False)
    await host.dispatch(Hello(request_id="1", origin=ORIGIN))
    assert await host.dispatch(StartMedia(request_id="2")) is None
    await asyncio.sleep(0.05)
    with pytest.raises(BridgeError) as info:
        await host.dispatch(StartMedia(request_id="3"))
    assert info.value.code == ErrorCode.NOT_READY
    await host.close()  # what EOF does
    return host, cancelled.is_set()


def test_the_page_leaving_closes_a_pending_consent_window(tmp_path: Path) -> None:
    host, cancelled = run(_page_leaves_while_asked(tmp_path))
    assert cancelled and host.media is None
    assert ConfigStore(tmp_path).load().consent == {}


async def _peers(host: Host, sent: list[BaseModel]) -> list[Any]:
    await host.dispatch(Hello(request_id="1", origin=ORIGIN))
    out: list[Any] = [await _start_media(host, sent, "2")]
    for n in range(MAX_PEERS + 1):
        try:
            out.append(
                await host.dispatch(
                    CreatePeer(request_id=f"p{n}", peer_id=f"r{n}", polite=True, initiator=False)
                )
            )
        except BridgeError as exc:
            out.append(exc.code)
    try:
        await host.dispatch(CreatePeer(request_id="again", peer_id="r0", polite=True, initiator=False))
    except BridgeError as exc:
        out.append(exc.code)
    out.append(await host.dispatch(SetMedia(camera=False, mic=True)))
    try:
        await host.dispatch(Hello(request_id="3", origin="https://other.example.jp"))
    except BridgeError as exc:
        out.append(exc.code)
    await host.close()
    return out


def test_peer_limits_and_one_reply_per_request(tmp_path: Path) -> None:
    host, sent, asked = _host(tmp_path, Consent.ALLOW)
    out = run(_peers(host, sent))
    assert out[0] == Ok(request_id="2")
    assert out[1 : MAX_PEERS + 1] == [Ok(request_id=f"p{n}") for n in range(MAX_PEERS)]
    assert out[MAX_PEERS + 1 :] == [
        ErrorCode.TOO_MANY_PEERS,
        ErrorCode.PEER_EXISTS,
        None,  # a notification gets no reply
        ErrorCode.ORIGIN_NOT_ALLOWED,
    ]
    assert asked == [ORIGIN] and host.peers == {}


@pytest.mark.parametrize("origin", ["https://evil.example", "javascript:alert(1)"])
def test_unlisted_origins_are_refused(tmp_path: Path, origin: str) -> None:
    host, _, _ = _host(tmp_path, Consent.ALLOW)
    with pytest.raises(BridgeError) as info:
        run(host.dispatch(Hello(request_id="1", origin=origin)))
    assert info.value.code == ErrorCode.ORIGIN_NOT_ALLOWED
