"""A rule replayed for the same key leaves in a period what running it there would have left."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import context, model, rules
from telesurveillance.domain.regulation import catalogue, records, store, timeline

REGULATION = store.packaged()
START = dt.date(2025, 1, 6)


def _situation(certified_until: dt.date | None) -> model.Situation:
    return model.Situation(
        operateur=model.Operateur(model.OperateurKind.LIBERAL, dt.date(2023, 7, 1)),
        convention=model.Convention(dt.date(2023, 7, 1)),
        dmn=model.Dmn(
            "DMN", records.Benefit.ORGANISATIONNEL, dt.date(2023, 12, 1), certified_until
        ),
        patient=model.Patient(dt.date(1950, 1, 1), model.Coverage.STANDARD),
        prise_en_charge=model.PriseEnCharge(
            catalogue.Indication.INSUFFISANCE_CARDIAQUE, START, model.Prescription(START, 12)
        ),
    )


def _ctx(situation: model.Situation, start: dt.date = START) -> context.PeriodContext:
    return context.PeriodContext(REGULATION, situation, calendar.period(start, 1, 30))


def test_a_replayed_rule_leaves_the_notes_and_basis_of_a_rule_run_in_place() -> None:
    # A certificate ending within the period: a note, and the parameter read.
    situation = _situation(START + dt.timedelta(days=10))
    ran = _ctx(situation)
    rules.certificate(ran)
    key = ("test-certificate", START, situation.dmn)
    first, second = _ctx(situation), _ctx(situation)
    first.replayed(key, rules.certificate)
    second.replayed(key, rules.certificate)
    assert ran.notes
    for replayed in (first, second):
        assert replayed.notes == ran.notes
        assert replayed.reasons == ran.reasons
        assert replayed.basis_list() == ran.basis_list()


def test_a_parameter_not_in_force_is_raised_again_on_every_replay() -> None:
    early = dt.date(2022, 1, 3)  # before the common law: no certificate rule in force
    situation = _situation(None)
    key = ("test-certificate-early", early)
    for _ in range(2):
        with pytest.raises(timeline.NotInForce):
            _ctx(situation, early).replayed(key, rules.certificate)
