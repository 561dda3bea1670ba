"""Expiring HMAC-signed links, so meeting participants (who have no login) can fetch what a rep shows.

A link is ``<path>?exp=<unix seconds>&sig=<hex>``; the signature covers the path and the expiry, so
neither can be changed and a link to one page opens no other. The key is derived from the server's
secret key with a purpose label, so a signature made here is never valid as a CSRF token or session.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from protocol.signaling import ErrorCode
from server.errors import MendanError
from server.safe_compare import same_secret

PURPOSE = b"mendan signed url v1"


class UrlSigner:
    """Makes and checks expiring signed links to server paths."""

    def __init__(self, secret_key: bytes, now: Callable[[], float]) -> None:
        self._key = hmac.new(secret_key, PURPOSE, hashlib.sha256).digest()
        self._now = now

    def sign(self, path: str, ttl: float) -> str:
        """``path`` with the query that makes it valid for ``ttl`` seconds from now."""
        expires = math.ceil(self._now() + ttl)
        return f"{path}?{urlencode({'exp': expires, 'sig': self._mac(path, expires)})}"

    def verify(self, path: str, query: Mapping[str, str]) -> None:
        """Raises MendanError(LINK_INVALID) unless the query signs ``path`` and has not expired."""
        expires_text, signature = query.get("exp", ""), query.get("sig", "")
        if not expires_text.isdigit() or not signature:
            raise MendanError(ErrorCode.LINK_INVALID, "unsigned link")
        expires = int(expires_text)
        if not same_secret(signature, self._mac(path, expires)):
            raise MendanError(ErrorCode.LINK_INVALID, "bad signature")
        if expires < self._now():
            raise MendanError(ErrorCode.LINK_INVALID, "expired link")

    def _mac(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()
