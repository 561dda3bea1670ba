"""Invite tokens: sealed with AES-GCM; any change to any byte is refused; expiry is enforced."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.signaling import ErrorCode
from server.errors import MendanError
from server.meeting.invites import InviteCodec

CODEC = InviteCodec(b"test-secret")
TOKEN = CODEC.seal("a" * 32, expires_at=2_000_000_000)
RAW = base64.urlsafe_b64decode(TOKEN + "=" * (-len(TOKEN) % 4))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_sealed_token_opens_to_its_meeting() -> None:
    invite = CODEC.open(TOKEN, now=1_000)
    assert (invite.meeting_id, invite.expires_at) == ("a" * 32, 2_000_000_000)


def test_tokens_do_not_reveal_or_repeat() -> None:
    again = CODEC.seal("a" * 32, expires_at=2_000_000_000)
    assert again != TOKEN  # fresh nonce and 128 random bits each time
    assert "a" * 8 not in base64.urlsafe_b64decode(TOKEN + "==").decode("latin-1")
    assert len(RAW) >= 1 + 12 + 16 + 16  # version, nonce, tag, and the 128-bit random part at least


@settings(max_examples=300, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(RAW) - 1), flip=st.integers(min_value=1, max_value=255)
)
def test_any_flipped_byte_is_refused(position: int, flip: int) -> None:
    tampered = bytearray(RAW)
    tampered[position] ^= flip
    with pytest.raises(MendanError) as refused:
        CODEC.open(_encode(bytes(tampered)), now=1_000)
    assert refused.value.code is ErrorCode.INVALID_INVITE


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(RAW) - 1))
def test_truncated_tokens_are_refused(cut: int) -> None:
    with pytest.raises(MendanError) as refused:
        CODEC.open(_encode(RAW[:cut]), now=1_000)
    assert refused.value.code is ErrorCode.INVALID_INVITE


@pytest.mark.parametrize("garbage", ["", "!!!", "a", "x" * 500, TOKEN + "A"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(MendanError) as refused:
        CODEC.open(garbage, now=1_000)
    assert refused.value.code is ErrorCode.INVALID_INVITE


def test_another_servers_key_cannot_open_it() -> None:
    with pytest.raises(MendanError):
        InviteCodec(b"other-secret").open(TOKEN, now=1_000)


def test_expired_tokens_say_so() -> None:
    with pytest.raises(MendanError) as refused:
        CODEC.open(TOKEN, now=2_000_000_000)
    assert refused.value.code is ErrorCode.INVITE_EXPIRED
