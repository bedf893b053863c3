"""`services.security.accounts.Store` over the SQL store: accounts, sessions, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables as core_tables
from telesurveillance.adapters.sql.security import tables
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts, token_cache

#: `last_used_at` is written at most this often per token (a write per request would
#: serialise every device on the SQLite write lock for a date nobody needs to the second).
TOUCH_EVERY = dt.timedelta(minutes=1)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives naive datetimes back; they were written in UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _account(row: Any) -> accounts.Account:
    return accounts.Account(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=roles.Role(row.role),
        password_hash=row.password_hash,
        patient_id=row.patient_id,
        exploitant_id=row.exploitant_id,
        active=bool(row.active),
        failed_logins=row.failed_logins,
        locked_until=_utc(row.locked_until),
    )


class SqlAccounts:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add_account(
        self,
        username: str,
        display_name: str,
        role: roles.Role,
        password_hash: str | None,
        patient_id: int | None,
        exploitant_id: int | None,
        now: dt.datetime,
    ) -> int:
        now = now.astimezone(dt.UTC)
        with database.writing(self.engine) as conn:
            new_id = conn.execute(
                sa.insert(tables.accounts)
                .values(
                    username=username,
                    display_name=display_name,
                    role=role.value,
                    password_hash=password_hash,
                    patient_id=patient_id,
                    exploitant_id=exploitant_id,
                    created_at=now,
                )
                .returning(tables.accounts.c.id)
            ).scalar_one()
        return int(new_id)

    def account_named(self, username: str) -> accounts.Account | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(tables.accounts).where(tables.accounts.c.username == username)
            ).first()
        return None if row is None else _account(row)

    def charge_attempt(
        self, account_id: int, now: dt.datetime, limit: int, lock_until: dt.datetime
    ) -> accounts.Charge | None:
        """Charge one log-in attempt, in one statement: refused (None) while a lock is in
        force; after a lock has ended the count starts again at 1; the charge that reaches
        `limit` sets the lock. Concurrent charges queue on the row (PostgreSQL re-evaluates the
        WHERE clause on the row its predecessor wrote; SQLite writes one at a time), so no two
        attempts get the same rank and none gets past the lock."""
        now, lock_until = now.astimezone(dt.UTC), lock_until.astimezone(dt.UTC)
        c = tables.accounts.c
        ended = sa.and_(c.locked_until.is_not(None), c.locked_until <= now)
        unlocked = sa.or_(c.locked_until.is_(None), c.locked_until <= now)
        rank = sa.case((ended, 1), else_=c.failed_logins + 1)
        until = sa.literal(lock_until, c.locked_until.type)
        with database.writing(self.engine) as conn:
            row = conn.execute(
                sa.update(tables.accounts)
                .where(c.id == account_id, c.active.is_(True), unlocked)
                .values(
                    failed_logins=rank,
                    locked_until=sa.case((rank >= limit, until), else_=sa.null()),
                )
                .returning(c.failed_logins, c.locked_until)
            ).first()
        if row is None:
            return None
        return accounts.Charge(int(row.failed_logins), _utc(row.locked_until))

    def confirm_success(self, account_id: int, charge: accounts.Charge, now: dt.datetime) -> bool:
        """Accept a right password (compare-and-set): only if no lock is in force other than
        the one this very attempt set. The attempts charged up to this one are forgiven; those
        charged after it (still being checked) keep counting."""
        now = now.astimezone(dt.UTC)
        c = tables.accounts.c
        free = [c.locked_until.is_(None), c.locked_until <= now]
        if charge.lock is not None:
            free.append(c.locked_until == sa.literal(charge.lock, c.locked_until.type))
        later = sa.case((c.failed_logins > charge.number, c.failed_logins - charge.number), else_=0)
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables.accounts)
                .where(c.id == account_id, c.active.is_(True), sa.or_(*free))
                .values(failed_logins=later, locked_until=None)
            ).rowcount
        return bool(done)

    def set_password(self, account_id: int, password_hash: str) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(tables.accounts)
                .where(tables.accounts.c.id == account_id)
                .values(password_hash=password_hash)
            )

    def add_session(
        self, token_hash: str, account_id: int, csrf: str, now: dt.datetime, expires: dt.datetime
    ) -> None:
        now, expires = now.astimezone(dt.UTC), expires.astimezone(dt.UTC)
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.insert(tables.sessions).values(
                    token_hash=token_hash,
                    account_id=account_id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )

    def session(self, token_hash: str, now: dt.datetime) -> accounts.Session | None:
        s = tables.sessions.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(tables.accounts, s.csrf_token, s.expires_at)
                .join(tables.sessions, s.account_id == tables.accounts.c.id)
                .where(s.token_hash == token_hash)
            ).first()
        if row is None:
            return None
        expires = _utc(row.expires_at)
        if expires is None or now >= expires or not row.active:
            return None
        return accounts.Session(_account(row), row.csrf_token)

    def end_session(self, token_hash: str) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.delete(tables.sessions).where(tables.sessions.c.token_hash == token_hash)
            )

    def add_token(
        self,
        token_hash: str,
        label: str,
        role: roles.Role,
        patient_id: int | None,
        exploitant_id: int | None,
        device: bool,
        now: dt.datetime,
        expires: dt.datetime | None,
        device_id: int | None = None,
    ) -> int:
        now = now.astimezone(dt.UTC)
        expires = expires.astimezone(dt.UTC) if expires is not None else None
        with database.writing(self.engine) as conn:
            if device_id is not None:
                _check_device(conn, device_id, patient_id)
            new_id = conn.execute(
                sa.insert(tables.api_tokens)
                .values(
                    token_hash=token_hash,
                    label=label,
                    role=role.value,
                    patient_id=patient_id,
                    exploitant_id=exploitant_id,
                    device=device,
                    device_id=device_id,
                    created_at=now,
                    expires_at=expires,
                )
                .returning(tables.api_tokens.c.id)
            ).scalar_one()
        return int(new_id)

    def token(self, token_hash: str, now: dt.datetime) -> accounts.Token | None:
        c = tables.api_tokens.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(tables.api_tokens).where(
                    c.token_hash == token_hash, c.revoked_at.is_(None)
                )
            ).first()
        if row is None:
            return None
        expires = _utc(row.expires_at)
        if expires is not None and now >= expires:
            return None
        return accounts.Token(
            id=row.id,
            label=row.label,
            role=roles.Role(row.role),
            patient_id=row.patient_id,
            exploitant_id=row.exploitant_id,
            device=bool(row.device),
            expires_at=expires,
            device_id=row.device_id,
        )

    def touch_token(self, token_id: int, now: dt.datetime) -> None:
        now = now.astimezone(dt.UTC)
        c = tables.api_tokens.c
        stale = sa.or_(c.last_used_at.is_(None), c.last_used_at < now - TOUCH_EVERY)
        with self.engine.connect() as conn:
            due = conn.execute(sa.select(c.id).where(c.id == token_id, stale)).first()
        if due is None:
            return
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(tables.api_tokens).where(c.id == token_id, stale).values(last_used_at=now)
            )

    def revoke_token(self, token_id: int, now: dt.datetime) -> bool:
        now = now.astimezone(dt.UTC)
        c = tables.api_tokens.c
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables.api_tokens)
                .where(c.id == token_id, c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
        token_cache.revoked()  # issue 18: refused at once by this process (services.security)
        return bool(done)

    def tokens(self) -> list[dict[str, Any]]:
        """Every token's metadata (never the hash), newest first: for `token list`."""
        c = tables.api_tokens.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    c.id,
                    c.label,
                    c.role,
                    c.patient_id,
                    c.exploitant_id,
                    c.device,
                    c.device_id,
                    c.created_at,
                    c.revoked_at,
                    c.last_used_at,
                ).order_by(c.id.desc())
            )
            return [dict(r._mapping) for r in rows]


def _check_device(conn: sa.Connection, device_id: int, patient_id: int | None) -> None:
    """A token's device must be a stored Device of the token's patient (issue 17)."""
    d = core_tables.devices.c
    row = conn.execute(sa.select(d.patient_id).where(d.id == device_id)).first()
    if row is None:
        raise accounts.AccountError(f"no device {device_id}", "device_id.unknown")
    if row.patient_id is not None and row.patient_id != patient_id:
        raise accounts.AccountError(
            f"device {device_id} is another patient's device", "device_id.other_patient"
        )
