"""Alert burden: the figures a team tunes its thresholds with, per opérateur, indication, rule.

- alerts per patient-month: alerts opened in `[start, end)` over the patient-months of
  monitoring of the opérateur and indication in the same range (a patient-month is 30 days of
  an active prise en charge, the length of a LATM billing period);
- the share of closed alerts decided `no_action` and `artefact` (noise);
- the median time from opening to acknowledgement (alerts closed directly count from opening to
  closure), computed here in Python so that SQLite and PostgreSQL give the same figure.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

MONTH_DAYS = 30


@dataclass(frozen=True, slots=True)
class AlertFact:
    operateur_id: int | None
    indication: str
    rule_id: str
    opened_at: int
    acknowledged_at: int | None
    closed_at: int | None
    decision: str | None


@dataclass(frozen=True, slots=True)
class Monitoring:
    operateur_id: int | None
    indication: str
    starts_on: dt.date
    stopped_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Burden:
    operateur_id: int | None
    indication: str
    rule_id: str
    alerts: int
    patient_months: float
    per_patient_month: float | None
    closed: int
    share_no_action: float | None
    share_artefact: float | None
    median_minutes_to_acknowledge: float | None


def patient_days(monitoring: Monitoring, start: dt.date, end: dt.date) -> int:
    """Days of `[start, end)` inside `[starts_on, stopped_on)`."""
    first = max(start, monitoring.starts_on)
    last = end if monitoring.stopped_on is None else min(end, monitoring.stopped_on)
    return max(0, (last - first).days)


def burden(
    facts: Iterable[AlertFact], monitorings: Iterable[Monitoring], start: dt.date, end: dt.date
) -> list[Burden]:
    """One line per (opérateur, indication, rule) with at least one alert in the range."""
    exposure: dict[tuple[int | None, str], int] = defaultdict(int)
    for m in monitorings:
        exposure[(m.operateur_id, m.indication)] += patient_days(m, start, end)
    groups: dict[tuple[int | None, str, str], list[AlertFact]] = defaultdict(list)
    for f in facts:
        groups[(f.operateur_id, f.indication, f.rule_id)].append(f)
    out = []
    for (operateur_id, indication, rule_id), group in sorted(
        groups.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1], kv[0][2])
    ):
        months = exposure.get((operateur_id, indication), 0) / MONTH_DAYS
        closed = [f for f in group if f.closed_at is not None]
        waits = [
            ((f.acknowledged_at or f.closed_at or 0) - f.opened_at) / 60_000
            for f in group
            if f.acknowledged_at is not None or f.closed_at is not None
        ]
        out.append(
            Burden(
                operateur_id=operateur_id,
                indication=indication,
                rule_id=rule_id,
                alerts=len(group),
                patient_months=round(months, 3),
                per_patient_month=round(len(group) / months, 3) if months else None,
                closed=len(closed),
                share_no_action=_share(closed, "no_action"),
                share_artefact=_share(closed, "artefact"),
                median_minutes_to_acknowledge=(
                    round(statistics.median(waits), 1) if waits else None
                ),
            )
        )
    return out


def _share(closed: list[AlertFact], decision: str) -> float | None:
    if not closed:
        return None
    return round(sum(f.decision == decision for f in closed) / len(closed), 3)
