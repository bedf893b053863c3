"""The Nightscout sites in SQL (`services.nightscout.sites.Store`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables as core
from telesurveillance.adapters.sql.nightscout import tables
from telesurveillance.services.nightscout import sites

_SITES = tables.nightscout_sites
_C = _SITES.c


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes; they were written in UTC
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _site(row: Any) -> sites.Site:
    issued = _utc(row.issued_at)
    assert issued is not None
    return sites.Site(
        id=row.id,
        key=row.key,
        patient_id=row.patient_id,
        label=row.label,
        units=row.units,
        issued_by=row.issued_by,
        issued_at=issued,
        revoked_at=_utc(row.revoked_at),
        last_used_at=_utc(row.last_used_at),
    )


class SqlSites:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def patient_exists(self, patient_id: int) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(core.patients.c.id).where(core.patients.c.id == patient_id)
            ).first()
        return found is not None

    def replace(
        self,
        *,
        key: str,
        patient_id: int,
        digests: sites.Digests,
        label: str,
        units: str,
        issued_by: str,
        now: dt.datetime,
    ) -> tuple[sites.Site, sites.Site | None]:
        now = now.astimezone(dt.UTC)
        live = sa.and_(_C.patient_id == patient_id, _C.revoked_at.is_(None))
        with database.writing(self.engine) as conn:
            previous = conn.execute(sa.select(_SITES).where(live)).first()
            conn.execute(sa.update(_SITES).where(live).values(revoked_at=now))
            new_id = conn.execute(
                sa.insert(_SITES)
                .values(
                    key=key,
                    patient_id=patient_id,
                    secret_sha1=digests.sha1,
                    secret_sha512=digests.sha512,
                    label=label,
                    units=units,
                    issued_by=issued_by,
                    issued_at=now,
                )
                .returning(_C.id)
            ).scalar_one()
            row = conn.execute(sa.select(_SITES).where(_C.id == new_id)).one()
        revoked = None
        if previous is not None:
            revoked = _site(previous)
        return _site(row), revoked

    def _live(self, where: sa.ColumnElement[bool]) -> tuple[sites.Site, sites.Digests] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_SITES).where(where, _C.revoked_at.is_(None))).first()
        if row is None:
            return None
        return _site(row), sites.Digests(row.secret_sha1, row.secret_sha512)

    def live_by_key(self, key: str) -> tuple[sites.Site, sites.Digests] | None:
        return self._live(_C.key == key)

    def live_by_sha1(self, stored_sha1: str) -> tuple[sites.Site, sites.Digests] | None:
        return self._live(_C.secret_sha1 == stored_sha1)

    def live_for_patient(self, patient_id: int) -> sites.Site | None:
        found = self._live(_C.patient_id == patient_id)
        return None if found is None else found[0]

    def revoke(self, site_id: int, now: dt.datetime) -> bool:
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(_SITES)
                .where(_C.id == site_id, _C.revoked_at.is_(None))
                .values(revoked_at=now.astimezone(dt.UTC))
            ).rowcount
        return bool(done)

    def touch(self, site_id: int, now: dt.datetime) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(_SITES)
                .where(_C.id == site_id)
                .values(last_used_at=now.astimezone(dt.UTC))
            )
