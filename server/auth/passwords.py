"""Password hashing with Argon2id, a memory-hard KDF (argon2-cffi's tuned defaults).

A hash takes ~0.3 s of CPU; the server computes them in a few threads beside the event loop
(PasswordPool), so pages, sockets and /healthz keep answering while logins arrive in a flood.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from protocol.signaling import ErrorCode
from server.errors import MendanError

_hasher = PasswordHasher()
# A hash to verify against when the login is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a password of anybody")

T = TypeVar("T")

QUEUE_PER_WORKER = 16
"""Hashes that may wait per thread; more are refused at once rather than queued for minutes."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


HASH_NICENESS = 10


def _yield_to_the_loop() -> None:
    """Run this hashing thread (and the lane threads Argon2 starts from it) at a lower priority, so on
    a busy machine the event loop's thread gets the CPU first and pages and /healthz keep answering."""
    with contextlib.suppress(OSError):  # not permitted somewhere: hashing still works, just unniced
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICENESS)


class PasswordPool:
    """Argon2 off the event loop: ``workers`` threads (argon2-cffi releases the GIL), a bounded queue."""

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(
            workers, thread_name_prefix="argon2", initializer=_yield_to_the_loop
        )
        self._capacity = workers * (1 + QUEUE_PER_WORKER)
        self._busy = 0

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await self._run(verify_password, stored_hash, password)

    async def hash(self, password: str) -> str:
        return await self._run(hash_password, password)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        if self._busy >= self._capacity:
            raise MendanError(ErrorCode.RATE_LIMITED, "password hashing queue full", retry_after=5)
        self._busy += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
        finally:
            self._busy -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
