"""The patient register over SQLAlchemy Core: identity on the core `patients` row, contact and
care network in `patient_contacts`, every change in `patient_changes` (same transaction)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import read
from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.domain import identity as ids
from telesurveillance.services.pathway import patient_ports as ports

_p = tables.patients
_c = tp.patient_contacts
_CONTACT = tuple(f.name for f in dataclasses.fields(ports.Contact))


def _identity_values(found: ports.Identity) -> dict[str, Any]:
    system = None
    if found.nir is not None:
        system = ids.INS_NIA_OID if found.nir_type == "INS-NIA" else ids.INS_NIR_OID
    return {
        "nir": found.nir,
        "nir_type": found.nir_type,
        "nir_system": system,
        "family": found.family,
        "given": found.given,
        "birth_date": found.birth_date,
        "sex": found.sex,
        "coverage": found.coverage,
    }


def _change_values(patient_id: int, change: ports.Change) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "changed_at": change.changed_at,
        "changed_by": change.changed_by[:200],
        "field": change.field,
        "before": None if change.before is None else change.before[:500],
        "after": None if change.after is None else change.after[:500],
    }


def _record(row: sa.RowMapping) -> ports.Record:
    born = read.as_date(row["birth_date"])
    assert born is not None
    return ports.Record(
        id=int(row["id"]),
        identity=ports.Identity(
            row["nir"],
            row["nir_type"],
            row["family"],
            row["given"],
            born,
            row["sex"],
            row["coverage"],
        ),
        contact=ports.Contact(**{name: row[name] for name in _CONTACT}),
        died_on=read.as_date(row["died_on"]),
        synthetic=bool(row["synthetic"]),
        version=int(row["version"]),
    )


def _as_instant(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


class SqlPatients:
    """`patient_ports.Store` over one engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def _select(self) -> sa.Select[Any]:
        return sa.select(_p, *(_c.c[name] for name in _CONTACT)).select_from(
            _p.outerjoin(_c, _c.c.patient_id == _p.c.id)
        )

    def create_patient(
        self,
        identity: ports.Identity,
        contact: ports.Contact,
        operateur_id: int | None,
        created: ports.Change,
    ) -> int:
        with database.writing(self.engine) as conn:
            result = conn.execute(
                sa.insert(_p).values(**_identity_values(identity), operateur_id=operateur_id)
            )
            key = result.inserted_primary_key
            assert key is not None
            patient_id = int(key[0])
            if not contact.empty():
                conn.execute(sa.insert(_c).values(patient_id=patient_id, **_contact(contact)))
            conn.execute(
                sa.insert(tp.patient_changes).values(**_change_values(patient_id, created))
            )
        return patient_id

    def patient_record(self, patient_id: int) -> ports.Record | None:
        with self.engine.connect() as conn:
            row = conn.execute(self._select().where(_p.c.id == patient_id)).mappings().first()
        return None if row is None else _record(row)

    def search_patients(
        self, words: Sequence[str], birth_date: dt.date | None, limit: int
    ) -> list[ports.Record]:
        query = self._select()
        for word in words:
            pattern = f"%{_escape(word.lower())}%"
            query = query.where(
                sa.or_(
                    sa.func.lower(_p.c.family).like(pattern, escape="\\"),
                    sa.func.lower(_p.c.given).like(pattern, escape="\\"),
                    sa.func.lower(_p.c.nir).like(pattern, escape="\\"),
                )
            )
        if birth_date is not None:
            query = query.where(_p.c.birth_date == birth_date)
        query = query.order_by(_p.c.family, _p.c.given, _p.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(query).mappings()]

    def nir_owner(self, nir: str) -> int | None:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_p.c.id).where(_p.c.nir == nir)).scalar()
        return None if found is None else int(found)

    def update_patient(
        self,
        patient_id: int,
        version: int,
        identity: ports.Identity,
        contact: ports.Contact,
        changes: Sequence[ports.Change],
    ) -> bool:
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(_p)
                .where(_p.c.id == patient_id, _p.c.version == version)
                .values(
                    **_identity_values(identity),
                    version=_p.c.version + 1,
                    updated_at=sa.func.current_timestamp(),
                )
            )
            if done.rowcount != 1:
                return False
            conn.execute(sa.delete(_c).where(_c.c.patient_id == patient_id))
            if not contact.empty():
                conn.execute(sa.insert(_c).values(patient_id=patient_id, **_contact(contact)))
            conn.execute(
                sa.insert(tp.patient_changes),
                [_change_values(patient_id, c) for c in changes],
            )
        return True

    def add_consent_document(
        self, pec_id: int, filename: str, media_type: str, sha256: str, content: bytes
    ) -> int:
        with database.writing(self.engine) as conn:
            result = conn.execute(
                sa.insert(tp.pathway_consent_documents).values(
                    prise_en_charge_id=pec_id,
                    filename=filename[:200],
                    media_type=media_type[:100],
                    sha256=sha256,
                    content=content,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def consent_document(self, document_id: int) -> ports.ConsentDocument | None:
        t = tp.pathway_consent_documents
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == document_id)).mappings().first()
        if row is None:
            return None
        return ports.ConsentDocument(
            int(row["id"]),
            int(row["prise_en_charge_id"]),
            row["filename"],
            row["media_type"],
            row["sha256"],
            bytes(row["content"]),
        )

    def patient_changes(self, patient_id: int) -> list[ports.Change]:
        t = tp.patient_changes
        query = (
            sa.select(t)
            .where(t.c.patient_id == patient_id)
            .order_by(t.c.changed_at.desc(), t.c.id.desc())
        )
        with self.engine.connect() as conn:
            return [
                ports.Change(
                    _as_instant(r["changed_at"]),
                    r["changed_by"],
                    r["field"],
                    r["before"],
                    r["after"],
                )
                for r in conn.execute(query).mappings()
            ]


def _contact(contact: ports.Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in _CONTACT}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
