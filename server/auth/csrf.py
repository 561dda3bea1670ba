"""CSRF protection: a signed double-submit token.

The cookie and the form field (or ``X-CSRF-Token`` header) must carry the same token, and the
token is an HMAC of the login session it was made for, so a token planted by another site is
useless. The cookie is SameSite=Strict as a second line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from server.safe_compare import same_secret

COOKIE = "mendan_csrf"
HEADER = "x-csrf-token"
FIELD = "csrf_token"


def make_token(secret_key: bytes, session_token: str | None) -> str:
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_mac(secret_key, session_token, nonce)}"


def token_is_valid(
    secret_key: bytes, session_token: str | None, cookie: str | None, submitted: str | None
) -> bool:
    if not cookie or not submitted or not same_secret(submitted, cookie):
        return False
    nonce, _, mac = cookie.partition(".")
    return same_secret(mac, _mac(secret_key, session_token, nonce))


def _mac(secret_key: bytes, session_token: str | None, nonce: str) -> str:
    message = f"{session_token or ''}|{nonce}".encode()
    return hmac.new(secret_key, message, hashlib.sha256).hexdigest()
