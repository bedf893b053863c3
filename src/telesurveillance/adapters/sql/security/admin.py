"""`services.security.admin.Store` over SQL: the account and token lists, compare-and-set
changes of an account, and the audit trail read with filters (it stays insert-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables as core
from telesurveillance.adapters.sql.security import accounts as sql_accounts
from telesurveillance.adapters.sql.security import tables
from telesurveillance.adapters.sql.setup import tables as tset
from telesurveillance.domain import calendar
from telesurveillance.domain.access import roles
from telesurveillance.services.security import admin, audit


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives naive datetimes back; they were written in UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _instant(day: dt.date) -> dt.datetime:
    """The first instant of a Paris day, in UTC (the audit filter's dates are Paris days)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=calendar.PARIS).astimezone(dt.UTC)


class SqlAdmin(sql_accounts.SqlAccounts):
    def _rows(self, where: Any = None) -> list[admin.AccountRow]:
        a, link, p = tables.accounts, tset.setup_account_members, core.practitioners
        query = (
            sa.select(a, p.c.family, p.c.given)
            .select_from(a)
            .outerjoin(link, link.c.account_id == a.c.id)
            .outerjoin(p, p.c.id == link.c.practitioner_id)
            .order_by(a.c.username)
        )
        if where is not None:
            query = query.where(where)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            admin.AccountRow(
                id=r.id,
                username=r.username,
                display_name=r.display_name,
                role=roles.Role(r.role),
                active=bool(r.active),
                locked_until=_utc(r.locked_until),
                patient_id=r.patient_id,
                exploitant_id=r.exploitant_id,
                member=f"{r.given or ''} {r.family}".strip() if r.family is not None else None,
            )
            for r in rows
        ]

    def account_rows(self) -> Sequence[admin.AccountRow]:
        return self._rows()

    def account_row(self, account_id: int) -> admin.AccountRow | None:
        found = self._rows(tables.accounts.c.id == account_id)
        return found[0] if found else None

    def set_active(self, account_id: int, old: bool, new: bool) -> bool:
        a = tables.accounts.c
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables.accounts)
                .where(a.id == account_id, a.active == old)
                .values(active=new)
            ).rowcount
            if done and not new:
                conn.execute(
                    sa.delete(tables.sessions).where(tables.sessions.c.account_id == account_id)
                )
        return bool(done)

    def set_role(self, account_id: int, old: roles.Role, new: roles.Role) -> bool:
        a = tables.accounts.c
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables.accounts)
                .where(a.id == account_id, a.role == old.value)
                .values(role=new.value)
            ).rowcount
            if done:  # the open sessions carried the old role's rights
                conn.execute(
                    sa.delete(tables.sessions).where(tables.sessions.c.account_id == account_id)
                )
        return bool(done)

    def reset_password(self, account_id: int, password_hash: str) -> bool:
        a = tables.accounts.c
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables.accounts)
                .where(a.id == account_id)
                .values(password_hash=password_hash, failed_logins=0, locked_until=None)
            ).rowcount
            conn.execute(
                sa.delete(tables.sessions).where(tables.sessions.c.account_id == account_id)
            )
        return bool(done)

    def token_rows(self) -> Sequence[admin.TokenRow]:
        c = tables.api_tokens.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(tables.api_tokens).order_by(c.id.desc())).all()
        return [
            admin.TokenRow(
                id=r.id,
                label=r.label,
                role=roles.Role(r.role),
                patient_id=r.patient_id,
                exploitant_id=r.exploitant_id,
                device=bool(r.device),
                created_at=_utc(r.created_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
                expires_at=_utc(r.expires_at),
                revoked_at=_utc(r.revoked_at),
                last_used_at=_utc(r.last_used_at),
            )
            for r in rows
        ]

    def audit_events(
        self, chosen: admin.AuditFilter, limit: int, before_id: int | None
    ) -> Sequence[audit.Event]:
        c = tables.audit_events.c
        query = sa.select(tables.audit_events).order_by(c.id.desc()).limit(limit)
        if chosen.patient_id is not None:
            query = query.where(c.patient_id == chosen.patient_id)
        if chosen.actor:
            query = query.where(c.actor == chosen.actor)
        if chosen.since is not None:
            query = query.where(c.recorded_at >= _instant(chosen.since))
        if chosen.until is not None:
            query = query.where(c.recorded_at < _instant(chosen.until + dt.timedelta(days=1)))
        if before_id is not None:
            query = query.where(c.id < before_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            audit.Event(
                recorded_at=_utc(r.recorded_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
                actor=r.actor,
                actor_name=r.actor_name,
                role=r.role,
                route=r.route,
                action=r.action,
                method=r.method,
                path=r.path,
                patient_id=r.patient_id,
                source=r.source,
                status=r.status,
                request_id=r.request_id,
                id=r.id,
            )
            for r in rows
        ]
