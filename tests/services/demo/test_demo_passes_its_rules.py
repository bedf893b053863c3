"""The demo passes the project's own rules: physicians with valid RPPS, each patient prescribed
by a physician its indication's listing qualifies, a protocole de coopération for the nurse, so
every demo patient can get an ordonnance."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import demo
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import store as pathway_store
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.setup import tables as setup_tables
from telesurveillance.domain import identity
from telesurveillance.domain.access import roles
from telesurveillance.domain.pathway import prescription
from telesurveillance.domain.regulation import catalogue, store
from telesurveillance.services.demo import plan
from telesurveillance.services.pathway import documents, setup
from telesurveillance.services.security import accounts

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_the_demo_identifiers_pass_their_check_digits() -> None:
    for doctor in plan.PHYSICIANS:
        assert identity.rpps_keyed(doctor.rpps) == doctor.rpps
    assert identity.finess_keyed(plan.OPERATEUR_FINESS) == plan.OPERATEUR_FINESS


def test_each_indication_is_prescribed_by_a_speciality_its_listing_qualifies(
    regulation: store.Regulation,
) -> None:
    specialities = {d.speciality for d in plan.PHYSICIANS}
    for indication in catalogue.Indication:
        chosen = plan.PRESCRIBER_OF[indication]
        assert chosen in specialities
        prescription.require_prescriber(regulation, indication, TODAY, "medecin", chosen)


def test_every_demo_patient_can_get_an_ordonnance(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    demo.write(engine, 3, plan.plan(3, 14, TODAY), plan.papers(store.packaged(), TODAY), TODAY, NOW)
    pathway = pathway_store.SqlPathway(engine)
    with engine.connect() as conn:
        pecs = conn.execute(sa.select(tables.prises_en_charge.c.id)).scalars().all()
    assert len(pecs) == 14
    for pec_id in pecs:
        found = documents.ordonnance(pathway, regulation, pec_id)
        assert found.prescriber_rpps
        assert identity.rpps_keyed(found.prescriber_rpps) == found.prescriber_rpps


def test_the_demo_nurse_may_close_alerts_under_a_protocol(engine: sa.Engine) -> None:
    demo.write(engine, 3, plan.plan(3, 2, TODAY), plan.papers(store.packaged(), TODAY), TODAY, NOW)
    pathway = pathway_store.SqlPathway(engine)
    with engine.connect() as conn:
        operateur = conn.execute(sa.select(tables.operateurs.c.id)).scalar_one()
    assert setup.may_close_medically(pathway, operateur, "soignant", TODAY)


def test_the_demo_log_ins_are_linked_to_their_team_members(engine: sa.Engine) -> None:
    demo.write(engine, 3, plan.plan(3, 2, TODAY), plan.papers(store.packaged(), TODAY), TODAY, NOW)
    logins = security_accounts.SqlAccounts(engine)
    for username in demo.DEMO_LOGINS:
        accounts.create_account(logins, username, "Correct-horse-9x", roles.Role.MEDECIN, NOW)
    assert demo.link_accounts(engine) == 2
    with engine.connect() as conn:
        linked = conn.execute(
            sa.select(tables.practitioners.c.family)
            .join(
                setup_tables.setup_account_members,
                setup_tables.setup_account_members.c.practitioner_id == tables.practitioners.c.id,
            )
            .order_by(tables.practitioners.c.family)
        ).scalars()
        assert list(linked) == sorted(demo.DEMO_LOGINS.values())
