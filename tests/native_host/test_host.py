"""The dispatch table in-process: consent through the host, peer limits, one reply per request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from native_host.capture import LocalMedia
from native_host.config import BridgeConfig, ConfigStore, Consent
from native_host.errors import BridgeError
from native_host.host import Host
from native_host.messages import MAX_PEERS, CreatePeer, ErrorCode, Hello, Ok, SetMedia, StartMedia, Welcome
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
        asked.append(origin)
        return answer

    def no_devices(camera: bool, mic: bool, *_: Any) -> LocalMedia:
        return LocalMedia(None, None)

    return Host(send, store, prompt, open_media=no_devices, play_audio=False), sent, asked


async def _denied(host: Host) -> list[Any]:
    welcome = await host.dispatch(Hello(request_id="1", origin=ORIGIN + "/"))
    out: list[Any] = [welcome]
    for _ in range(2):
        try:
            await host.dispatch(StartMedia(request_id="2"))
        except BridgeError as exc:
            out.append(exc.code)
    await host.close()
    return out


def test_start_media_asks_once_and_a_refusal_is_an_error(tmp_path: Path) -> None:
    host, _, asked = _host(tmp_path, Consent.DENY)
    welcome, *codes = run(_denied(host))
    assert isinstance(welcome, Welcome) and welcome.consent_needed and welcome.max_peers == MAX_PEERS
    assert codes == [ErrorCode.CONSENT_DENIED, ErrorCode.CONSENT_DENIED]
    assert asked == [ORIGIN]


async def _peers(host: Host) -> list[Any]:
    await host.dispatch(Hello(request_id="1", origin=ORIGIN))
    out: list[Any] = [await host.dispatch(StartMedia(request_id="2"))]
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
    host, _, asked = _host(tmp_path, Consent.ALLOW)
    out = run(_peers(host))
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
