"""Password checks made cheap and observable for the lock-out tests.

argon2id at the production cost takes tens of milliseconds of CPU and 64 MiB per check: forty
concurrent log-ins would cost seconds on the shared test machine. `install` swaps in a cheap
argon2id hasher and makes every check sleep a little instead (the sleep releases the GIL, as
argon2 does), so the attempts still overlap as they would in production. It counts the checks
made against an account's own hash, apart from the dummy hash verified for timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import argon2
import pytest

from telesurveillance.services.security import accounts

#: how long a check lasts: the window in which concurrent attempts overlap
CHECK_TIME = 0.02


class Checks:
    """How many passwords were checked against an account's own hash."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.real = 0

    def count(self) -> None:
        with self._lock:
            self.real += 1


def install(monkeypatch: pytest.MonkeyPatch) -> Checks:
    quick = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    dummy = quick.hash("not a password: timing equaliser")
    checks = Checks()
    original: Callable[[str, str], bool] = accounts._verify

    def check(hashed: str, password: str) -> bool:
        if hashed != dummy:
            checks.count()
        time.sleep(CHECK_TIME)
        return original(hashed, password)

    monkeypatch.setattr(accounts, "_hasher", quick)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", dummy)
    monkeypatch.setattr(accounts, "_verify", check)
    return checks
