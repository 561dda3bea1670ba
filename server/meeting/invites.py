"""Invite tokens (チャット招待): AES-GCM sealed, bound to one meeting, expiring.

A token is ``base64url(version || nonce || AES-GCM(key, {meeting, expiry, 128 random bits}))``.
The key is derived from the server's secret key with HKDF, so nothing about the token can be
read, guessed from the 5-digit number, or altered without the tag failing.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from protocol.signaling import ErrorCode
from server.errors import MendanError

TOKEN_VERSION = b"\x01"
NONCE_BYTES = 12
ASSOCIATED_DATA = b"mendan invite"


@dataclass(frozen=True)
class Invite:
    """What an invite token says once opened."""

    meeting_id: str
    expires_at: float


class InviteCodec:
    """Seals and opens invite tokens with a key derived from the server secret."""

    def __init__(self, secret_key: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mendan invite v1").derive(
            secret_key
        )
        self._aead = AESGCM(key)

    def seal(self, meeting_id: str, expires_at: float) -> str:
        payload = json.dumps({"m": meeting_id, "e": expires_at, "r": secrets.token_hex(16)}).encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = TOKEN_VERSION + nonce + self._aead.encrypt(nonce, payload, ASSOCIATED_DATA)
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def open(self, token: str, now: float) -> Invite:
        """The invite, or INVALID_INVITE (tampered, garbage) / INVITE_EXPIRED."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise MendanError(ErrorCode.INVALID_INVITE) from None
        if len(raw) < 1 + NONCE_BYTES + 16 or raw[:1] != TOKEN_VERSION:
            raise MendanError(ErrorCode.INVALID_INVITE)
        nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
        try:
            payload = json.loads(self._aead.decrypt(nonce, sealed, ASSOCIATED_DATA))
            invite = Invite(meeting_id=str(payload["m"]), expires_at=float(payload["e"]))
        except (InvalidTag, ValueError, KeyError, TypeError):
            raise MendanError(ErrorCode.INVALID_INVITE) from None
        if invite.expires_at <= now:
            raise MendanError(ErrorCode.INVITE_EXPIRED)
        return invite
