"""The patient's space in SQL (`services.patient_space.ports.Store`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables as core
from telesurveillance.adapters.sql.patient_space import tables
from telesurveillance.services.patient_space import ports

_L = tables.patient_links.c
_S = tables.patient_link_sessions.c
_E = tables.patient_entries.c
_I = tables.patient_instructions.c


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes; they were written in UTC
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _at(value: dt.datetime | None) -> dt.datetime:
    found = _utc(value)
    assert found is not None
    return found


def _link(row: Any) -> ports.Link:
    return ports.Link(
        id=row.id,
        patient_id=row.patient_id,
        single_use=bool(row.single_use),
        created_by=row.created_by,
        created_at=_at(row.created_at),
        expires_at=_at(row.expires_at),
        used_at=_utc(row.used_at),
        revoked_at=_utc(row.revoked_at),
    )


class SqlPatientSpace:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def person(self, patient_id: int) -> ports.Person | None:
        p, pec = core.patients.c, core.prises_en_charge.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(p.given, p.family).where(p.id == patient_id)).first()
            if row is None:
                return None
            found = conn.execute(sa.select(pec.indication).where(pec.patient_id == patient_id))
            indications = frozenset(r[0] for r in found)
        return ports.Person(row.given, row.family, indications)

    def add_link(
        self,
        patient_id: int,
        digest: str,
        single_use: bool,
        created_by: str,
        now: dt.datetime,
        expires: dt.datetime,
    ) -> int:
        with database.writing(self.engine) as conn:
            new = conn.execute(
                sa.insert(tables.patient_links)
                .values(
                    patient_id=patient_id,
                    digest=digest,
                    single_use=single_use,
                    created_by=created_by[:200],
                    created_at=now.astimezone(dt.UTC),
                    expires_at=expires.astimezone(dt.UTC),
                )
                .returning(_L.id)
            ).scalar_one()
        return int(new)

    def links(self, patient_id: int) -> list[ports.Link]:
        query = sa.select(tables.patient_links).where(_L.patient_id == patient_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(_L.id.desc()).limit(50)).all()
        return [_link(r) for r in rows]

    def link_by_digest(self, digest: str) -> ports.Link | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(tables.patient_links).where(_L.digest == digest)).first()
        return _link(row) if row is not None else None

    def redeem(self, digest: str, now: dt.datetime) -> ports.Link | None:
        now = now.astimezone(dt.UTC)
        live = sa.and_(
            _L.digest == digest,
            _L.revoked_at.is_(None),
            _L.expires_at > now,
            sa.or_(_L.single_use.is_(False), _L.used_at.is_(None)),
        )
        with database.writing(self.engine) as conn:
            row = conn.execute(
                sa.update(tables.patient_links)
                .where(live)
                .values(used_at=now)
                .returning(*tables.patient_links.c)
            ).first()
        return _link(row) if row is not None else None

    def revoke(self, patient_id: int, link_id: int, now: dt.datetime) -> bool:
        mine = sa.and_(_L.id == link_id, _L.patient_id == patient_id, _L.revoked_at.is_(None))
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables.patient_links)
                .where(mine)
                .values(revoked_at=now.astimezone(dt.UTC))
            ).rowcount
            if done == 1:
                conn.execute(sa.delete(tables.patient_link_sessions).where(_S.link_id == link_id))
        return done == 1

    def add_session(
        self, digest: str, link: ports.Link, csrf: str, now: dt.datetime, expires: dt.datetime
    ) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.insert(tables.patient_link_sessions).values(
                    digest=digest,
                    link_id=link.id,
                    patient_id=link.patient_id,
                    csrf=csrf,
                    created_at=now.astimezone(dt.UTC),
                    expires_at=expires.astimezone(dt.UTC),
                )
            )

    def session(self, digest: str, now: dt.datetime) -> ports.LinkSession | None:
        p = core.patients.c
        query = (
            sa.select(_S.link_id, _S.patient_id, _S.csrf, p.given, p.family)
            .join(tables.patient_links, _L.id == _S.link_id)
            .join(core.patients, p.id == _S.patient_id)
            .where(_S.digest == digest, _S.expires_at > now.astimezone(dt.UTC))
            .where(_L.revoked_at.is_(None))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        name = f"{row.given} {row.family.upper()}".strip()
        return ports.LinkSession(row.link_id, row.patient_id, name, row.csrf)

    def end_session(self, digest: str) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(sa.delete(tables.patient_link_sessions).where(_S.digest == digest))

    def add_entries(
        self,
        patient_id: int,
        readings: Sequence[tuple[int, int, float]],
        questionnaire: str | None,
        entered_by: str,
        now: dt.datetime,
    ) -> None:
        if not readings:
            return
        rows = [
            {
                "patient_id": patient_id,
                "kind": kind,
                "ts": ts,
                "value": value,
                "questionnaire": questionnaire,
                "entered_by": entered_by[:200],
                "entered_at": now.astimezone(dt.UTC),
            }
            for kind, ts, value in readings
        ]
        with database.writing(self.engine) as conn:
            conn.execute(sa.insert(tables.patient_entries), rows)

    def entries(self, patient_id: int, limit: int) -> list[ports.Entry]:
        query = (
            sa.select(_E.kind, _E.ts, _E.value, _E.questionnaire, _E.entered_at)
            .where(_E.patient_id == patient_id)
            .order_by(_E.ts.desc(), _E.kind)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            ports.Entry(r.kind, r.ts, r.value, r.questionnaire, _at(r.entered_at)) for r in rows
        ]

    def add_instruction(
        self, patient_id: int, body: str, author: str, role: str, now: dt.datetime
    ) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.insert(tables.patient_instructions).values(
                    patient_id=patient_id,
                    body=body,
                    author=author[:200],
                    role=role[:32],
                    written_at=now.astimezone(dt.UTC),
                )
            )

    def instructions(self, patient_id: int, limit: int) -> list[ports.Instruction]:
        query = (
            sa.select(_I.body, _I.author, _I.role, _I.written_at)
            .where(_I.patient_id == patient_id)
            .order_by(_I.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [ports.Instruction(r.body, r.author, r.role, _at(r.written_at)) for r in rows]
