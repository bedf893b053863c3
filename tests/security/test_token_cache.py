"""The in-process cache of resolved API tokens: one look-up per token and lifetime, a
revocation in this process seen at once, one in another process within the lifetime, bounded."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import tables
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts, token_cache

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


class Counting(security_accounts.SqlAccounts):
    """The SQL store, counting its token look-ups and last-use updates."""

    looked_up = 0
    touched = 0

    def token(self, token_hash: str, now: dt.datetime) -> accounts.Token | None:
        self.looked_up += 1
        return super().token(token_hash, now)

    def touch_token(self, token_id: int, now: dt.datetime) -> None:
        self.touched += 1
        super().touch_token(token_id, now)


@pytest.fixture
def store(engine: sa.Engine) -> Counting:
    return Counting(engine)


def _revoke_elsewhere(engine: sa.Engine, token_id: int) -> None:
    """What the `token revoke` command does in its own process: update the row, no cache."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(tables.api_tokens)
            .where(tables.api_tokens.c.id == token_id)
            .values(revoked_at=NOW)
        )


def test_a_token_is_looked_up_once_then_served_from_the_cache(store: Counting) -> None:
    _, secret = accounts.create_token(store, roles.Role.MEDECIN, NOW)
    for _ in range(5):
        found = accounts.resolve_token(store, secret, NOW)
        assert found is not None
    assert store.looked_up == 1
    assert store.touched == 1


def test_a_wrong_token_is_never_cached(store: Counting) -> None:
    for _ in range(3):
        assert accounts.resolve_token(store, "tsv_wrong", NOW) is None
    assert store.looked_up == 3
    assert len(token_cache.of(store)) == 0


def test_a_token_revoked_in_this_process_is_refused_at_once(
    store: Counting, engine: sa.Engine
) -> None:
    token_id, secret = accounts.create_token(store, roles.Role.MEDECIN, NOW)
    assert accounts.resolve_token(store, secret, NOW) is not None
    # another store object of the same process (the admin page, a test) revokes it
    assert security_accounts.SqlAccounts(engine).revoke_token(token_id, NOW)
    assert accounts.resolve_token(store, secret, NOW) is None


def test_a_token_revoked_in_another_process_is_refused_within_the_lifetime(
    store: Counting, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(token_cache, "_caches", token_cache.weakref.WeakKeyDictionary())
    token_cache._caches[store] = token_cache.TokenCache(clock=clock)
    token_id, secret = accounts.create_token(store, roles.Role.MEDECIN, NOW)
    assert accounts.resolve_token(store, secret, NOW) is not None
    _revoke_elsewhere(engine, token_id)
    clock.seconds += token_cache.LIFETIME - 1
    assert accounts.resolve_token(store, secret, NOW) is not None  # still cached: the bound
    clock.seconds += 1
    assert accounts.resolve_token(store, secret, NOW) is None


def test_a_cached_token_still_expires_at_its_own_end(store: Counting) -> None:
    end = NOW + dt.timedelta(hours=1)
    _, secret = accounts.create_token(store, roles.Role.MEDECIN, NOW, expires=end)
    assert accounts.resolve_token(store, secret, end - dt.timedelta(seconds=1)) is not None
    assert accounts.resolve_token(store, secret, end) is None


def test_the_last_use_is_asked_again_only_after_a_minute() -> None:
    clock = Clock()
    cache = token_cache.TokenCache(lifetime=3600, clock=clock)
    cache.put("h", "token", None)
    clock.seconds += token_cache.TOUCH_EVERY - 1
    assert cache.get("h", NOW) == ("token", False)
    clock.seconds += 1
    assert cache.get("h", NOW) == ("token", True)
    assert cache.get("h", NOW) == ("token", False)


def test_the_cache_keeps_at_most_its_bound_dropping_the_least_recently_used() -> None:
    cache = token_cache.TokenCache(max_tokens=3)
    for name in ("a", "b", "c"):
        cache.put(name, name, None)
    assert cache.get("a", NOW) is not None  # a is now the most recently used
    cache.put("d", "d", None)
    assert len(cache) == 3
    assert cache.get("b", NOW) is None
    assert [cache.get(n, NOW) is not None for n in ("a", "c", "d")] == [True, True, True]
