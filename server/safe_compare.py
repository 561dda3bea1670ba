"""Comparing a secret someone sent with the one we expect, in constant time, whatever its characters.

``hmac.compare_digest`` raises TypeError on a str with non-ASCII characters, which turned a token like
``ü`` into a 500; comparing the UTF-8 bytes answers "no" instead.
"""

from __future__ import annotations

import hmac


def same_secret(sent: str, expected: str) -> bool:
    return hmac.compare_digest(_bytes(sent), _bytes(expected))


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates from a hostile query still compare
