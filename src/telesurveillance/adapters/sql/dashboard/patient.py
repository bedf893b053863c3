"""Read model of one patient for the dashboard (`services.dashboard.ports.Patients`): identity,
prises en charge with their DMN, prescriptions, majorations and convention, the engine's
`Situation` per prise en charge, its alerts with their transitions, and measurement series.
Reads one patient only, so the page stays fast whatever the store's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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
    pec = tables.prises_en_charge.c
    pecs = list(
        conn.execute(
            sa.select(tables.prises_en_charge).where(pec.patient_id == patient_id).order_by(pec.id)
        ).mappings()
    )
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
    cares = tuple(_care(conn, row, p, rxs[p["id"]], mjs[p["id"]], days) for p in pecs)
    return ports.Patient(row, cares)


def _care(
    conn: sa.Connection,
    patient: sa.RowMapping,
    pec: sa.RowMapping,
    rxs: list[sa.RowMapping],
    mjs: list[sa.RowMapping],
    days: frozenset[dt.date],
) -> ports.Care:
    op = _one(conn, tables.operateurs, pec["operateur_id"])
    dmn = _one(conn, tables.dmns, pec["dmn_id"])
    exploitant = _one(conn, tables.exploitants, dmn["exploitant_id"]) if dmn else None
    convention = model.Convention(None)
    if dmn is not None:
        c = tables.conventions.c
        found = (
            conn.execute(
                sa.select(tables.conventions)
                .where(
                    c.operateur_id == pec["operateur_id"], c.exploitant_id == dmn["exploitant_id"]
                )
                .order_by(c.signed_on.desc(), c.id.desc())
            )
            .mappings()
            .first()
        )
        if found is not None:
            convention = model.Convention(found["signed_on"], found["ends_on"])
    pr = tables.practitioners.c
    speciality = conn.execute(
        sa.select(pr.speciality)
        .where(pr.operateur_id == pec["operateur_id"], pr.profession == "medecin", pr.active)
        .order_by(pr.id)
        .limit(1)
    ).scalar_one_or_none()
    firsts = [r for r in rxs if not r["renewal"]] or rxs
    first = firsts[0] if firsts else None
    starts_on: dt.date = pec["starts_on"]
    situation = model.Situation(
        operateur=model.Operateur(
            model.OperateurKind(op["kind"]) if op else model.OperateurKind.LIBERAL,
            op["ars_declared_on"] if op else None,
            speciality,
        ),
        convention=convention,
        dmn=model.Dmn(
            dmn["name"],
            records.Benefit(dmn["benefit"]),
            dmn["certified_from"],
            dmn["certified_until"],
            dmn["latm_code"],
        )
        if dmn
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
            attested=attestations.attested(conn, (pec["id"],)).get(pec["id"]),
        ),
        days_with_data=frozenset(d for d in days if d >= starts_on),
    )
    return ports.Care(
        id=pec["id"],
        indication=catalogue.Indication(pec["indication"]),
        starts_on=starts_on,
        stopped_on=pec["stopped_on"],
        dmn_name=dmn["name"] if dmn else None,
        dmn_certified_until=dmn["certified_until"] if dmn else None,
        exploitant_name=exploitant["name"] if exploitant else None,
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
