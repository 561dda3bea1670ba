"""The host protocol module: parsing, error replies, and the generated PROTOCOL.md."""

from __future__ import annotations

import pytest

from native_host import generate
from native_host.decode import parse_page_message
from native_host.errors import BridgeError
from native_host.messages import CreatePeer, ErrorCode, Signal, encode


def test_protocol_doc_is_generated_from_the_module() -> None:
    assert generate.DOC_PATH.read_text(encoding="utf-8") == generate.render_doc(), (
        "run `python -m native_host.generate`"
    )


def test_every_error_code_is_documented() -> None:
    doc = generate.render_doc()
    for code in ErrorCode:
        assert f"| `{code.value}` |" in doc


HOST_CANDIDATE = "candidate:1 1 udp 1 1.2.3.4 5 typ host"


def test_parses_create_peer_and_signal() -> None:
    msg = parse_page_message(
        {
            "v": 1,
            "type": "create_peer",
            "request_id": "1",
            "peer_id": "p2",
            "polite": True,
            "initiator": False,
        }
    )
    assert isinstance(msg, CreatePeer) and msg.polite and msg.ice_servers == []
    sig = parse_page_message(
        {
            "v": 1,
            "type": "signal",
            "peer_id": "p2",
            "candidate": {"candidate": HOST_CANDIDATE},
        }
    )
    assert isinstance(sig, Signal) and sig.candidate is not None and sig.description is None


@pytest.mark.parametrize(
    ("raw", "code", "request_id"),
    [
        ({"type": "hello", "request_id": "a", "origin": "x"}, ErrorCode.UNSUPPORTED_VERSION, "a"),
        ({"v": 1, "type": "dance", "request_id": "b"}, ErrorCode.UNKNOWN_MESSAGE_TYPE, "b"),
        ({"v": 1, "type": "hello", "request_id": "c"}, ErrorCode.MALFORMED_MESSAGE, "c"),
        ({"v": 1, "type": "close_peer", "peer_id": "bad id!"}, ErrorCode.MALFORMED_MESSAGE, None),
        (
            {"v": 1, "type": "hello", "request_id": "d", "origin": "x", "extra": 1},
            ErrorCode.MALFORMED_MESSAGE,
            "d",
        ),
    ],
)
def test_bad_messages_carry_code_and_request_id(
    raw: dict[str, object], code: ErrorCode, request_id: str | None
) -> None:
    with pytest.raises(BridgeError) as info:
        parse_page_message(raw)
    assert info.value.code == code
    assert info.value.request_id == request_id


def test_error_reply_shape() -> None:
    reply = BridgeError(ErrorCode.UNKNOWN_PEER, "no peer p9", "r7").reply()
    assert encode(reply) == (
        b'{"v":1,"type":"error","request_id":"r7","error":{"code":"unknown_peer","message":"no peer p9"}}'
    )
