"""The patient page: identity, monitoring, the engine's verdict and the observance forecast for
each prise en charge, the alerts with their history, the care team's notes; and the chart data
(readings per kind with the threshold rules of the patient's indications)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from telesurveillance.domain.alerts import rules, ruleset
from telesurveillance.domain.billing import engine, verdict
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import forecast, ledger
from telesurveillance.services.dashboard import notes, ports

#: Alerts shown on the patient page (newest first).
ALERTS = 50


@dataclass(frozen=True, slots=True)
class CareView:
    care: ports.Care
    judged: verdict.Judgement
    forecast: forecast.Forecast | None


@dataclass(frozen=True, slots=True)
class Page:
    file: ports.File
    cares: list[CareView]
    notes: list[notes.Note]


def page(
    patients: ports.Patients,
    written: notes.Notes,
    regulation: store.Regulation,
    patient_id: int,
    today: dt.date,
) -> Page | None:
    """The page of `patient_id` on `today`; None if there is no such patient."""
    found = patients.file(patient_id, ALERTS)
    if found is None:
        return None
    shown = notes.for_patient(written, patient_id)
    views = []
    for care in found.patient.cares:
        stream = ledger.Stream(care.id, patient_id, 0, None, None, care.situation)
        outlooks = forecast.forecast(regulation, [stream], today)
        views.append(
            CareView(
                care,
                engine.judge(regulation, care.situation, today),
                outlooks[0] if outlooks else None,
            )
        )
    return Page(found, views, shown)


@dataclass(frozen=True, slots=True)
class Series:
    """One measurement kind's readings of the window, in time order."""

    kind: measures.Kind
    #: instants in UTC milliseconds
    ts: list[int]
    values: list[float]
    #: the threshold rules of the patient's indications on this kind (value, label, severity)
    thresholds: list[dict[str, Any]]


def chart(
    patients: ports.Patients,
    table: measures.Table,
    patient_id: int,
    now: dt.datetime,
    days: int,
) -> list[Series] | None:
    """The readings of the last `days` days per kind (in kind order), with the thresholds to
    draw; None if there is no such patient."""
    since = reading.millis(now) - days * 86_400_000
    found = patients.chart(patient_id, since)
    if found is None:
        return None
    indications, data = found
    limits = thresholds(indications)
    return [
        Series(table.by_id(kind_id), ts, values, limits.get(kind_id, []))
        for kind_id, (ts, values) in sorted(data.items())
    ]


def thresholds(indications: set[str]) -> dict[int, list[dict[str, Any]]]:
    """The threshold rules of the patient's indications, per measurement kind."""
    out: dict[int, list[dict[str, Any]]] = {}
    sets = ruleset.packaged()
    for indication in sorted(indications):
        for rule in sets.by_indication.get(indication, ()):
            if rule.kind is not rules.RuleKind.THRESHOLD or rule.kind_id is None:
                continue
            out.setdefault(rule.kind_id, []).append(
                {
                    "value": rule.threshold,
                    "compare": rule.compare.value,
                    "label": rule.label,
                    "severity": rule.severity.value,
                }
            )
    return out
