"""Alert-burden arithmetic: rate per patient-month, noise shares, median time to acknowledge."""

from __future__ import annotations

import datetime as dt

from telesurveillance.domain.alerts import burden

START, END = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
MIN = 60_000


def fact(
    opened: int, ack: int | None, closed: int | None, decision: str | None
) -> burden.AlertFact:
    return burden.AlertFact(1, "diabete", "diab.hypo.niveau1", opened, ack, closed, decision)


def test_rate_shares_and_median() -> None:
    facts = [
        fact(0, 10 * MIN, 20 * MIN, "no_action"),
        fact(0, 30 * MIN, 40 * MIN, "artefact"),
        fact(0, None, 50 * MIN, "patient_called"),
        fact(0, None, None, None),
    ]
    # two patients monitored the whole 30 days: 2 patient-months
    monitorings = [burden.Monitoring(1, "diabete", dt.date(2025, 6, 1), None)] * 2
    [line] = burden.burden(facts, monitorings, START, END)
    assert line.alerts == 4
    assert line.patient_months == 2
    assert line.per_patient_month == 2
    assert line.closed == 3
    assert line.share_no_action == 0.333
    assert line.share_artefact == 0.333
    # waits 10, 30 and 50 (closed without acknowledgement): median 30
    assert line.median_minutes_to_acknowledge == 30


def test_exposure_counts_only_the_days_inside_the_range() -> None:
    m = burden.Monitoring(1, "diabete", dt.date(2026, 1, 16), dt.date(2026, 2, 10))
    assert burden.patient_days(m, START, END) == 15
    before = burden.Monitoring(1, "diabete", dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert burden.patient_days(before, START, END) == 0


def test_no_rate_without_exposure() -> None:
    [line] = burden.burden([fact(0, None, None, None)], [], START, END)
    assert line.per_patient_month is None
    assert line.share_no_action is None
    assert line.median_minutes_to_acknowledge is None
