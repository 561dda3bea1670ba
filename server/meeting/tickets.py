"""Participant tickets: ``<participant id>.<secret>``; only a hash of the secret is stored."""

from __future__ import annotations

import hashlib
import secrets

from server.safe_compare import same_secret


def new_id(nbytes: int = 16) -> str:
    return secrets.token_hex(nbytes)


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_secret(secret: str) -> str:
    # A ticket comes in JSON, which may carry lone surrogates; they hash instead of raising.
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def make_ticket(participant_id: str, secret: str) -> str:
    return f"{participant_id}.{secret}"


def split_ticket(ticket: str) -> tuple[str, str] | None:
    participant_id, dot, secret = ticket.partition(".")
    return (participant_id, secret) if dot and participant_id and secret else None


def secret_matches(stored_hash: str, secret: str) -> bool:
    return same_secret(hash_secret(secret), stored_hash)
