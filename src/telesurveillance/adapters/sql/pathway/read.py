"""Reads of the care pathway store: rows of the core and pathway tables as service records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import tables as ta
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.notes import tables as tn
from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import delegation
from telesurveillance.domain.regulation import records
from telesurveillance.services.pathway import ports


def as_date(value: Any) -> dt.date | None:
    """A DATE column's value as a date (SQLite may hand back ISO text)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _aware(value: Any) -> dt.datetime:
    found = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


class Reads:
    """The read half of `SqlPathway`."""

    engine: sa.Engine

    # --- reads --------------------------------------------------------------------------------

    def _one(self, query: sa.Select[Any]) -> sa.RowMapping | None:
        with self.engine.connect() as conn:
            return conn.execute(query).mappings().first()

    def operateur(self, operateur_id: int) -> ports.Operateur | None:
        row = self._one(sa.select(tables.operateurs).where(tables.operateurs.c.id == operateur_id))
        if row is None:
            return None
        return ports.Operateur(
            row["id"],
            row["name"],
            model.OperateurKind(row["kind"]),
            row["finess"],
            row["siret"],
            as_date(row["ars_declared_on"]),
        )

    def alert_lines(
        self, patient_id: int, indication: str, start_ms: int, end_ms: int
    ) -> list[ports.AlertSummary]:
        a = ta.alerts
        query = (
            sa.select(a.c.rule_id, a.c.message, a.c.decision)
            .where(
                a.c.patient_id == patient_id,
                a.c.indication == indication,
                a.c.first_ts >= start_ms,
                a.c.first_ts < end_ms,
            )
            .order_by(a.c.first_ts, a.c.id)
        )
        grouped: dict[str, tuple[str, int, dict[str, int]]] = {}
        with self.engine.connect() as conn:
            for rule_id, message, decision in conn.execute(query):
                _, count, decisions = grouped.get(rule_id, (message, 0, {}))
                if decision:
                    decisions[decision] = decisions.get(decision, 0) + 1
                grouped[rule_id] = (message, count + 1, decisions)
        return sorted(
            (
                ports.AlertSummary(rule, message, count, tuple(sorted(decisions.items())))
                for rule, (message, count, decisions) in grouped.items()
            ),
            key=lambda line: (-line.count, line.rule_id),
        )

    def note_lines(
        self, patient_id: int, start: dt.datetime, end: dt.datetime, limit: int
    ) -> tuple[int, list[ports.NoteSummary]]:
        n = tn.patient_notes
        span = (n.c.patient_id == patient_id, n.c.written_at >= start, n.c.written_at < end)
        with self.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).where(*span)).scalar_one()
            rows = conn.execute(
                sa.select(n.c.written_at, n.c.author, n.c.body)
                .where(*span)
                .order_by(n.c.written_at.desc(), n.c.id.desc())
                .limit(limit)
            ).all()
        return int(count), [ports.NoteSummary(_aware(w), a, b) for w, a, b in rows]

    def medecin_traitant(self, patient_id: int) -> str | None:
        t = tp.patient_contacts
        row = self._one(sa.select(t.c.medecin_traitant).where(t.c.patient_id == patient_id))
        return None if row is None else row["medecin_traitant"]

    def practitioner_contact(self, practitioner_id: int) -> tuple[str | None, str | None]:
        t = tp.practitioner_contacts
        row = self._one(sa.select(t).where(t.c.practitioner_id == practitioner_id))
        return (None, None) if row is None else (row["address"], row["phone"])

    def practitioner(self, practitioner_id: int) -> ports.Practitioner | None:
        t = tables.practitioners
        row = self._one(sa.select(t).where(t.c.id == practitioner_id))
        if row is None:
            return None
        return ports.Practitioner(
            row["id"],
            row["family"],
            row["given"],
            row["rpps"],
            row["profession"],
            row["speciality"],
            row["operateur_id"],
        )

    def dmn(self, dmn_id: int) -> ports.Dmn | None:
        d, e = tables.dmns, tables.exploitants
        row = self._one(
            sa.select(d, e.c.name.label("exploitant_name"))
            .join(e, e.c.id == d.c.exploitant_id)
            .where(d.c.id == dmn_id)
        )
        if row is None:
            return None
        device = model.Dmn(
            name=row["name"],
            benefit=records.Benefit(row["benefit"]),
            certified_from=as_date(row["certified_from"]),
            certified_until=as_date(row["certified_until"]),
            latm_code=row["latm_code"],
        )
        return ports.Dmn(
            row["id"],
            row["exploitant_id"],
            row["exploitant_name"],
            row["name"],
            row["generic_line"],
            row["latm_code"],
            row["indication"],
            device,
        )

    def _conventions(self, operateur_id: int, exploitant_id: int) -> list[sa.RowMapping]:
        c = tables.conventions.c
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(tables.conventions)
                    .where(c.operateur_id == operateur_id, c.exploitant_id == exploitant_id)
                    .order_by(c.signed_on)
                ).mappings()
            )

    def conventions(self, operateur_id: int, exploitant_id: int) -> list[model.Convention]:
        return [
            model.Convention(as_date(r["signed_on"]), as_date(r["ends_on"]))
            for r in self._conventions(operateur_id, exploitant_id)
        ]

    def prefilter_delegated(self, operateur_id: int, exploitant_id: int, day: dt.date) -> bool:
        for r in self._conventions(operateur_id, exploitant_id):
            conv = model.Convention(as_date(r["signed_on"]), as_date(r["ends_on"]))
            if conv.covers(day):
                return bool(r["prefilter_delegated"])
        return False

    def protocols(self, operateur_id: int) -> list[delegation.CooperationProtocol]:
        t = tp.pathway_protocols
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.operateur_id == operateur_id).order_by(t.c.id)
            ).mappings()
            return [
                delegation.CooperationProtocol(
                    name=r["name"],
                    role=delegation.Role(r["role"]),
                    tasks=frozenset(delegation.Task(v) for v in r["tasks"].split(",") if v),
                    declared_on=as_date(r["declared_on"]) or dt.date.min,
                    ends_on=as_date(r["ends_on"]),
                )
                for r in rows
            ]

    def patient(self, patient_id: int) -> ports.Patient | None:
        t = tables.patients
        row = self._one(sa.select(t).where(t.c.id == patient_id))
        if row is None:
            return None
        return ports.Patient(
            row["id"],
            row["nir"],
            row["nir_type"],
            row["family"],
            row["given"],
            as_date(row["birth_date"]) or dt.date.min,
            row["sex"],
            row["coverage"],
            as_date(row["died_on"]),
            row["operateur_id"],
            bool(row["synthetic"]),
        )

    def open_indications(self, patient_id: int) -> set[str]:
        c = tables.prises_en_charge.c
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    sa.select(c.indication).where(
                        c.patient_id == patient_id, c.stopped_on.is_(None)
                    )
                ).scalars()
            )

    def prise_en_charge(self, pec_id: int) -> ports.PriseEnCharge | None:
        with self.engine.connect() as conn:
            return _read_pec(conn, pec_id)

    def days_with_data(self, patient_id: int, start: dt.date, end: dt.date) -> frozenset[dt.date]:
        c = tables.reading_days.c
        with self.engine.connect() as conn:
            days = conn.execute(
                sa.select(c.day)
                .where(c.patient_id == patient_id, c.day >= start, c.day < end)
                .distinct()
            ).scalars()
            return frozenset(d for d in (as_date(v) for v in days) if d is not None)

    def documents(self, pec_id: int) -> Sequence[tuple[int, str, int | None, str]]:
        t = tp.pathway_documents
        with self.engine.connect() as conn:
            return [
                (r.id, r.kind, r.prescription_id, r.sha256)
                for r in conn.execute(
                    sa.select(t.c.id, t.c.kind, t.c.prescription_id, t.c.sha256)
                    .where(t.c.prise_en_charge_id == pec_id)
                    .order_by(t.c.id)
                )
            ]

    def document(self, document_id: int) -> tuple[int, str, bytes] | None:
        t = tp.pathway_documents
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.c.prise_en_charge_id, t.c.kind, t.c.content).where(
                    t.c.id == document_id
                )
            ).first()
            return None if row is None else (row[0], row[1], bytes(row[2]))


def _read_pec(conn: sa.Connection, pec_id: int) -> ports.PriseEnCharge | None:
    pec = tables.prises_en_charge
    row = conn.execute(sa.select(pec).where(pec.c.id == pec_id)).mappings().first()
    if row is None:
        return None
    rx = tables.prescriptions.c
    prescriptions = tuple(
        ports.Prescription(
            r.id, r.prescriber_id, as_date(r.prescribed_on) or dt.date.min, r.months, r.renewal
        )
        for r in conn.execute(
            sa.select(tables.prescriptions)
            .where(rx.prise_en_charge_id == pec_id)
            .order_by(rx.prescribed_on, rx.id)
        )
    )
    mj = tables.majorations.c
    majorations = tuple(
        ports.Majoration(
            r.id,
            r.level,
            as_date(r.since) or dt.date.min,
            as_date(r.until),
            r.attested_by,
            r.criterion,
        )
        for r in conn.execute(
            sa.select(tables.majorations)
            .where(mj.prise_en_charge_id == pec_id)
            .order_by(mj.since, mj.id)
        )
    )
    ss = tp.pathway_support_sessions.c
    sessions = tuple(
        ports.Session(r.id, as_date(r.held_on) or dt.date.min, r.given_by, r.topic)
        for r in conn.execute(
            sa.select(tp.pathway_support_sessions)
            .where(ss.prise_en_charge_id == pec_id)
            .order_by(ss.held_on, ss.id)
        )
    )
    tm = tp.pathway_task_marks.c
    marks = tuple(
        (r.kind, as_date(r.due_on) or dt.date.min)
        for r in conn.execute(sa.select(tm.kind, tm.due_on).where(tm.prise_en_charge_id == pec_id))
    )
    el = tp.pathway_eligibility.c
    group = conn.execute(
        sa.select(el.sous_population).where(el.prise_en_charge_id == pec_id)
    ).scalar_one_or_none()
    return ports.PriseEnCharge(
        id=row["id"],
        patient_id=row["patient_id"],
        operateur_id=row["operateur_id"],
        indication=row["indication"],
        dmn_id=row["dmn_id"],
        prescriber_id=row["prescriber_id"],
        starts_on=as_date(row["starts_on"]) or dt.date.min,
        pecan=bool(row["pecan"]),
        consent_on=as_date(row["consent_on"]),
        consent_method=row["consent_method"],
        stopped_on=as_date(row["stopped_on"]),
        stop_reason=row["stop_reason"],
        version=row["version"],
        sous_population=group,
        prescriptions=prescriptions,
        majorations=majorations,
        sessions=sessions,
        marks=marks,
    )
