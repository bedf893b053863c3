"""Streams built in memory for the service tests (no store needed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from telesurveillance.domain.billing import model
from telesurveillance.domain.regulation import catalogue, records
from telesurveillance.services.billing import ledger

START = dt.date(2025, 1, 6)


def stream(
    days: Iterable[dt.date],
    *,
    pec_id: int = 1,
    patient_id: int = 1,
    exploitant_id: int = 1,
    indication: catalogue.Indication = catalogue.Indication.INSUFFISANCE_CARDIAQUE,
    starts_on: dt.date = START,
) -> ledger.Stream:
    situation = model.Situation(
        operateur=model.Operateur(model.OperateurKind.LIBERAL, dt.date(2023, 7, 1), "cardiologue"),
        convention=model.Convention(dt.date(2023, 7, 1)),
        dmn=model.Dmn(
            "DMN SYNTHÉTIQUE", records.Benefit.ORGANISATIONNEL, dt.date(2023, 12, 1), None
        ),
        patient=model.Patient(dt.date(1950, 1, 1), model.Coverage.STANDARD),
        prise_en_charge=model.PriseEnCharge(
            indication, starts_on, model.Prescription(starts_on, 12)
        ),
        days_with_data=frozenset(days),
    )
    return ledger.Stream(pec_id, patient_id, 1, exploitant_id, 1, situation)


def daily(start: dt.date, count: int) -> list[dt.date]:
    return [start + dt.timedelta(days=k) for k in range(count)]
