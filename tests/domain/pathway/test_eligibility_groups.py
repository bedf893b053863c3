"""Eligibility groups from the listing texts (any-of / all-of) and the bounds the platform
computes itself, for the inclusion and for billing (one data source, `eligibilite`)."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import eligibility, prescription, refusals
from telesurveillance.domain.regulation import catalogue, records, store

Ind = catalogue.Indication
START = dt.date(2024, 6, 3)
HOSPITALISATION = "Hospitalisation pour décompensation cardiaque dans les 12 derniers mois"
NYHA = "Classe NYHA ≥ II"
BNP = "BNP > 100 pg/ml"
NT_PRO_BNP = "NT-proBNP > 1000 pg/ml"


def _hf(*criteres: str) -> eligibility.Attestation:
    return eligibility.Attestation("ic_chronique", frozenset(criteres))


def _include_hf(regulation: store.Regulation, attestation: eligibility.Attestation) -> None:
    eligibility.check(
        regulation, Ind.INSUFFISANCE_CARDIAQUE, attestation, dt.date(1950, 1, 1), START
    )


def test_heart_failure_a_recent_hospitalisation_alone_is_enough(
    regulation: store.Regulation,
) -> None:
    _include_hf(regulation, _hf(HOSPITALISATION))


@pytest.mark.parametrize("peptide", [BNP, NT_PRO_BNP])
def test_heart_failure_nyha_with_either_raised_peptide_is_enough(
    regulation: store.Regulation, peptide: str
) -> None:
    _include_hf(regulation, _hf(NYHA, peptide))


@pytest.mark.parametrize(
    "attested", [(NYHA,), (BNP,), (NT_PRO_BNP, BNP), ()], ids=["nyha", "bnp", "peptides", "none"]
)
def test_heart_failure_neither_alternative_is_refused_naming_both(
    regulation: store.Regulation, attested: tuple[str, ...]
) -> None:
    with pytest.raises(refusals.Refused) as refused:
        _include_hf(regulation, _hf(*attested))
    assert refused.value.rule == "eligibility.criteria"
    assert f"one of: {HOSPITALISATION} | " in refused.value.message
    assert NYHA in refused.value.message


def test_the_criteria_of_a_group_are_every_wording_it_holds(regulation: store.Regulation) -> None:
    found = regulation.indication(Ind.INSUFFISANCE_CARDIAQUE, "eligibilite", records.Eligibilite)
    group = found.at(START).value.sous_populations[0]
    assert group.criteres == (HOSPITALISATION, NYHA, BNP, NT_PRO_BNP)


def test_unmet_keeps_only_the_missing_members_of_an_all_of_group() -> None:
    group = records.Conditions(
        all_of=(records.Conditions(critere="A"), records.Conditions(critere="B"))
    )
    assert eligibility.unmet(group, {"A"}) == records.Conditions(critere="B")
    assert eligibility.unmet(group, {"A", "B"}) is None
    assert eligibility.describe(group) == "A + B"


def test_a_condition_is_exactly_one_of_criterion_any_of_all_of() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        records.Conditions(critere="A", any_of=(records.Conditions(critere="B"),))
    with pytest.raises(ValueError, match="exactly one"):
        records.Conditions()


def _respiratory(regulation: store.Regulation, born_on: dt.date) -> None:
    attestation = eligibility.Attestation(
        "oxygenotherapie",
        frozenset(
            {"Insuffisance respiratoire chronique", "Oxygénothérapie de court ou long terme"}
        ),
    )
    eligibility.check(regulation, Ind.INSUFFISANCE_RESPIRATOIRE, attestation, born_on, START)


def test_respiratory_inclusion_accepts_a_patient_18_on_the_day(
    regulation: store.Regulation,
) -> None:
    _respiratory(regulation, dt.date(2006, 6, 3))


def test_respiratory_inclusion_refuses_a_patient_18_the_next_day(
    regulation: store.Regulation,
) -> None:
    with pytest.raises(refusals.Refused) as refused:
        _respiratory(regulation, dt.date(2006, 6, 4))
    assert refused.value.rule == "eligibility.age"
    assert "patient aged 17 on 2024-06-03, at least 18 required" in refused.value.message


def test_out_of_bounds_reads_the_age_on_the_day_given(regulation: store.Regulation) -> None:
    found = regulation.indication(Ind.INSUFFISANCE_RESPIRATOIRE, "eligibilite", records.Eligibilite)
    population = found.at(START).value
    born = dt.date(2006, 7, 3)
    assert [b.rule for b in eligibility.out_of_bounds(population, born, dt.date(2024, 7, 2))] == [
        "eligibility.age"
    ]
    assert eligibility.out_of_bounds(population, born, dt.date(2024, 7, 3)) == ()


def test_gestational_diabetes_refuses_a_male_patient_and_does_not_guess_an_unknown_sex(
    regulation: store.Regulation,
) -> None:
    attestation = eligibility.Attestation(
        "dg_insuline", frozenset({"Diabète gestationnel", "Traitement par insuline"})
    )
    born = dt.date(1994, 1, 1)
    ind = Ind.DIABETE_GESTATIONNEL
    eligibility.check(regulation, ind, attestation, born, START, records.Sexe.FEMININ)
    eligibility.check(regulation, ind, attestation, born, START)  # sex not known: not checked
    with pytest.raises(refusals.Refused) as refused:
        eligibility.check(regulation, ind, attestation, born, START, records.Sexe.MASCULIN)
    assert refused.value.rule == "eligibility.sex"


def test_diabetes_has_no_age_bound(regulation: store.Regulation) -> None:
    found = regulation.indication(Ind.DIABETE, "eligibilite", records.Eligibilite)
    population = found.at(START).value
    assert eligibility.out_of_bounds(population, dt.date(2020, 1, 1), START) == ()


def test_the_renewal_date_follows_the_indication_s_maximum_as_billing_does(
    regulation: store.Regulation,
) -> None:
    six_months = (model.Prescription(START, 6),)
    diabetes = prescription.coverage_end(regulation, START, six_months, Ind.DIABETE)
    heart = prescription.coverage_end(regulation, START, six_months, Ind.INSUFFISANCE_CARDIAQUE)
    assert diabetes == START + dt.timedelta(days=90)  # 3 months, the diabetes maximum
    assert heart == START + dt.timedelta(days=180)
