"""Each wrong path is refused before it costs an indu, naming the rule and its text; on both
backends. Boundaries are tested on both sides."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.domain.pathway import refusals
from telesurveillance.domain.regulation import store
from telesurveillance.services.pathway import care, setup
from tests.services.pathway import world as w

Indication = w.Indication
IC = Indication.INSUFFISANCE_CARDIAQUE
DAY = dt.timedelta(days=1)


def include(world: w.World, regulation: store.Regulation, **kw: object) -> care.Included:
    indication = kw.pop("indication", IC)
    assert isinstance(indication, w.Indication)
    request = w.inclusion(world, regulation, indication, **kw)  # type: ignore[arg-type]
    return care.include(world.store, regulation, request, w.START)


def test_no_inclusion_without_an_ars_declaration(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine, declared_on=None)
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation)
    assert refused.value.rule == "prerequisite.ars_declaration"
    assert str(refused.value) == (
        "no ARS declaration on 2024-06-03: billing impossible — "
        "Code de la sécurité sociale, art. L. 162-51"
    )


def test_an_ars_receipt_dated_the_day_after_the_start_is_too_late(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine, declared_on=w.START + DAY)
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation)
    assert refused.value.rule == "prerequisite.ars_declaration"
    assert "receipt dated 2024-06-04" in refused.value.message


def test_an_ars_receipt_dated_the_start_day_opens_billing(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine, declared_on=w.START)
    assert include(world, regulation).prise_en_charge_id > 0


def test_no_inclusion_with_a_dmn_whose_certificate_expired_the_day_before(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine, certified_until=w.START - DAY)
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation)
    assert refused.value.rule == "prerequisite.certificate"
    assert "no valid ANS certificate on 2024-06-03" in str(refused.value)
    assert "Décret n° 2022-1767" in refused.value.cite


def test_a_certificate_valid_through_the_start_day_is_enough(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine, certified_until=w.START)
    assert include(world, regulation).prise_en_charge_id > 0


def test_no_inclusion_without_a_convention(engine: sa.Engine, regulation: store.Regulation) -> None:
    world = w.build(engine, convention=None)
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation)
    assert refused.value.rule == "prerequisite.convention"
    assert refused.value.cite


def test_a_convention_ending_on_the_start_day_does_not_cover_it(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine, convention=(dt.date(2024, 1, 2), w.START))
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation)
    assert refused.value.rule == "prerequisite.convention"


def test_a_convention_ending_the_day_after_the_start_covers_it(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine, convention=(dt.date(2024, 1, 2), w.START + DAY))
    assert include(world, regulation).prise_en_charge_id > 0


def test_no_inclusion_without_consent(engine: sa.Engine, regulation: store.Regulation) -> None:
    world = w.build(engine)
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation, consent_on=None)
    assert refused.value.rule == "consent.missing"
    assert "R. 6316-2" in str(refused.value)


def test_consent_after_the_start_is_refused(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation, consent_on=w.START + DAY)
    assert refused.value.rule == "consent.after_start"


def test_a_prescription_over_one_year_is_refused(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec = include(world, regulation).prise_en_charge_id
    doctor = w.prescriber(world, IC)
    with pytest.raises(refusals.Refused) as refused:
        care.prescribe(world.store, regulation, pec, doctor, w.START, 13)
    assert refused.value.rule == "prescription.over_one_year"
    assert str(refused.value).endswith("Code de la sécurité sociale, art. R. 162-100")
    assert care.prescribe(world.store, regulation, pec, doctor, w.START, 12) > 0


def test_a_diabetes_prescription_over_three_months_is_refused(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec = include(world, regulation, indication=Indication.DIABETE).prise_en_charge_id
    doctor = w.prescriber(world, Indication.DIABETE)
    with pytest.raises(refusals.Refused) as refused:
        care.prescribe(world.store, regulation, pec, doctor, w.START, 4)
    assert refused.value.rule == "prescription.duration"
    assert care.prescribe(world.store, regulation, pec, doctor, w.START, 3) > 0


def test_a_cardiologist_cannot_prescribe_diabetes_telemonitoring(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec = include(world, regulation, indication=Indication.DIABETE).prise_en_charge_id
    with pytest.raises(refusals.Refused) as refused:
        care.prescribe(world.store, regulation, pec, world.physicians["cardiologue"], w.START, 3)
    assert refused.value.rule == "prescription.prescriber_qualification"
    assert "diabetologue" in refused.value.message


def test_a_nurse_cannot_prescribe(engine: sa.Engine, regulation: store.Regulation) -> None:
    world = w.build(engine)
    pec = include(world, regulation).prise_en_charge_id
    with pytest.raises(refusals.Refused) as refused:
        care.prescribe(world.store, regulation, pec, world.nurse_id, w.START, 3)
    assert refused.value.rule == "prescription.prescriber_not_physician"


def test_an_initial_prescription_after_the_start_is_refused(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec = include(world, regulation).prise_en_charge_id
    with pytest.raises(refusals.Refused) as refused:
        care.prescribe(world.store, regulation, pec, w.prescriber(world, IC), w.START + DAY, 3)
    assert refused.value.rule == "prescription.not_covered"


def test_a_nurse_cannot_close_an_alert_medically_without_a_protocol(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    with pytest.raises(refusals.Refused) as refused:
        setup.check_medical_closure(world.store, world.operateur_id, "soignant", w.START)
    assert refused.value.rule == "delegation.medical_closure"
    assert "L. 4011-1" in str(refused.value)
    assert setup.may_close_medically(world.store, world.operateur_id, "medecin", w.START)


def test_a_nurse_closes_medically_while_a_protocol_is_in_force(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    setup.declare_protocol(
        world.store,
        world.operateur_id,
        "Protocole IC",
        "soignant",
        ["cloture_medicale_alerte"],
        w.START,
        w.START + dt.timedelta(days=365),
    )
    may = setup.may_close_medically
    assert not may(world.store, world.operateur_id, "soignant", w.START - DAY)
    assert may(world.store, world.operateur_id, "soignant", w.START)
    assert not may(world.store, world.operateur_id, "soignant", w.START + dt.timedelta(days=365))


@pytest.mark.parametrize("role", ["facturation", "exploitant", "patient"])
def test_no_protocol_delegates_medical_closure_to_a_non_care_role(
    engine: sa.Engine, regulation: store.Regulation, role: str
) -> None:
    world = w.build(engine)
    with pytest.raises(refusals.Refused) as refused:
        setup.declare_protocol(
            world.store, world.operateur_id, "P", role, ["cloture_medicale_alerte"], w.START
        )
    assert refused.value.rule == "delegation.protocol_delegate"
    with pytest.raises(refusals.Refused):
        setup.check_medical_closure(world.store, world.operateur_id, role, w.START)


def test_a_patient_is_not_included_twice_for_the_same_indication(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    first = include(world, regulation)
    again = dataclasses.replace(
        w.inclusion(world, regulation, IC), patient=None, patient_id=first.patient_id
    )
    with pytest.raises(refusals.Refused) as refused:
        care.include(world.store, regulation, again, w.START)
    assert refused.value.rule == "inclusion.duplicate"


def test_a_minor_is_not_eligible_to_respiratory_telemonitoring(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    resp = Indication.INSUFFISANCE_RESPIRATOIRE
    with pytest.raises(refusals.Refused) as refused:
        include(world, regulation, indication=resp, born_on=dt.date(2006, 6, 4))
    assert refused.value.rule == "eligibility.age"
    assert include(world, regulation, indication=resp, born_on=dt.date(2006, 6, 3))
