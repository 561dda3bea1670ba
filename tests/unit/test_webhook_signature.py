"""The server's webhook signature and the doc's receiver agree; retries back off as documented."""

from __future__ import annotations

from server.integrations.dispatcher import retry_delay
from server.integrations.signature import sign
from tests.support.webhook_receiver import example_receiver

BODY = '{"id":"evt_1","type":"test","data":{"message":"面談"}}'.encode()


def test_the_documented_receiver_accepts_what_the_server_signs_and_nothing_else() -> None:
    verify = example_receiver()["verify_signature"]
    signature = sign("whsec_k", 1_764_480_000, BODY)
    assert signature.startswith("v1=") and len(signature) == 3 + 64
    assert verify("whsec_k", "1764480000", BODY, signature, now=1_764_480_100)
    assert not verify("whsec_other", "1764480000", BODY, signature, now=1_764_480_100)
    assert not verify("whsec_k", "1764480001", BODY, signature, now=1_764_480_100)  # timestamp is signed
    assert not verify("whsec_k", "1764480000", BODY + b" ", signature, now=1_764_480_100)
    assert not verify("whsec_k", "1764480000", BODY, signature, now=1_764_480_301)  # a replay, later
    assert not verify("whsec_k", "-5", BODY, signature, now=1_764_480_100)


def test_retries_double_up_to_the_cap() -> None:
    assert [retry_delay(n, 30, 3600) for n in (1, 2, 3, 4, 8, 20)] == [30, 60, 120, 240, 3600, 3600]
