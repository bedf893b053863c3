"""In-process cache of resolved API tokens (issue 18: one database look-up per token and per
`LIFETIME`, not per request).

A request with a bearer token used to cost two queries (the token by its SHA-256, then whether
its last use is due for an update) before anything else. The cache keeps, per store and per
token hash, the resolved token for `LIFETIME` (wall-clock, monotonic seconds), in at most
`MAX_TOKENS` entries (least recently used evicted first).

What it can and cannot make stale:
- a **revocation in this process** (the admin page, a test, any `revoke_token` of the SQL
  store) empties every cache of the process before it returns: the next request is refused;
- a **revocation in another process** (the `token revoke` command, another API worker) is
  seen by this process within `LIFETIME` at the latest, when the entry expires;
- an **expiry** (`expires_at`) is checked on every hit against the request's clock, as before;
- a token unknown or revoked is never cached (a wrong token costs its look-up every time).

The last-use write (`touch_token`, at most once a minute per token in the store) is asked at
most once per `TOUCH_EVERY` per token from each process.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: How long a resolved token is trusted without a look-up: the bound on a revocation made in
#: another process (docs/security.md).
LIFETIME = 30.0
#: Tokens kept per store (about 300 bytes each).
MAX_TOKENS = 10_000
#: Seconds between two last-use updates of one token asked by this process.
TOUCH_EVERY = 60.0


@dataclass(slots=True)
class _Entry:
    token: Any
    expires_at: dt.datetime | None
    until: float
    touched: float


class TokenCache:
    """Resolved tokens of one store, by token hash: bounded, expiring, thread-safe."""

    def __init__(
        self,
        lifetime: float = LIFETIME,
        max_tokens: int = MAX_TOKENS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lifetime = lifetime
        self.max_tokens = max_tokens
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token_hash: str, now: dt.datetime) -> tuple[Any, bool] | None:
        """(the cached token, whether its last use is due for an update), or None when the
        hash is not cached, its entry is older than `lifetime` or the token has expired."""
        moment = self.clock()
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is None:
                return None
            if moment >= entry.until or (entry.expires_at is not None and now >= entry.expires_at):
                del self._entries[token_hash]
                return None
            self._entries.move_to_end(token_hash)
            due = moment - entry.touched >= TOUCH_EVERY
            if due:
                entry.touched = moment
            return entry.token, due

    def put(self, token_hash: str, token: Any, expires_at: dt.datetime | None) -> None:
        """Keep a live token just resolved (and touched) from the store."""
        moment = self.clock()
        with self._lock:
            self._entries[token_hash] = _Entry(token, expires_at, moment + self.lifetime, moment)
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.max_tokens:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_caches: weakref.WeakKeyDictionary[Any, TokenCache] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def of(store: Any) -> TokenCache:
    """The cache of `store` (one per store object, gone with it)."""
    with _registry_lock:
        found = _caches.get(store)
        if found is None:
            found = _caches[store] = TokenCache()
        return found


def revoked() -> None:
    """A token was revoked in this process: forget every cached token of every store (a
    revocation is rare; the next request of each token looks it up again)."""
    with _registry_lock:
        caches = list(_caches.values())
    for cache in caches:
        cache.clear()
