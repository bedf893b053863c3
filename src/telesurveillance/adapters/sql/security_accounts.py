"""`services.accounts.Store` over the SQL store: accounts, sessions, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql import tables_security as t
from telesurveillance.domain.access import roles
from telesurveillance.services import accounts

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
                sa.insert(t.accounts)
                .values(
                    username=username,
                    display_name=display_name,
                    role=role.value,
                    password_hash=password_hash,
                    patient_id=patient_id,
                    exploitant_id=exploitant_id,
                    created_at=now,
                )
                .returning(t.accounts.c.id)
            ).scalar_one()
        return int(new_id)

    def account_named(self, username: str) -> accounts.Account | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.accounts).where(t.accounts.c.username == username)
            ).first()
        return None if row is None else _account(row)

    def count_failure(self, account_id: int) -> int:
        c = t.accounts.c
        with database.writing(self.engine) as conn:
            failures = conn.execute(
                sa.update(t.accounts)
                .where(c.id == account_id)
                .values(failed_logins=c.failed_logins + 1)
                .returning(c.failed_logins)
            ).scalar_one()
        return int(failures)

    def lock(self, account_id: int, until: dt.datetime) -> None:
        until = until.astimezone(dt.UTC)
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(t.accounts)
                .where(t.accounts.c.id == account_id)
                .values(locked_until=until, failed_logins=0)
            )

    def reset_failures(self, account_id: int) -> None:
        c = t.accounts.c
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(t.accounts)
                .where(c.id == account_id, c.failed_logins != 0)
                .values(failed_logins=0)
            )

    def set_password(self, account_id: int, password_hash: str) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(t.accounts)
                .where(t.accounts.c.id == account_id)
                .values(password_hash=password_hash)
            )

    def add_session(
        self, token_hash: str, account_id: int, csrf: str, now: dt.datetime, expires: dt.datetime
    ) -> None:
        now, expires = now.astimezone(dt.UTC), expires.astimezone(dt.UTC)
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.insert(t.sessions).values(
                    token_hash=token_hash,
                    account_id=account_id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )

    def session(self, token_hash: str, now: dt.datetime) -> accounts.Session | None:
        s = t.sessions.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.accounts, s.csrf_token, s.expires_at)
                .join(t.sessions, s.account_id == t.accounts.c.id)
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
            conn.execute(sa.delete(t.sessions).where(t.sessions.c.token_hash == token_hash))

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
    ) -> int:
        now = now.astimezone(dt.UTC)
        expires = expires.astimezone(dt.UTC) if expires is not None else None
        with database.writing(self.engine) as conn:
            new_id = conn.execute(
                sa.insert(t.api_tokens)
                .values(
                    token_hash=token_hash,
                    label=label,
                    role=role.value,
                    patient_id=patient_id,
                    exploitant_id=exploitant_id,
                    device=device,
                    created_at=now,
                    expires_at=expires,
                )
                .returning(t.api_tokens.c.id)
            ).scalar_one()
        return int(new_id)

    def token(self, token_hash: str, now: dt.datetime) -> accounts.Token | None:
        c = t.api_tokens.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.api_tokens).where(c.token_hash == token_hash, c.revoked_at.is_(None))
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
        )

    def touch_token(self, token_id: int, now: dt.datetime) -> None:
        now = now.astimezone(dt.UTC)
        c = t.api_tokens.c
        stale = sa.or_(c.last_used_at.is_(None), c.last_used_at < now - TOUCH_EVERY)
        with self.engine.connect() as conn:
            due = conn.execute(sa.select(c.id).where(c.id == token_id, stale)).first()
        if due is None:
            return
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(t.api_tokens).where(c.id == token_id, stale).values(last_used_at=now)
            )

    def revoke_token(self, token_id: int, now: dt.datetime) -> bool:
        now = now.astimezone(dt.UTC)
        c = t.api_tokens.c
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(t.api_tokens)
                .where(c.id == token_id, c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
        return bool(done)

    def tokens(self) -> list[dict[str, Any]]:
        """Every token's metadata (never the hash), newest first: for `token list`."""
        c = t.api_tokens.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    c.id,
                    c.label,
                    c.role,
                    c.patient_id,
                    c.exploitant_id,
                    c.device,
                    c.created_at,
                    c.revoked_at,
                    c.last_used_at,
                ).order_by(c.id.desc())
            )
            return [dict(r._mapping) for r in rows]
