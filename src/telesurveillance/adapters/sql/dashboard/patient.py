"""Read model of one patient for the dashboard (`services.dashboard.ports.Patients`): identity,
prises en charge with their DMN, prescriptions, majorations and convention, the engine's
`Situation` per prise en charge, its alerts with their transitions, and measurement series.
Reads one patient only, so the page stays fast whatever the store's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import columns
from telesurveillance.adapters.sql.pathway import eligibility as attestations
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import eligibility
from telesurveillance.domain.regulation import catalogue, records
from telesurveillance.services.dashboard import ports


def _one(conn: sa.Connection, table: sa.Table, id_: int | None) -> sa.RowMapping | None:
    if id_ is None:
        return None
    return conn.execute(sa.select(table).where(table.c.id == id_)).mappings().first()


def days_with_data(conn: sa.Connection, patient_id: int) -> frozenset[dt.date]:
    d = tables.reading_days.c
    rows = conn.execute(sa.select(d.day).where(d.patient_id == patient_id).distinct())
    return frozenset(_as_date(r[0]) for r in rows)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def load(conn: sa.Connection, patient_id: int) -> ports.Patient | None:
    row = _one(conn, tables.patients, patient_id)
    if row is None:
        return None
    pecs = list(conn.execute(_cares_query(patient_id)).mappings())
    ids = [p["id"] for p in pecs]
    rx, mj = tables.prescriptions.c, tables.majorations.c
    rxs: dict[int, list[sa.RowMapping]] = defaultdict(list)
    for r in conn.execute(
        sa.select(tables.prescriptions)
        .where(rx.prise_en_charge_id.in_(ids))
        .order_by(rx.prescribed_on, rx.id)
    ).mappings():
        rxs[r["prise_en_charge_id"]].append(r)
    mjs: dict[int, list[sa.RowMapping]] = defaultdict(list)
    for m in conn.execute(sa.select(tables.majorations).where(mj.prise_en_charge_id.in_(ids))):
        mjs[m.prise_en_charge_id].append(m._mapping)
    days = days_with_data(conn, patient_id)
    attested = attestations.attested(conn, ids) if ids else {}
    cares = tuple(
        _care(row, p, rxs[p["id"]], mjs[p["id"]], days, attested.get(p["id"])) for p in pecs
    )
    return ports.Patient(row, cares)


def _cares_query(patient_id: int) -> sa.Select[Any]:
    """The patient's prises en charge, each with its opérateur, DMN, exploitant, the latest
    convention between them and the opérateur's first active physician's speciality: one
    statement for all (it was six a prise en charge)."""
    pec, op, dmn, ex = tables.prises_en_charge, tables.operateurs, tables.dmns, tables.exploitants
    conventions, pr = tables.conventions, tables.practitioners.c
    latest = conventions.alias("latest")
    chosen = (
        sa.select(latest.c.id)
        .where(
            latest.c.operateur_id == pec.c.operateur_id,
            latest.c.exploitant_id == dmn.c.exploitant_id,
        )
        .order_by(latest.c.signed_on.desc(), latest.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    speciality = (
        sa.select(pr.speciality)
        .where(pr.operateur_id == pec.c.operateur_id, pr.profession == "medecin", pr.active)
        .order_by(pr.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.select(
            pec,
            op.c.id.label("op_found"),
            op.c.kind.label("op_kind"),
            op.c.ars_declared_on.label("op_ars_declared_on"),
            dmn.c.id.label("dmn_found"),
            dmn.c.name.label("dmn_name"),
            dmn.c.benefit.label("dmn_benefit"),
            dmn.c.certified_from.label("dmn_certified_from"),
            dmn.c.certified_until.label("dmn_certified_until"),
            dmn.c.latm_code.label("dmn_latm_code"),
            ex.c.name.label("exploitant_name"),
            conventions.c.id.label("convention_found"),
            conventions.c.signed_on.label("convention_signed_on"),
            conventions.c.ends_on.label("convention_ends_on"),
            speciality.label("speciality"),
        )
        .select_from(
            pec.outerjoin(op, op.c.id == pec.c.operateur_id)
            .outerjoin(dmn, dmn.c.id == pec.c.dmn_id)
            .outerjoin(ex, ex.c.id == dmn.c.exploitant_id)
            .outerjoin(conventions, conventions.c.id == chosen)
        )
        .where(pec.c.patient_id == patient_id)
        .order_by(pec.c.id)
    )


def _care(
    patient: sa.RowMapping,
    pec: sa.RowMapping,
    rxs: list[sa.RowMapping],
    mjs: list[sa.RowMapping],
    days: frozenset[dt.date],
    attested: model.Attested | None,
) -> ports.Care:
    has_op, has_dmn = pec["op_found"] is not None, pec["dmn_found"] is not None
    convention = model.Convention(None)
    if pec["convention_found"] is not None:
        convention = model.Convention(pec["convention_signed_on"], pec["convention_ends_on"])
    firsts = [r for r in rxs if not r["renewal"]] or rxs
    first = firsts[0] if firsts else None
    starts_on: dt.date = pec["starts_on"]
    situation = model.Situation(
        operateur=model.Operateur(
            model.OperateurKind(pec["op_kind"]) if has_op else model.OperateurKind.LIBERAL,
            pec["op_ars_declared_on"] if has_op else None,
            pec["speciality"],
        ),
        convention=convention,
        dmn=model.Dmn(
            pec["dmn_name"],
            records.Benefit(pec["dmn_benefit"]),
            pec["dmn_certified_from"],
            pec["dmn_certified_until"],
            pec["dmn_latm_code"],
        )
        if has_dmn
        else model.Dmn("(no DMN on file)", records.Benefit.ORGANISATIONNEL, None, None),
        patient=model.Patient(
            patient["birth_date"],
            model.Coverage.ALD if patient["coverage"] == "ald" else model.Coverage.STANDARD,
            patient["died_on"],
            eligibility.recorded_sex(patient["sex"]),
        ),
        prise_en_charge=model.PriseEnCharge(
            indication=catalogue.Indication(pec["indication"]),
            starts_on=starts_on,
            prescription=model.Prescription(first["prescribed_on"], first["months"])
            if first
            else model.Prescription(starts_on, 0),
            renewals=tuple(
                model.Prescription(r["prescribed_on"], r["months"]) for r in rxs if r is not first
            ),
            pecan=bool(pec["pecan"]),
            majorations=tuple(
                model.Majoration(model.MajorationLevel(m["level"]), m["since"], m["until"])
                for m in mjs
            ),
            stopped_on=pec["stopped_on"],
            attested=attested,
        ),
        days_with_data=frozenset(d for d in days if d >= starts_on),
    )
    return ports.Care(
        id=pec["id"],
        indication=catalogue.Indication(pec["indication"]),
        starts_on=starts_on,
        stopped_on=pec["stopped_on"],
        dmn_name=pec["dmn_name"] if has_dmn else None,
        dmn_certified_until=pec["dmn_certified_until"] if has_dmn else None,
        exploitant_name=pec["exploitant_name"] if has_dmn else None,
        prescriptions=tuple(rxs),
        majorations=tuple(mjs),
        situation=situation,
    )


def indications(conn: sa.Connection, patient_id: int) -> set[str] | None:
    """The indications the patient is followed for; None if there is no such patient."""
    pec, p = tables.prises_en_charge.c, tables.patients.c
    rows = conn.execute(
        sa.select(p.id, pec.indication)
        .select_from(tables.patients.outerjoin(tables.prises_en_charge, pec.patient_id == p.id))
        .where(p.id == patient_id)
    ).all()
    if not rows:
        return None
    return {str(r[1]) for r in rows if r[1] is not None}


def series(
    conn: sa.Connection, patient_id: int, since_ms: int
) -> dict[int, tuple[list[int], list[float]]]:
    """Readings since `since_ms` per kind: (instants in UTC milliseconds, values), in time order."""
    return columns.readings(conn, patient_id, since_ms)


def alert_history(conn: sa.Connection, patient_id: int, limit: int = 50) -> list[sa.RowMapping]:
    """A patient's alerts (all statuses), newest first, with their transitions."""
    a = tables_alerts.alerts.c
    return list(
        conn.execute(
            sa.select(tables_alerts.alerts)
            .where(a.patient_id == patient_id)
            .order_by(a.opened_at.desc())
            .limit(limit)
        ).mappings()
    )


def transitions(conn: sa.Connection, alert_ids: list[int]) -> dict[int, list[sa.RowMapping]]:
    if not alert_ids:
        return {}
    t = tables_alerts.alert_transitions.c
    out: dict[int, list[sa.RowMapping]] = defaultdict(list)
    for row in conn.execute(
        sa.select(tables_alerts.alert_transitions)
        .where(t.alert_id.in_(alert_ids))
        .order_by(t.at, t.id)
    ).mappings():
        out[row["alert_id"]].append(row)
    return out


class SqlPatients:
    """`services.dashboard.ports.Patients` over SQLAlchemy: each page's reads in one
    connection."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def file(self, patient_id: int, alerts: int) -> ports.File | None:
        with self.engine.connect() as conn:
            found = load(conn, patient_id)
            if found is None:
                return None
            history = alert_history(conn, patient_id, alerts)
            moves = transitions(conn, [a["id"] for a in history])
        return ports.File(found, tuple(history), moves)

    def chart(
        self, patient_id: int, since_ms: int
    ) -> tuple[set[str], dict[int, tuple[list[int], list[float]]]] | None:
        with self.engine.connect() as conn:
            found = indications(conn, patient_id)
            if found is None:
                return None
            return found, series(conn, patient_id, since_ms)
