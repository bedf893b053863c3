"""The worklist's view model: open alerts by severity, then patients at risk of insufficient
data this period, then renewals due — built from the counters, never from raw readings
(`ports.Worklist`)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from telesurveillance.domain.regulation import catalogue, records, store
from telesurveillance.services.billing import forecast
from telesurveillance.services.dashboard import ports

SEVERITY_RANK = {"high": 0, "moderate": 1, "low": 2}
#: A renewal is due when the prescription in force ends within this many days.
RENEWAL_NOTICE = dt.timedelta(days=21)
LIMIT = 50
#: The most rows of one section shown in full ("… et N autres" followed).
FULL = 5000


@dataclass(frozen=True, slots=True)
class AlertRow:
    patient_id: int
    name: str
    synthetic: bool
    severity: str
    count: int
    message: str
    status: str
    opened_at: dt.datetime
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class RiskRow:
    patient_id: int
    name: str
    synthetic: bool
    indication: str
    days: int
    needed: int
    expected: int
    left: int
    outlook: str


@dataclass(frozen=True, slots=True)
class RenewalRow:
    patient_id: int
    name: str
    synthetic: bool
    indication: str
    ends_on: dt.date
    #: the prescription has already ended (on or before today): shown as ended, first
    ended: bool = False


@dataclass(slots=True)
class Worklist:
    alerts: list[AlertRow] = field(default_factory=list)
    at_risk: list[RiskRow] = field(default_factory=list)
    renewals: list[RenewalRow] = field(default_factory=list)
    followed: int = 0
    #: every alert not closed, whoever the patient: the triage queue's number
    queue: int = 0

    @property
    def open_alerts(self) -> int:
        """The alerts not closed of the patients listed (each row counts its alerts)."""
        return sum(r.count for r in self.alerts)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _thresholds(regulation: store.Regulation, day: dt.date) -> dict[str, tuple[int, int]]:
    """Per indication: (expected days per period, days needed to keep the next period due)."""
    share = regulation.get("observance.seuil_insuffisance", Decimal).get(day)
    out = {}
    for indication in catalogue.Indication:
        rules = regulation.indication(indication, "observance", records.ObservanceRules).get(day)
        if rules is None or share is None:
            continue
        expected = rules.value.jours_attendus_par_periode
        out[indication.value] = (expected, math.ceil(share.value * expected))
    return out


def period_length(regulation: store.Regulation, day: dt.date) -> int:
    return regulation.get("periodes.duree_jours", int).at_or_first(day).value


def _name(f: ports.Followed) -> str:
    return f"{f.family.upper()} {f.given}"


@dataclass(slots=True)
class Observed:
    """The part of the worklist read from the counters (alerts are read apart)."""

    followed: int
    at_risk: list[RiskRow]
    renewals: list[RenewalRow]
    names: dict[int, tuple[str, bool]]


def observe(
    reads: ports.Worklist,
    regulation: store.Regulation,
    today: dt.date,
    indication: str | None,
    member: int | None,
) -> Observed:
    length = period_length(regulation, today)
    followed = reads.followed(today, length, indication=indication)
    if member is not None:
        followed = [f for f in followed if f.prescriber_id == member]
    out = Observed(len(followed), [], [], {})
    thresholds = _thresholds(regulation, today)
    notice = today + RENEWAL_NOTICE
    for f in followed:
        name = _name(f)
        out.names[f.patient_id] = (name, f.synthetic)
        limits = thresholds.get(f.indication)
        if limits is not None and f.days_in_period < limits[1]:
            expected, needed = limits
            elapsed = (today - f.starts_on).days % length + 1
            # Days left count today unless it already has data (as services.billing.forecast).
            left = length - elapsed + (0 if f.last_day == today else 1)
            seen = forecast.outlook(f.days_in_period, needed, left, elapsed).value
            if seen in ("at_risk", "unreachable"):
                row = RiskRow(
                    f.patient_id,
                    name,
                    f.synthetic,
                    f.indication,
                    f.days_in_period,
                    needed,
                    expected,
                    left,
                    seen,
                )
                out.at_risk.append(row)
        if f.prescribed_on is not None and f.months is not None:
            ends = add_months(max(f.prescribed_on, f.starts_on), f.months)
            if ends <= notice:
                row_ = RenewalRow(
                    f.patient_id, name, f.synthetic, f.indication, ends, ended=ends <= today
                )
                out.renewals.append(row_)
    out.at_risk.sort(key=lambda r: (r.outlook != "unreachable", r.left, r.days - r.needed))
    out.renewals.sort(key=lambda r: (not r.ended, r.ends_on))
    return out


def build(
    reads: ports.Worklist,
    regulation: store.Regulation,
    today: dt.date,
    *,
    indication: str | None = None,
    member: int | None = None,
) -> Worklist:
    seen = observe(reads, regulation, today, indication, member)
    out = Worklist(followed=seen.followed, at_risk=seen.at_risk, renewals=seen.renewals)
    by_patient: dict[int, list[ports.OpenAlert]] = defaultdict(list)
    every = reads.open_alerts()
    out.queue = len(every)
    for alert in every:
        if alert.patient_id in seen.names:
            by_patient[alert.patient_id].append(alert)
    for patient_id, found in by_patient.items():
        worst = min(found, key=lambda a: (SEVERITY_RANK.get(a.severity, 9), -a.opened_at))
        name, synthetic = seen.names[patient_id]
        opened = dt.datetime.fromtimestamp(worst.opened_at / 1000, dt.UTC)
        out.alerts.append(
            AlertRow(
                patient_id,
                name,
                synthetic,
                worst.severity,
                len(found),
                worst.message,
                worst.status,
                opened,
                worst.rule_id,
            )
        )
    out.alerts.sort(key=lambda r: (SEVERITY_RANK.get(r.severity, 9), -r.opened_at.timestamp()))
    return out


def any_synthetic(work: Worklist) -> bool:
    rows: list[AlertRow | RiskRow | RenewalRow] = [*work.alerts, *work.at_risk, *work.renewals]
    return any(r.synthetic for r in rows)


@dataclass(frozen=True, slots=True)
class Page:
    work: Worklist
    #: the team members who prescribe (id, name), for the filter
    members: list[tuple[int, str]]


def page(
    reads: ports.Worklist,
    regulation: store.Regulation,
    today: dt.date,
    *,
    indication: str | None = None,
    member: int | None = None,
) -> Page:
    """The worklist page: the worklist for the filters, and the prescribers to filter by."""
    work = build(reads, regulation, today, indication=indication, member=member)
    return Page(work, reads.prescribers())
