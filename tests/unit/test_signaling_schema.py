"""The one signaling schema: decoding rules, and the generated JS and docs staying in step with it."""

from __future__ import annotations

import json

import pytest

from protocol import generate
from protocol import signaling as p


def _msg(**fields: object) -> str:
    return json.dumps({"v": 1, **fields})


def test_valid_messages_decode_to_their_types() -> None:
    assert isinstance(p.parse_client_message(_msg(type="join", request_id="1", ticket="a.b")), p.Join)
    signal = p.parse_client_message(
        _msg(type="signal", to="x", candidate={"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host"})
    )
    assert isinstance(signal, p.Signal) and signal.candidate is not None


@pytest.mark.parametrize(
    ("text", "code", "request_id"),
    [
        ("not json", p.ErrorCode.MALFORMED_MESSAGE, None),
        ("[1, 2]", p.ErrorCode.MALFORMED_MESSAGE, None),
        (json.dumps({"type": "ping", "request_id": "7"}), p.ErrorCode.UNSUPPORTED_VERSION, "7"),
        (_msg(type="teleport", request_id="8"), p.ErrorCode.UNKNOWN_MESSAGE_TYPE, "8"),
        (_msg(type="join", request_id="9"), p.ErrorCode.MALFORMED_MESSAGE, "9"),
        (_msg(type="join", request_id="9", ticket="t", extra=1), p.ErrorCode.MALFORMED_MESSAGE, "9"),
        (_msg(type="signal", to=5), p.ErrorCode.MALFORMED_MESSAGE, None),
        (_msg(type="ping", request_id="x" * 65), p.ErrorCode.MALFORMED_MESSAGE, None),
        (
            _msg(type="ping", request_id="1", pad="x" * p.MAX_MESSAGE_BYTES),
            p.ErrorCode.MESSAGE_TOO_LARGE,
            None,
        ),
    ],
)
def test_bad_messages_say_why_and_keep_the_request_id(
    text: str, code: p.ErrorCode, request_id: str | None
) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.parse_client_message(text)
    assert caught.value.code is code
    assert caught.value.request_id == request_id


def test_server_messages_round_trip() -> None:
    message = p.ParticipantLeft(participant_id="abc", reason=p.EndReason.OTHER_LEFT)
    wire = p.encode(message)
    assert json.loads(wire) == {
        "v": 1,
        "type": "participant_left",
        "participant_id": "abc",
        "reason": "other_left",
    }
    assert p.parse_server_message(wire) == message


def test_type_tags_are_unique_snake_case() -> None:
    tags = [m.model_fields["type"].default for m in (*p.CLIENT_MESSAGES, *p.SERVER_MESSAGES)]
    assert len(tags) == len(set(tags))
    assert all(tag == tag.lower() and " " not in tag for tag in tags)


def test_generated_js_matches_the_schema() -> None:
    assert generate.JS_PATH.read_text(encoding="utf-8") == generate.render_js(), (
        "run python -m protocol.generate"
    )


def test_generated_doc_matches_the_schema() -> None:
    assert generate.DOC_PATH.read_text(encoding="utf-8") == generate.render_doc(), (
        "run python -m protocol.generate"
    )
