"""The pathway's pure rules, each threshold on both sides of its boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import (
    consent,
    delegation,
    eligibility,
    majoration,
    organisation,
    prescription,
    refusals,
    tasks,
)
from telesurveillance.domain.regulation import catalogue, records, store

Ind = catalogue.Indication
DAY = dt.timedelta(days=1)
START = dt.date(2024, 6, 3)


def dmn(until: dt.date | None) -> model.Dmn:
    return model.Dmn("DMN", records.Benefit.ORGANISATIONNEL, dt.date(2023, 1, 1), until)


# --- organisation ------------------------------------------------------------------------------


def test_an_ars_receipt_of_the_same_day_is_enough(regulation: store.Regulation) -> None:
    organisation.require_ars_declaration(regulation, START, START)


def test_an_ars_receipt_of_the_next_day_is_refused_with_its_citation(
    regulation: store.Regulation,
) -> None:
    with pytest.raises(refusals.Refused) as refused:
        organisation.require_ars_declaration(regulation, START + DAY, START)
    assert refused.value.message == (
        "no ARS declaration on 2024-06-03 (receipt dated 2024-06-04): billing impossible"
    )
    assert refused.value.cite == "Code de la sécurité sociale, art. L. 162-51"


def test_no_certificate_was_required_before_2024(regulation: store.Regulation) -> None:
    organisation.require_certificate(regulation, dmn(dt.date(2023, 6, 1)), dt.date(2023, 12, 31))


def test_a_lapsed_certificate_is_refused_from_2024(regulation: store.Regulation) -> None:
    with pytest.raises(refusals.Refused) as refused:
        organisation.require_certificate(regulation, dmn(dt.date(2023, 6, 1)), dt.date(2024, 1, 1))
    assert refused.value.rule == "prerequisite.certificate"


def test_a_convention_covers_its_signature_day_but_not_its_end_day(
    regulation: store.Regulation,
) -> None:
    conv = model.Convention(START, START + DAY)
    assert organisation.require_convention(regulation, [conv], START) is conv
    with pytest.raises(refusals.Refused):
        organisation.require_convention(regulation, [conv], START + DAY)
    with pytest.raises(refusals.Refused):
        organisation.require_convention(regulation, [conv], START - DAY)


def test_implants_are_not_listed_before_31_march_2024(regulation: store.Regulation) -> None:
    implants = Ind.PROTHESES_CARDIAQUES_IMPLANTABLES
    organisation.require_listed(regulation, implants, dt.date(2024, 3, 31))
    with pytest.raises(refusals.Refused) as refused:
        organisation.require_listed(regulation, implants, dt.date(2024, 3, 30))
    assert refused.value.rule == "indication.not_listed"


def test_a_dmn_listed_for_another_indication_is_refused(regulation: store.Regulation) -> None:
    with pytest.raises(refusals.Refused) as refused:
        organisation.require_dmn_for(regulation, "X", "diabete", Ind.INSUFFISANCE_CARDIAQUE, START)
    assert refused.value.rule == "indication.dmn_mismatch"


# --- eligibility and consent ---------------------------------------------------------------------


def _all(regulation: store.Regulation, indication: Ind, group: str) -> eligibility.Attestation:
    found = regulation.indication(indication, "eligibilite", records.Eligibilite).at(START)
    sub = next(g for g in found.value.sous_populations if g.id == group)
    return eligibility.Attestation(group, frozenset(sub.criteres))


def test_oncology_needs_an_adult_on_the_start_day(regulation: store.Regulation) -> None:
    att = _all(regulation, Ind.ONCOLOGIE, "traitement_systemique")
    eligibility.check(regulation, Ind.ONCOLOGIE, att, dt.date(2006, 6, 3), START)
    with pytest.raises(refusals.Refused) as refused:
        eligibility.check(regulation, Ind.ONCOLOGIE, att, dt.date(2006, 6, 4), START)
    assert refused.value.rule == "eligibility.age"


def test_every_criterion_of_the_sub_population_must_be_attested(
    regulation: store.Regulation,
) -> None:
    att = _all(regulation, Ind.INSUFFISANCE_RENALE, "greffe")
    partial = eligibility.Attestation("greffe", frozenset())
    with pytest.raises(refusals.Refused) as refused:
        eligibility.check(regulation, Ind.INSUFFISANCE_RENALE, partial, dt.date(1960, 1, 1), START)
    assert refused.value.rule == "eligibility.criteria"
    assert "Greffe rénale datant de plus de 3 mois" in refused.value.message
    eligibility.check(regulation, Ind.INSUFFISANCE_RENALE, att, dt.date(1960, 1, 1), START)


def test_an_exclusion_refuses_the_inclusion(regulation: store.Regulation) -> None:
    att = _all(regulation, Ind.DIABETE, "dt1")
    excluded = eligibility.Attestation(
        "dt1", att.criteres, frozenset({"Refus d'un accompagnement thérapeutique"})
    )
    with pytest.raises(refusals.Refused) as refused:
        eligibility.check(regulation, Ind.DIABETE, excluded, dt.date(1960, 1, 1), START)
    assert refused.value.rule == "eligibility.exclusion"


def test_an_unknown_sub_population_is_refused_listing_the_known_ones(
    regulation: store.Regulation,
) -> None:
    with pytest.raises(refusals.Refused) as refused:
        eligibility.check(
            regulation,
            Ind.DIABETE,
            eligibility.Attestation("dt3", frozenset()),
            dt.date(1960, 1, 1),
            START,
        )
    assert "dt1" in refused.value.message


def test_gestational_diabetes_without_insulin_is_a_brand_line_from_september_2024(
    regulation: store.Regulation,
) -> None:
    att = eligibility.Attestation("dg_marque", frozenset())
    with pytest.raises(refusals.Refused) as refused:
        eligibility.check(regulation, Ind.DIABETE_GESTATIONNEL, att, dt.date(1995, 1, 1), START)
    assert refused.value.rule == "eligibility.sub_population"


def test_consent_on_the_start_day_is_accepted_and_the_day_after_is_not() -> None:
    assert consent.require_consent(START, "oral", START) is consent.Method.ORAL
    with pytest.raises(refusals.Refused):
        consent.require_consent(START + DAY, "oral", START)
    with pytest.raises(refusals.Refused) as refused:
        consent.require_consent(START, "fax", START)
    assert refused.value.rule == "consent.method"


# --- prescription --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "rule"), [(0, "prescription.duration"), (13, "prescription.over_one_year")]
)
def test_heart_failure_prescriptions_run_from_1_to_12_months(
    regulation: store.Regulation, months: int, rule: str
) -> None:
    ic = Ind.INSUFFISANCE_CARDIAQUE
    for ok in (1, 12):
        prescription.require_duration(regulation, ic, START, ok)
    with pytest.raises(refusals.Refused) as refused:
        prescription.require_duration(regulation, ic, START, months)
    assert refused.value.rule == rule


def test_general_practitioners_prescribe_diabetes_but_not_heart_failure(
    regulation: store.Regulation,
) -> None:
    prescription.require_prescriber(
        regulation, Ind.DIABETE, START, "medecin", "medecin_generaliste"
    )
    with pytest.raises(refusals.Refused) as refused:
        prescription.require_prescriber(
            regulation, Ind.INSUFFISANCE_CARDIAQUE, START, "medecin", "medecin_generaliste"
        )
    assert refused.value.rule == "prescription.prescriber_qualification"


def test_the_renewal_window_opens_15_days_before_the_end(regulation: store.Regulation) -> None:
    rxs = [model.Prescription(START, 3)]
    end = prescription.coverage_end(regulation, START, rxs)
    assert end == START + dt.timedelta(days=90)
    ic = Ind.INSUFFISANCE_CARDIAQUE
    opens = end - dt.timedelta(days=15)
    kw = {"pecan": False, "months_so_far": 3, "months": 3}
    prescription.require_renewal(regulation, ic, end, opens, **kw)  # type: ignore[arg-type]
    with pytest.raises(refusals.Refused) as refused:
        prescription.require_renewal(regulation, ic, end, opens - DAY, **kw)  # type: ignore[arg-type]
    assert refused.value.rule == "prescription.renewal_window"


def test_pecan_is_not_renewed_beyond_one_year(regulation: store.Regulation) -> None:
    end = START + dt.timedelta(days=180)
    onco = Ind.ONCOLOGIE
    prescription.require_renewal(regulation, onco, end, end, pecan=True, months_so_far=6, months=6)
    with pytest.raises(refusals.Refused) as refused:
        prescription.require_renewal(
            regulation, onco, end, end, pecan=True, months_so_far=6, months=7
        )
    assert refused.value.rule == "pecan.expired"
    assert "L. 162-1-23" in refused.value.cite


def test_only_diabetes_has_a_trial_month(regulation: store.Regulation) -> None:
    assert prescription.trial_ends_on(regulation, Ind.DIABETE, START) == START + dt.timedelta(30)
    assert prescription.trial_ends_on(regulation, Ind.INSUFFISANCE_CARDIAQUE, START) is None


# --- majorations ---------------------------------------------------------------------------------


def _majorate(
    regulation: store.Regulation,
    indication: Ind,
    since: dt.date,
    until: dt.date | None = None,
    previous: tuple[model.Majoration, ...] = (),
    profession: str = "medecin",
    criterion: str = "NYHA III",
) -> dt.date:
    return majoration.check(
        regulation,
        indication,
        1,
        since,
        until,
        attested_by_profession=profession,
        criterion=criterion,
        previous=previous,
    )


def test_heart_failure_majoration_lasts_at_most_six_periods(regulation: store.Regulation) -> None:
    ic = Ind.INSUFFISANCE_CARDIAQUE
    assert _majorate(regulation, ic, START) == START + dt.timedelta(days=180)
    with pytest.raises(refusals.Refused) as refused:
        _majorate(regulation, ic, START, START + dt.timedelta(days=181))
    assert refused.value.rule == "majoration.cap_reached"


def test_a_majoration_is_renewed_once_without_interruption(regulation: store.Regulation) -> None:
    d = Ind.DIABETE
    first = model.Majoration(model.MajorationLevel.NIVEAU_1, START, START + dt.timedelta(90))
    second_start = first.until
    assert second_start is not None
    end2 = _majorate(regulation, d, second_start, previous=(first,))
    second = model.Majoration(model.MajorationLevel.NIVEAU_1, second_start, end2)
    with pytest.raises(refusals.Refused) as refused:
        _majorate(regulation, d, end2, previous=(first, second))
    assert refused.value.rule == "majoration.cap_reached"
    # after an interruption of one day a new run may start
    _majorate(regulation, d, end2 + DAY, previous=(first, second))


def test_majorations_start_on_8_january_2024(regulation: store.Regulation) -> None:
    ic = Ind.INSUFFISANCE_CARDIAQUE
    _majorate(regulation, ic, dt.date(2024, 1, 8))
    with pytest.raises(refusals.Refused) as refused:
        _majorate(regulation, ic, dt.date(2024, 1, 7))
    assert refused.value.rule == "majoration.not_eligible"


def test_a_majoration_is_attested_by_a_physician_with_a_criterion(
    regulation: store.Regulation,
) -> None:
    ic = Ind.INSUFFISANCE_CARDIAQUE
    with pytest.raises(refusals.Refused) as nurse:
        _majorate(regulation, ic, START, profession="infirmier")
    assert nurse.value.rule == "majoration.attestation"
    with pytest.raises(refusals.Refused) as blank:
        _majorate(regulation, ic, START, criterion="  ")
    assert blank.value.rule == "majoration.criterion"


# --- tasks ---------------------------------------------------------------------------------------


def _tasks(
    regulation: store.Regulation,
    indication: Ind,
    today: dt.date,
    days: int = 0,
    sessions: tuple[dt.date, ...] = (),
) -> dict[tasks.Kind, tasks.Task]:
    followed = tasks.Followed(
        indication=indication,
        starts_on=START,
        prescriptions=[model.Prescription(START, 3)],
        support_sessions=sessions,
        days_with_data=[START + dt.timedelta(days=k) for k in range(days)],
    )
    found: dict[tasks.Kind, tasks.Task] = {}
    for task in tasks.tasks(regulation, followed, today):
        found.setdefault(task.kind, task)  # the earliest of each kind
    return found


@pytest.mark.parametrize(("days", "status"), [(15, tasks.Status.DONE), (14, tasks.Status.FAILED)])
def test_the_first_checkpoint_needs_half_the_expected_days(
    regulation: store.Regulation, days: int, status: tasks.Status
) -> None:
    end = START + dt.timedelta(days=30)
    found = _tasks(regulation, Ind.INSUFFISANCE_CARDIAQUE, end, days)
    assert found[tasks.Kind.OBSERVANCE_CHECKPOINT].status is status
    before = _tasks(regulation, Ind.INSUFFISANCE_CARDIAQUE, end - DAY, days)
    assert before[tasks.Kind.OBSERVANCE_CHECKPOINT].status is tasks.Status.UPCOMING


def test_diabetes_support_is_due_in_the_first_month(regulation: store.Regulation) -> None:
    end = START + dt.timedelta(days=30)
    kind = tasks.Kind.THERAPEUTIC_SUPPORT
    assert _tasks(regulation, Ind.DIABETE, end - DAY)[kind].status is tasks.Status.DUE
    assert _tasks(regulation, Ind.DIABETE, end)[kind].status is tasks.Status.OVERDUE
    held = _tasks(regulation, Ind.DIABETE, end, sessions=(end - DAY,))
    assert held[kind].status is tasks.Status.DONE
    late = _tasks(regulation, Ind.DIABETE, end, sessions=(end,))
    assert late[kind].status is tasks.Status.OVERDUE


def test_the_renewal_task_is_due_from_15_days_before_the_end(
    regulation: store.Regulation,
) -> None:
    end = START + dt.timedelta(days=90)
    kind = tasks.Kind.RENEWAL
    opens = end - dt.timedelta(days=15)
    ic = Ind.INSUFFISANCE_CARDIAQUE
    assert _tasks(regulation, ic, opens - DAY)[kind].status is tasks.Status.UPCOMING
    assert _tasks(regulation, ic, opens)[kind].status is tasks.Status.DUE
    assert _tasks(regulation, ic, end)[kind].status is tasks.Status.OVERDUE


# --- delegation ----------------------------------------------------------------------------------

R = delegation.Role
T = delegation.Task
PROTOCOL = delegation.CooperationProtocol(
    "P", R.SOIGNANT, frozenset({T.ALERT_CLOSURE}), START, START + dt.timedelta(days=30)
)


def test_a_physician_closes_alerts_medically_without_protocol() -> None:
    assert delegation.may_close_medically(R.MEDECIN, [])


def test_a_nurse_closes_medically_only_under_a_protocol_in_force() -> None:
    assert not delegation.may_close_medically(R.SOIGNANT, [])
    assert delegation.may_close_medically(R.SOIGNANT, [PROTOCOL])
    assert delegation.may_close_medically("soignant", [PROTOCOL], on=START)
    assert not delegation.may_close_medically("soignant", [PROTOCOL], on=START - DAY)
    assert not delegation.may_close_medically(
        "soignant", [PROTOCOL], on=START + dt.timedelta(days=30)
    )


@pytest.mark.parametrize("role", [R.FACTURATION, R.EXPLOITANT, R.PATIENT, R.ADMINISTRATEUR])
def test_non_care_roles_never_close_medically(role: delegation.Role) -> None:
    other = delegation.CooperationProtocol("X", role, frozenset({T.ALERT_CLOSURE}), START)
    assert not delegation.may_close_medically(role, [PROTOCOL, other])
    with pytest.raises(refusals.Refused) as refused:
        delegation.require_medical_closure(role, [PROTOCOL])
    assert "art. L. 4011-1" in str(refused.value)


def test_the_exploitant_prefilters_only_when_the_convention_delegates_it() -> None:
    assert delegation.may_perform(R.EXPLOITANT, T.PREFILTER, [], prefilter_delegated=True)
    assert not delegation.may_perform(R.EXPLOITANT, T.PREFILTER, [], prefilter_delegated=False)
    assert delegation.may_perform(R.SOIGNANT, T.THERAPEUTIC_SUPPORT, [])
    assert not delegation.may_perform(R.SOIGNANT, T.MEDICAL_ANALYSIS, [PROTOCOL])
