"""Writes the SYNTHETIC demo into a store: organisations, patients, prises en charge, readings
(`services.demo.build.Store`).

The store must be empty or already a demo (`is_demo`): `wipe` drops every table and migrates
again, so a fresh schema is built. What is written is decided by `services.demo.plan` (people
and the dates of the organisations' papers); readings go through `readings.store` (the
production write path, so `reading_days` and `last_readings` are exactly what ingestion would
have produced), in large batches, one transaction per batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from telesurveillance.adapters.sql import database, migrate, tables
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import readings
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.adapters.sql.pathway import tables as pathway_tables
from telesurveillance.adapters.sql.security import tables as security_tables
from telesurveillance.adapters.sql.setup import tables as setup_tables
from telesurveillance.domain.measures import reading
from telesurveillance.services.demo import build, plan, series

#: Readings per write transaction (readings.store splits them into INSERTs of 2,000 rows).
BATCH = 200_000


def is_demo(engine: sa.Engine) -> bool:
    """True if the store may be wiped: empty, or holding the demo opérateur and only synthetic
    patients (the demo marker)."""
    inspector = sa.inspect(engine)
    if not inspector.has_table("patients") or not inspector.has_table("operateurs"):
        return True
    p, o = schema.patients.c, schema.operateurs.c
    with engine.connect() as conn:
        real = conn.execute(
            sa.select(sa.func.count()).select_from(schema.patients).where(p.synthetic.is_(False))
        ).scalar_one()
        anyone = conn.execute(sa.select(sa.func.count()).select_from(schema.patients)).scalar_one()
        marker = conn.execute(
            sa.select(sa.func.count())
            .select_from(schema.operateurs)
            .where(o.name == plan.OPERATEUR_NAME)
        ).scalar_one()
    return real == 0 and (anyone == 0 or marker > 0)


def wipe(engine: sa.Engine) -> None:
    """Drop every table (all areas) and build the current schema again.

    On PostgreSQL the whole `public` schema goes (migrations also create functions and
    triggers, e.g. the audit trail's append-only guard), as the test fixtures do."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        else:
            tables.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    migrate.upgrade(engine)


@dataclass(frozen=True, slots=True)
class _Organisations:
    operateur_id: int
    #: demo DMN key -> stored DMN id; indication -> the physician who prescribes for it
    dmns: dict[int, int]
    prescribers: dict[str, int]
    exploitant_ids: list[int]


def _organisations(conn: sa.Connection, papers: plan.Papers) -> _Organisations:
    operateur_id = conn.execute(
        sa.insert(schema.operateurs).returning(schema.operateurs.c.id),
        {
            "name": plan.OPERATEUR_NAME,
            "kind": "etablissement",
            "finess": plan.OPERATEUR_FINESS,
            "ars_declared_on": papers.ars_declared_on,
        },
    ).scalar_one()
    team = [
        {
            "family": doctor.family,
            "given": doctor.given,
            "profession": "medecin",
            "speciality": doctor.speciality,
            "rpps": doctor.rpps,
            "operateur_id": operateur_id,
        }
        for doctor in plan.PHYSICIANS
    ]
    team.append(
        {
            "family": plan.NURSE[0],
            "given": plan.NURSE[1],
            "profession": "infirmier",
            "speciality": None,
            "rpps": None,
            "operateur_id": operateur_id,
        }
    )
    ids = (
        conn.execute(
            sa.insert(schema.practitioners).returning(
                schema.practitioners.c.id, sort_by_parameter_order=True
            ),
            team,
        )
        .scalars()
        .all()
    )
    # each indication is prescribed by a physician its listing qualifies (plan.PRESCRIBER_OF)
    by_speciality = {d.speciality: i for d, i in zip(plan.PHYSICIANS, ids, strict=False)}
    prescriber_of = {ind.value: by_speciality[spec] for ind, spec in plan.PRESCRIBER_OF.items()}
    # the nurse closes alerts medically under a protocole de coopération (art. L. 4011-1 CSP)
    conn.execute(
        sa.insert(pathway_tables.pathway_protocols),
        {
            "operateur_id": operateur_id,
            "name": "Protocole de coopération : suivi de télésurveillance (SYNTHÉTIQUE)",
            "role": "soignant",
            "tasks": ",".join(plan.NURSE_TASKS),
            "declared_on": papers.ars_declared_on,  # in force from the common law's start
        },
    )
    dmn_ids: dict[int, int] = {}
    exploitant_ids: list[int] = []
    for dmn in plan.DMNS:
        exploitant_id = conn.execute(
            sa.insert(schema.exploitants).returning(schema.exploitants.c.id),
            {"name": dmn.exploitant, "siret": dmn.exploitant_siret},
        ).scalar_one()
        exploitant_ids.append(exploitant_id)
        dmn_ids[dmn.key] = conn.execute(
            sa.insert(schema.dmns).returning(schema.dmns.c.id),
            {
                "exploitant_id": exploitant_id,
                "name": dmn.name,
                "generic_line": None,
                "latm_code": None,
                "indication": None,
                "benefit": "organisationnel",
                "certified_from": papers.certified_from,
                "certified_until": papers.certified_until,
            },
        ).scalar_one()
        conn.execute(
            sa.insert(schema.conventions),
            {
                "operateur_id": operateur_id,
                "exploitant_id": exploitant_id,
                "signed_on": papers.convention_signed_on,
                "prefilter_delegated": dmn.key == 1,
            },
        )
    return _Organisations(operateur_id, dmn_ids, prescriber_of, exploitant_ids)


def _people(conn: sa.Connection, people: Sequence[plan.Person], orgs: _Organisations) -> list[int]:
    operateur_id, dmns = orgs.operateur_id, orgs.dmns
    p = schema.patients
    patient_ids = [
        conn.execute(
            sa.insert(p).returning(p.c.id),
            {
                "family": person.family,
                "given": person.given,
                "birth_date": person.birth_date,
                "sex": person.sex,
                "coverage": "ald" if person.ald else "standard",
                "died_on": person.died_on,
                "operateur_id": operateur_id,
                "synthetic": True,
            },
        ).scalar_one()
        for person in people
    ]
    pec = schema.prises_en_charge
    for person, patient_id in zip(people, patient_ids, strict=True):
        pec_id = conn.execute(
            sa.insert(pec).returning(pec.c.id),
            {
                "patient_id": patient_id,
                "operateur_id": operateur_id,
                "indication": person.indication.value,
                "dmn_id": dmns[person.dmn],
                "prescriber_id": orgs.prescribers[person.indication.value],
                "starts_on": person.starts_on,
                "consent_on": person.starts_on - dt.timedelta(days=1),
                "consent_method": "oral",
                "stopped_on": person.died_on,
                "stop_reason": "deces" if person.died_on else None,
            },
        ).scalar_one()
        conn.execute(
            sa.insert(schema.prescriptions),
            [
                {
                    "prise_en_charge_id": pec_id,
                    "prescribed_on": rx.prescribed_on,
                    "prescriber_id": orgs.prescribers[person.indication.value],
                    "months": rx.months,
                    "renewal": rx.renewal,
                }
                for rx in person.prescriptions
            ],
        )
        if person.majoration is not None:
            conn.execute(
                sa.insert(schema.majorations),
                {
                    "prise_en_charge_id": pec_id,
                    "level": person.majoration,
                    "since": person.starts_on,
                    "criterion": "Critère attesté (synthétique)",
                },
            )
        conn.execute(
            sa.insert(schema.devices),
            {
                "dmn_id": dmns[person.dmn],
                "patient_id": patient_id,
                "serial": f"DEMO-{patient_id:05d}",
                "identifier_system": "urn:demo:device",
                "identifier_value": f"DEMO-{patient_id:05d}",
            },
        )
    return patient_ids


def write(
    engine: sa.Engine,
    seed: int,
    people: Sequence[plan.Person],
    papers: plan.Papers,
    today: dt.date,
    now: dt.datetime,
) -> build.Built:
    """Write the demo's organisations and `people` into the (wiped) store, and their readings
    for `seed` up to `now`."""
    with database.writing(engine) as conn:
        orgs = _organisations(conn, papers)
        patient_ids = _people(conn, people, orgs)
    now_ms = reading.millis(now)
    midnight = series.midnights()
    batch: list[reading.Reading] = []
    written = 0
    for person, patient_id in zip(people, patient_ids, strict=True):
        made = list(series.readings_of(person, patient_id, seed, today, now_ms, midnight))
        batch.extend(made)
        if len(batch) >= BATCH:
            written += _write(engine, batch)
            batch = []
    written += _write(engine, batch)
    return build.Built(orgs.operateur_id, tuple(orgs.exploitant_ids), tuple(patient_ids), written)


def _write(engine: sa.Engine, batch: list[reading.Reading]) -> int:
    if not batch:
        return 0
    with database.writing(engine) as conn:
        return len(readings.store(conn, batch).new)


class SqlDemo:
    """`services.demo.build.Store` over SQLAlchemy."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def location(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def is_demo(self) -> bool:
        return is_demo(self.engine)

    def wipe(self) -> None:
        wipe(self.engine)

    def write(
        self,
        seed: int,
        people: Sequence[plan.Person],
        papers: plan.Papers,
        today: dt.date,
        now: dt.datetime,
    ) -> build.Built:
        return write(self.engine, seed, people, papers, today, now)

    def link_accounts(self) -> int:
        return link_accounts(self.engine)

    def not_closed(self) -> int:
        a = tables_alerts.alerts.c
        query = sa.select(sa.func.count()).where(a.status != "closed")
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


#: Which demo log-in is which team member (user name -> family name of `plan.PHYSICIANS` or
#: `plan.NURSE`): the set-up page shows each member with their account.
DEMO_LOGINS = {"medecin": plan.PHYSICIANS[0].family, "soignant": plan.NURSE[0]}


def link_accounts(engine: sa.Engine) -> int:
    """Link the demo's log-ins to their team members (after the accounts are created); the
    number of links written."""
    written = 0
    with database.writing(engine) as conn:
        for username, family in DEMO_LOGINS.items():
            account = conn.execute(
                sa.select(security_tables.accounts.c.id).where(
                    security_tables.accounts.c.username == username
                )
            ).scalar()
            member = conn.execute(
                sa.select(schema.practitioners.c.id).where(schema.practitioners.c.family == family)
            ).scalar()
            if account is None or member is None:
                continue
            conn.execute(
                sa.insert(setup_tables.setup_account_members).values(
                    account_id=account, practitioner_id=member
                )
            )
            written += 1
    return written
