"""Signed links: valid until they expire, worthless once anything in them changes."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from protocol.signaling import ErrorCode
from server.documents.signed_url import UrlSigner
from server.errors import MendanError

PATH = "/api/documents/abc/r1/pages/1.jpg"


class FakeClock:
    def __init__(self) -> None:
        self.time = 1_800_000_000.0

    def now(self) -> float:
        return self.time


def split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


def refused(signer: UrlSigner, path: str, query: dict[str, str]) -> None:
    with pytest.raises(MendanError) as caught:
        signer.verify(path, query)
    assert caught.value.code is ErrorCode.LINK_INVALID


def test_a_fresh_link_verifies() -> None:
    clock = FakeClock()
    signer = UrlSigner(b"key", clock.now)
    path, query = split(signer.sign(PATH, 60))
    assert path == PATH
    signer.verify(path, query)


def test_a_link_expires() -> None:
    clock = FakeClock()
    signer = UrlSigner(b"key", clock.now)
    path, query = split(signer.sign(PATH, 60))
    clock.time += 59
    signer.verify(path, query)
    clock.time += 2
    refused(signer, path, query)


def test_changing_the_path_expiry_or_signature_breaks_it() -> None:
    signer = UrlSigner(b"key", FakeClock().now)
    path, query = split(signer.sign(PATH, 60))
    refused(signer, PATH.replace("1.jpg", "2.jpg"), query)
    refused(signer, path, {**query, "exp": str(int(query["exp"]) + 3600)})
    flipped = ("0" if query["sig"][0] != "0" else "1") + query["sig"][1:]
    refused(signer, path, {**query, "sig": flipped})
    refused(signer, path, {"exp": query["exp"]})
    refused(signer, path, {})
    refused(signer, path, {**query, "exp": "-5"})


def test_another_key_does_not_verify() -> None:
    clock = FakeClock()
    path, query = split(UrlSigner(b"key", clock.now).sign(PATH, 60))
    refused(UrlSigner(b"other", clock.now), path, query)
