"""The state several API workers share (`services.security.shared`): the per-token rate-limit
buckets and the OpenID Connect log-ins under way, in the database.

- `SqlRateLimits.take` is ONE statement (`INSERT … ON CONFLICT DO UPDATE … RETURNING`): the row
  lock serialises the workers, so a token never gets more than its burst, whichever worker
  answers. On PostgreSQL the bucket's transaction does not wait for the disk flush
  (`synchronous_commit = off`): a bucket lost in a crash only gives a token its burst back.
- `SqlPendingLogins.take` is `DELETE … RETURNING`: a state is used once, even when two workers
  receive the same callback. The state is kept as its SHA-256 (like session tokens).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core.tables import metadata
from telesurveillance.services.security import shared

rate_buckets = sa.Table(
    "rate_buckets",
    metadata,
    # the principal the bucket limits (an API token's id)
    sa.Column("bucket_key", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("tokens", sa.Float, nullable=False),
    # wall-clock seconds since the epoch of the last take
    sa.Column("updated", sa.Float, nullable=False),
    # whether the last take was granted (what the statement returns)
    sa.Column("granted", sa.Boolean, nullable=False),
)

oidc_pending = sa.Table(
    "oidc_pending",
    metadata,
    sa.Column("state_hash", sa.String(64), primary_key=True),
    sa.Column("nonce", sa.String(200), nullable=False),
    sa.Column("verifier", sa.String(200), nullable=False),
    sa.Column("next_url", sa.String(2000), nullable=False),
    sa.Column("expires", sa.Float, nullable=False, index=True),
)

_TAKE = """
INSERT INTO rate_buckets (bucket_key, tokens, updated, granted)
VALUES (:key, :burst - 1.0, :now, :full)
ON CONFLICT (bucket_key) DO UPDATE SET
  tokens = CASE WHEN {avail} >= 1.0 THEN {avail} - 1.0 ELSE {avail} END,
  updated = {latest},
  granted = {avail} >= 1.0
RETURNING tokens, granted
"""


def _take_sql(dialect: str) -> str:
    least, greatest = ("LEAST", "GREATEST") if dialect == "postgresql" else ("MIN", "MAX")
    elapsed = f"{greatest}(0.0, :now - rate_buckets.updated)"
    avail = f"{least}(:burst, rate_buckets.tokens + {elapsed} * :rate)"
    latest = f"{greatest}(rate_buckets.updated, :now)"
    return _TAKE.format(avail=avail, latest=latest)


class SqlRateLimits:
    """`services.security.shared.RateLimits` in the database (several workers)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sql = sa.text(_take_sql(engine.dialect.name))

    def take(self, key: int, rate: float, burst: float, now: float) -> float:
        params = {"key": key, "rate": rate, "burst": burst, "now": now, "full": burst >= 1.0}
        with database.writing(self.engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            tokens, granted = conn.execute(self._sql, params).one()
        if granted:
            return 0.0
        return (1.0 - float(tokens)) / rate


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class SqlPendingLogins:
    """`services.security.shared.PendingLogins` in the database (several workers)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def remember(self, state: str, login: shared.PendingLogin, now: float) -> None:
        p = oidc_pending.c
        with database.writing(self.engine) as conn:
            conn.execute(sa.delete(oidc_pending).where(p.expires <= now))
            conn.execute(
                sa.insert(oidc_pending).values(
                    state_hash=_hash(state),
                    nonce=login.nonce,
                    verifier=login.verifier,
                    next_url=login.next,
                    expires=login.expires,
                )
            )

    def take(self, state: str, now: float) -> shared.PendingLogin | None:
        p = oidc_pending.c
        with database.writing(self.engine) as conn:
            row = conn.execute(
                sa.delete(oidc_pending)
                .where(p.state_hash == _hash(state))
                .returning(p.nonce, p.verifier, p.next_url, p.expires)
            ).one_or_none()
        if row is None or row.expires <= now:
            return None
        return shared.PendingLogin(row.nonce, row.verifier, row.next_url, float(row.expires))
