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
#: Prescription lengths (months) whose renewal the database checks by comparing start dates;
#: longer ones compute their end date row by row.
RENEWAL_MONTHS = 24
#: Rows of a section per page.
LIMIT = 50


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
    #: every followed patient with an alert not closed (as many as the open alerts at most)
    alerts: list[AlertRow] = field(default_factory=list)
    #: the rows of the page shown of each counted section, and each section's total
    at_risk: list[RiskRow] = field(default_factory=list)
    renewals: list[RenewalRow] = field(default_factory=list)
    followed: int = 0
    #: every alert not closed, whoever the patient: the triage queue's number
    queue: int = 0
    at_risk_total: int = 0
    renewals_total: int = 0
    #: the section shown alone (None: all three, each on its first page) and its page number
    section: str | None = None
    number: int = 1
    size: int = LIMIT

    @property
    def open_alerts(self) -> int:
        """The alerts not closed of the patients listed (each row counts its alerts)."""
        return sum(r.count for r in self.alerts)

    def total(self, section: str) -> int:
        """Rows of a section, every page."""
        return {"alerts": len(self.alerts), "at_risk": self.at_risk_total}.get(
            section, self.renewals_total
        )

    def pages(self, section: str) -> int:
        return max(1, math.ceil(self.total(section) / self.size))

    def offset(self, section: str) -> int:
        """Rows of the section before the page shown."""
        return (self.number - 1) * self.size if section == self.section else 0


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


def criteria(
    regulation: store.Regulation, today: dt.date, indication: str | None, member: int | None
) -> ports.Criteria:
    needed = {k: v[1] for k, v in _thresholds(regulation, today).items()}
    length = period_length(regulation, today)
    notice = today + RENEWAL_NOTICE
    bases = {m: latest_start(notice, m) for m in range(1, RENEWAL_MONTHS + 1)}
    return ports.Criteria(today, length, needed, notice, bases, indication, member)


def latest_start(ends_by: dt.date, months: int) -> dt.date:
    """The latest day a prescription of `months` months may start and end (`add_months`) on
    or before `ends_by`: `add_months` never decreases as the start moves later, so a start is
    due by then exactly when it is on or before this day."""
    day = add_months(ends_by, -months)
    while add_months(day + dt.timedelta(days=1), months) <= ends_by:
        day += dt.timedelta(days=1)
    while add_months(day, months) > ends_by:
        day -= dt.timedelta(days=1)
    return day


def _risk_row(f: ports.Followed, c: ports.Criteria, expected: int, needed: int) -> RiskRow:
    elapsed = (c.today - f.starts_on).days % c.length + 1
    # Days left count today unless it already has data (as services.billing.forecast).
    left = c.length - elapsed + (0 if f.last_day == c.today else 1)
    seen = forecast.outlook(f.days_in_period, needed, left, elapsed).value
    return RiskRow(
        f.patient_id, _name(f), f.synthetic, f.indication, f.days_in_period, needed, expected,
        left, seen,
    )  # fmt: skip


def _renewal_row(f: ports.Followed, today: dt.date) -> RenewalRow:
    if f.prescribed_on is None or f.months is None:  # the query keeps prescribed ones only
        raise ValueError(f"prise en charge {f.prise_en_charge_id}: no prescription to renew")
    ends = add_months(max(f.prescribed_on, f.starts_on), f.months)
    return RenewalRow(f.patient_id, _name(f), f.synthetic, f.indication, ends, ended=ends <= today)


def _alert_rows(found: list[ports.NamedAlert]) -> list[AlertRow]:
    """One row per patient: their most severe alert (the newest among equals) and how many."""
    by_patient: dict[int, list[ports.NamedAlert]] = defaultdict(list)
    for named in found:
        by_patient[named.alert.patient_id].append(named)
    out = []
    for patient_alerts in by_patient.values():
        worst = min(
            patient_alerts,
            key=lambda n: (SEVERITY_RANK.get(n.alert.severity, 9), -n.alert.opened_at),
        )
        a = worst.alert
        out.append(
            AlertRow(
                a.patient_id, f"{worst.family.upper()} {worst.given}", worst.synthetic,
                a.severity, len(patient_alerts), a.message, a.status,
                dt.datetime.fromtimestamp(a.opened_at / 1000, dt.UTC), a.rule_id,
            )
        )  # fmt: skip
    out.sort(key=lambda r: (SEVERITY_RANK.get(r.severity, 9), -r.opened_at.timestamp()))
    return out


def build(
    reads: ports.Worklist,
    regulation: store.Regulation,
    today: dt.date,
    *,
    indication: str | None = None,
    member: int | None = None,
    section: str | None = None,
    number: int = 1,
) -> Worklist:
    """The worklist for the filters: the totals, every followed patient with an alert, and one
    page (`number`, of `LIMIT` rows) of the `section` shown alone, or the first page of each —
    a bounded number of statements and rows whatever the team's size."""
    c = criteria(regulation, today, indication, member)
    shown = [s for s in ("at_risk", "renewals") if section in (None, s)]
    wanted = max(number, 1) if section is not None else 1
    pages = dict.fromkeys(shown, ((wanted - 1) * LIMIT, LIMIT))
    found = reads.overview(c, pages)
    if found.totals.stale:  # first read of a period for some: roll them over, read again
        reads.roll_over(c)
        found = reads.overview(c, pages)
    out = Worklist(
        followed=found.totals.followed,
        at_risk_total=found.totals.at_risk,
        renewals_total=found.totals.renewals,
        section=section,
        alerts=_alert_rows(reads.followed_alerts(c)),
        queue=reads.queue_size(),
    )
    rows = found.rows
    if section is not None:
        out.number = min(wanted, out.pages(section))
        if out.number != wanted and section in rows:  # past the last page: show the last
            rows = reads.overview(c, {section: (out.offset(section), LIMIT)}).rows
    limits = _thresholds(regulation, today)
    out.at_risk = [_risk_row(f, c, *limits[f.indication]) for f in rows.get("at_risk", [])]
    out.renewals = [_renewal_row(f, today) for f in rows.get("renewals", [])]
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
    section: str | None = None,
    number: int = 1,
) -> Page:
    """The worklist page: the worklist for the filters, and the prescribers to filter by."""
    work = build(
        reads, regulation, today, indication=indication, member=member, section=section,
        number=number,
    )  # fmt: skip
    return Page(work, reads.prescribers())
