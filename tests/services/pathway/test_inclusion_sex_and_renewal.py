"""The pathway speaks as billing does: an inclusion billing would refuse for the patient's sex
is refused with the same rule, and a renewal date reads each prescription as covering at most
its indication's maximum (diabetes: 3 months). On both backends."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import prescription, refusals
from telesurveillance.domain.regulation import store
from telesurveillance.services.pathway import care, documents
from tests.services.pathway import world as w

Indication = w.Indication
GESTATIONAL = Indication.DIABETE_GESTATIONNEL
DIABETES = Indication.DIABETE
DAY = dt.timedelta(days=1)


def _with_sex(request: care.Inclusion, sex: str) -> care.Inclusion:
    assert request.patient is not None
    return dataclasses.replace(request, patient=dataclasses.replace(request.patient, sex=sex))


def test_gestational_diabetes_inclusion_of_a_male_patient_is_refused_as_billing_would(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    request = _with_sex(w.inclusion(world, regulation, GESTATIONAL), "male")
    with pytest.raises(refusals.Refused) as refused:
        care.include(world.store, regulation, request, w.START)
    assert refused.value.rule == "eligibility.sex"
    assert "female only" in refused.value.message


@pytest.mark.parametrize("sex", ["female", "unknown", "other"])
def test_gestational_diabetes_inclusion_is_not_refused_for_a_female_or_unrecorded_sex(
    engine: sa.Engine, regulation: store.Regulation, sex: str
) -> None:
    world = w.build(engine)
    request = _with_sex(w.inclusion(world, regulation, GESTATIONAL), sex)
    assert care.include(world.store, regulation, request, w.START).prise_en_charge_id > 0


def test_an_existing_male_patient_is_refused_gestational_diabetes(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    first = care.include(world.store, regulation, w.inclusion(world, regulation, DIABETES), w.START)
    again = dataclasses.replace(
        w.inclusion(world, regulation, GESTATIONAL), patient=None, patient_id=first.patient_id
    )
    with pytest.raises(refusals.Refused) as refused:
        care.include(world.store, regulation, again, w.START)
    assert refused.value.rule == "eligibility.sex"


def _diabetes_with_six_months_on_file(
    world: w.World, regulation: store.Regulation
) -> tuple[int, int]:
    """A diabetes prise en charge whose initial prescription was stored for 6 months (written
    before the per-indication maximum was enforced): billing covers 3 of them."""
    included = care.include(
        world.store, regulation, w.inclusion(world, regulation, DIABETES), w.START
    )
    doctor = w.prescriber(world, DIABETES)
    world.store.add_prescription(included.prise_en_charge_id, doctor, w.START, 6, False)
    return included.prise_en_charge_id, doctor


def test_a_diabetes_renewal_opens_15_days_before_the_third_month_ends(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec_id, doctor = _diabetes_with_six_months_on_file(world, regulation)
    end = w.START + 90 * DAY
    opens = prescription.renewal_opens_on(end)
    assert opens == end - prescription.RENEWAL_WINDOW_DAYS * DAY
    assert care.prescribe(world.store, regulation, pec_id, doctor, opens, 3) > 0


def test_a_diabetes_renewal_the_day_before_the_window_is_refused(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec_id, doctor = _diabetes_with_six_months_on_file(world, regulation)
    too_early = prescription.renewal_opens_on(w.START + 90 * DAY) - DAY
    with pytest.raises(refusals.Refused) as refused:
        care.prescribe(world.store, regulation, pec_id, doctor, too_early, 3)
    assert refused.value.rule == "prescription.renewal_window"
    assert (w.START + 90 * DAY).isoformat() in refused.value.message


def test_the_renewals_ordonnance_starts_when_billing_stops_covering_the_first(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec_id, doctor = _diabetes_with_six_months_on_file(world, regulation)
    renewed_on = w.START + 80 * DAY
    care.prescribe(world.store, regulation, pec_id, doctor, renewed_on, 3)
    found = documents.ordonnance(world.store, regulation, pec_id)
    assert found.renewal
    assert found.starts_on == w.START + 90 * DAY


def test_the_end_report_shows_what_each_prescription_covered_for_billing(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    world = w.build(engine)
    pec_id, doctor = _diabetes_with_six_months_on_file(world, regulation)
    care.prescribe(world.store, regulation, pec_id, doctor, w.START + 80 * DAY, 3)
    stopped_on = w.START + 120 * DAY
    care.stop(world.store, regulation, pec_id, stopped_on, "hospitalisation")
    report = documents.end_report(world.store, regulation, pec_id, stopped_on)
    assert [months for _, months, _ in report.prescriptions] == [6, 3]
    # The 6-month prescription covered 3 months (90 days); the renewal until the stop.
    assert report.covered == (
        (w.START, w.START + 89 * DAY),
        (w.START + 90 * DAY, stopped_on - DAY),
    )


def test_a_prescription_of_another_indication_covers_its_months_in_full(
    regulation: store.Regulation,
) -> None:
    six = model.Prescription(w.START, 6)
    heart = prescription.covered_spans(
        regulation, w.START, (six,), Indication.INSUFFISANCE_CARDIAQUE
    )
    diabetes = prescription.covered_spans(regulation, w.START, (six,), DIABETES)
    assert heart == ((w.START, w.START + 180 * DAY),)
    assert diabetes == ((w.START, w.START + 90 * DAY),)
