"""What several API workers share lives in the database: a token's rate-limit bucket and the
OpenID Connect log-ins under way (issue 18, point 5) — on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.security import shared as sql_shared
from telesurveillance.services.security import shared

NOW = 1_800_000_000.0


def test_a_bucket_grants_its_burst_then_asks_to_wait(engine: sa.Engine) -> None:
    limits = sql_shared.SqlRateLimits(engine)
    waits = [limits.take(7, 1.0, 3.0, NOW) for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0)


def test_a_bucket_refills_at_its_rate_on_both_sides_of_one_token(engine: sa.Engine) -> None:
    limits = sql_shared.SqlRateLimits(engine)
    for _ in range(2):
        assert limits.take(7, 2.0, 2.0, NOW) == 0.0
    # 0.49 s at 2 tokens/s is 0.98 token: still refused; at 0.5 s, one token: granted
    assert limits.take(7, 2.0, 2.0, NOW + 0.49) == pytest.approx(0.01)
    assert limits.take(7, 2.0, 2.0, NOW + 0.5) == 0.0
    assert limits.take(7, 2.0, 2.0, NOW + 0.5) > 0.0


def test_a_bucket_never_holds_more_than_its_burst(engine: sa.Engine) -> None:
    limits = sql_shared.SqlRateLimits(engine)
    assert limits.take(7, 1.0, 2.0, NOW) == 0.0
    # an hour later the bucket is full again, not 3,600 tokens deep
    granted = [limits.take(7, 1.0, 2.0, NOW + 3600) == 0.0 for _ in range(3)]
    assert granted == [True, True, False]


def test_each_key_has_its_own_bucket(engine: sa.Engine) -> None:
    limits = sql_shared.SqlRateLimits(engine)
    assert limits.take(1, 1.0, 1.0, NOW) == 0.0
    assert limits.take(1, 1.0, 1.0, NOW) > 0.0
    assert limits.take(2, 1.0, 1.0, NOW) == 0.0


def test_the_memory_limiter_answers_as_the_shared_one(engine: sa.Engine) -> None:
    shared_limits = sql_shared.SqlRateLimits(engine)
    memory = shared.MemoryRateLimits()
    times = [NOW, NOW, NOW + 0.2, NOW + 0.7, NOW + 0.71, NOW + 5.0, NOW + 5.0, NOW + 5.0]
    for at in times:
        assert shared_limits.take(3, 2.0, 2.0, at) == pytest.approx(memory.take(3, 2.0, 2.0, at))


def test_concurrent_takes_never_grant_more_than_the_burst(engine: sa.Engine) -> None:
    # as two workers would: separate connections taking from one token's bucket at once
    limits = sql_shared.SqlRateLimits(engine)
    granted: list[bool] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(10):
            ok = limits.take(9, 0.001, 15.0, NOW) == 0.0
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 40
    assert granted.count(True) == 15


def _login(expires: float) -> shared.PendingLogin:
    return shared.PendingLogin("nonce-1", "verifier-1", "/ui/worklist", expires)


def test_a_pending_log_in_is_taken_once(engine: sa.Engine) -> None:
    pending = sql_shared.SqlPendingLogins(engine)
    pending.remember("state-1", _login(NOW + 600), NOW)
    assert pending.take("state-1", NOW + 1) == _login(NOW + 600)
    assert pending.take("state-1", NOW + 1) is None


def test_a_pending_log_in_is_refused_from_its_expiry_on(engine: sa.Engine) -> None:
    pending = sql_shared.SqlPendingLogins(engine)
    pending.remember("early", _login(NOW + 600), NOW)
    pending.remember("late", _login(NOW + 600), NOW)
    assert pending.take("early", NOW + 599.9) is not None
    assert pending.take("late", NOW + 600) is None


def test_an_unknown_state_finds_nothing_and_expired_log_ins_are_forgotten(
    engine: sa.Engine,
) -> None:
    pending = sql_shared.SqlPendingLogins(engine)
    pending.remember("old", _login(NOW + 10), NOW)
    assert pending.take("never-sent", NOW) is None
    pending.remember("new", _login(NOW + 700), NOW + 100)  # forgets "old", expired by now
    with engine.connect() as conn:
        left = conn.execute(sa.select(sql_shared.oidc_pending.c.next_url)).all()
    assert len(left) == 1


def test_the_state_itself_is_not_stored(engine: sa.Engine) -> None:
    sql_shared.SqlPendingLogins(engine).remember("state-secret", _login(NOW + 600), NOW)
    with engine.connect() as conn:
        [key] = conn.execute(sa.select(sql_shared.oidc_pending.c.state_hash)).scalars()
    assert "state-secret" not in key
    assert len(key) == 64
