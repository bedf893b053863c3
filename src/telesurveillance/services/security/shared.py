"""What several API workers must share (issue 18, point 5): the per-token rate limit and the
OpenID Connect log-ins under way.

With one process these lived in memory; with `serve --workers N` on PostgreSQL a request may
reach any worker, so a token's budget and a pending log-in's state live in the database
(`adapters.sql.security.shared`). On SQLite the server is one process (`serve` refuses
`--workers` above 1 there), and the limiter stays in memory (`MemoryRateLimits`): a durable write
per API request would cost a disk flush for nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from telesurveillance.domain.access import bucket


class RateLimits(Protocol):
    """Per-key token buckets (`rate` requests per second, bursts up to `burst`)."""

    def take(self, key: int, rate: float, burst: float, now: float) -> float:
        """0.0 if one request of `key` may proceed at `now` (wall-clock seconds, counted),
        else the seconds to wait."""
        ...


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """An OpenID Connect log-in sent to the provider and not yet back."""

    nonce: str
    verifier: str
    next: str
    #: wall-clock seconds (epoch) after which the callback is refused
    expires: float


class PendingLogins(Protocol):
    def remember(self, state: str, login: PendingLogin, now: float) -> None:
        """Keep `login` under `state` (and forget the expired ones)."""
        ...

    def take(self, state: str, now: float) -> PendingLogin | None:
        """The log-in under `state`, removed (a state is used once), if it has not expired."""
        ...


class MemoryRateLimits:
    """`RateLimits` in the process's memory: for a one-process server (SQLite)."""

    def __init__(self) -> None:
        self._buckets: dict[int, bucket.Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: int, rate: float, burst: float, now: float) -> float:
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                found = self._buckets[key] = bucket.Bucket.full(rate, burst, now)
            return found.take(now)
